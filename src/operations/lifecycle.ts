/**
 * The operation's lifecycle, tied to the cases on board (DESIGN.md "Operations and the planner"): pure
 * functions over plain data, like the legal tracks (`src/cases/workflow.ts`). No database, no clock.
 *
 *   planning ──adopt a plan──► planned ──► ready ──► in-transit ──► completed
 *      ▲  └──────────────────────┴──────────┴──► cancelled (only before it flies)
 *      └── a person added or removed (the new plan must be adopted again)
 *
 * A person is *listed* on an operation (a candidate the planner plans for) and *on board* once their case
 * has joined it (`assign-to-operation`). The operation's moves take the steps of the cases on board in the
 * same write: its departure takes each case's `start-transit`, its cancellation each `remove-from-operation`.
 * A handover takes the case's last step (`hand-over`, or the treaty's `surrender`).
 */
import type { Role } from "../auth/roles.ts";
import { actBefore, actMoment, stillToCome, toIsoDate } from "../cases/calendar.ts";
import {
  boardedStates,
  type CaseState,
  type OperationEffect,
  sentStates,
  stepWithEffect,
  type Track,
} from "../cases/workflow.ts";
import type { ErrorCode } from "../errors.ts";
import type { Violation } from "../planner/index.ts";

export const operationStatuses = [
  "planning",
  "planned",
  "ready",
  "in-transit",
  "completed",
  "cancelled",
] as const;
export type OperationStatus = (typeof operationStatuses)[number];

/** Statuses in which people may still be listed, removed, or board by their case's own step. */
export const stillPlanned: readonly OperationStatus[] = ["planning", "planned"];
/** Statuses in which the list of people may change (a change sends the operation back to planning). */
export const listOpen: readonly OperationStatus[] = ["planning", "planned", "ready"];

export interface OperationMove {
  /** The status asked for. */
  to: OperationStatus;
  from: readonly OperationStatus[];
  by: readonly Role[];
  /** What the move does to each case on board. */
  cases?: OperationEffect;
  description: string;
}

/**
 * The moves of `POST /api/operations/{id}/status`, by the status asked for. `planned` is reached from
 * `planning` only by adopting a plan (`POST …/plan/adopt`); asked for from `ready`, it stands the operation
 * down (the plan stays adopted).
 */
export const operationMoves: readonly OperationMove[] = [
  {
    to: "planned",
    from: ["ready"],
    by: ["operations-planner"],
    description: "Stand down: back to planned, the adopted plan kept",
  },
  {
    to: "ready",
    from: ["planned"],
    by: ["operations-planner"],
    description: "Every listed person on board, seated by the adopted plan without breaking a rule",
  },
  {
    to: "in-transit",
    from: ["ready"],
    by: ["operations-planner", "custody-officer"],
    cases: "depart",
    description: "Departs on or after the operation date; every case on board goes in transit with it",
  },
  {
    to: "completed",
    from: ["in-transit"],
    by: ["operations-planner", "custody-officer"],
    description: "Every person on board handed over",
  },
  {
    to: "cancelled",
    from: ["planning", "planned", "ready"],
    by: ["operations-planner"],
    cases: "leave",
    description: "Only before it flies; every case on board returns to the state it came from",
  },
];

/** Who lists, removes, plans and adopts. */
export const planningRoles: readonly Role[] = ["operations-planner"];

export interface ListedPerson {
  personId: string;
  name: string;
  /** The case that carries the person on this operation. */
  caseId: string | null;
  removed: boolean;
  /** The case as it stands now (null when the listing names none). */
  case: { id: string; track: Track; state: CaseState; operationId: string | null } | null;
  /** A handover of the person is recorded on this operation. */
  handedOver: boolean;
  /** When that handover happened. */
  handedOverAt: Date | null;
}

export interface OperationFacts {
  id: string;
  code: string;
  status: OperationStatus;
  /** The day it is to fly (YYYY-MM-DD). */
  operationDate: string;
  departedAt: Date | null;
  people: ListedPerson[];
  /** The adopted plan: who sits on which aircraft, and every rule it breaks against today's record. */
  adoptedPlan: { id: string; assignment: Record<string, string>; violations: Violation[] } | null;
}

