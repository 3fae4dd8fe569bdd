/**
 * Parties and roles (DESIGN.md "Who uses it"). A party is a state (ISO 3166 alpha-2 code).
 * Every actor belongs to exactly one party and holds one role.
 */
export const roles = [
  // Sending state
  "foreign-ministry", // liaison: logs requests arriving by diplomatic note; foreign-ministry decisions (LEI art. 30)
  "prosecutor", // treaty cases in court
  "judge", // records judicial steps and opinions (LEI arts. 25-27)
  "secretariat", // security-council secretariat: analysis, proposals
  "decision-authority", // records sovereign decisions (National Security Council)
  "custody-officer", // where each person is held, readiness
  "operations-planner", // aircraft, manifests
  "communications", // public figures
  "auditor", // read-only, verifies the record
  // Requesting state
  "request-officer", // files requests, charges, warrants, assurances
  "receiving-officer", // confirms handover
  // Either
  "admin", // manages agencies, users, roles, sessions and tokens of its party
  "system", // the clock: lapses of deadlines
  // Anyone
  "public", // aggregate figures only
] as const;

export type Role = (typeof roles)[number];

export interface Actor {
  /** Stable id of the actor (token owner). */
  id: string;
  /** Display name, e.g. "Liaison officer 3". */
  name: string;
  /** The party (state) the actor acts for, e.g. "MX" or "US". */
  party: string;
  role: Role;
}
