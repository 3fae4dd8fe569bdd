import { describe, expect, it } from "vitest";
import { type SentRow, suppressSmallCells, tally } from "./tally.ts";

const row = (personId: string, over: Partial<SentRow> = {}): SentRow => ({
  operationId: "op-1",
  code: "SEC-2026-01-20",
  date: "2026-01-20",
  operationDate: "2026-01-20",
  legalBasis: "LSN art. 5",
  personId,
  destination: "IAD",
  organisations: ["Sinaloa Cartel"],
  primaryOrganisation: "Sinaloa Cartel",
  administration: "Sheinbaum administration",
  aircraft: 7,
  ...over,
});

describe("the tally", () => {
  it("counts a person handed over twice once, and says how many handovers there were", () => {
    const rows = [
      row("p1"),
      row("p2"),
      // p1 again: a second case, a second operation, another destination.
      row("p1", {
        operationId: "op-2",
        code: "SEC-2026-03-01",
        operationDate: "2026-03-01",
        destination: "IAH",
      }),
    ];
    const s = tally(rows);
    expect(s.total).toBe(2);
    expect(s.handovers).toBe(3);
    expect(s.operations.map((o) => [o.code, o.people])).toEqual([
      ["SEC-2026-01-20", 2],
      ["SEC-2026-03-01", 1],
    ]);
    expect(s.primaryOrganisations).toEqual([{ key: "Sinaloa Cartel", people: 2 }]);
    expect(s.administrations).toEqual([{ key: "Sheinbaum administration", people: 2 }]);
    // Under each key once: p1 went to both destinations.
    expect(s.destinations).toEqual([
      { key: "IAD", people: 2 },
      { key: "IAH", people: 1 },
    ]);
  });

  it("counts two handovers of one person in one operation (a record merged) once there too", () => {
    const s = tally([row("p1"), row("p1", { destination: "JFK" }), row("p2")]);
    expect(s.operations[0]!.people).toBe(2);
    expect(s.total).toBe(2);
    expect(s.handovers).toBe(3);
  });
});

describe("the public figures", () => {
  const people = (ids: string[], over: Partial<SentRow>) => ids.map((id) => row(id, over));

  it("withhold a small cell and, where it would be the only one, the next smallest, so the total does not give it away", () => {
    const s = suppressSmallCells(
      tally([
        ...people(["a", "b", "c", "d", "e"], { destination: "IAD" }),
        ...people(["f", "g", "h"], { destination: "IAH" }),
        ...people(["i"], { destination: "TKI" }),
      ]),
    );
    expect(s.total).toBe(9);
    expect(s.destinations).toEqual([
      { key: "IAD", people: 5 },
      { key: "IAH", people: null, suppressed: true },
      { key: "TKI", people: null, suppressed: true },
    ]);
    // One cell in all: nothing to take it from, and it is not small.
    expect(s.legalBases).toEqual([{ key: "LSN art. 5", people: 9 }]);
  });

  it("withhold the lists whole, keys included, when the total itself is small, and never say the handovers", () => {
    const s = suppressSmallCells(tally(people(["a", "b"], { destination: "TKI" })));
    expect(s.total).toBe(2);
    expect(s.destinations).toEqual([]);
    expect(s.primaryOrganisations).toEqual([]);
    expect(s.legalBases).toEqual([]);
    // The one operation listed would hold the total.
    expect(s.operations).toEqual([]);
    expect(s).not.toHaveProperty("handovers");
    // Two operations of one person each: listed, each would be the total less the other.
    const two = suppressSmallCells(
      tally([
        ...people(["a"], {}),
        ...people(["b"], { operationId: "op-2", code: "WALK-2", operationDate: "2026-03-02" }),
      ]),
    );
    expect(two.total).toBe(2);
    expect(two.operations).toEqual([]);
  });

  it("leave a list alone when two or more cells are small already", () => {
    const s = suppressSmallCells(
      tally([
        ...people(["a", "b", "c", "d"], { destination: "IAD" }),
        ...people(["e"], { destination: "IAH" }),
        ...people(["f"], { destination: "TKI" }),
      ]),
    );
    expect(s.destinations.map((d) => d.people)).toEqual([4, null, null]);
  });

  it("withhold a small operation's people and destinations, and keep what was announced of it", () => {
    const s = suppressSmallCells(
      tally([
        ...people(["a", "b", "c", "d"], {}),
        ...people(["e", "f"], {
          operationId: "op-2",
          code: "WALK-1",
          operationDate: "2026-03-01",
          destination: "IAH",
        }),
      ]),
    );
    expect(s.operations).toEqual([
      expect.objectContaining({ code: "SEC-2026-01-20", people: null, suppressed: true, destinations: [] }),
      expect.objectContaining({
        code: "WALK-1",
        people: null,
        suppressed: true,
        destinations: [],
        legalBasis: "LSN art. 5",
        aircraft: 7,
      }),
    ]);
    expect(s.total).toBe(6);
  });
});
