/**
 * Rule checks on a plan, independent of how it was made: the property tests use them on every plan,
 * and the API uses them when an officer moves a person by hand ("this move breaks these rules").
 */
import { compile } from "./compile.ts";
import { type Plan, type PlanInput, type PlanInputData, personLabel, type Violation } from "./model.ts";
import { greatCircleKm } from "./route.ts";
import { describeAssignment, operationBounds } from "./solve.ts";

/** Every rule the plan breaks for this operation (empty when the plan is valid). */
export function checkPlan(data: PlanInputData | PlanInput, plan: Pick<Plan, "aircraft">): Violation[] {
  const c = compile(data);
  const out: Violation[] = [];
  const seen = new Map<string, string>();
  const fleet = new Map(c.input.fleet.map((a, b) => [a.id, b]));
  /** An aircraft as a message names it: its name (the callsign) where it has one. */
  const named = new Map(c.input.fleet.map((a) => [a.id, a.name ?? a.id]));
  const ac = (id: string) => named.get(id) ?? id;
  for (const ap of plan.aircraft) {
    const b = fleet.get(ap.aircraftId);
    if (b === undefined) {
      out.push({
        rule: "unknown-aircraft",
        message: `aircraft ${ap.aircraftId} is not in the fleet`,
        aircraftId: ap.aircraftId,
      });
      continue;
    }
    const aircraft = c.input.fleet[b]!;
    const staging = c.aircraftStaging[b]!;
    const idx: number[] = [];
    for (const m of ap.manifest) {
      const i = c.personIndex.get(m.personId);
      if (i === undefined) {
        out.push({
          rule: "unknown-person",
          message: `${m.personId} is not in this operation`,
          aircraftId: ap.aircraftId,
          people: [m.personId],
        });
        continue;
      }
      if (seen.has(m.personId)) {
        out.push({
          rule: "duplicate",
          message: `${personLabel(c.people[i]!)} is on ${ac(seen.get(m.personId)!)} and on ${ac(ap.aircraftId)}`,
          aircraftId: ap.aircraftId,
          people: [m.personId],
        });
        continue;
      }
      seen.set(m.personId, ap.aircraftId);
      idx.push(i);
    }
    const seats = idx.reduce((s, i) => s + c.problem.weight[i]!, 0);
    if (seats > aircraft.seats)
      out.push({
        rule: "capacity",
        message: `${ac(ap.aircraftId)} needs ${seats} seats (people and guards) but has ${aircraft.seats}`,
        aircraftId: ap.aircraftId,
        people: idx.map((i) => c.people[i]!.id),
      });
    for (let x = 0; x < idx.length; x++)
      for (let y = x + 1; y < idx.length; y++) {
        const why = c.conflictReason(idx[x]!, idx[y]!);
        if (why)
          out.push({
            rule: why.rule,
            message: `${why.message}, and both are on ${ac(ap.aircraftId)}`,
            aircraftId: ap.aircraftId,
            people: [c.people[idx[x]!]!.id, c.people[idx[y]!]!.id],
          });
      }
    const stops = ap.route.slice(1);
    if (ap.route[0] !== staging)
      out.push({
        rule: "route",
        message: `${ac(ap.aircraftId)} must depart from ${staging}`,
        aircraftId: ap.aircraftId,
      });
    if (new Set(stops).size > aircraft.maxStops)
      out.push({
        rule: "stops",
        message: `${ac(ap.aircraftId)} makes ${new Set(stops).size} stops; at most ${aircraft.maxStops} allowed`,
        aircraftId: ap.aircraftId,
      });
    for (const i of idx) {
      const person = c.people[i]!;
      if (!stops.includes(person.destination))
        out.push({
          rule: "route",
          message: `${personLabel(person)} leaves at ${person.destination}, which ${ac(ap.aircraftId)} does not visit`,
          aircraftId: ap.aircraftId,
          people: [person.id],
        });
      if (person.staging && person.staging !== staging)
        out.push({
          rule: "staging",
          message: `${personLabel(person)} boards at ${person.staging} but ${ac(ap.aircraftId)} departs from ${staging}`,
          aircraftId: ap.aircraftId,
          people: [person.id],
        });
    }
    if (aircraft.rangeKm !== undefined)
      for (let k = 1; k < ap.route.length; k++) {
        const from = c.airports.get(ap.route[k - 1]!);
        const to = c.airports.get(ap.route[k]!);
        if (!from || !to) continue;
        const d = greatCircleKm(from, to);
        if (d > aircraft.rangeKm + 1e-6)
          out.push({
            rule: "range",
            message: `leg ${from.code}→${to.code} of ${ac(ap.aircraftId)} is ${Math.round(d)} km; its range is ${aircraft.rangeKm} km`,
            aircraftId: ap.aircraftId,
          });
      }
  }
  for (const person of c.people)
    if (!seen.has(person.id))
      out.push({
        rule: "unassigned",
        message: `${personLabel(person)} has no seat on any aircraft`,
        people: [person.id],
      });
  return out;
}

