/**
 * The legal-track state machines: a pure interpreter of the tables in `tracks.ts`.
 *
 * `decide` takes what the service loaded (`CaseFacts`), the requested transition and the context
 * (`now`, policy, treaty parameters) and returns a decision — never throws for a refused step,
 * never mutates its input, never reads the clock.
 */
import type { Actor } from "../auth/roles.ts";
import type { ErrorCode, FieldIssue } from "../errors.ts";
import { actBefore, actMoment, stillToCome, toIsoDate } from "./calendar.ts";
import type { Deadline, DeadlineKind } from "./deadlines.ts";
import { computeDeadline, hasLapsed } from "./deadlines.ts";
import type {
  CaseState,
  DecisionRecord,
  GuardId,
  SharedStatus,
  StateDef,
  Track,
  TransitionDef,
} from "./tracks.ts";
import { initialStates, stateDefs, transitions } from "./tracks.ts";
import type { Policy, TreatyParameters } from "./treaty-parameters.ts";

export type { Deadline, DeadlineKind } from "./deadlines.ts";
export { computeDeadline, deadlineKinds, deadlineStatus } from "./deadlines.ts";
export type {
  CaseState,
  DecisionBody,
  DecisionOutcome,
  DecisionRecord,
  GuardId,
  OperationEffect,
  SharedStatus,
  StateDef,
  Track,
  TransitionDef,
} from "./tracks.ts";
export {
  boardedStates,
  decisionBodies,
  decisionOutcomes,
  guardIds,
  securityStates,
  sentStates,
  sharedStatuses,
  stateDefs,
  stepWithEffect,
  transitions,
  treatyStates,
} from "./tracks.ts";
export type { Policy, TreatyParameters } from "./treaty-parameters.ts";
export { defaultPolicy, usMexico1978 } from "./treaty-parameters.ts";

export interface CaseFacts {
  track: Track;
  state: CaseState;
  holds: { id: string; kind: string; blocksSurrender: boolean; status: "active" | "lifted" | "bypassed" }[];
  charges: { id: string; capitalEligible: boolean; offenceKey: string }[];
  assurances: {
    id: string;
    kind: "no-death-penalty" | "specialty" | "other";
    status: "requested" | "given" | "withdrawn";
  }[];
  /** The operation the case is on board, if any. */
  operationId: string | null;
  /**
   * The operation the step concerns: the one named in the input for a step that joins one, otherwise the
   * one the case is on. Its status, date, and whether it lists the person (not removed).
   */
  operation: { id: string; code: string; status: string; listsPerson: boolean } | null;
  /** Open deadlines currently stored for the case. */
  deadlines: Deadline[];
  /** Offences the person was freed from for good (LEI art. 35). */
  barredOffences: string[];
  /**
   * The case's latest step and when it occurred: the next may not be dated before it. Absent before the first
   * step; that one is not weighed against the day the case was opened, which is when it was recorded here (a
   * case recorded late has steps from before it, and `openedOn` is not corrected).
   */
  lastAct?: { transition: string; at: Date };
}

export interface TransitionInput {
  transition: string;
  actor: Actor;
  occurredAt: Date;
  legalBasis: string;
  reasons: string;
  bypass?: { holdIds: string[]; legalBasis: string };
  /** The operation a joining step boards. */
  operationId?: string;
  /** The act the step is part of, when it is not taken on its own (see `TransitionDef.via`). */
  via?: "operation" | "handover";
}

/** The decision a step records, ready to store. */
export interface DecisionOut extends DecisionRecord {
  legalBasis: string;
  reasons: string;
  decidedOn: string;
  appealWindowEndsOn: string | null;
  bypassedHoldIds: string[];
}

