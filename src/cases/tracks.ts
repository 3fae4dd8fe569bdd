/**
 * The two legal tracks as data (DESIGN.md "The legal tracks"): every state, and every transition
 * with who may take it, its guards, the deadlines it starts and stops, and its legal source.
 * `workflow.ts` interprets these tables; `docs/LEGAL-TRACKS.md` is their readable form.
 */
import type { Role } from "../auth/roles.ts";
import type { DeadlineKind } from "./deadlines.ts";
import { deadlineKinds } from "./deadlines.ts";

export type Track = "treaty" | "security";

export const treatyStates = [
  "treaty-request-received",
  "provisional-arrest-requested",
  "provisionally-detained",
  "formal-request-received",
  "judicial-hearing",
  "awaiting-judicial-opinion",
  "awaiting-foreign-ministry-decision",
  "extradition-granted",
  "amparo-pending",
  "extradition-final",
  "surrender-deferred",
  "surrender-scheduled",
  "surrender-assigned",
  "surrender-in-transit",
  "surrendered",
  "initial-appearance",
  "released",
  "extradition-refused",
  "freed-for-good",
  "request-withdrawn",
] as const;

export const securityStates = [
  "transfer-requested",
  "under-analysis",
  "proposed-to-council",
  "council-approved",
  "council-deferred",
  "council-rejected",
  "assurances-confirmed",
  "ready-for-transfer",
  "assigned-to-operation",
  "in-transit",
  "handed-over",
  "transfer-withdrawn",
] as const;

export type TreatyState = (typeof treatyStates)[number];
export type SecurityState = (typeof securityStates)[number];
export type CaseState = TreatyState | SecurityState;

/**
 * What a requesting state is told of its case: a shared status, never the sending state's internal state
 * (its analysis, council, court steps, holds). Each state maps to one.
 */
export const sharedStatuses = [
  "received",
  "under review",
  "approved for transfer",
  "granted",
  "deferred",
  "scheduled",
  "handed over",
  "refused",
  "released",
  "withdrawn",
] as const;
export type SharedStatus = (typeof sharedStatuses)[number];

export interface StateDef {
  name: CaseState;
  track: Track;
  terminal: boolean;
  description: string;
  /** What the requesting state is told. */
  shared: SharedStatus;
}

const treatyStateDefs: Record<TreatyState, { terminal: boolean; description: string; shared: SharedStatus }> =
  {
    "treaty-request-received": {
      terminal: false,
      description: "A treaty request has been logged; no step taken yet",
      shared: "received",
    },
    "provisional-arrest-requested": {
      terminal: false,
      description: "The requesting state asked for provisional arrest",
      shared: "under review",
    },
    "provisionally-detained": {
      terminal: false,
      description: "Detained; the formal request is due (60 natural days)",
      shared: "under review",
    },
    "formal-request-received": {
      terminal: false,
      description: "The formal request with its documents has arrived",
      shared: "under review",
    },
    "judicial-hearing": {
      terminal: false,
      description: "Heard by the judge: objections and evidence periods run",
      shared: "under review",
    },
    "awaiting-judicial-opinion": {
      terminal: false,
      description: "Evidence closed; the judge's opinion is due",
      shared: "under review",
    },
    "awaiting-foreign-ministry-decision": {
      terminal: false,
      description: "The foreign ministry must grant or refuse",
      shared: "under review",
    },
    "extradition-granted": {
      terminal: false,
      description: "Granted; the amparo window runs",
      shared: "granted",
    },
    "amparo-pending": {
      terminal: false,
      description: "An amparo against the grant is pending; surrender blocked",
      shared: "granted",
    },
    "extradition-final": {
      terminal: false,
      description: "The grant is firm (no amparo in time, or amparo denied)",
      shared: "granted",
    },
    "surrender-deferred": {
      terminal: false,
      description: "Surrender deferred or temporary (treaty art. 15)",
      shared: "deferred",
    },
    "surrender-scheduled": {
      terminal: false,
      description: "Placed at the requesting state's disposal; custody window runs",
      shared: "scheduled",
    },
    "surrender-assigned": {
      terminal: false,
      description: "On board a transfer operation that will carry out the surrender; custody window runs",
      shared: "scheduled",
    },
    "surrender-in-transit": {
      terminal: false,
      description: "In transit on the operation to the requesting state's custody",
      shared: "scheduled",
    },
    surrendered: { terminal: false, description: "In the requesting state's custody", shared: "handed over" },
    "initial-appearance": {
      terminal: true,
      description: "Appeared in the charging district",
      shared: "handed over",
    },
    released: {
      terminal: true,
      description: "Measures lifted: the formal request did not arrive in time",
      shared: "released",
    },
    "extradition-refused": {
      terminal: true,
      description: "The foreign ministry refused extradition",
      shared: "refused",
    },
    "freed-for-good": {
      terminal: true,
      description: "Custody not taken in time: freed, never again for these offences",
      shared: "released",
    },
    "request-withdrawn": {
      terminal: true,
      description: "The requesting state withdrew the request",
      shared: "withdrawn",
    },
  };