export type Refusal = { ok: false; code: ErrorCode; message: string; details?: Record<string, unknown> };
const refuse = (code: ErrorCode, message: string, details?: Record<string, unknown>): Refusal =>
  details ? { ok: false, code, message, details } : { ok: false, code, message };

/** A person on board: listed, not removed, and their case joined this operation. */
export function onBoard(facts: Pick<OperationFacts, "id">, p: ListedPerson): boolean {
  return !p.removed && p.case !== null && p.case.operationId === facts.id && boardedStates.has(p.case.state);
}

/** A person on board whose handover is recorded and whose case took its last step. */
export function handedOver(p: ListedPerson): boolean {
  return p.handedOver && p.case !== null && sentStates.has(p.case.state);
}

const names = (people: ListedPerson[]) => people.map((p) => p.name).join(", ");

function mayAct(role: Role, roles: readonly Role[], what: string): Refusal | null {
  return roles.includes(role)
    ? null
    : refuse("ACTOR_NOT_PERMITTED", `role ${role} may not ${what}; allowed: ${roles.join(", ")}`, {
        role,
        allowedRoles: [...roles],
      });
}

export type MoveDecision =
  | {
      ok: true;
      from: OperationStatus;
      to: OperationStatus;
      /** The step each case on board takes with the move. */
      caseSteps: { caseId: string; personId: string; transition: string }[];
      departedAt?: Date;
      completedAt?: Date;
    }
  | Refusal;

/**
 * Decides a move of the operation's status. Checks, in order: the move exists for the status asked →
 * the operation's status allows it (409) → the actor's role (403) → the date (400/422) → its conditions
 * (422 `OPERATION_NOT_READY`, naming each person and rule). The cases' own steps are then decided by
 * their legal track, in the same write.
 */
