import { describe, expect, it } from "vitest";
import { statements } from "./statement.ts";

describe("the public statement draft", () => {
  it("names the latest operation and the running total under the administration, in both languages", () => {
    const s = statements({
      total: 92,
      operations: [
        {
          code: "SEC-2026-01-20",
          date: "2026-01-20",
          people: 37,
          destinations: ["IAD", "IAH", "JFK", "PHL", "SAN", "SAT"],
        },
        { code: "SEC-2025-02-27", date: "2025-02-27", people: 29, destinations: ["ORD"] },
      ],
      administrations: [{ key: "Sheinbaum administration", people: 92 }],
    });
    expect(s.es).toContain(
      "El 20 de enero de 2026 fueron enviadas 37 personas (operativo SEC-2026-01-20) a 6 destinos.",
    );
    expect(s.es).toContain("92 personas han sido enviadas durante la Sheinbaum administration");
    expect(s.en).toContain(
      "On 20 January 2026, 37 people were sent (operation SEC-2026-01-20) to 6 destinations.",
    );
    expect(s.en).toContain(
      "With this operation, 92 people have been sent under the Sheinbaum administration.",
    );
  });

  it("says the total in all when the figures span administrations, and that nothing is recorded when nothing is", () => {
    const two = statements({
      total: 5,
      operations: [{ code: "A", date: "2026-01-01", people: 5, destinations: ["IAD"] }],
      administrations: [
        { key: "One", people: 3 },
        { key: "Two", people: null },
      ],
    });
    expect(two.en).toContain("5 people have been sent in all");
    expect(statements({ total: 0, operations: [], administrations: [] }).es).toBe(
      "No hay entregas registradas.",
    );
  });

  it("names the latest operation not withheld, and the total alone when a later one or every one is withheld", () => {
    // As the server withholds them: a small operation, and the next smallest with it.
    const figures = {
      total: 57,
      operations: [
        { code: "SEC-2025-02-27", date: "2025-02-27", people: 29, destinations: ["ORD"] },
        { code: "SEC-2025-08-12", date: "2025-08-12", people: null, destinations: [] },
        { code: "SEC-2026-03-01", date: "2026-03-01", people: null, destinations: [] },
      ],
      administrations: [],
    };
    expect(statements(figures).en).toBe(
      "On 27 February 2025, 29 people were sent (operation SEC-2025-02-27) to 1 destinations. 57 people have been sent in all.",
    );
    const withheld = statements({ ...figures, total: 2, operations: [] });
    expect(withheld.en).toBe("2 people have been sent in all.");
    expect(withheld.es).toBe("2 personas han sido enviadas en total.");
  });
});
