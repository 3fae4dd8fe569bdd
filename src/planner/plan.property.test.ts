import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkPlan } from "./check.ts";
import type { PlanInputData } from "./model.ts";
import { plan } from "./solve.ts";

const CODES = ["STG", "D1", "D2", "D3", "D4", "D5"];
const ORGS = ["A", "B", "C", "D"];

/** Random operations: up to 5 destinations, 4 organisations (one with a cell), 25 people, 6 aircraft. */
const operation: fc.Arbitrary<PlanInputData> = fc
  .record({
    coords: fc.array(
      fc.record({
        lat: fc.double({ min: 15, max: 45, noNaN: true }),
        lon: fc.double({ min: -120, max: -70, noNaN: true }),
      }),
      {
        minLength: 6,
        maxLength: 6,
      },
    ),
    destinations: fc.integer({ min: 1, max: 5 }),
    rivalPairs: fc.subarray([
      ["A", "B"],
      ["A", "C"],
      ["B", "C"],
      ["C", "D"],
      ["A", "D"],
    ]),
    people: fc.array(
      fc.record({
        org: fc.integer({ min: 0, max: 4 }),
        dest: fc.integer({ min: 1, max: 5 }),
        high: fc.boolean(),
        apart: fc.option(fc.integer({ min: 0, max: 24 }), { freq: 5 }),
      }),
      { minLength: 1, maxLength: 25 },
    ),
    fleet: fc.array(
      fc.record({
        seats: fc.integer({ min: 3, max: 20 }),
        maxStops: fc.integer({ min: 1, max: 3 }),
        range: fc.option(fc.integer({ min: 1500, max: 6000 }), { freq: 3 }),
      }),
      { minLength: 1, maxLength: 6 },
    ),
  })
  .map(({ coords, destinations, rivalPairs, people, fleet }) => {
    const orgs = [
      ...ORGS.map((name) => ({ name, rivals: rivalPairs.filter(([a]) => a === name).map(([, b]) => b!) })),
      { name: "A-cell", parent: "A", rivals: [] },
    ];
    const ids = people.map((_, k) => `p${k}`);
    return {
      staging: ["STG"],
      airports: CODES.map((code, k) => ({ code, ...coords[k]! })),
      organisations: orgs,
      people: people.map((x, k) => ({
        id: ids[k]!,
        organisation: x.org === 4 ? "A-cell" : ORGS[x.org]!,
        destination: CODES[1 + ((x.dest - 1) % destinations)]!,
        highRisk: x.high,
        keepApartFrom: x.apart !== null && x.apart < ids.length && x.apart !== k ? [ids[x.apart]!] : [],
      })),
      fleet: fleet.map((a, k) => ({
        id: `F${k}`,
        seats: a.seats,
        maxStops: a.maxStops,
        ...(a.range ? { rangeKm: a.range } : {}),
      })),
      guards: { perPerson: 1, perHighRisk: 2 },
    } satisfies PlanInputData;
  });

describe("every plan the solver returns", () => {
  it("satisfies every rule, respects its lower bound, and explains a missing plan with a real obstacle", () => {
    fc.assert(
      fc.property(operation, fc.integer({ min: 1, max: 1000 }), (input, seed) => {
        const r = plan(input, { timeLimitMs: 150, seed, suggestChanges: false });
        expect(r.lowerBound).toBeLessThanOrEqual(
          Math.max(r.aircraftUsed, r.status === "planned" ? 0 : Number.POSITIVE_INFINITY),
        );
        // Whatever the status, the aircraft it does list break no rule among themselves.
        const violations = checkPlan(input, r).filter((v) => v.rule !== "unassigned");
        expect(violations).toEqual([]);
        if (r.status === "planned") {
          expect(checkPlan(input, r)).toEqual([]);
          expect(r.lowerBound).toBeLessThanOrEqual(r.aircraftUsed);
          if (r.provenOptimal) expect(r.aircraftUsed).toBe(r.lowerBound);
          return;
        }
        expect(r.obstacles.length).toBeGreaterThan(0);
        const seatsOf = (id: string) => 1 + (input.people.find((p) => p.id === id)!.highRisk ? 2 : 1);
        const fleetSeats = input.fleet.reduce((s, a) => s + a.seats, 0);
        const totalSeats = input.people.reduce((s, p) => s + seatsOf(p.id), 0);
        const rival = (a: string, b: string) => {
          const root = (o: string) => (o === "A-cell" ? "A" : o);
          const orgA = input.organisations!.find((o) => o.name === root(a))!;
          const orgB = input.organisations!.find((o) => o.name === root(b))!;
          return orgA.rivals!.includes(orgB.name) || orgB.rivals!.includes(orgA.name);
        };
        for (const o of r.obstacles) {
          if (r.status === "infeasible") expect(o.kind).not.toBe("search");
          if (o.kind === "seats") expect(totalSeats).toBeGreaterThan(fleetSeats);
          if (o.kind === "person-too-large")
            expect(seatsOf(o.people![0]!)).toBeGreaterThan(Math.max(...input.fleet.map((a) => a.seats)));
          if (o.needed !== undefined) expect(o.needed).toBeGreaterThan(o.available!);
          if ((o.kind === "rivals" || o.kind === "keep-apart") && o.people) {
            // Listed people pairwise cannot share an aircraft.
            for (const a of o.people)
              for (const b of o.people) {
                if (a === b) continue;
                const pa = input.people.find((p) => p.id === a)!;
                const pb = input.people.find((p) => p.id === b)!;
                const apart = pa.keepApartFrom!.includes(b) || pb.keepApartFrom!.includes(a);
                const tooBig = seatsOf(a) + seatsOf(b) > Math.max(...input.fleet.map((f) => f.seats));
                const single =
                  input.fleet.every((f) => f.maxStops === 1) && pa.destination !== pb.destination;
                expect(apart || rival(pa.organisation!, pb.organisation!) || tooBig || single).toBe(true);
              }
          }
        }
      }),
      { numRuns: 120, seed: 20260120 },
    );
  });
});
