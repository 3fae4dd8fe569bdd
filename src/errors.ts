/**
 * Domain errors. Domain code throws `AppError` with a code; the HTTP layer maps codes to
 * statuses through `httpStatusOf` (one table, here). Domain code never throws HTTP errors.
 */
import type { z } from "zod";

export const errorStatus = {
  VALIDATION_FAILED: 400,
  /** A request Fastify could not read: a body that is not JSON, a malformed header. */
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  /** Sign-in refused: the same answer for a wrong password, an unknown or disabled account, a wrong code. */
  SIGN_IN_FAILED: 401,
  /** The password was right and the account has a TOTP: send the code too. */
  TOTP_REQUIRED: 401,
  ACTOR_NOT_PERMITTED: 403,
  /** A cookie-authenticated write without the session's `X-CSRF-Token`. */
  CSRF_REFUSED: 403,
  /** The session's role needs a second factor the session has not given: enrol a TOTP first. */
  SECOND_FACTOR_REQUIRED: 403,
  /** Too many failed sign-ins for this account name or from this address: wait `Retry-After` seconds. */
  SIGN_IN_RATE_LIMITED: 429,
  TOTP_ALREADY_ENROLLED: 409,
  TOTP_NOT_STARTED: 409,
  TOTP_INVALID: 422,
  /** A password change whose current password is wrong, or whose new one breaks the rules. */
  PASSWORD_REFUSED: 422,
  NOT_FOUND: 404,
  CASE_NOT_FOUND: 404,
  TRANSITION_NOT_ALLOWED: 409,
  VERSION_CONFLICT: 409,
  /** A correction without `If-Match`: send the version read (its `ETag`). */
  PRECONDITION_REQUIRED: 428,
  /** A correction of a request that is decided (granted, refused…): the record the decision was made on. */
  REQUEST_DECIDED: 409,
  /** A correction of a superseded decision or handover: correct the standing one. */
  RECORD_SUPERSEDED: 409,
  /** A field a correction may not change (a request's requesting state, an operation's code…). */
  FIELD_FIXED: 422,
  /** A decision superseded by a role that does not take the step which recorded it (the body that decided). */
  DECIDED_BY_ANOTHER_BODY: 422,
  /** A charge of a request whose extradition was granted: the specialty rule binds the grant to them. */
  CHARGE_FIXED_BY_GRANT: 422,
  IDEMPOTENCY_KEY_REUSED: 422,
  IDEMPOTENCY_IN_PROGRESS: 409,
  /** A body larger than the route accepts (BODY_LIMIT_BYTES), refused before it is read. */
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  /** More requests than RATE_LIMIT_MAX in RATE_LIMIT_WINDOW_MS from one client; see Retry-After. */
  RATE_LIMITED: 429,
  DUPLICATE: 409,
  /** A new person at intake who is likely one already recorded: the answer lists them; send again with allowDuplicate. */
  LIKELY_DUPLICATE: 409,
  /** A merge, or its undoing, that the record's rules refuse; the answer names the rule. */
  MERGE_REFUSED: 409,
  /** A record of a person merged into another: corrected as its survivor (named in the answer), not in place. */
  PERSON_MERGED: 409,
  /** A change to a record only the party that wrote it may change (an assurance another state gave). */
  RECORD_OF_ANOTHER_PARTY: 409,
  /** The operation has moved past the point where this is allowed (on board, in transit, completed). */
  OPERATION_UNDER_WAY: 409,
  // Guards of the legal tracks (422: the request is well-formed but the law or policy forbids it now)
  ASSURANCE_MISSING: 422,
  LEGAL_HOLD: 422,
  OPERATION_MISSING: 422,
  /** The operation cannot make this move yet: people not on board, no adopted plan, rules broken. */
  OPERATION_NOT_READY: 422,
  /** A handover that does not match its operation: not on board, not a stop of the aircraft, too early. */
  HANDOVER_REFUSED: 422,
  /** The case runs under no treaty, and the step needs one (its deadlines). */
  TREATY_MISSING: 422,
  DEADLINE_NOT_LAPSED: 422,
  DEADLINE_LAPSED: 422,
  SURRENDER_BARRED: 422,
  REFERENCE_INVALID: 422,
  /** A document whose content is not what its name or declared type says (a .pdf holding a PNG). */
  DOCUMENT_MISLABELLED: 422,
  PLAN_INFEASIBLE: 422,
  /** An unexpected failure; the answer gives only the request id to quote, the log has the rest. */
  INTERNAL: 500,
  DATA_DIR_LOCKED: 500,
  /** A stored document's content no longer has the hash it was received with: not delivered. */
  DOCUMENT_CORRUPT: 500,
  /** The server is shutting down: requests that arrive meanwhile are refused, to be sent again. */
  UNAVAILABLE: 503,
  CONFIG_INVALID: 500,
} as const;

export type ErrorCode = keyof typeof errorStatus;

export interface FieldIssue {
  /** Path of the bad field, e.g. `charges[0].statute`. */
  field: string;
  /** The rule it broke, e.g. `required`. */
  rule: string;
}

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: { issues?: FieldIssue[]; [key: string]: unknown } = {},
  ) {
    super(message);
    this.name = "AppError";
  }
}

/** An error whose message lists its issues (`field: rule; …`), each also in `details.issues`. */
export const issuesError = (code: ErrorCode, issues: FieldIssue[]) =>
  new AppError(code, issues.map((i) => `${i.field}: ${i.rule}`).join("; "), { issues });

/** What only a standing record may be, by the act asked for. */
const standingOnly = { correct: "corrected", "attach to": "given documents", confirm: "confirmed" } as const;

/**
 * A decision or handover superseded by `supersededBy`, asked for what only the standing record takes (a
 * correction, a document, a confirmation): 409 RECORD_SUPERSEDED, naming the one to act on instead.
 */
export const supersededError = (entity: string, supersededBy: string, act: keyof typeof standingOnly) =>
  new AppError(
    "RECORD_SUPERSEDED",
    `this ${entity} was superseded by ${supersededBy}: ${act} the standing one`,
    {
      supersededBy,
      rule: `only the standing ${entity} may be ${standingOnly[act]}`,
    },
  );

/**
 * A record that does not exist, or is out of the caller's reach: the same answer for both, naming the kind of
 * record and not its id (docs/ACCESS.md), so the answer tells nothing of records the caller may not see.
 */
export const notFound = (entity: string) => new AppError("NOT_FOUND", `${entity} not found`, { entity });

export function httpStatusOf(code: ErrorCode): number {
  return errorStatus[code];
}

/**
 * Input read by `schema` outside the HTTP layer (a command's options): its value, or a VALIDATION_FAILED
 * naming each field and its rule, as the API answers.
 */
export function validInput<T>(schema: z.ZodType<T>, input: unknown): T {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => ({ field: i.path.join(".") || "(input)", rule: i.message }));
  throw new AppError("VALIDATION_FAILED", issues.map((i) => `${i.field}: ${i.rule}`).join("; "), { issues });
}