const securityStateDefs: Record<
  SecurityState,
  { terminal: boolean; description: string; shared: SharedStatus }
> = {
  "transfer-requested": {
    terminal: false,
    description: "A security-transfer request has been received",
    shared: "received",
  },
  "under-analysis": {
    terminal: false,
    description: "The council secretariat analyses the case",
    shared: "under review",
  },
  "proposed-to-council": {
    terminal: false,
    description: "Proposed to the National Security Council",
    shared: "under review",
  },
  "council-approved": {
    terminal: false,
    description: "The council approved this person's transfer",
    shared: "approved for transfer",
  },
  "council-deferred": {
    terminal: false,
    description: "The council deferred its decision",
    shared: "under review",
  },
  "council-rejected": {
    terminal: true,
    description: "The council rejected this person's transfer",
    shared: "refused",
  },
  "assurances-confirmed": {
    terminal: false,
    description: "The assurances demanded are confirmed",
    shared: "approved for transfer",
  },
  "ready-for-transfer": {
    terminal: false,
    description: "Custody confirms the person is ready",
    shared: "approved for transfer",
  },
  "assigned-to-operation": {
    terminal: false,
    description: "Assigned to a transfer operation",
    shared: "scheduled",
  },
  "in-transit": { terminal: false, description: "In transit to the destination", shared: "scheduled" },
  "handed-over": {
    terminal: true,
    description: "Handed over to the receiving agency",
    shared: "handed over",
  },
  "transfer-withdrawn": { terminal: true, description: "The request was withdrawn", shared: "withdrawn" },
};

export const stateDefs: readonly StateDef[] = [
  ...treatyStates.map((name) => ({ name, track: "treaty" as const, ...treatyStateDefs[name] })),
  ...securityStates.map((name) => ({ name, track: "security" as const, ...securityStateDefs[name] })),
];

export const guardIds = [
  /** No active legal hold that blocks surrender, unless the input records a bypass with its legal basis. */
  "no-blocking-hold",
  /** A capital-eligible charge needs a given no-death-penalty assurance (block or open risk, by policy). */
  "death-penalty-assurance",
  /** The case is on board an operation. */
  "operation-assigned",
  /** The operation named lists the person and is still being planned (planning or planned). */
  "operation-lists-person",
  /** A case leaves its operation by its own step only while the operation is planning or planned. */
  "operation-not-under-way",
  /** No charge is for an offence the person was freed from for good (LEI art. 35). */
  "not-barred",
  /** The formal request arrived within its deadline (if one runs). */
  "formal-request-in-time",
  /** The formal-request deadline has lapsed. */
  "formal-request-lapsed",
  /** The amparo window has lapsed. */
  "amparo-window-lapsed",
  /** The custody window has not lapsed (if one runs). */
  "custody-window-open",
  /** The custody window has lapsed. */
  "custody-window-lapsed",
] as const;

export type GuardId = (typeof guardIds)[number];

/** What a step does to the case's place on a transfer operation. */
export type OperationEffect =
  /** Boards the operation named in the input (which must list the person). */
  | "join"
  /** Leaves the operation it is on. */
  | "leave"
  /** Departs with the operation. */
  | "depart"
  /** Arrives: the person is handed over at the destination. */
  | "arrive";

export const decisionBodies = [
  "judge",
  "foreign-ministry",
  "national-security-council",
  "appeal-court",
] as const;
export type DecisionBody = (typeof decisionBodies)[number];
export const decisionOutcomes = ["granted", "refused", "approved", "rejected", "deferred"] as const;
export type DecisionOutcome = (typeof decisionOutcomes)[number];

