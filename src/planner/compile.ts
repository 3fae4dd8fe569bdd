/**
 * Turns an operation (people, fleet, rivalries, guard rule) into the packing problem the engine solves,
 * and keeps the lookups needed to turn a packing back into routes and manifests.
 */
import { AppError } from "../errors.ts";
import {
  type Airport,
  type PlanInput,
  type PlanInputData,
  type PlanPerson,
  personLabel,
  ZPlanInput,
} from "./model.ts";
import type { PackProblem } from "./pack.ts";
import { bestRoute, type Route } from "./route.ts";

export interface Compiled {
  input: PlanInput;
  problem: PackProblem;
  people: PlanPerson[];
  personIndex: Map<string, number>;
  aircraftIndex: Map<string, number>;
  /** Destination code of each group index. */
  groups: string[];
  airports: Map<string, Airport>;
  /** Staging airport of each aircraft. */
  aircraftStaging: string[];
  guardsOf: number[];
  highRisk: boolean[];
  /** Route of an aircraft through a set of group indices (memoised; null when out of range). */
  route: (bin: number, groups: readonly number[]) => Route | null;
  /** Why two people may not share an aircraft, or null. */
  conflictReason: (i: number, j: number) => { rule: "rivals" | "keep-apart"; message: string } | null;
}

/** Validates operation data; a bad field becomes a VALIDATION_FAILED error naming it. */
export function parsePlanInput(data: unknown): PlanInput {
  const r = ZPlanInput.safeParse(data);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => ({
    field: i.path
      .map((p, k) => (typeof p === "number" ? `[${p}]` : `${k > 0 ? "." : ""}${String(p)}`))
      .join(""),
    rule: i.message,
  }));
  throw new AppError(
    "VALIDATION_FAILED",
    `invalid operation data: ${issues.map((i) => `${i.field}: ${i.rule}`).join("; ")}`,
    { issues },
  );
}

/** Organisation plus its ancestors (a cell inherits its parent's rivalries). */
function lineage(input: PlanInput, org: string): string[] {
  const byName = new Map(input.organisations.map((o) => [o.name, o]));
  const out: string[] = [];
  let cur: string | undefined = org;
  while (cur && !out.includes(cur)) {
    out.push(cur);
    cur = byName.get(cur)?.parent;
  }
  return out;
}

/** Whether two organisations are rivals, directly or through a parent; returns the rival pair or null. */
export function rivalry(input: PlanInput, a: string, b: string): [string, string] | null {
  const rivals = new Set<string>();
  for (const o of input.organisations) for (const r of o.rivals) rivals.add(`${o.name}\u0000${r}`);
  for (const x of lineage(input, a))
    for (const y of lineage(input, b))
      if (rivals.has(`${x}\u0000${y}`) || rivals.has(`${y}\u0000${x}`)) return [x, y];
  return null;
}

export function guardsFor(input: PlanInput, p: PlanPerson): { guards: number; highRisk: boolean } {
  const high = p.highRisk || p.riskFlags.some((f) => input.guards.highRiskFlags.includes(f));
  return { guards: high ? input.guards.perHighRisk : input.guards.perPerson, highRisk: high };
}

