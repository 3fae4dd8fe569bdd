import { describe, expect, it } from "vitest";
import { bestRoute } from "./route.ts";
import { assignmentDiff, type Board, checkAssignment, checkMove } from "./rules.ts";

const airports = [
  { code: "NLU", lat: 19.74, lon: -99.02 },
  { code: "IAH", lat: 29.98, lon: -95.34 },
  { code: "LAX", lat: 33.94, lon: -118.41 },
  { code: "JFK", lat: 40.64, lon: -73.78 },
  { code: "DFW", lat: 32.9, lon: -97.04 },
];

/** Two aircraft at NLU; a cell that inherits its cartel's rivalry; a keep-apart pair. */
function board(): Board {
  return {
    airports: new Map(airports.map((a) => [a.code, a])),
    organisations: [
      { name: "CJNG", rivals: ["Sinaloa"] },
      { name: "Sinaloa", rivals: [] },
      { name: "Los Chapitos", parent: "Sinaloa", rivals: [] },
    ],
    fleet: [
      { id: "a1", callsign: "FAM-1", seats: 8, maxStops: 2, rangeKm: 5400, staging: "NLU" },
      { id: "a2", callsign: "FAM-2", seats: 4, maxStops: 1, rangeKm: 2000, staging: "NLU" },
      { id: "a3", callsign: "FAM-3", seats: 10, maxStops: 3, staging: "NLU" },
    ],
    people: [
      { id: "p1", name: "Uno", organisation: "CJNG", destination: "IAH", guards: 1, keepApartFrom: [] },
      {
        id: "p2",
        name: "Dos",
        organisation: "Los Chapitos",
        destination: "IAH",
        guards: 1,
        keepApartFrom: [],
      },
      { id: "p3", name: "Tres", destination: "LAX", guards: 2, keepApartFrom: ["p1"] },
      { id: "p4", name: "Cuatro", destination: "JFK", guards: 1, keepApartFrom: [] },
    ],
  };
}

const valid = { p1: "a1", p4: "a1", p2: "a2" } as const;

describe("the board's rule check", () => {
  it("finds nothing wrong with a plan that keeps every rule but the person without a seat", () => {
    expect(checkAssignment(board(), valid)).toEqual([{ rule: "unassigned", people: ["p3"] }]);
  });

  it("names the rival organisations, through a cell's parent, when rivals would share an aircraft", () => {
    const check = checkMove(board(), valid, "p2", "a1");
    expect(check.broken).toEqual([
      {
        rule: "rivals",
        aircraftId: "a1",
        people: ["p1", "p2"],
        organisations: ["CJNG", "Los Chapitos"],
        rivalry: ["CJNG", "Sinaloa"],
      },
    ]);
    expect(check.assignment.p2).toBe("a1");
  });

  it("keeps a keep-apart pair apart, whichever of the two lists the other", () => {
    const check = checkMove(board(), valid, "p3", "a1");
    expect(check.broken).toContainEqual({ rule: "keep-apart", aircraftId: "a1", people: ["p1", "p3"] });
    // Three destinations on an aircraft of two stops.
    expect(check.broken).toContainEqual({ rule: "stops", aircraftId: "a1", stops: 3, maxStops: 2 });
    // The person had no seat: the move mends that.
    expect(check.mended).toEqual([{ rule: "unassigned", people: ["p3"] }]);
  });

  it("counts the guards' seats", () => {
    // p2 (1 + 1) is on a2; p3 needs 1 + 2 more: 5 seats on an aircraft of 4.
    const check = checkMove(board(), valid, "p3", "a2");
    expect(check.broken).toContainEqual({
      rule: "capacity",
      aircraftId: "a2",
      people: ["p2", "p3"],
      needed: 5,
      seats: 4,
    });
  });

  it("checks each leg of the rebuilt route against the aircraft's range", () => {
    const check = checkMove(board(), valid, "p4", "a2");
    // No order of IAH and JFK keeps both legs within 2000 km: the route flies them as they come.
    const range = check.broken.find((v) => v.rule === "range");
    expect(range).toMatchObject({ aircraftId: "a2", from: "IAH", to: "JFK", rangeKm: 2000 });
    expect(range && "km" in range && range.km).toBeGreaterThan(2000);
    // Its stops: IAH (p2) and JFK, one more than a2 may make.
    expect(check.broken).toContainEqual({ rule: "stops", aircraftId: "a2", stops: 2, maxStops: 1 });
  });

  it("a move that breaks nothing breaks nothing", () => {
    const check = checkMove(board(), valid, "p3", "a3");
    expect(check.broken).toEqual([]);
    expect(check.after).toEqual([]);
  });

  it("a rule already broken elsewhere is not charged to the move", () => {
    const broken = { ...valid, p3: "a1" };
    const check = checkMove(board(), broken, "p2", "a3");
    expect(check.broken).toEqual([]);
    expect(check.after.map((v) => v.rule)).toEqual(["keep-apart", "stops"]);
  });
});

describe("routes", () => {
  it("flies the shortest order through the stops", () => {
    const [nlu, iah, lax, jfk] = airports;
    if (!nlu || !iah || !lax || !jfk) throw new Error("airports");
    expect(bestRoute(nlu, [jfk, iah])?.order).toEqual(["NLU", "IAH", "JFK"]);
    expect(bestRoute(nlu, [lax, jfk, iah])?.order).toEqual(["NLU", "LAX", "IAH", "JFK"]);
    // No leg of NLU → JFK fits in 2500 km, but through IAH it does.
    expect(bestRoute(nlu, [jfk], 2500)).toBeNull();
  });
});

describe("who moves", () => {
  it("lists the people whose aircraft changed, and who left", () => {
    expect(assignmentDiff({ p1: "a1", p2: "a2", p3: "a1" }, { p1: "a1", p2: "a1" })).toEqual([
      { personId: "p2", from: "a2", to: "a1" },
      { personId: "p3", from: "a1", to: null },
    ]);
  });
});