/** The decision a step records: the step and the decision are one act, written together. */
export interface DecisionRecord {
  body: DecisionBody;
  kind: string;
  outcome: DecisionOutcome;
  /** The deadline started by this step whose end is the decision's appeal window (amparo). */
  appealWindow?: DeadlineKind;
}

export interface TransitionDef {
  name: string;
  track: Track;
  from: readonly CaseState[];
  to: CaseState;
  by: readonly Role[];
  guards: readonly GuardId[];
  starts: readonly DeadlineKind[];
  stops: readonly DeadlineKind[];
  /** How the stopped deadlines close: `met` (the act came in time, the default) or `lapsed`. */
  stopsAs?: "met" | "lapsed";
  /** What the step does to the case's place on an operation. */
  operation?: OperationEffect;
  /**
   * Taken only as part of another act, never on its own: an operation's move (departure, cancellation,
   * a person removed from it) or a recorded handover.
   */
  via?: "operation" | "handover";
  /** The decision the step records. */
  records?: DecisionRecord;
  /** The case's offences are barred for good (LEI art. 35). */
  barsOffences?: boolean;
  legalSource: string;
}

type TreatyTransition = TransitionDef & { track: "treaty"; from: readonly TreatyState[]; to: TreatyState };
type SecurityTransition = TransitionDef & {
  track: "security";
  from: readonly SecurityState[];
  to: SecurityState;
};

const beforeSurrender: readonly TreatyState[] = [
  "treaty-request-received",
  "provisional-arrest-requested",
  "provisionally-detained",
  "formal-request-received",
  "judicial-hearing",
  "awaiting-judicial-opinion",
  "awaiting-foreign-ministry-decision",
  "extradition-granted",
  "amparo-pending",
  "extradition-final",
  "surrender-deferred",
  "surrender-scheduled",
];