/**
 * An officer moves a person by hand: the new plan (routes and manifests rebuilt for the aircraft
 * concerned) and every rule it breaks. The move is made even when it breaks rules; the API decides.
 */
export function movePerson(
  data: PlanInputData | PlanInput,
  plan: Plan,
  personId: string,
  toAircraftId: string,
): { plan: Plan; violations: Violation[] } {
  const c = compile(data);
  const assign = new Int32Array(c.people.length).fill(-1);
  for (const [pid, aid] of Object.entries(plan.assignment)) {
    const i = c.personIndex.get(pid);
    const b = c.aircraftIndex.get(aid);
    if (i !== undefined && b !== undefined) assign[i] = b;
  }
  const i = c.personIndex.get(personId);
  const b = c.aircraftIndex.get(toAircraftId);
  const extra: Violation[] = [];
  if (i === undefined)
    extra.push({
      rule: "unknown-person",
      message: `${personId} is not in this operation`,
      people: [personId],
    });
  if (b === undefined)
    extra.push({
      rule: "unknown-aircraft",
      message: `aircraft ${toAircraftId} is not in the fleet`,
      aircraftId: toAircraftId,
    });
  if (i !== undefined && b !== undefined) assign[i] = b;
  const d = describeAssignment(c, assign);
  const moved: Plan = {
    ...plan,
    aircraft: d.aircraft,
    assignment: d.assignment,
    unassigned: d.unassigned,
    aircraftUsed: d.aircraft.length,
    distanceKm: d.distanceKm,
    provenOptimal: false,
  };
  const violations = [...extra, ...checkPlan(c.input, moved)];
  moved.status = violations.length > 0 ? "rules-broken" : "planned";
  moved.provenOptimal = violations.length === 0 && moved.aircraftUsed <= moved.lowerBound;
  return { plan: moved, violations };
}

/**
 * A plan made by hand: each person on the aircraft an officer chose (a historical operation as it flew, or
 * a plan drawn on the board), with its routes and manifests built as the planner builds them, and every
 * rule it breaks. People the assignment leaves out, or puts on an unknown aircraft, are unassigned.
 */
export function planFromAssignment(
  data: PlanInputData | PlanInput,
  assignment: Record<string, string>,
): { plan: Plan; violations: Violation[] } {
  const c = compile(data);
  const assign = new Int32Array(c.people.length).fill(-1);
  for (const [pid, aid] of Object.entries(assignment)) {
    const i = c.personIndex.get(pid);
    const b = c.aircraftIndex.get(aid);
    if (i !== undefined && b !== undefined) assign[i] = b;
  }
  const d = describeAssignment(c, assign);
  const bounds = operationBounds(c);
  const plan: Plan = {
    ...(c.input.operation ? { operation: c.input.operation } : {}),
    status: "planned",
    aircraftUsed: d.aircraft.length,
    lowerBound: bounds.best,
    provenOptimal: false,
    distanceKm: d.distanceKm,
    elapsedMs: 0,
    seed: 0,
    bounds,
    aircraft: d.aircraft,
    assignment: d.assignment,
    unassigned: d.unassigned,
    obstacles: [],
    suggestions: [],
  };
  const violations = checkPlan(c.input, plan);
  plan.status = violations.length > 0 ? "rules-broken" : "planned";
  plan.provenOptimal = violations.length === 0 && plan.aircraftUsed <= plan.lowerBound;
  return { plan, violations };
}
