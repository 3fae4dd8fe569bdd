/**
 * `plan(input, options)`: people onto aircraft and routes. Fewest aircraft first (packing engine +
 * lower bounds), then least distance (local search moving whole destinations between aircraft), then
 * the manifests. When no plan exists, `obstacles` says why and `suggestions` the smallest change found.
 * Pure: no I/O; the clock is read only for the time limit and `elapsedMs`.
 */
import { binsForStops, binsForTotal, lowerBounds, maximalCliques } from "./bounds.ts";
import { type Compiled, compile, rivalry } from "./compile.ts";
import {
  type AircraftPlan,
  type ManifestEntry,
  type Obstacle,
  type Plan,
  type PlanBounds,
  type PlanInput,
  type PlanInputData,
  type PlanOptions,
  personLabel,
  type Suggestion,
} from "./model.ts";
import { type PackState, packMin } from "./pack.ts";
import { createRng } from "./rng.ts";

/** Lower bounds for an operation, with the people or organisations behind each. */
export function operationBounds(c: Compiled): PlanBounds {
  const p = c.problem;
  const fleet = c.input.fleet;
  const caps = fleet.map((a) => a.seats);
  const stopsAllowed = fleet.map((a) => a.maxStops);
  const base = lowerBounds(p, { cliqueNodeBudget: 50_000 });
  const stops = binsForStops(c.groups.length, stopsAllowed);
  // Organisations pairwise rivals never share an aircraft: each needs its own, for its seats and stops.
  const orgs = [...new Set(c.people.map((x) => x.organisation).filter((o): o is string => !!o))].sort();
  let organisations = 0;
  let rivalOrganisations: string[] = [];
  if (orgs.length > 0 && orgs.length <= 40) {
    const need = orgs.map((o) => {
      const members = c.people.filter((x) => x.organisation === o);
      const seats = members.reduce((s, x) => s + p.weight[c.personIndex.get(x.id)!]!, 0);
      const dests = new Set(members.map((x) => x.destination)).size;
      return Math.max(binsForTotal(seats, caps), binsForStops(dests, stopsAllowed));
    });
    for (const q of maximalCliques(orgs.length, (i, j) => rivalry(c.input, orgs[i]!, orgs[j]!) !== null)) {
      const v = q.reduce((s, k) => s + need[k]!, 0);
      if (v > organisations) {
        organisations = v;
        rivalOrganisations = q.map((k) => orgs[k]!);
      }
    }
  }
  const candidates: [PlanBounds["binding"], number][] = [
    ["seats", Math.max(base.seats, base.l2)],
    ["clique", base.clique],
    ["clique-room", base.cliqueRoom],
    ["stops", stops],
    ["organisations", organisations],
  ];
  let binding: PlanBounds["binding"] = "seats";
  let best = 0;
  for (const [k, v] of candidates)
    if (v > best) {
      best = v;
      binding = k;
    }
  return {
    seats: Math.max(base.seats, base.l2),
    clique: base.clique,
    cliqueRoom: base.cliqueRoom,
    stops,
    organisations,
    best,
    cliquePeople: base.cliqueItems.map((i) => c.people[i]!.id),
    rivalOrganisations,
    binding,
  };
}

function binDistance(c: Compiled, s: PackState, b: number): number {
  if (s.members[b]!.length === 0) return 0;
  return c.route(b, s.groupsOf(b))?.distanceKm ?? Number.POSITIVE_INFINITY;
}

/** Tries to move `items` to bin `to` (all or nothing). */
function moveAll(s: PackState, items: readonly number[], to: number): boolean {
  const from = items.map((i) => s.assign[i]!);
  for (const i of items) s.remove(i);
  const done: number[] = [];
  for (const i of items) {
    if (!s.fits(i, to)) break;
    s.add(i, to);
    done.push(i);
  }
  if (done.length === items.length) return true;
  for (const i of done) s.remove(i);
  items.forEach((i, k) => {
    s.add(i, from[k]!);
  });
  return false;
}