const treatyTransitions: readonly TreatyTransition[] = [
  {
    name: "request-provisional-arrest",
    track: "treaty",
    from: ["treaty-request-received"],
    to: "provisional-arrest-requested",
    by: ["foreign-ministry"],
    guards: ["not-barred"],
    starts: [],
    stops: [],
    legalSource: "Treaty art. 11; LEI arts. 16–17",
  },
  {
    name: "detain-provisionally",
    track: "treaty",
    from: ["provisional-arrest-requested"],
    to: "provisionally-detained",
    by: ["judge", "prosecutor"],
    guards: ["not-barred"],
    starts: ["formal-request"],
    stops: [],
    legalSource: "Constitution art. 119; Treaty art. 11; LEI arts. 17–18",
  },
  {
    // Direct entry (no provisional arrest) from treaty-request-received.
    name: "receive-formal-request",
    track: "treaty",
    from: ["treaty-request-received", "provisional-arrest-requested", "provisionally-detained"],
    to: "formal-request-received",
    by: ["foreign-ministry"],
    guards: ["not-barred", "formal-request-in-time"],
    starts: [],
    stops: ["formal-request"],
    legalSource: "Treaty arts. 10–12; LEI arts. 16, 18–19",
  },
  {
    name: "lapse-formal-request",
    track: "treaty",
    from: ["provisionally-detained"],
    to: "released",
    by: ["system", "judge"],
    guards: ["formal-request-lapsed"],
    starts: [],
    stops: ["formal-request"],
    stopsAs: "lapsed",
    legalSource: "Constitution art. 119; Treaty art. 11(4); LEI art. 18 (measures lifted)",
  },
  {
    name: "open-hearing",
    track: "treaty",
    from: ["formal-request-received"],
    to: "judicial-hearing",
    by: ["judge"],
    guards: [],
    starts: ["objection", "evidence"],
    stops: [],
    legalSource: "LEI arts. 21–25",
  },
  {
    // The extension runs from the end of the current evidence period.
    name: "extend-evidence-period",
    track: "treaty",
    from: ["judicial-hearing"],
    to: "judicial-hearing",
    by: ["judge"],
    guards: [],
    starts: ["evidence-extension"],
    stops: ["evidence", "evidence-extension"],
    legalSource: "LEI arts. 25, 28",
  },
  {
    name: "close-hearing",
    track: "treaty",
    from: ["judicial-hearing"],
    to: "awaiting-judicial-opinion",
    by: ["judge"],
    guards: [],
    starts: ["judicial-opinion"],
    stops: ["objection", "evidence", "evidence-extension"],
    legalSource: "LEI arts. 25–27",
  },
  {
    name: "issue-judicial-opinion",
    track: "treaty",
    from: ["awaiting-judicial-opinion"],
    to: "awaiting-foreign-ministry-decision",
    by: ["judge"],
    guards: [],
    starts: ["foreign-ministry-decision"],
    stops: ["judicial-opinion"],
    legalSource: "LEI arts. 27, 29",
  },
  {
    name: "grant-extradition",
    track: "treaty",
    from: ["awaiting-foreign-ministry-decision"],
    to: "extradition-granted",
    by: ["foreign-ministry"],
    guards: ["not-barred", "death-penalty-assurance"],
    starts: ["amparo"],
    stops: ["foreign-ministry-decision"],
    records: { body: "foreign-ministry", kind: "extradition", outcome: "granted", appealWindow: "amparo" },
    legalSource: "LEI arts. 30, 33; Treaty arts. 2, 8, 9",
  },
  {
    name: "refuse-extradition",
    track: "treaty",
    from: ["awaiting-foreign-ministry-decision"],
    to: "extradition-refused",
    by: ["foreign-ministry"],
    guards: [],
    starts: [],
    stops: ["foreign-ministry-decision"],
    records: { body: "foreign-ministry", kind: "extradition", outcome: "refused" },
    legalSource: "LEI arts. 7–10 Bis, 14, 30; Treaty arts. 2, 8, 9",
  },
  {
    name: "file-amparo",
    track: "treaty",
    from: ["extradition-granted"],
    to: "amparo-pending",
    by: ["judge", "prosecutor", "foreign-ministry"],
    guards: [],
    starts: [],
    stops: ["amparo"],
    legalSource: "Ley de Amparo art. 17-I; LEI art. 33",
  },
  {
    name: "deny-amparo",
    track: "treaty",
    from: ["amparo-pending"],
    to: "extradition-final",
    by: ["judge"],
    guards: [],
    starts: [],
    stops: [],
    legalSource: "LEI art. 33 (amparo denied for good)",
  },
  {
    // Protection granted: the ministry must decide again as the court ordered.
    name: "grant-amparo",
    track: "treaty",
    from: ["amparo-pending"],
    to: "awaiting-foreign-ministry-decision",
    by: ["judge"],
    guards: [],
    starts: ["foreign-ministry-decision"],
    stops: [],
    legalSource: "Ley de Amparo art. 77; LEI art. 30",
  },
  {
    name: "close-amparo-window",
    track: "treaty",
    from: ["extradition-granted"],
    to: "extradition-final",
    by: ["system", "foreign-ministry"],
    guards: ["amparo-window-lapsed"],
    starts: [],
    stops: ["amparo"],
    legalSource: "LEI art. 33; Ley de Amparo art. 17-I",
  },
  {
    name: "defer-surrender",
    track: "treaty",
    from: ["extradition-final", "surrender-scheduled"],
    to: "surrender-deferred",
    by: ["foreign-ministry"],
    guards: [],
    starts: [],
    stops: ["custody-window"],
    legalSource: "Treaty art. 15; 1997 Protocol (temporary surrender)",
  },
  {
    // Placing the person at the requesting state's disposal starts LEI art. 35's window.
    name: "schedule-surrender",
    track: "treaty",
    from: ["extradition-final", "surrender-deferred"],
    to: "surrender-scheduled",
    by: ["foreign-ministry"],
    guards: ["no-blocking-hold", "not-barred"],
    starts: ["custody-window"],
    stops: [],
    legalSource: "Treaty art. 14; LEI arts. 33–35",
  },
  {
    // The treaty's surrender is carried out by a transfer operation: the case boards one that lists the person.
    name: "assign-to-operation",
    track: "treaty",
    from: ["surrender-scheduled"],
    to: "surrender-assigned",
    by: ["operations-planner"],
    guards: ["operation-lists-person", "no-blocking-hold", "not-barred", "custody-window-open"],
    starts: [],
    stops: [],
    operation: "join",
    legalSource: "Treaty art. 14 (surrender at a time and place set by the requested state); LEI art. 34",
  },
  {
    name: "remove-from-operation",
    track: "treaty",
    from: ["surrender-assigned"],
    to: "surrender-scheduled",
    by: ["operations-planner"],
    guards: [],
    starts: [],
    stops: [],
    operation: "leave",
    via: "operation",
    legalSource: "Operation planning (no statute)",
  },
  {
    name: "start-transit",
    track: "treaty",
    from: ["surrender-assigned"],
    to: "surrender-in-transit",
    by: ["custody-officer", "operations-planner"],
    guards: ["no-blocking-hold", "operation-assigned", "not-barred", "custody-window-open"],
    starts: [],
    stops: [],
    operation: "depart",
    via: "operation",
    legalSource: "Treaty art. 14; LEI art. 34 (delivery of the person)",
  },
  {
    name: "surrender",
    track: "treaty",
    from: ["surrender-in-transit"],
    to: "surrendered",
    by: ["custody-officer"],
    guards: [
      "no-blocking-hold",
      "death-penalty-assurance",
      "operation-assigned",
      "not-barred",
      "custody-window-open",
    ],
    starts: [],
    stops: ["custody-window"],
    operation: "arrive",
    via: "handover",
    legalSource: "Treaty art. 14; LEI arts. 34–35",
  },
  {
    name: "lapse-custody-window",
    track: "treaty",
    from: ["surrender-scheduled", "surrender-assigned"],
    to: "freed-for-good",
    by: ["system", "judge"],
    guards: ["custody-window-lapsed", "operation-not-under-way"],
    starts: [],
    stops: ["custody-window"],
    stopsAs: "lapsed",
    operation: "leave",
    barsOffences: true,
    legalSource: "LEI art. 35 (freed; no new extradition for the same offence)",
  },
  {
    // The requesting state reports it (a diplomatic note); the foreign ministry records it.
    name: "record-initial-appearance",
    track: "treaty",
    from: ["surrendered"],
    to: "initial-appearance",
    by: ["foreign-ministry"],
    guards: [],
    starts: [],
    stops: [],
    legalSource: "Treaty art. 17 (specialty follows the person); Fed. R. Crim. P. 5",
  },
  {
    name: "withdraw-request",
    track: "treaty",
    from: [...beforeSurrender, "surrender-assigned"],
    to: "request-withdrawn",
    by: ["foreign-ministry"],
    guards: ["operation-not-under-way"],
    starts: [],
    stops: deadlineKinds,
    operation: "leave",
    legalSource: "Requesting state's diplomatic note (desistimiento)",
  },
];

