/**
 * Re-planning after a change (a person removed by an injunction, an aircraft unavailable, a person
 * added): keep everyone else where they are and move as few people as possible. Order of attempts:
 * displaced people into aircraft already flying (no one else moves), then into spare aircraft, and only
 * then a search that may move others — each extra move counted as a cost.
 */
import { AppError } from "../errors.ts";
import { compile } from "./compile.ts";
import type {
  PersonMove,
  Plan,
  PlanChange,
  PlanInput,
  PlanInputData,
  PlanOptions,
  ReplanResult,
} from "./model.ts";
import { ZPlanPerson } from "./model.ts";
import { construct, emptyPool, PackState } from "./pack.ts";
import { createRng } from "./rng.ts";
import { describeAssignment, operationBounds } from "./solve.ts";

/** The operation with one change applied. */
export function applyChange(input: PlanInput, change: PlanChange): PlanInput {
  switch (change.kind) {
    case "remove-person": {
      if (!input.people.some((p) => p.id === change.personId))
        throw new AppError("NOT_FOUND", "the person to remove is not in this operation", {
          entity: "person",
        });
      return {
        ...input,
        people: input.people
          .filter((p) => p.id !== change.personId)
          .map((p) => ({ ...p, keepApartFrom: p.keepApartFrom.filter((q) => q !== change.personId) })),
      };
    }
    case "aircraft-unavailable": {
      if (!input.fleet.some((a) => a.id === change.aircraftId))
        throw new AppError("NOT_FOUND", "the unavailable aircraft is not in the fleet", {
          entity: "aircraft",
        });
      return { ...input, fleet: input.fleet.filter((a) => a.id !== change.aircraftId) };
    }
    case "add-person":
      return { ...input, people: [...input.people, ZPlanPerson.parse(change.person)] };
  }
}

export function replan(
  previous: Plan,
  data: PlanInputData | PlanInput,
  change: PlanChange,
  options: PlanOptions = {},
): ReplanResult {
  const clock = options.clock ?? (() => performance.now());
  const start = clock();
  const deadline = start + (options.timeLimitMs ?? 1000);
  const before = compile(data).input;
  const input = applyChange(before, change);
  const c = compile(input);
  const p = c.problem;
  const s = new PackState(p);
  for (const [pid, aid] of Object.entries(previous.assignment)) {
    const i = c.personIndex.get(pid);
    const b = c.aircraftIndex.get(aid);
    if (i !== undefined && b !== undefined && s.fits(i, b)) s.add(i, b);
  }
  for (let b = 0; b < s.B; b++) s.open[b] = s.members[b]!.length > 0 ? 1 : 0;
  // 1. Displaced people into aircraft already flying, the least added distance first.
  for (const i of s.pool.slice()) {
    let best = -1;
    let bestCost = Number.POSITIVE_INFINITY;
    for (let b = 0; b < s.B; b++) {
      if (!s.open[b] || !s.fits(i, b)) continue;
      const cost =
        (c.route(b, [...s.groupsOf(b), p.group[i]!])?.distanceKm ?? 0) -
        (c.route(b, s.groupsOf(b))?.distanceKm ?? 0);
      if (cost < bestCost) {
        bestCost = cost;
        best = b;
      }
    }
    if (best >= 0) s.add(i, best);
  }
  // 2. Spare aircraft for whoever is left (largest first).
  if (s.pool.length > 0) {
    const spare = Array.from({ length: s.B }, (_, b) => b)
      .filter((b) => !s.open[b])
      .sort((x, y) => p.bins[y]!.capacity - p.bins[x]!.capacity);
    const extra = construct(
      p,
      s.pool.slice().sort((x, y) => p.weight[y]! - p.weight[x]!),
      spare,
      (st, i, b) => st.p.bins[b]!.capacity - st.load[b]! - st.p.weight[i]!,
    );
    for (const i of s.pool.slice()) {
      const b = extra.assign[i]!;
      if (b >= 0 && s.fits(i, b)) {
        s.add(i, b);
        s.open[b] = 1;
      }
    }
  }
  // 3. Still someone without a seat: search over all aircraft, each eviction costing one move.
  if (s.pool.length > 0) {
    for (let b = 0; b < s.B; b++) s.open[b] = 1;
    const counting = new PackState({ ...p, cost: p.weight.map(() => 1) }, s);
    emptyPool(
      counting,
      { rng: createRng(options.seed ?? 1), lowerBound: 0, deadline, clock },
      {
        iters: 0,
        maxIters: options.maxIterations ?? Number.POSITIVE_INFINITY,
      },
    );
    s.assign = counting.assign;
    s.members = counting.members;
    s.load = counting.load;
    s.gcnt = counting.gcnt;
    s.ngroups = counting.ngroups;
    s.conf = counting.conf;
    s.pool = counting.pool;
  }
  const bounds = operationBounds(c);
  const d = describeAssignment(c, s.assign);
  const moves: PersonMove[] = [];
  for (const person of before.people) {
    const from = previous.assignment[person.id] ?? null;
    const to = d.assignment[person.id] ?? null;
    if (from !== to) moves.push({ personId: person.id, from, to });
  }
  for (const person of input.people)
    if (!before.people.some((q) => q.id === person.id))
      moves.push({ personId: person.id, from: null, to: d.assignment[person.id] ?? null });
  const planned = d.unassigned.length === 0;
  const plan: Plan = {
    ...(input.operation ? { operation: input.operation } : {}),
    status: planned ? "planned" : "no-plan-found",
    aircraftUsed: d.aircraft.length,
    lowerBound: bounds.best,
    provenOptimal: planned && d.aircraft.length <= bounds.best,
    distanceKm: d.distanceKm,
    elapsedMs: Math.round((clock() - start) * 10) / 10,
    seed: options.seed ?? 1,
    bounds,
    aircraft: d.aircraft,
    assignment: d.assignment,
    unassigned: d.unassigned,
    obstacles: planned
      ? []
      : [
          {
            kind: "search",
            message: `no seat found for ${d.unassigned.join(", ")} after the change`,
            people: d.unassigned,
          },
        ],
    suggestions: [],
  };
  return { plan, input, moves };
}