/** Local search on distance: move or swap whole destinations between aircraft in use. */
export function improveDistance(c: Compiled, s: PackState, deadline: number, clock: () => number): void {
  const groupItems = (b: number, g: number) => s.members[b]!.filter((i) => c.problem.group[i] === g);
  let improved = true;
  let rounds = 0;
  while (improved && clock() < deadline && rounds++ < 50) {
    improved = false;
    const used = () => Array.from({ length: s.B }, (_, b) => b).filter((b) => s.members[b]!.length > 0);
    for (const b of used()) {
      for (const g of s.groupsOf(b)) {
        for (const d of used()) {
          if (clock() > deadline) return;
          if (d === b || s.members[b]!.length === 0) continue;
          const before = binDistance(c, s, b) + binDistance(c, s, d);
          const items = groupItems(b, g);
          if (items.length === 0) continue;
          const snapshot = s.members[b]!.slice();
          if (moveAll(s, items, d)) {
            const after = binDistance(c, s, b) + binDistance(c, s, d);
            if (after < before - 1e-6) {
              improved = true;
              continue;
            }
            moveAll(s, items, b);
            void snapshot;
          }
          // Swap destination g of b with each destination h of d.
          for (const h of s.groupsOf(d)) {
            if (h === g) continue;
            const a1 = groupItems(b, g);
            const a2 = groupItems(d, h);
            if (a1.length === 0 || a2.length === 0) continue;
            const before2 = binDistance(c, s, b) + binDistance(c, s, d);
            for (const i of a1) s.remove(i);
            for (const i of a2) s.remove(i);
            const placeAll = (items: number[], bin: number) =>
              items.every((i) => {
                if (!s.fits(i, bin)) return false;
                s.add(i, bin);
                return true;
              });
            const ok2 = placeAll(a2, b) && placeAll(a1, d);
            const after = ok2 ? binDistance(c, s, b) + binDistance(c, s, d) : Number.POSITIVE_INFINITY;
            if (ok2 && after < before2 - 1e-6) {
              improved = true;
              break;
            }
            for (const i of [...a1, ...a2]) if (s.assign[i]! >= 0) s.remove(i);
            for (const i of a1) s.add(i, b);
            for (const i of a2) s.add(i, d);
          }
        }
      }
    }
  }
}

/** Builds one aircraft's route and manifest from the people on it. */
export function aircraftPlan(c: Compiled, bin: number, items: readonly number[]): AircraftPlan {
  const a = c.input.fleet[bin]!;
  const groups = [...new Set(items.map((i) => c.problem.group[i]!))];
  const route = c.route(bin, groups);
  const order = route?.order ?? [c.aircraftStaging[bin]!, ...groups.map((g) => c.groups[g]!)];
  const stopOf = (code: string) => order.indexOf(code);
  const sorted = items
    .slice()
    .sort(
      (x, y) =>
        stopOf(c.people[x]!.destination) - stopOf(c.people[y]!.destination) ||
        Number(c.highRisk[y]) - Number(c.highRisk[x]) ||
        c.people[x]!.id.localeCompare(c.people[y]!.id),
    );
  let seat = 1;
  const manifest: ManifestEntry[] = sorted.map((i) => {
    const person = c.people[i]!;
    const guards = c.guardsOf[i]!;
    const entry: ManifestEntry = {
      seat,
      guardSeats: Array.from({ length: guards }, (_, k) => seat + 1 + k),
      personId: person.id,
      ...(person.name ? { name: person.name } : {}),
      ...(person.organisation ? { organisation: person.organisation } : {}),
      highRisk: c.highRisk[i]!,
      riskFlags: person.riskFlags,
      guards,
      leavesAt: person.destination,
      stop: stopOf(person.destination),
    };
    seat += 1 + guards;
    return entry;
  });
  const guards = manifest.reduce((s, m) => s + m.guards, 0);
  return {
    aircraftId: a.id,
    ...(a.name ? { name: a.name } : {}),
    staging: c.aircraftStaging[bin]!,
    seats: a.seats,
    seatsUsed: manifest.length + guards,
    people: manifest.length,
    guards,
    route: order,
    legs: route?.legs ?? [],
    distanceKm: route?.distanceKm ?? 0,
    manifest,
  };
}

/** Aircraft plans (in fleet order) and the assignment map from a bin per person. */
export function describeAssignment(c: Compiled, assign: ArrayLike<number>) {
  const byBin = new Map<number, number[]>();
  const assignment: Record<string, string> = {};
  const unassigned: string[] = [];
  for (let i = 0; i < c.people.length; i++) {
    const b = assign[i]!;
    if (b < 0) {
      unassigned.push(c.people[i]!.id);
      continue;
    }
    if (!byBin.has(b)) byBin.set(b, []);
    byBin.get(b)!.push(i);
    assignment[c.people[i]!.id] = c.input.fleet[b]!.id;
  }
  const aircraft = [...byBin.keys()].sort((x, y) => x - y).map((b) => aircraftPlan(c, b, byBin.get(b)!));
  const distanceKm = Math.round(aircraft.reduce((s, a) => s + a.distanceKm, 0) * 10) / 10;
  return { aircraft, assignment, unassigned, distanceKm };
}

