/**
 * A new case: the one function that builds it, for the API, the import and the demo seed alike. Pure: the
 * caller passes the request, the person's cases so far and today's date.
 */
import type { ErrorCode } from "../errors.ts";
import { toIsoDate } from "./calendar.ts";
import { type CaseState, initialState, isTerminal, sentStates, type Track } from "./workflow.ts";

/** The track a request's type belongs to: a security transfer, or the treaty for every other type. */
export const trackOfRequest = (type: string): Track => (type === "security-transfer" ? "security" : "treaty");

export interface NewCaseInput {
  track: Track;
  personId: string;
  request: {
    id: string;
    personId: string;
    type: string;
    requestingState: string;
    treaty: string | null;
  } | null;
  openedOn?: string | undefined;
  /** Given when the caller confirms a second case on the same track for the person, and why. */
  duplicateReason?: string | undefined;
}

export interface NewCaseRow {
  track: Track;
  state: CaseState;
  personId: string;
  requestId: string | null;
  treatyParameters: string | null;
  openedOn: string;
  duplicateReason: string | null;
}

export type NewCase =
  | { ok: true; row: NewCaseRow }
  | {
      ok: false;
      code: ErrorCode;
      message: string;
      details: { issues?: { field: string; rule: string }[]; [key: string]: unknown };
    };

/**
 * Builds the case row, or says why not: the request must be for the person and of the track's kind; a
 * treaty case runs under the request's treaty (there is no fallback); and a person with an open case on
 * the same track, or one already handed over on it, gets a second only when the caller confirms with a
 * reason (409 naming the case otherwise).
 */
export function newCase(
  input: NewCaseInput,
  existing: readonly { id: string; track: string; state: string }[],
  now: Date,
): NewCase {
  const { request } = input;
  const issues: { field: string; rule: string }[] = [];
  if (request && request.personId !== input.personId) {
    issues.push({ field: "requestId", rule: "must be a request for personId" });
  }
  if (request && trackOfRequest(request.type) !== input.track) {
    issues.push({
      field: "track",
      rule: `a ${request.type} request opens a ${trackOfRequest(request.type)} case`,
    });
  }
  if (input.track === "treaty" && !request) {
    issues.push({
      field: "requestId",
      rule: "required for a treaty case: the treaty comes from the request",
    });
  }
  if (issues.length) {
    return {
      ok: false,
      code: "REFERENCE_INVALID",
      message: issues.map((i) => `${i.field}: ${i.rule}`).join("; "),
      details: { issues },
    };
  }
  if (input.track === "treaty" && !request?.treaty) {
    return {
      ok: false,
      code: "TREATY_MISSING",
      message: `the request names no extradition treaty (none is known with ${request?.requestingState}): a treaty case cannot be opened for it`,
      details: { requestId: request?.id },
    };
  }
  // Every case the person has on this track that is open or ended in a handover: all named, the first
  // (the earliest) as `existingId`.
  const clashes = existing
    .filter(
      (c) =>
        c.track === input.track &&
        (!isTerminal(c.state as CaseState) || sentStates.has(c.state as CaseState)),
    )
    // Ids are UUIDv7: in order of creation.
    .sort((a, b) => a.id.localeCompare(b.id));
  const clash = clashes[0];
  if (clash && !input.duplicateReason) {
    const named = clashes.map((c) => `case ${c.id}, ${c.state}`).join("; ");
    const sent = clashes.filter((c) => sentStates.has(c.state as CaseState)).length;
    const what =
      sent === clashes.length
        ? `was already handed over on the ${input.track} track (${named})`
        : sent === 0
          ? clashes.length === 1
            ? `already has an open ${input.track} case ${clash.id} (${clash.state})`
            : `already has open ${input.track} cases (${named})`
          : `already has cases on the ${input.track} track, open or handed over (${named})`;
    return {
      ok: false,
      code: "DUPLICATE",
      message: `the person ${what}: confirm a second case with duplicateReason`,
      details: {
        issues: [
          { field: "personId", rule: `has ${clashes.map((c) => `case ${c.id}`).join(", ")} on this track` },
        ],
        existingId: clash.id,
        existingState: clash.state,
        existing: clashes.map((c) => ({ id: c.id, state: c.state })),
      },
    };
  }
  return {
    ok: true,
    row: {
      track: input.track,
      state: initialState(input.track),
      personId: input.personId,
      requestId: request?.id ?? null,
      treatyParameters: request?.treaty ?? null,
      openedOn: input.openedOn ?? toIsoDate(now),
      duplicateReason: clash ? (input.duplicateReason ?? null) : null,
    },
  };
}
