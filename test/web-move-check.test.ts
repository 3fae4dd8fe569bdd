/**
 * The web board checks a move in the browser with its own copy of the planner's rules
 * (web/src/screens/operations/rules.ts: the web app imports nothing from the server). This holds the copy
 * to the server's check: on random operations and assignments, both find the same broken rules, on the
 * same aircraft, about the same people, with the same figures.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { movePerson, planFromAssignment } from "../src/planner/check.ts";
import { guardsFor } from "../src/planner/compile.ts";
import { type PlanInput, type Violation, ZPlanInput } from "../src/planner/model.ts";
import {
  type Board,
  checkAssignment,
  checkMove,
  type Violation as WebViolation,
} from "../web/src/screens/operations/rules.ts";

const codes = ["STG", "D1", "D2", "D3", "D4"];
const orgs = ["A", "B", "C"];

const operation = fc
  .record({
    coords: fc.array(
      fc.record({
        lat: fc.double({ min: 15, max: 45, noNaN: true }),
        lon: fc.double({ min: -120, max: -70, noNaN: true }),
      }),
      { minLength: codes.length, maxLength: codes.length },
    ),
    rivals: fc.subarray([
      ["A", "B"],
      ["B", "C"],
    ]),
    people: fc.array(
      fc.record({
        org: fc.integer({ min: -1, max: orgs.length }),
        dest: fc.integer({ min: 1, max: codes.length - 1 }),
        flags: fc.subarray(["escape-risk", "medical"]),
        apart: fc.option(fc.nat(11), { freq: 4 }),
        aircraft: fc.option(fc.nat(3), { freq: 6 }),
      }),
      { minLength: 1, maxLength: 12 },
    ),
    fleet: fc.array(
      fc.record({
        seats: fc.integer({ min: 2, max: 12 }),
        maxStops: fc.integer({ min: 1, max: 3 }),
        range: fc.option(fc.integer({ min: 1000, max: 5000 }), { freq: 2 }),
      }),
      { minLength: 1, maxLength: 4 },
    ),
    move: fc.record({ person: fc.nat(11), aircraft: fc.nat(3) }),
  })
  .map(({ coords, rivals, people, fleet, move }) => {
    const ids = people.map((_, k) => `p${k}`);
    const input = ZPlanInput.parse({
      staging: ["STG"],
      airports: codes.map((code, k) => ({ code, ...coords[k] })),
      organisations: [
        ...orgs.map((name) => ({ name, rivals: rivals.filter(([a]) => a === name).map(([, b]) => b) })),
        { name: "A-cell", parent: "A", rivals: [] },
      ],
      people: people.map((x, k) => ({
        id: ids[k],
        ...(x.org >= 0 ? { organisation: orgs[x.org] ?? "A-cell" } : {}),
        destination: codes[x.dest],
        riskFlags: x.flags,
        keepApartFrom: x.apart !== null && x.apart < ids.length && x.apart !== k ? [ids[x.apart]] : [],
      })),
      fleet: fleet.map((a, k) => ({
        id: `F${k}`,
        seats: a.seats,
        maxStops: a.maxStops,
        ...(a.range ? { rangeKm: a.range } : {}),
      })),
    });
    const assignment: Record<string, string> = {};
    people.forEach((x, k) => {
      if (x.aircraft !== null && x.aircraft < fleet.length) assignment[`p${k}`] = `F${x.aircraft}`;
    });
    const to = `F${move.aircraft % fleet.length}`;
    return { input, assignment, move: { personId: `p${move.person % people.length}`, to } };
  });

/** The board the web app builds from the API's data, built here from the planner's input. */
function boardOf(input: PlanInput): Board {
  return {
    airports: new Map(input.airports.map((a) => [a.code, a])),
    organisations: input.organisations,
    fleet: input.fleet.map((a) => ({
      id: a.id,
      callsign: a.name ?? a.id,
      seats: a.seats,
      maxStops: a.maxStops,
      ...(a.rangeKm !== undefined ? { rangeKm: a.rangeKm } : {}),
      staging: a.staging ?? input.staging[0] ?? "",
    })),
    people: input.people.map((p) => ({
      id: p.id,
      name: p.name ?? p.id,
      ...(p.organisation ? { organisation: p.organisation } : {}),
      destination: p.destination,
      guards: guardsFor(input, p).guards,
      keepApartFrom: p.keepApartFrom,
    })),
  };
}

/** A broken rule as both sides can state it: rule, aircraft, people, and its figures. */
function serverKey(v: Violation): string {
  const figures =
    v.rule === "capacity"
      ? v.message.match(/needs (\d+) seats/)?.[1]
      : v.rule === "stops"
        ? v.message.match(/makes (\d+) stops/)?.[1]
        : v.rule === "range"
          ? v.message
              .match(/leg (\w+)→(\w+) .*? is (\d+) km/)
              ?.slice(1)
              .join(">")
          : "";
  return `${v.rule}|${v.aircraftId ?? ""}|${[...(v.people ?? [])].sort().join(",")}|${figures}`;
}
function webKey(v: WebViolation): string {
  const figures =
    v.rule === "capacity"
      ? v.needed
      : v.rule === "stops"
        ? v.stops
        : v.rule === "range"
          ? `${v.from}>${v.to}>${v.km}`
          : "";
  const aircraft = "aircraftId" in v ? v.aircraftId : "";
  const people = "people" in v ? [...v.people].sort().join(",") : "";
  return `${v.rule}|${aircraft}|${people}|${figures}`;
}

describe("the web board's rule check", () => {
  it("finds what the server's check finds, on a plan and after a move", () => {
    let broken = 0;
    fc.assert(
      fc.property(operation, ({ input, assignment, move }) => {
        const board = boardOf(input);
        const server = planFromAssignment(input, assignment);
        expect(checkAssignment(board, assignment).map(webKey).sort()).toEqual(
          server.violations.map(serverKey).sort(),
        );
        const moved = movePerson(input, server.plan, move.personId, move.to);
        const web = checkMove(board, assignment, move.personId, move.to);
        expect(web.after.map(webKey).sort()).toEqual(moved.violations.map(serverKey).sort());
        expect(web.assignment).toEqual(moved.plan.assignment);
        broken += web.broken.length;
      }),
      { numRuns: 300, seed: 11 },
    );
    // The runs reach broken rules, not only valid moves.
    expect(broken).toBeGreaterThan(100);
  });
});