/** People who can board no aircraft at all, and why. */
function personObstacles(c: Compiled): Obstacle[] {
  const out: Obstacle[] = [];
  const fleet = c.input.fleet;
  const B = fleet.length;
  const maxSeats = Math.max(0, ...fleet.map((a) => a.seats));
  c.people.forEach((person, i) => {
    let any = false;
    for (let b = 0; b < B; b++) if (c.problem.allowed![i * B + b]) any = true;
    if (any) return;
    const w = c.problem.weight[i]!;
    const staging = person.staging;
    if (B === 0) {
      out.push({
        kind: "seats",
        message: "the operation has no aircraft",
        people: [person.id],
        needed: 1,
        available: 0,
      });
    } else if (w > maxSeats) {
      out.push({
        kind: "person-too-large",
        message: `${personLabel(person)} needs ${w} seats (1 + ${w - 1} guards) but the largest aircraft has ${maxSeats}`,
        people: [person.id],
      });
    } else if (staging && !c.aircraftStaging.includes(staging)) {
      out.push({
        kind: "no-aircraft-at-staging",
        message: `no aircraft departs from ${staging}, where ${personLabel(person)} boards`,
        people: [person.id],
      });
    } else {
      out.push({
        kind: "range",
        message: `no aircraft able to carry ${personLabel(person)} can reach ${person.destination} within its range`,
        people: [person.id],
      });
    }
  });
  return out;
}

/** Bounds that already exceed the fleet: proof that no plan exists, in an officer's words. */
function boundObstacles(c: Compiled, bounds: PlanBounds): Obstacle[] {
  const available = c.input.fleet.length;
  const out: Obstacle[] = [];
  const totalSeats = c.problem.weight.reduce((s, w) => s + w, 0);
  const fleetSeats = c.input.fleet.reduce((s, a) => s + a.seats, 0);
  if (bounds.seats > available)
    out.push({
      kind: "seats",
      message: `the people and their guards need ${totalSeats} seats; the fleet has ${fleetSeats}`,
      needed: bounds.seats,
      available,
    });
  if (bounds.stops > available)
    out.push({
      kind: "stops",
      message: `${c.groups.length} destinations need at least ${bounds.stops} aircraft at their stop limits; ${available} available`,
      needed: bounds.stops,
      available,
    });
  if (bounds.organisations > available)
    out.push({
      kind: "rivals",
      message: `rival organisations ${bounds.rivalOrganisations.join(", ")} may not share aircraft: they need ${bounds.organisations} between them; ${available} available`,
      needed: bounds.organisations,
      available,
    });
  if (Math.max(bounds.clique, bounds.cliqueRoom) > available) {
    const ids = bounds.cliquePeople;
    const keepApart = ids.some((a, x) =>
      ids.some(
        (b, y) =>
          y > x && c.conflictReason(c.personIndex.get(a)!, c.personIndex.get(b)!)?.rule === "keep-apart",
      ),
    );
    out.push({
      kind: keepApart ? "keep-apart" : "rivals",
      message: `${ids.length} people can pairwise not share an aircraft (rivals, keep-apart orders or seats): ${ids.join(", ")}; they need ${Math.max(bounds.clique, bounds.cliqueRoom)} aircraft, ${available} available`,
      people: ids,
      needed: Math.max(bounds.clique, bounds.cliqueRoom),
      available,
    });
  }
  return out;
}

interface Core {
  c: Compiled;
  bounds: PlanBounds;
  state: PackState | null;
  assign: Int32Array;
  complete: boolean;
}

function solveCore(c: Compiled, options: PlanOptions, clock: () => number, deadline: number): Core {
  const bounds = operationBounds(c);
  const p = c.problem;
  const binOrder = Array.from({ length: p.bins.length }, (_, b) => b).sort(
    (x, y) => p.bins[y]!.capacity - p.bins[x]!.capacity || x - y,
  );
  // Construction prefers an aircraft already flying to the person's destination, then the tightest fit.
  const score = (s: PackState, i: number, b: number) => {
    const g = p.group[i]!;
    const has = s.gcnt[b * s.G + g]! > 0;
    if (has) return p.bins[b]!.capacity - s.load[b]! - p.weight[i]!;
    const before = s.members[b]!.length ? (c.route(b, s.groupsOf(b))?.distanceKm ?? 0) : 0;
    const after = c.route(b, [...s.groupsOf(b), g])?.distanceKm ?? Number.POSITIVE_INFINITY;
    return 1e3 + (after - before) / 10 + (p.bins[b]!.capacity - s.load[b]! - p.weight[i]!);
  };
  let state: PackState | null = null;
  const res = packMin(p, {
    rng: createRng(options.seed ?? 1),
    lowerBound: bounds.best,
    deadline,
    clock,
    maxIterations: options.maxIterations,
    binOrder,
    score,
    onState: (s) => {
      state = s;
    },
  });
  return { c, bounds, state, assign: res.assignment, complete: res.complete };
}