const securityTransitions: readonly SecurityTransition[] = [
  {
    name: "begin-analysis",
    track: "security",
    from: ["transfer-requested"],
    to: "under-analysis",
    by: ["secretariat"],
    guards: [],
    starts: [],
    stops: [],
    legalSource: "Ley de Seguridad Nacional arts. 5, 12–13",
  },
  {
    name: "propose-to-council",
    track: "security",
    from: ["under-analysis"],
    to: "proposed-to-council",
    by: ["secretariat"],
    guards: [],
    starts: [],
    stops: [],
    legalSource: "Ley de Seguridad Nacional arts. 12–13",
  },
  {
    name: "approve-transfer",
    track: "security",
    from: ["proposed-to-council"],
    to: "council-approved",
    by: ["decision-authority"],
    guards: ["not-barred"],
    starts: [],
    stops: [],
    records: { body: "national-security-council", kind: "security-transfer", outcome: "approved" },
    legalSource: "Ley de Seguridad Nacional art. 5 (sovereign decision)",
  },
  {
    name: "reject-transfer",
    track: "security",
    from: ["proposed-to-council"],
    to: "council-rejected",
    by: ["decision-authority"],
    guards: [],
    starts: [],
    stops: [],
    records: { body: "national-security-council", kind: "security-transfer", outcome: "rejected" },
    legalSource: "Ley de Seguridad Nacional art. 5",
  },
  {
    name: "defer-transfer",
    track: "security",
    from: ["proposed-to-council"],
    to: "council-deferred",
    by: ["decision-authority"],
    guards: [],
    starts: [],
    stops: [],
    records: { body: "national-security-council", kind: "security-transfer", outcome: "deferred" },
    legalSource: "Ley de Seguridad Nacional art. 5",
  },
  {
    name: "resume-analysis",
    track: "security",
    from: ["council-deferred"],
    to: "under-analysis",
    by: ["secretariat"],
    guards: [],
    starts: [],
    stops: [],
    legalSource: "Ley de Seguridad Nacional arts. 12–13",
  },
  {
    name: "confirm-assurances",
    track: "security",
    from: ["council-approved"],
    to: "assurances-confirmed",
    by: ["secretariat", "foreign-ministry"],
    guards: ["death-penalty-assurance"],
    starts: [],
    stops: [],
    legalSource: "Council decision conditions; Treaty art. 8 by analogy (death penalty)",
  },
  {
    name: "mark-ready",
    track: "security",
    from: ["assurances-confirmed"],
    to: "ready-for-transfer",
    by: ["custody-officer"],
    guards: [],
    starts: [],
    stops: [],
    legalSource: "Custody readiness (no statute)",
  },
  {
    name: "assign-to-operation",
    track: "security",
    from: ["ready-for-transfer"],
    to: "assigned-to-operation",
    by: ["operations-planner"],
    guards: ["operation-lists-person", "no-blocking-hold", "not-barred"],
    starts: [],
    stops: [],
    operation: "join",
    legalSource: "Ley de Seguridad Nacional art. 5 (execution of the decision)",
  },
  {
    // A person removed at the last minute (an injunction) goes back to the pool, through the operation.
    name: "remove-from-operation",
    track: "security",
    from: ["assigned-to-operation"],
    to: "ready-for-transfer",
    by: ["operations-planner"],
    guards: [],
    starts: [],
    stops: [],
    operation: "leave",
    via: "operation",
    legalSource: "Operation planning (no statute)",
  },
  {
    name: "start-transit",
    track: "security",
    from: ["assigned-to-operation"],
    to: "in-transit",
    by: ["custody-officer", "operations-planner"],
    guards: ["no-blocking-hold", "operation-assigned"],
    starts: [],
    stops: [],
    operation: "depart",
    via: "operation",
    legalSource: "Ley de Seguridad Nacional art. 5 (execution of the decision)",
  },
  {
    name: "hand-over",
    track: "security",
    from: ["in-transit"],
    to: "handed-over",
    by: ["custody-officer"],
    guards: ["no-blocking-hold", "death-penalty-assurance", "operation-assigned", "not-barred"],
    starts: [],
    stops: [],
    operation: "arrive",
    via: "handover",
    legalSource: "Ley de Seguridad Nacional art. 5; signed handover record",
  },
  {
    name: "withdraw-transfer-request",
    track: "security",
    from: [
      "transfer-requested",
      "under-analysis",
      "proposed-to-council",
      "council-approved",
      "council-deferred",
      "assurances-confirmed",
      "ready-for-transfer",
      "assigned-to-operation",
    ],
    to: "transfer-withdrawn",
    by: ["foreign-ministry"],
    guards: ["operation-not-under-way"],
    starts: [],
    stops: [],
    operation: "leave",
    legalSource: "Requesting state's note withdrawing the request",
  },
];

