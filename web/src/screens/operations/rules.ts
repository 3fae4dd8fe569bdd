/**
 * The planner's rules, checked in the browser while a person is dragged onto another aircraft, so the
 * officer sees at once every rule the move would break. They mirror the server's check
 * (`src/planner/check.ts`, which the web app may not import): the same rules, in the same order, over the
 * same data (seats for people and their guards, keep-apart pairs, rival organisations and the cells that
 * inherit their rivalries, stops, destinations on the route, the range of each leg). The server checks the
 * move again when it is applied; `test/web-move-check.test.ts` holds the two to the same answers.
 */
import { bestRoute, greatCircleKm, type Point, type Route } from "./route.ts";

export interface BoardPerson {
  id: string;
  name: string;
  /** The organisation the planner counts for rivalries (the most specific current affiliation). */
  organisation?: string;
  /** Airport code where the person leaves the aircraft. */
  destination: string;
  /** Guards who fly with the person: each takes a seat. */
  guards: number;
  /** People of this operation this one must never share an aircraft with (either side lists it). */
  keepApartFrom: string[];
}

export interface BoardAircraft {
  id: string;
  callsign: string;
  /** Seats for people and guards together. */
  seats: number;
  /** Most destination stops on its route. */
  maxStops: number;
  /** Longest leg it can fly, in km. */
  rangeKm?: number;
  /** The airport it departs from. */
  staging: string;
}

export interface BoardOrganisation {
  name: string;
  /** A cell inherits its parent's rivalries. */
  parent?: string;
  rivals: string[];
}

/** What the rules are checked over: the operation's people (in the planner's order), fleet, airports. */
export interface Board {
  people: BoardPerson[];
  fleet: BoardAircraft[];
  airports: Map<string, Point>;
  organisations: BoardOrganisation[];
}

/** The aircraft of each person; a person not in it has no seat. */
export type Assignment = Readonly<Record<string, string>>;

export type Violation =
  | { rule: "capacity"; aircraftId: string; people: string[]; needed: number; seats: number }
  | { rule: "keep-apart"; aircraftId: string; people: [string, string] }
  | {
      rule: "rivals";
      aircraftId: string;
      people: [string, string];
      /** Each person's organisation, and the rival pair (an organisation or a parent of it). */
      organisations: [string, string];
      rivalry: [string, string];
    }
  | { rule: "stops"; aircraftId: string; stops: number; maxStops: number }
  | { rule: "route"; aircraftId: string; people: [string]; destination: string }
  | { rule: "range"; aircraftId: string; from: string; to: string; km: number; rangeKm: number }
  | { rule: "unassigned"; people: [string] };

export type Rule = Violation["rule"];

/** Organisation plus its ancestors (a cell inherits its parent's rivalries). */
function lineage(byName: Map<string, BoardOrganisation>, org: string): string[] {
  const out: string[] = [];
  let cur: string | undefined = org;
  while (cur && !out.includes(cur)) {
    out.push(cur);
    cur = byName.get(cur)?.parent;
  }
  return out;
}

/** Whether two people may share an aircraft: the first reason they may not, as the server gives it. */
function conflicts(board: Board) {
  const byName = new Map(board.organisations.map((o) => [o.name, o]));
  const rivals = new Set<string>();
  for (const o of board.organisations) for (const r of o.rivals) rivals.add(`${o.name}\u0000${r}`);
  const pair = (a: string, b: string) => [a, b].sort().join("\u0000");
  const listed = new Set(board.people.map((p) => p.id));
  const apart = new Set<string>();
  for (const p of board.people)
    for (const q of p.keepApartFrom) if (listed.has(q) && q !== p.id) apart.add(pair(p.id, q));
  const rivalry = (a: string, b: string): [string, string] | null => {
    for (const x of lineage(byName, a))
      for (const y of lineage(byName, b))
        if (rivals.has(`${x}\u0000${y}`) || rivals.has(`${y}\u0000${x}`)) return [x, y];
    return null;
  };
  return (a: BoardPerson, b: BoardPerson, aircraftId: string): Violation | null => {
    if (apart.has(pair(a.id, b.id))) return { rule: "keep-apart", aircraftId, people: [a.id, b.id] };
    if (a.organisation && b.organisation) {
      const r = rivalry(a.organisation, b.organisation);
      if (r)
        return {
          rule: "rivals",
          aircraftId,
          people: [a.id, b.id],
          organisations: [a.organisation, b.organisation],
          rivalry: r,
        };
    }
    return null;
  };
}

/** The people on an aircraft, in the planner's order. */
function aboard(board: Board, assignment: Assignment, aircraftId: string): BoardPerson[] {
  return board.people.filter((p) => assignment[p.id] === aircraftId);
}

