/**
 * The dry run of a case's next steps: for one actor, each transition of the case's current state, whether
 * it may be taken now and, when not, why — a stable code with its parameters (which a client translates)
 * and an English sentence. Pure: it runs the checks `decide` runs (`refusalsOf`, the same generator), so
 * what a client is shown and what a POST of the step answers cannot disagree.
 */
import type { ErrorCode } from "../errors.ts";
import {
  availableTransitions,
  type CaseFacts,
  type DecideContext,
  type Reason,
  type Refusal,
  refusalsOf,
  type TransitionInput,
} from "./workflow.ts";

/** A reason a step is refused, as a client reads it. */
export interface StepReason extends Reason {
  /** In English, for a user. */
  message: string;
  /** The error a POST of the step answers with (its first reason's). */
  error: ErrorCode;
  /** The guard of the legal track that refuses it, when one does. */
  guard: string | null;
}

export interface StepCheck {
  name: string;
  to: string;
  by: string[];
  legalSource: string;
  allowed: boolean;
  /** Empty when allowed; the first is the one a POST answers. */
  reasons: StepReason[];
  /** Risks the step would record as open (a missing assurance where policy records rather than blocks). */
  openRisks: { code: string; message: string }[];
  /** For a step that boards an operation: the operation weighed (one that lists the person), if any. */
  operationId: string | null;
}

/**
 * Each step the state allows, checked for the actor. `facts` are the case's as a step on its own reads
 * them; `joinFacts`, as a step that boards `operationId` reads them (the operation that lists the person).
 */
export function checkSteps(
  facts: CaseFacts,
  join: { facts: CaseFacts; operationId: string | null },
  actor: TransitionInput["actor"],
  ctx: DecideContext,
): StepCheck[] {
  return availableTransitions(facts.track, facts.state).map((def) => {
    const boards = def.operation === "join";
    const input: TransitionInput = {
      transition: def.name,
      actor,
      occurredAt: ctx.now,
      // The body's own fields are the user's to give: the dry run weighs the record, not them.
      legalBasis: "(dry run)",
      reasons: "",
      // With no operation listing the person, an id no operation has: the step is refused as a POST naming
      // any operation that does not list them would be.
      ...(boards ? { operationId: join.operationId ?? "(none)" } : {}),
    };
    const { refusals, openRisks } = refusalsOf(boards ? join.facts : facts, input, ctx);
    return {
      name: def.name,
      to: def.to,
      by: [...def.by],
      legalSource: def.legalSource,
      allowed: refusals.length === 0,
      reasons: refusals.map(stepReason),
      openRisks: openRisks.map((r) => ({ code: r.code, message: r.message })),
      operationId: boards ? join.operationId : null,
    };
  });
}

function stepReason(r: Refusal): StepReason {
  const reason: Reason = r.reason ?? { code: "invalid-input", params: {} };
  const guard = r.details?.guard;
  return {
    code: reason.code,
    params: reason.params,
    message: describe(reason),
    error: r.code,
    guard: typeof guard === "string" ? guard : null,
  };
}

const words = (s: string) => s.replaceAll("-", " ");
const list = (xs: readonly string[]) =>
  xs.length <= 1 ? (xs[0] ?? "") : `${xs.slice(0, -1).join(", ")} or ${xs[xs.length - 1]}`;
const day = (iso: unknown) =>
  typeof iso === "string"
    ? new Date(`${iso}T00:00:00Z`).toLocaleDateString("en-GB", {
        day: "numeric",
        month: "long",
        year: "numeric",
        timeZone: "UTC",
      })
    : "";

/** The parameters the reasons carry (`workflow.ts` sets them). */
interface ReasonParams {
  act: string;
  roles: string[];
  holds: { kind: string }[];
  kind: string;
  operationCode?: string;
  status: string;
  offences: string[];
  deadline: string;
  dueOn?: string;
}

/** A reason in words a user understands (a client translates the code and parameters instead). */
export function describe(reason: Reason): string {
  const p = reason.params as unknown as ReasonParams;
  switch (reason.code) {
    case "taken-by-another-act":
      return p.act === "handover"
        ? "taken by recording the person's handover at the destination"
        : "taken through the person's operation: its departure, its cancellation, or removing the person from it";
    case "role":
      return `only a ${list(p.roles.map(words))} may take this step`;
    case "invalid-input":
      return "the step's details are incomplete";
    case "hold-in-force": {
      const holds = p.holds;
      const kinds = [...new Set(holds.map((h) => words(h.kind)))];
      return `${holds.length === 1 ? `a legal hold (${kinds[0]}) is` : `${holds.length} legal holds (${kinds.join(", ")}) are`} in force; a decision may bypass ${holds.length === 1 ? "it" : "them"}, stating its legal basis`;
    }
    case "needs-assurance":
      return `needs a ${words(p.kind)} assurance: a charge carries the death penalty`;
    case "no-operation":
      return "the person is on no operation yet";
    case "not-listed":
      return p.operationCode
        ? `operation ${p.operationCode} does not list the person`
        : "no operation being planned lists the person";
    case "operation-under-way":
      return `operation ${p.operationCode} is ${words(p.status)}`;
    case "surrender-barred":
      return `the person was freed for good for ${list(p.offences)} and cannot be surrendered again for it`;
    case "deadline-lapsed":
      return `the ${words(p.deadline)} deadline lapsed on ${day(p.dueOn)}`;
    case "deadline-running":
      return p.dueOn
        ? `the ${words(p.deadline)} deadline runs until ${day(p.dueOn)}`
        : `no ${words(p.deadline)} deadline is running`;
    case "no-treaty":
      return "the case runs under no treaty to count its deadlines by";
  }
}