export function compile(data: PlanInputData | PlanInput): Compiled {
  const input = parsePlanInput(data);
  const people = input.people;
  const n = people.length;
  const airports = new Map(input.airports.map((a) => [a.code, a]));
  const personIndex = new Map(people.map((p, i) => [p.id, i]));
  const aircraftIndex = new Map(input.fleet.map((a, b) => [a.id, b]));
  const groups = [...new Set(people.map((p) => p.destination))].sort();
  const groupOf = new Map(groups.map((g, k) => [g, k]));
  const defaultStaging = input.staging[0]!;
  const aircraftStaging = input.fleet.map((a) => a.staging ?? defaultStaging);
  const guardInfo = people.map((p) => guardsFor(input, p));
  const weight = guardInfo.map((g) => 1 + g.guards);

  const conflict = new Uint8Array(n * n);
  const neighbors: number[][] = Array.from({ length: n }, () => []);
  const rivalCache = new Map<string, [string, string] | null>();
  const orgRivals = (a: string, b: string) => {
    const key = `${a}\u0000${b}`;
    if (!rivalCache.has(key)) rivalCache.set(key, rivalry(input, a, b));
    return rivalCache.get(key)!;
  };
  const keepApart = new Set<string>();
  for (const p of people) for (const q of p.keepApartFrom) keepApart.add([p.id, q].sort().join("\u0000"));
  const conflictReason: Compiled["conflictReason"] = (i, j) => {
    const a = people[i]!;
    const b = people[j]!;
    if (keepApart.has([a.id, b.id].sort().join("\u0000")))
      return { rule: "keep-apart", message: `${personLabel(a)} and ${personLabel(b)} must be kept apart` };
    if (a.organisation && b.organisation) {
      const r = orgRivals(a.organisation, b.organisation);
      if (r)
        return {
          rule: "rivals",
          message: `${personLabel(a)} (${a.organisation}) and ${personLabel(b)} (${b.organisation}) belong to rival organisations (${r[0]} / ${r[1]})`,
        };
    }
    return null;
  };
  // The matrix from organisation indices and keep-apart pairs (conflictReason per pair is slow at 500
  // people: it builds strings); conflictReason stays for the messages.
  const orgNames = [...new Set(people.map((p) => p.organisation).filter((o): o is string => !!o))];
  const orgOf = people.map((p) => (p.organisation ? orgNames.indexOf(p.organisation) : -1));
  const O = orgNames.length;
  const orgConflict = new Uint8Array(O * O);
  for (let a = 0; a < O; a++)
    for (let b = 0; b < O; b++) orgConflict[a * O + b] = orgRivals(orgNames[a]!, orgNames[b]!) ? 1 : 0;
  const apartPairs: [number, number][] = [];
  for (let i = 0; i < n; i++)
    for (const q of people[i]!.keepApartFrom) {
      const j = personIndex.get(q);
      if (j !== undefined && j !== i) apartPairs.push([i, j]);
    }
  const apart = new Uint8Array(n * n);
  for (const [i, j] of apartPairs) {
    apart[i * n + j] = 1;
    apart[j * n + i] = 1;
  }
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++)
      if (apart[i * n + j] || (orgOf[i]! >= 0 && orgOf[j]! >= 0 && orgConflict[orgOf[i]! * O + orgOf[j]!])) {
        conflict[i * n + j] = 1;
        conflict[j * n + i] = 1;
        neighbors[i]!.push(j);
        neighbors[j]!.push(i);
      }

  const B = input.fleet.length;
  const routeMemo = new Map<string, Route | null>();
  const route = (bin: number, gs: readonly number[]): Route | null => {
    const a = input.fleet[bin]!;
    const key = `${aircraftStaging[bin]}|${a.rangeKm ?? ""}|${gs
      .slice()
      .sort((x, y) => x - y)
      .join(",")}`;
    if (!routeMemo.has(key)) {
      const stops = gs.map((g) => airports.get(groups[g]!)!);
      routeMemo.set(key, bestRoute(airports.get(aircraftStaging[bin]!)!, stops, a.rangeKm));
    }
    return routeMemo.get(key)!;
  };

  const G = groups.length;
  const reach = new Uint8Array(B * G);
  for (let b = 0; b < B; b++) for (let g = 0; g < G; g++) reach[b * G + g] = route(b, [g]) !== null ? 1 : 0;
  const allowed = new Uint8Array(n * B);
  for (let i = 0; i < n; i++)
    for (let b = 0; b < B; b++) {
      const p = people[i]!;
      const a = input.fleet[b]!;
      const stagingOk = !p.staging || p.staging === aircraftStaging[b];
      const fits = weight[i]! <= a.seats;
      const inRange = reach[b * G + groupOf.get(p.destination)!] === 1;
      allowed[i * B + b] = stagingOk && fits && inRange ? 1 : 0;
    }
  const anyRange = input.fleet.some((a) => a.rangeKm !== undefined);

  const problem: PackProblem = {
    n,
    weight,
    group: people.map((p) => groupOf.get(p.destination)!),
    groupCount: groups.length,
    conflict,
    neighbors,
    bins: input.fleet.map((a) => ({ capacity: a.seats, maxGroups: a.maxStops })),
    allowed,
    groupsFeasible: anyRange ? (b, gs) => route(b, gs) !== null : null,
  };
  return {
    input,
    problem,
    people,
    personIndex,
    aircraftIndex,
    groups,
    airports,
    aircraftStaging,
    guardsOf: guardInfo.map((g) => g.guards),
    highRisk: guardInfo.map((g) => g.highRisk),
    route,
    conflictReason,
  };
}