export function decideMove(
  facts: OperationFacts,
  input: { to: OperationStatus; role: Role; occurredAt: Date },
  ctx: { now: Date },
): MoveDecision {
  const moves = operationMoves.filter((m) => m.to === input.to);
  const move = moves.find((m) => m.from.includes(facts.status));
  const allowed = operationMoves.filter((m) => m.from.includes(facts.status)).map((m) => m.to);
  if (!move) {
    const hint =
      (input.to === "planned" || input.to === "ready") && facts.status === "planning"
        ? ": it becomes planned when a plan is adopted (POST /api/operations/{id}/plan/adopt)"
        : "";
    return refuse(
      "TRANSITION_NOT_ALLOWED",
      `operation ${facts.code} is ${facts.status}; it can move to ${allowed.length ? allowed.join(", ") : "nothing (final)"}, not ${input.to}${hint}`,
      { state: facts.status, allowed },
    );
  }
  const denied = mayAct(input.role, move.by, `move an operation to ${input.to}`);
  if (denied) return denied;
  const day = toIsoDate(input.occurredAt);
  const ahead = stillToCome(input.occurredAt, ctx.now);
  if (ahead) {
    return refuse("VALIDATION_FAILED", `occurredAt: ${ahead}`, {
      issues: [{ field: "occurredAt", rule: ahead }],
    });
  }
  const listed = facts.people.filter((p) => !p.removed);
  const boarded = listed.filter((p) => onBoard(facts, p));
  const stepsFor = (effect: OperationEffect) =>
    boarded.map((p) => {
      const step = stepWithEffect(
        p.case!.track,
        p.case!.state,
        effect,
        effect === "leave" ? "operation" : undefined,
      );
      return { caseId: p.case!.id, personId: p.personId, transition: step?.name ?? `(no ${effect} step)` };
    });

  switch (input.to) {
    case "ready": {
      const notOnBoard = listed.filter((p) => !onBoard(facts, p));
      const plan = facts.adoptedPlan;
      const notSeated = plan ? listed.filter((p) => !plan.assignment[p.personId]) : listed;
      const violations = plan?.violations ?? [];
      if (!listed.length || !plan || notOnBoard.length || notSeated.length || violations.length) {
        const reasons = [
          // An empty operation would be ready to fly no one, and then could not depart.
          listed.length ? null : "no one is listed",
          plan ? null : "no plan is adopted",
          notOnBoard.length
            ? `not on board (their case has not taken assign-to-operation): ${names(notOnBoard)}`
            : null,
          plan && notSeated.length ? `not seated by the adopted plan: ${names(notSeated)}` : null,
          violations.length
            ? `the adopted plan breaks: ${violations.map((v) => v.message).join("; ")}`
            : null,
        ].filter(Boolean);
        return refuse("OPERATION_NOT_READY", `operation ${facts.code} is not ready: ${reasons.join("; ")}`, {
          notOnBoard: notOnBoard.map((p) => ({ personId: p.personId, caseState: p.case?.state ?? null })),
          notSeated: notSeated.map((p) => p.personId),
          violations,
        });
      }
      return { ok: true, from: facts.status, to: "ready", caseSteps: [] };
    }
    case "in-transit": {
      if (day < facts.operationDate) {
        // A date out of its rules: bad input (400) naming occurredAt, as on the operation's other acts.
        const rule = `not before the operation date ${facts.operationDate}`;
        return refuse(
          "VALIDATION_FAILED",
          `operation ${facts.code} flies on ${facts.operationDate}; it cannot depart on ${day}`,
          { issues: [{ field: "occurredAt", rule }], operationDate: facts.operationDate },
        );
      }
      if (boarded.length === 0) {
        return refuse("OPERATION_NOT_READY", `operation ${facts.code} has no one on board`);
      }
      return {
        ok: true,
        from: facts.status,
        to: "in-transit",
        caseSteps: stepsFor("depart"),
        departedAt: input.occurredAt,
      };
    }
    case "completed": {
      const waiting = boarded.filter((p) => !handedOver(p));
      const unfinished = listed.filter((p) => !onBoard(facts, p) && !handedOver(p));
      if (waiting.length || unfinished.length) {
        return refuse(
          "OPERATION_NOT_READY",
          `operation ${facts.code} cannot be completed: no handover recorded for ${names([...waiting, ...unfinished])}`,
          { notHandedOver: [...waiting, ...unfinished].map((p) => p.personId) },
        );
      }
      // Not before its departure or any handover (by day where an act was given as a day: `actBefore`).
      const acts = [facts.departedAt, ...listed.map((p) => p.handedOverAt)].filter((d) => d !== null);
      const after = acts.filter((d) => actBefore(input.occurredAt, d));
      if (after.length) {
        const last = actMoment(new Date(Math.max(...after.map((d) => d.getTime()))));
        return refuse(
          "VALIDATION_FAILED",
          `occurredAt: the operation cannot be completed before its last handover or its departure (${last})`,
          {
            issues: [{ field: "occurredAt", rule: `not before its last handover or its departure, ${last}` }],
          },
        );
      }
      return { ok: true, from: facts.status, to: "completed", caseSteps: [], completedAt: input.occurredAt };
    }
    case "cancelled":
      return { ok: true, from: facts.status, to: "cancelled", caseSteps: stepsFor("leave") };
    default:
      return { ok: true, from: facts.status, to: input.to, caseSteps: [] };
  }
}

/** A change to the list of people: allowed until the operation flies; it sends the operation back to planning. */
export function decideListChange(
  facts: Pick<OperationFacts, "code" | "status">,
  input: { role: Role; change: "add" | "remove" },
): { ok: true; to: OperationStatus } | Refusal {
  const denied = mayAct(input.role, planningRoles, `${input.change} people on an operation`);
  if (denied) return denied;
  if (!listOpen.includes(facts.status)) {
    return refuse(
      "OPERATION_UNDER_WAY",
      `operation ${facts.code} is ${facts.status}: people can be ${input.change === "add" ? "added" : "removed"} only until it flies`,
      { operationStatus: facts.status },
    );
  }
  return { ok: true, to: "planning" };
}

/**
 * Adopting a plan: while the operation is planning or planned, for exactly the people listed now, seating
 * every one of them without breaking a rule.
 */