export interface OpenRisk {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

export type Decision =
  | {
      ok: true;
      from: CaseState;
      to: CaseState;
      transition: TransitionDef;
      startDeadlines: Deadline[];
      stopDeadlines: DeadlineKind[];
      /** How the stopped deadlines close. */
      stopsAs: "met" | "lapsed";
      openRisks: OpenRisk[];
      bypassedHoldIds: string[];
      /** Offence keys the service must add to the person's barred offences (custody-window lapse). */
      barOffences: string[];
      /** The operation the case is on after the step. */
      operationId: string | null;
      /** The decision the step records, if it is one. */
      decision: DecisionOut | null;
    }
  | { ok: false; code: ErrorCode; message: string; details?: Record<string, unknown>; reason?: Reason };

/**
 * Why a step cannot be taken, in a form a client translates: a stable code and its parameters
 * (`needs-assurance` with `{kind: "no-death-penalty"}`), beside the refusal's error code and message.
 */
export interface Reason {
  code: ReasonCode;
  params: Record<string, unknown>;
}
export const reasonCodes = [
  "taken-by-another-act",
  "role",
  "invalid-input",
  "hold-in-force",
  "needs-assurance",
  "no-operation",
  "not-listed",
  "operation-under-way",
  "surrender-barred",
  "deadline-lapsed",
  "deadline-running",
  "no-treaty",
] as const;
export type ReasonCode = (typeof reasonCodes)[number];

export interface DecideContext {
  now: Date;
  policy: Policy;
  /** The treaty the case runs under; null for a case under none (a security transfer from a state without one). */
  params: TreatyParameters | null;
}

const stateIndex = new Map<CaseState, StateDef>(stateDefs.map((s) => [s.name, s]));

export function initialState(track: Track): CaseState {
  return initialStates[track];
}

export function statesOf(track: Track): StateDef[] {
  return stateDefs.filter((s) => s.track === track);
}

/** What the requesting state is told of a case in this state. */
export function sharedStatusOf(state: CaseState): SharedStatus {
  const def = stateIndex.get(state);
  if (!def) throw new Error(`unknown state ${state}`);
  return def.shared;
}

export function isTerminal(state: CaseState): boolean {
  return stateIndex.get(state)?.terminal ?? false;
}

export function trackOf(state: CaseState): Track | undefined {
  return stateIndex.get(state)?.track;
}

export function findTransition(track: Track, name: string): TransitionDef | undefined {
  return transitions.find((t) => t.track === track && t.name === name);
}

/** The offence a charge is for, as the bar of LEI art. 35 compares them. */
export const offenceKey = (statute: string) => statute.trim().toLowerCase().replace(/\s+/g, " ");

export function availableTransitions(track: Track, state: CaseState): TransitionDef[] {
  return transitions.filter((t) => t.track === track && t.from.includes(state));
}

export type Refusal = Extract<Decision, { ok: false }>;

function refuse(
  code: ErrorCode,
  message: string,
  details?: Record<string, unknown>,
  reason?: Reason,
): Refusal {
  return {
    ok: false,
    code,
    message,
    ...(details ? { details } : {}),
    ...(reason ? { reason } : {}),
  };
}

function invalid(issues: FieldIssue[], message: string): Refusal {
  return refuse("VALIDATION_FAILED", message, { issues }, { code: "invalid-input", params: { issues } });
}

/** The stored deadline of a kind; with several, the latest due (the most generous reading). */
function latestDeadline(facts: CaseFacts, kinds: readonly DeadlineKind[]): Deadline | undefined {
  let best: Deadline | undefined;
  for (const d of facts.deadlines) {
    if (kinds.includes(d.kind) && (!best || d.dueOn > best.dueOn)) best = d;
  }
  return best;
}

interface GuardState {
  openRisks: OpenRisk[];
  bypassedHoldIds: string[];
}

type Guard = (
  facts: CaseFacts,
  input: TransitionInput,
  ctx: DecideContext,
  out: GuardState,
) => Refusal | null;

/** The deadline must have lapsed both now and when the lapse is said to have occurred. */
function mustHaveLapsed(kind: DeadlineKind, label: string): Guard {
  return (facts, input, ctx) => {
    const d = latestDeadline(facts, [kind]);
    if (!d) {
      return refuse(
        "DEADLINE_NOT_LAPSED",
        `no open ${label} deadline is stored for this case`,
        { kind },
        { code: "deadline-running", params: { deadline: kind } },
      );
    }
    for (const [field, at] of [
      ["now", ctx.now],
      ["occurredAt", input.occurredAt],
    ] as const) {
      if (!hasLapsed(d, at)) {
        return refuse(
          "DEADLINE_NOT_LAPSED",
          `the ${label} deadline runs until ${d.dueOn} inclusive; ${field} is ${toIsoDate(at)}`,
          { kind, dueOn: d.dueOn, [field]: toIsoDate(at) },
          { code: "deadline-running", params: { deadline: kind, dueOn: d.dueOn } },
        );
      }
    }
    return null;
  };
}

/** If the deadline runs, the step must occur on or before its due day. */
function mustBeInTime(kind: DeadlineKind, label: string): Guard {
  return (facts, input) => {
    const d = latestDeadline(facts, [kind]);
    if (d && hasLapsed(d, input.occurredAt)) {
      return refuse(
        "DEADLINE_LAPSED",
        `the ${label} deadline lapsed on ${d.dueOn}; the step occurred on ${toIsoDate(input.occurredAt)}`,
        { kind, dueOn: d.dueOn, occurredAt: toIsoDate(input.occurredAt) },
        { code: "deadline-lapsed", params: { deadline: kind, dueOn: d.dueOn } },
      );
    }
    return null;
  };
}

const guards: Record<GuardId, Guard> = {
  "no-blocking-hold": (facts, input, _ctx, out) => {
    const blocking = facts.holds.filter((h) => h.status === "active" && h.blocksSurrender);
    const bypass = input.bypass;
    if (bypass) {
      if (bypass.legalBasis.trim() === "") {
        const issues = [{ field: "bypass.legalBasis", rule: "required" }];
        return refuse(
          "LEGAL_HOLD",
          "a bypass of a legal hold must state its legal basis",
          { issues },
          { code: "invalid-input", params: { issues } },
        );
      }
      const blockingIds = new Set(blocking.map((h) => h.id));
      const issues = bypass.holdIds.flatMap((id, i) =>
        blockingIds.has(id)
          ? []
          : [{ field: `bypass.holdIds[${i}]`, rule: "not an active blocking hold of this case" }],
      );
      if (issues.length > 0) return invalid(issues, issues.map((x) => `${x.field}: ${x.rule}`).join("; "));
    }
    const bypassed = new Set(bypass?.holdIds ?? []);
    const unbypassed = blocking.filter((h) => !bypassed.has(h.id));
    if (unbypassed.length > 0) {
      return refuse(
        "LEGAL_HOLD",
        `active legal hold(s) block this step: ${unbypassed.map((h) => `${h.id} (${h.kind})`).join(", ")}`,
        { holdIds: unbypassed.map((h) => h.id) },
        {
          code: "hold-in-force",
          // A decision may bypass them, stating its legal basis (`bypass` of the step's body).
          params: { holds: unbypassed.map((h) => ({ id: h.id, kind: h.kind })), bypassable: true },
        },
      );
    }
    out.bypassedHoldIds = [...bypassed];
    return null;
  },

  "death-penalty-assurance": (facts, _input, ctx, out) => {
    const capital = facts.charges.filter((c) => c.capitalEligible);
    if (capital.length === 0) return null;
    const given = facts.assurances.some((a) => a.kind === "no-death-penalty" && a.status === "given");
    if (given) return null;
    const chargeIds = capital.map((c) => c.id);
    const message = `capital-eligible charge(s) ${chargeIds.join(", ")} without a given no-death-penalty assurance (Treaty art. 8)`;
    if (ctx.policy.deathPenaltyAssurance === "block")
      return refuse(
        "ASSURANCE_MISSING",
        message,
        { chargeIds },
        { code: "needs-assurance", params: { kind: "no-death-penalty", chargeIds } },
      );
    if (!out.openRisks.some((r) => r.code === "ASSURANCE_MISSING")) {
      out.openRisks.push({ code: "ASSURANCE_MISSING", message, details: { chargeIds } });
    }
    return null;
  },

  "operation-assigned": (facts) =>
    facts.operationId
      ? null
      : refuse(
          "OPERATION_MISSING",
          "the case is on no operation: it must take assign-to-operation first",
          undefined,
          { code: "no-operation", params: {} },
        ),

  "operation-lists-person": (facts, input) => {
    const op = facts.operation;
    if (!op || op.id !== input.operationId) {
      return refuse(
        "OPERATION_MISSING",
        "operationId: no such operation",
        { issues: [{ field: "operationId", rule: "must reference an existing operation" }] },
        { code: "not-listed", params: {} },
      );
    }
    if (!op.listsPerson) {
      return refuse(
        "OPERATION_MISSING",
        `operation ${op.code} does not list this person: add them to it first (POST /api/operations/${op.id}/people)`,
        { operationId: op.id },
        { code: "not-listed", params: { operationId: op.id, operationCode: op.code } },
      );
    }
    if (!stillPlanned(op.status)) {
      return refuse(
        "OPERATION_UNDER_WAY",
        `operation ${op.code} is ${op.status}: people board it only while it is planning or planned`,
        { operationId: op.id, operationStatus: op.status },
        underWay(op),
      );
    }
    return null;
  },

  "operation-not-under-way": (facts, input) => {
    const op = facts.operation;
    if (!op || input.via === "operation" || stillPlanned(op.status)) return null;
    return refuse(
      "OPERATION_UNDER_WAY",
      `the person is on board operation ${op.code}, which is ${op.status}: remove them through the operation first (DELETE /api/operations/${op.id}/people/{personId})`,
      { operationId: op.id, operationStatus: op.status },
      underWay(op),
    );
  },

  "not-barred": (facts) => {
    const barred = new Set(facts.barredOffences);
    const hits = [...new Set(facts.charges.filter((c) => barred.has(c.offenceKey)).map((c) => c.offenceKey))];
    return hits.length === 0
      ? null
      : refuse(
          "SURRENDER_BARRED",
          `the person was freed for good for offence(s) ${hits.join(", ")} and cannot be surrendered again for them (LEI art. 35)`,
          { offenceKeys: hits },
          { code: "surrender-barred", params: { offences: hits } },
        );
  },

  "formal-request-in-time": mustBeInTime("formal-request", "formal-request"),
  "formal-request-lapsed": mustHaveLapsed("formal-request", "formal-request"),
  "amparo-window-lapsed": mustHaveLapsed("amparo", "amparo"),
  "custody-window-open": mustBeInTime("custody-window", "custody-window"),
  "custody-window-lapsed": mustHaveLapsed("custody-window", "custody-window"),
};

const underWay = (op: NonNullable<CaseFacts["operation"]>): Reason => ({
  code: "operation-under-way",
  params: { operationId: op.id, operationCode: op.code, status: op.status },
});

/** An operation still being planned: people may board it or leave it by their own case's step. */
const stillPlanned = (status: string) => status === "planning" || status === "planned";

/**
 * Input checks that do not depend on the table: a recorded legal basis, a real time not still to come
 * (`stillToCome`: the rule the operation's acts keep too) and not before the case's latest step
 * (`actBefore`: to the minute, or by day where either was given as a day).
 */
function checkInput(
  input: TransitionInput,
  def: TransitionDef,
  now: Date,
  lastAct: CaseFacts["lastAct"],
): Refusal | null {
  const issues: FieldIssue[] = [];
  if (input.legalBasis.trim() === "") issues.push({ field: "legalBasis", rule: "required" });
  if (!(input.occurredAt instanceof Date) || Number.isNaN(input.occurredAt.getTime())) {
    issues.push({ field: "occurredAt", rule: "a valid date" });
  } else {
    const ahead = stillToCome(input.occurredAt, now);
    if (ahead) issues.push({ field: "occurredAt", rule: ahead });
    else if (lastAct && actBefore(input.occurredAt, lastAct.at))
      issues.push({
        field: "occurredAt",
        rule: `not before the case's latest step, ${lastAct.transition} (${actMoment(lastAct.at)})`,
      });
  }
  if (input.bypass && !def.guards.includes("no-blocking-hold")) {
    issues.push({ field: "bypass", rule: `not applicable: ${def.name} is not blocked by legal holds` });
  }
  if (def.operation === "join" && !input.operationId) {
    issues.push({ field: "operationId", rule: `required: the operation ${def.name} boards` });
  } else if (def.operation !== "join" && input.operationId && input.via === undefined) {
    issues.push({ field: "operationId", rule: `not applicable: ${def.name} boards no operation` });
  }
  return issues.length > 0 ? invalid(issues, issues.map((x) => `${x.field}: ${x.rule}`).join("; ")) : null;
}

/** Anchor of a deadline started by a transition: the event's day, or — for an evidence extension — the end of the current period. */
function triggerFor(kind: DeadlineKind, facts: CaseFacts, occurredAt: Date): Date | string {
  if (kind === "evidence-extension") {
    const current = latestDeadline(facts, ["evidence", "evidence-extension"]);
    const day = toIsoDate(occurredAt);
    if (current && current.dueOn > day) return current.dueOn;
  }
  return occurredAt;
}

/** Where a step that is part of another act is taken. */
const actOf: Record<NonNullable<TransitionDef["via"]>, string> = {
  handover:
    "it is taken by recording the person's handover at the destination (POST /api/handovers), once their operation is in transit",
  operation:
    "it is taken by the operation the person is on: its departure (POST /api/operations/{id}/status), its cancellation, or removing the person from it (DELETE /api/operations/{id}/people/{personId})",
};

/**
 * The checks of a step the state allows, in order: taken on its own or as part of another act → the
 * actor's role may take it (ACTOR_NOT_PERMITTED; no role, not even `admin`, is exempt) → the input
 * (VALIDATION_FAILED) → the guards, in table order → a treaty to count its deadlines by. `decide` stops at
 * the first refusal; `refusalsOf` (the dry run a client shows) goes on to list them all.
 */
function* refusals(
  def: TransitionDef,
  facts: CaseFacts,
  input: TransitionInput,
  ctx: DecideContext,
  out: GuardState,
): Generator<Refusal> {
  if (def.via && input.via !== def.via) {
    yield refuse(
      "TRANSITION_NOT_ALLOWED",
      `${def.name} is not a step of its own: ${actOf[def.via]}`,
      { state: facts.state, transition: def.name, via: def.via },
      { code: "taken-by-another-act", params: { act: def.via } },
    );
    // The rest weighs a step taken on its own.
    return;
  }
  if (!def.by.includes(input.actor.role)) {
    yield refuse(
      "ACTOR_NOT_PERMITTED",
      `role ${input.actor.role} may not take ${def.name}; allowed: ${def.by.join(", ")}`,
      { role: input.actor.role, allowedRoles: [...def.by] },
      { code: "role", params: { role: input.actor.role, roles: [...def.by] } },
    );
  }
  const bad = checkInput(input, def, ctx.now, facts.lastAct);
  if (bad) yield bad;
  for (const id of def.guards) {
    const failed = guards[id](facts, input, ctx, out);
    if (failed) yield { ...failed, details: { guard: id, ...failed.details } };
  }
  if (def.starts.length > 0 && !ctx.params) {
    yield refuse(
      "TREATY_MISSING",
      `${def.name} starts the deadlines ${def.starts.join(", ")}, but the case runs under no treaty to count them by`,
      { transition: def.name },
      { code: "no-treaty", params: { deadlines: [...def.starts] } },
    );
  }
}

/**
 * Every refusal `decide` would weigh for a step the case's state allows (the first is the one `decide`
 * answers), and the open risks it would record when there is none: the same checks, run to the end.
 */
export function refusalsOf(
  facts: CaseFacts,
  input: TransitionInput,
  ctx: DecideContext,
): { refusals: Refusal[]; openRisks: OpenRisk[] } {
  const def = findTransition(facts.track, input.transition);
  if (!def?.from.includes(facts.state))
    throw new Error(`${input.transition} is not a step from ${facts.state}`);
  const out: GuardState = { openRisks: [], bypassedHoldIds: [] };
  const all = [...refusals(def, facts, input, ctx, out)];
  return { refusals: all, openRisks: all.length === 0 ? out.openRisks : [] };
}

/**
 * Decide a transition. Checks, in order: the transition exists for the track (VALIDATION_FAILED,
 * field `transition`) → the current state allows it (TRANSITION_NOT_ALLOWED) → the actor's role
 * may take it (ACTOR_NOT_PERMITTED; no role, not even `admin`, is exempt) → the input
 * (VALIDATION_FAILED) → the guards, in table order → the decision.
 */
export function decide(facts: CaseFacts, input: TransitionInput, ctx: DecideContext): Decision {
  const def = findTransition(facts.track, input.transition);
  if (!def) {
    return refuse(
      "VALIDATION_FAILED",
      `transition: unknown for the ${facts.track} track: ${input.transition}`,
      {
        issues: [{ field: "transition", rule: `one of the ${facts.track} track's transitions` }],
        allowed: availableTransitions(facts.track, facts.state).map((t) => t.name),
      },
    );
  }
  if (!def.from.includes(facts.state)) {
    const allowed = availableTransitions(facts.track, facts.state).map((t) => t.name);
    return refuse(
      "TRANSITION_NOT_ALLOWED",
      `${def.name} is not allowed from ${facts.state}${allowed.length ? `; allowed: ${allowed.join(", ")}` : " (terminal state)"}`,
      { state: facts.state, transition: def.name, allowed },
    );
  }
  const out: GuardState = { openRisks: [], bypassedHoldIds: [] };
  // The first refusal, if any: the later checks do not run.
  const refused = refusals(def, facts, input, ctx, out).next();
  if (!refused.done) return refused.value;

  const params = ctx.params;
  const startDeadlines = params
    ? def.starts.map((kind) =>
        computeDeadline(kind, triggerFor(kind, facts, input.occurredAt), params, ctx.policy),
      )
    : [];
  return {
    ok: true,
    from: facts.state,
    to: def.to,
    transition: def,
    startDeadlines,
    stopDeadlines: [...def.stops],
    stopsAs: def.stopsAs ?? "met",
    openRisks: out.openRisks,
    bypassedHoldIds: out.bypassedHoldIds,
    barOffences: def.barsOffences ? [...new Set(facts.charges.map((c) => c.offenceKey))] : [],
    operationId:
      def.operation === "join"
        ? (input.operationId ?? null)
        : def.operation === "leave"
          ? null
          : facts.operationId,
    decision: def.records
      ? {
          ...def.records,
          legalBasis: input.legalBasis,
          reasons: input.reasons,
          decidedOn: toIsoDate(input.occurredAt),
          appealWindowEndsOn: startDeadlines.find((d) => d.kind === def.records?.appealWindow)?.dueOn ?? null,
          bypassedHoldIds: out.bypassedHoldIds,
        }
      : null,
  };
}