/**
 * An aircraft's route through its people's destinations, as the server builds it: the best order within
 * range, or (when no order keeps every leg within range) the destinations as they come.
 */
export function routeOf(board: Board, aircraft: BoardAircraft, people: readonly BoardPerson[]): Route {
  const destinations = [...new Set(people.map((p) => p.destination))];
  const staging = board.airports.get(aircraft.staging);
  const stops = destinations.map((d) => board.airports.get(d));
  const known = stops.filter((s): s is Point => s !== undefined);
  const found = staging && known.length === stops.length ? bestRoute(staging, known, aircraft.rangeKm) : null;
  return found ?? { order: [aircraft.staging, ...destinations], legs: [], distanceKm: 0 };
}

/** Every rule an assignment breaks, aircraft by aircraft in fleet order, then the people left without a seat. */
export function checkAssignment(board: Board, assignment: Assignment): Violation[] {
  const out: Violation[] = [];
  const conflict = conflicts(board);
  for (const aircraft of board.fleet) {
    const people = aboard(board, assignment, aircraft.id);
    if (people.length === 0) continue;
    const needed = people.reduce((s, p) => s + 1 + p.guards, 0);
    if (needed > aircraft.seats)
      out.push({
        rule: "capacity",
        aircraftId: aircraft.id,
        people: people.map((p) => p.id),
        needed,
        seats: aircraft.seats,
      });
    for (let x = 0; x < people.length; x++)
      for (let y = x + 1; y < people.length; y++) {
        const why = conflict(people[x] as BoardPerson, people[y] as BoardPerson, aircraft.id);
        if (why) out.push(why);
      }
    const route = routeOf(board, aircraft, people).order;
    const stops = new Set(route.slice(1));
    if (stops.size > aircraft.maxStops)
      out.push({ rule: "stops", aircraftId: aircraft.id, stops: stops.size, maxStops: aircraft.maxStops });
    for (const p of people)
      if (!stops.has(p.destination))
        out.push({ rule: "route", aircraftId: aircraft.id, people: [p.id], destination: p.destination });
    if (aircraft.rangeKm !== undefined)
      for (let k = 1; k < route.length; k++) {
        const from = board.airports.get(route[k - 1] ?? "");
        const to = board.airports.get(route[k] ?? "");
        if (!from || !to) continue;
        const km = greatCircleKm(from, to);
        if (km > aircraft.rangeKm + 1e-6)
          out.push({
            rule: "range",
            aircraftId: aircraft.id,
            from: from.code,
            to: to.code,
            km: Math.round(km),
            rangeKm: aircraft.rangeKm,
          });
      }
  }
  for (const p of board.people) if (!assignment[p.id]) out.push({ rule: "unassigned", people: [p.id] });
  return out;
}

/** The same broken rule before and after a change: by rule, aircraft and what it is about. */
function keyOf(v: Violation): string {
  switch (v.rule) {
    case "capacity":
    case "stops":
      return `${v.rule}|${v.aircraftId}`;
    case "range":
      return `${v.rule}|${v.aircraftId}|${v.from}|${v.to}`;
    case "unassigned":
      return `${v.rule}|${v.people[0]}`;
    default:
      return `${v.rule}|${v.aircraftId}|${[...v.people].sort().join(",")}`;
  }
}

export interface MoveCheck {
  /** The assignment once the person is on the aircraft. */
  assignment: Assignment;
  /** Rules broken after the move that were not broken before it. */
  broken: Violation[];
  /** Rules broken before the move that it mends. */
  mended: Violation[];
  /** Every rule the plan breaks after the move (what the server reports). */
  after: Violation[];
}

/** A person moved onto an aircraft: what the plan looks like, and which rules the move breaks or mends. */
export function checkMove(
  board: Board,
  assignment: Assignment,
  personId: string,
  aircraftId: string,
): MoveCheck {
  const moved = { ...assignment, [personId]: aircraftId };
  const before = checkAssignment(board, assignment);
  const after = checkAssignment(board, moved);
  const had = new Set(before.map(keyOf));
  const has = new Set(after.map(keyOf));
  return {
    assignment: moved,
    broken: after.filter((v) => !had.has(keyOf(v))),
    mended: before.filter((v) => !has.has(keyOf(v))),
    after,
  };
}

export interface PersonMove {
  personId: string;
  from: string | null;
  to: string | null;
}

/** Who changes aircraft between two assignments (a person who left has `to: null`). */
export function assignmentDiff(before: Assignment, after: Assignment): PersonMove[] {
  const ids = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  return ids
    .filter((id) => before[id] !== after[id])
    .map((id) => ({ personId: id, from: before[id] ?? null, to: after[id] ?? null }));
}
