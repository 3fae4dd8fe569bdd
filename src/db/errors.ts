import { AppError } from "../errors.ts";

/**
 * PostgreSQL's `division_by_zero`: how a single statement aborts itself when a guard it checks fails (a
 * deferred write's stale version, a link pass that lost a race). Nothing of the statement is written.
 */
export const DIVISION_BY_ZERO = "22012";

/** PostgreSQL's `invalid_parameter_value`: a setting refused (`temp_buffers` once the session has used it). */
export const INVALID_PARAMETER_VALUE = "22023";

/** PostgreSQL's `unique_violation`. */
export const UNIQUE_VIOLATION = "23505";

/** PostgreSQL's SQLSTATE of an error, wherever the driver or drizzle wrapped it. */
export function sqlStateOf(err: unknown): string | undefined {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (typeof e.code === "string" && /^[0-9A-Z]{5}$/.test(e.code)) return e.code;
  }
  return undefined;
}

function constraintOf(err: unknown): string | undefined {
  for (let e = err as { constraint?: unknown; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (typeof e.constraint === "string") return e.constraint;
  }
  return undefined;
}

/** What each unique constraint means to the person who ran into it. */
const uniques: Record<string, { field: string; message: string }> = {
  organisations_name_uq: { field: "name", message: "an organisation with this name already exists" },
  places_code_uq: { field: "code", message: "a place with this code already exists" },
  operations_code_uq: { field: "code", message: "an operation with this code already exists" },
  rivalries_pair_uq: { field: "rivalId", message: "these organisations are already recorded as rivals" },
  operation_people_uq: { field: "personId", message: "this person is already on the operation" },
  handover_confirmations_handover_uq: {
    field: "handoverId",
    message: "this handover is already confirmed",
  },
  affiliations_primary_uq: {
    field: "affiliations",
    message: "the person already has a primary affiliation",
  },
  agencies_party_name_uq: { field: "name", message: "your party has an agency of this name already" },
  users_username_uq: { field: "username", message: "this username is taken" },
  users_oidc_uq: { field: "oidcSubject", message: "another user signs in with this OpenID Connect subject" },
  handovers_person_op_uq: {
    field: "personId",
    message: "the handover of this person on this operation is already recorded",
  },
};

/**
 * A unique violation as a conflict the client can act on (409 DUPLICATE, naming the field), for the
 * writer that lost a race its own check could not see: two people creating the same thing at once.
 * Anything else, including a unique violation of another constraint, is returned unchanged.
 */
export function asConflict(err: unknown): unknown {
  if (sqlStateOf(err) !== UNIQUE_VIOLATION) return err;
  // Only the constraints a client can run into; any other (a primary key, the audit chain's positions)
  // is a fault of the system, left to be logged and answered as one.
  const known = uniques[constraintOf(err) ?? ""];
  if (!known) return err;
  return new AppError("DUPLICATE", known.message, {
    issues: [{ field: known.field, rule: "must be unique" }],
  });
}

/** The fields of a PostgreSQL error that name the schema, never the data (`detail` and `where` quote values). */
const schemaFields = ["severity", "constraint", "table", "column", "dataType", "routine"] as const;

/**
 * An error as a log line may carry it: its class, the SQLSTATE and which constraint, table or column, the
 * statement without its parameters, and the stack's frames. Never the parameters (drizzle puts them in the
 * message and in `params`), PostgreSQL's message, detail or context, which quote the values refused (a
 * person's name, a date of birth), nor any other property of the error.
 */
export function loggableError(err: unknown): LoggedError {
  if (!(err instanceof Error)) return { type: typeof err, message: "not an Error", stack: "" };
  const out: LoggedError = { type: err.name, message: "", stack: "" };
  const state = sqlStateOf(err);
  let statement: string | undefined;
  let database: Record<string, unknown> | undefined;
  for (let e = err as unknown as Record<string, unknown> | undefined; e; e = e.cause as typeof e) {
    if (typeof e.query === "string" && statement === undefined) statement = e.query;
    if (typeof e.code === "string" && /^[0-9A-Z]{5}$/.test(e.code) && !database) database = e;
  }
  if (state) {
    out.code = state;
    const names: string[] = [];
    for (const f of schemaFields) {
      if (typeof database?.[f] !== "string") continue;
      out[f] = database[f];
      if (f !== "severity") names.push(`${f} ${database[f]}`);
    }
    out.message = `database error ${state}${names.length ? ` (${names.join(", ")})` : ""}`;
  } else {
    const code = (err as { code?: unknown }).code;
    if (typeof code === "string") out.code = code;
    // A failed query that never reached PostgreSQL (a lost connection): drizzle's message lists the
    // parameters, its cause says what went wrong.
    const cause = (err as { cause?: unknown }).cause;
    out.message =
      statement === undefined ? err.message : cause instanceof Error ? cause.message : "query failed";
  }
  if (statement !== undefined) out.statement = statement;
  out.stack = (err.stack ?? "")
    .split("\n")
    .filter((line) => /^\s+at /.test(line))
    .join("\n");
  return out;
}

export interface LoggedError {
  [key: string]: unknown;
  type: string;
  message: string;
  stack: string;
  code?: string;
  statement?: string;
}

/** The same, as one line for a person reading a terminal. */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const e = loggableError(err);
  return e.statement ? `${e.message} in: ${e.statement}` : e.message;
}