export const transitions: readonly TransitionDef[] = [...treatyTransitions, ...securityTransitions];

export const initialStates: Record<Track, CaseState> = {
  treaty: "treaty-request-received",
  security: "transfer-requested",
};

/** The step on a track, from a state, that has this effect on the case's operation (one at most). */
export function stepWithEffect(track: Track, state: CaseState, effect: OperationEffect, via?: "operation") {
  return transitions.find(
    (t) =>
      t.track === track &&
      t.from.includes(state) &&
      t.operation === effect &&
      (via === undefined || t.via === via),
  );
}

/** States reachable from `start` by the tracks' transitions, `start` included. */
function reachableFrom(start: readonly CaseState[]): Set<CaseState> {
  const seen = new Set<CaseState>(start);
  const queue = [...start];
  for (let s = queue.pop(); s !== undefined; s = queue.pop()) {
    for (const t of transitions)
      if (t.from.includes(s) && !seen.has(t.to)) {
        seen.add(t.to);
        queue.push(t.to);
      }
  }
  return seen;
}

/**
 * The states of a case whose person has been handed over to the requesting state: where an `arrive` step
 * leads, and every state after it (a surrendered person's initial appearance). A person counts as sent
 * (DESIGN.md "Reporting") when a handover is recorded and their case is in one of these.
 */
export const sentStates: ReadonlySet<CaseState> = reachableFrom(
  transitions.filter((t) => t.operation === "arrive").map((t) => t.to),
);

/** The states of a case on board an operation: after it joined, before it arrived or left. */
export const boardedStates: ReadonlySet<CaseState> = new Set(
  transitions.filter((t) => t.operation === "join" || t.operation === "depart").map((t) => t.to),
);