/** Plans an operation. Throws AppError VALIDATION_FAILED on bad data; never throws for an impossible plan. */
export function plan(data: PlanInputData | PlanInput, options: PlanOptions = {}): Plan {
  const clock = options.clock ?? (() => performance.now());
  const start = clock();
  const timeLimit = options.timeLimitMs ?? 1000;
  const deadline = start + timeLimit;
  const c = compile(data);
  const core = solveCore(c, options, clock, start + timeLimit * 0.8);
  const { bounds } = core;
  const state = core.state as PackState | null;
  if (core.complete && state) improveDistance(c, state, deadline, clock);
  const assign = state ? state.assign : core.assign;
  const described = describeAssignment(c, assign);
  const obstacles = [...personObstacles(c), ...boundObstacles(c, bounds)];
  const used = described.aircraft.length;
  let status: Plan["status"] = "planned";
  if (!core.complete) status = obstacles.length > 0 ? "infeasible" : "no-plan-found";
  if (status === "no-plan-found")
    obstacles.push({
      kind: "search",
      message: `no plan found within ${timeLimit} ms; the bounds do not rule one out (the tightest: ${bounds.binding}, ${bounds.best} aircraft of ${c.input.fleet.length})`,
      people: described.unassigned,
    });
  const suggestions =
    status !== "planned" && options.suggestChanges !== false ? suggest(c, described.unassigned, options) : [];
  return {
    ...(c.input.operation ? { operation: c.input.operation } : {}),
    status,
    aircraftUsed: used,
    lowerBound: bounds.best,
    provenOptimal: status === "planned" && used <= bounds.best,
    distanceKm: described.distanceKm,
    elapsedMs: Math.round((clock() - start) * 10) / 10,
    seed: options.seed ?? 1,
    bounds,
    aircraft: described.aircraft,
    assignment: described.assignment,
    unassigned: described.unassigned,
    obstacles,
    suggestions,
  };
}

/** The smallest changes found that make a plan exist, each checked by planning again. */
function suggest(c: Compiled, unassigned: string[], options: PlanOptions): Suggestion[] {
  const out: Suggestion[] = [];
  const input = c.input;
  const quick: PlanOptions = {
    ...options,
    suggestChanges: false,
    timeLimitMs: Math.min(200, options.timeLimitMs ?? 1000),
  };
  const fleet = input.fleet;
  const firstUnplaced = c.people.find((x) => x.id === unassigned[0]);
  const staging = firstUnplaced?.staging ?? input.staging[0]!;
  const maxStops = Math.max(
    1,
    ...fleet.map((a) => a.maxStops),
    ...(fleet.length === 0 ? [c.groups.length] : []),
  );
  const needSeats = Math.max(...c.problem.weight, 1);
  const maxSeats = Math.max(needSeats, ...fleet.map((a) => a.seats));
  const withExtra = (count: number, seats: number): PlanInput => ({
    ...input,
    fleet: [
      ...fleet,
      ...Array.from({ length: count }, (_, k) => ({ id: `__extra_${k + 1}__`, seats, maxStops, staging })),
    ],
  });
  // Fewest extra aircraft (starting from what the bounds demand), then the fewest seats that still work.
  const bounds = operationBounds(c);
  const first = Math.max(1, bounds.best - fleet.length);
  for (let count = first; count <= first + 1; count++) {
    if (plan(withExtra(count, maxSeats), quick).status !== "planned") continue;
    let lo = needSeats;
    let hi = maxSeats;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (plan(withExtra(count, mid), quick).status === "planned") hi = mid;
      else lo = mid + 1;
    }
    out.push({
      kind: "add-aircraft",
      count,
      seats: hi,
      maxStops,
      staging,
      message: `${count === 1 ? "one more aircraft" : `${count} more aircraft`} of at least ${hi} seats (up to ${maxStops} stops) from ${staging} make${count === 1 ? "s" : ""} a plan possible`,
    });
    break;
  }
  if (unassigned.length > 0 && unassigned.length < c.people.length) {
    out.push({
      kind: "separate-operation",
      people: unassigned,
      message: `moving ${unassigned.join(", ")} to a separate operation leaves a plan for everyone else`,
    });
  }
  return out;
}