export function decideAdoption(
  facts: OperationFacts,
  input: {
    role: Role;
    plan: {
      id: string;
      status: string;
      people: string[];
      assignment: Record<string, string>;
      violations: Violation[];
    };
  },
): { ok: true; to: OperationStatus } | Refusal {
  const denied = mayAct(input.role, planningRoles, "adopt a plan");
  if (denied) return denied;
  if (!stillPlanned.includes(facts.status)) {
    return refuse(
      "OPERATION_UNDER_WAY",
      `operation ${facts.code} is ${facts.status}: a plan is adopted only while it is planning or planned`,
      { operationStatus: facts.status },
    );
  }
  const { plan } = input;
  if (plan.status === "adopted") {
    return refuse("TRANSITION_NOT_ALLOWED", `plan ${plan.id} is already adopted`, { planId: plan.id });
  }
  const listed = new Set(facts.people.filter((p) => !p.removed).map((p) => p.personId));
  const planned = new Set(plan.people);
  const missing = [...listed].filter((id) => !planned.has(id));
  const extra = [...planned].filter((id) => !listed.has(id));
  if (missing.length || extra.length) {
    return refuse(
      "VERSION_CONFLICT",
      `plan ${plan.id} was made for another list of people: plan again (${missing.length} listed since, ${extra.length} removed since)`,
      { listedSince: missing, removedSince: extra },
    );
  }
  const unseated = [...listed].filter((id) => !plan.assignment[id]);
  if (unseated.length || plan.violations.length) {
    return refuse(
      "OPERATION_NOT_READY",
      `plan ${plan.id} cannot be adopted: ${[
        unseated.length ? `${unseated.length} person(s) without a seat` : null,
        ...plan.violations.map((v) => v.message),
      ]
        .filter(Boolean)
        .join("; ")}`,
      { unseated, violations: plan.violations },
    );
  }
  return { ok: true, to: "planned" };
}

export type HandoverDecision = { ok: true; caseId: string; transition: string } | Refusal;

/**
 * A handover: only for a person on board an operation in transit, at a stop of their aircraft's route, not
 * before the operation date or its departure (by day: a handover may be given as a day), nor still to come.
 * The case's last step is then decided by its legal track.
 */
export function decideHandover(
  facts: OperationFacts,
  input: { personId: string; place: string; occurredAt: Date; route: readonly string[] | null },
  now: Date,
): HandoverDecision {
  if (facts.status !== "in-transit") {
    return refuse(
      "TRANSITION_NOT_ALLOWED",
      `operation ${facts.code} is ${facts.status}: handovers are recorded while it is in transit`,
      { operationStatus: facts.status },
    );
  }
  const person = facts.people.find((p) => p.personId === input.personId && !p.removed);
  if (person?.handedOver) {
    return refuse("DUPLICATE", "this person's handover on this operation is already recorded", {
      issues: [{ field: "personId", rule: "handed over already" }],
    });
  }
  if (!person || !onBoard(facts, person)) {
    return refuse("HANDOVER_REFUSED", `the person is not on board operation ${facts.code}`, {
      issues: [{ field: "personId", rule: `must be on board operation ${facts.code}` }],
    });
  }
  const stops = input.route?.slice(1) ?? [];
  const issues: { field: string; rule: string }[] = [];
  if (!stops.includes(input.place)) {
    issues.push({
      field: "place",
      rule: stops.length
        ? `must be a stop of the person's aircraft: ${stops.join(", ")}`
        : "the person has no seat on an aircraft of the adopted plan",
    });
  }
  const day = toIsoDate(input.occurredAt);
  const ahead = stillToCome(input.occurredAt, now);
  if (ahead) {
    issues.push({ field: "occurredAt", rule: ahead });
  } else if (day < facts.operationDate) {
    issues.push({ field: "occurredAt", rule: `not before the operation date ${facts.operationDate}` });
  } else if (facts.departedAt && actBefore(input.occurredAt, facts.departedAt)) {
    issues.push({ field: "occurredAt", rule: `not before the departure ${actMoment(facts.departedAt)}` });
  }
  if (issues.length) {
    // A date alone out of its rules is bad input, as on the operation's other acts (400); a place off the
    // person's route is the handover refused (422), with the date's issue beside it if there is one.
    const code = issues.some((i) => i.field === "place") ? "HANDOVER_REFUSED" : "VALIDATION_FAILED";
    return refuse(code, issues.map((i) => `${i.field}: ${i.rule}`).join("; "), { issues });
  }
  const step = stepWithEffect(person.case!.track, person.case!.state, "arrive");
  if (!step) {
    return refuse(
      "TRANSITION_NOT_ALLOWED",
      `the person's case is ${person.case!.state}: no handover step from there`,
      {
        state: person.case!.state,
      },
    );
  }
  return { ok: true, caseId: person.case!.id, transition: step.name };
}
