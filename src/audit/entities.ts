import * as s from "../db/schema.ts";

/**
 * Every audited table, by the entity name its events carry. A table is audited when all writes to it go
 * through the write path (`src/audit/write.ts`) and `audit verify` checks its rows against their last
 * after-image.
 */
export const auditedTables = {
  administration: s.administrations,
  place: s.places,
  organisation: s.organisations,
  rivalry: s.rivalries,
  person: s.people,
  person_merge: s.personMerges,
  affiliation: s.affiliations,
  request: s.requests,
  charge: s.charges,
  assurance: s.assurances,
  legal_hold: s.legalHolds,
  decision: s.decisions,
  operation: s.operations,
  aircraft: s.aircraft,
  leg: s.legs,
  operation_person: s.operationPeople,
  plan: s.plans,
  case: s.cases,
  case_transition: s.caseTransitions,
  deadline: s.deadlines,
  handover: s.handovers,
  api_token: s.apiTokens,
  import: s.imports,
  case_status: s.caseStatuses,
  release: s.releases,
  handover_confirmation: s.handoverConfirmations,
  agency: s.agencies,
  user: s.users,
  webhook_endpoint: s.webhookEndpoints,
  document: s.documents,
} as const;

export type EntityName = keyof typeof auditedTables;

/**
 * Events that change no row of their own: an access the chain must show (a sign-in or a failed one, a
 * session ended, a permission refused, an export). `audit verify` checks their hashes and no table.
 */
export const notedEntities = ["sign_in", "session", "credential", "access", "export"] as const;
export type NotedEntity = (typeof notedEntities)[number];
export type AuditedTable = (typeof auditedTables)[EntityName];

const nameByTable = new Map<unknown, EntityName>(
  Object.entries(auditedTables).map(([name, table]) => [table, name as EntityName]),
);

export function entityOf(table: AuditedTable): EntityName {
  const name = nameByTable.get(table);
  if (!name) throw new Error("table is not audited");
  return name;
}
