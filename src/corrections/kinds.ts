/**
 * What may be corrected, and how (issue 12 "Corrections"): for each kind of record, its route, table,
 * permissions, the fields a correction may change (validated as at creation) and the fields it may not
 * (`fixed`, each with the rule that fixes it). Pure data; `service.ts` applies it.
 */
import { z } from "zod";
import type { EntityName } from "../audit/entities.ts";
import type { Permission } from "../auth/permissions.ts";
import * as t from "../db/schema.ts";
import { text } from "../http/schemas.ts";
import { ZCreateOperation, ZCreatePlace } from "../operations/schemas.ts";
import { ZAffiliation, ZCreateOrganisation, ZCreatePerson } from "../people/schemas.ts";
import { ZCharge, ZCreateRequest } from "../requests/schemas.ts";

/** Why a correction was made: required, kept in the audit event. */
export const ZReason = text(2000).describe("Why the record is corrected (kept in the audit chain)");

/** A create field as a correction takes it: optional; one that may be absent at creation may be cleared (null). */
function patchField(schema: z.ZodType): z.ZodType {
  if (schema instanceof z.ZodDefault) return patchField(schema.unwrap() as z.ZodType);
  if (schema instanceof z.ZodOptional) return (schema.unwrap() as z.ZodType).nullable().optional();
  return schema.optional();
}

/**
 * The body of a correction: some of `fields` (as the create schema validates them), and a reason. Unknown
 * fields are refused by name; at least one field must change.
 */
export function correctionBody(shape: Record<string, z.ZodType>, fields: readonly string[], id: string) {
  const out: Record<string, z.ZodType> = {};
  for (const f of fields) {
    const s = shape[f];
    if (!s) throw new Error(`correctionBody: no field ${f}`);
    out[f] = patchField(s);
  }
  // A body with a reason and nothing to change is at fault as a whole (`(body)`), not by its reason.
  return z
    .strictObject({ ...out, reason: ZReason })
    .refine((b) => Object.keys(b).some((k) => k !== "reason"), {
      message: `at least one of ${fields.join(", ")}`,
    })
    .describe(`${id}: the fields to change and why`);
}

/** Fields no correction changes, whatever the record: its identity and its bookkeeping. */
export const alwaysFixed: Record<string, string> = {
  id: "a record's id never changes",
  party: "a record belongs for good to the party that wrote it",
  version: "the version moves by itself with each change; send the version read as If-Match",
  recordedAt: "set by the system",
  sharedWith: "what a record is shared with follows the act that shared it",
};

export interface CorrectableKind {
  /** The path segment (`/api/people/{id}`). */
  path: string;
  entity: EntityName;
  /** For operation ids: `correctPerson`, `getPersonHistory`. */
  noun: string;
  table: (typeof t)[
    | "people"
    | "organisations"
    | "affiliations"
    | "requests"
    | "charges"
    | "places"
    | "operations"
    | "decisions"
    | "handovers"];
  read: Permission;
  /** The permission of a correction; null: corrected only by supersession. */
  correct: Permission | null;
  /** The fields a correction may change. */
  fields: readonly string[];
  /** Fields a correction may not change, each with its rule (beside `alwaysFixed`). */
  fixed: Record<string, string>;
  body?: z.ZodType;
}

const personFields = [
  "givenNames",
  "familyNames",
  "aliases",
  "dateOfBirth",
  "nationalities",
  "identifiers",
  "photoRef",
  "riskFlags",
  "custodyFacility",
  "custodySince",
] as const;
const requestFields = [
  "requestingAgency",
  "channel",
  "diplomaticNote",
  "sentOn",
  "receivedOn",
  "court",
  "district",
  "courtCaseNumber",
] as const;
const requestShape = (ZCreateRequest as unknown as { shape?: Record<string, z.ZodType> }).shape;

function shapeOf(schema: z.ZodType): Record<string, z.ZodType> {
  // Create schemas with cross-field checks are wrapped: their object is inside.
  const s = schema as unknown as { shape?: Record<string, z.ZodType>; def?: { in?: z.ZodType } };
  if (s.shape) return s.shape;
  if (s.def?.in) return shapeOf(s.def.in);
  throw new Error("shapeOf: not an object schema");
}

const kinds: CorrectableKind[] = [
  {
    path: "people",
    entity: "person",
    noun: "Person",
    table: t.people,
    read: "person:read",
    correct: "person:correct",
    fields: personFields,
    fixed: {
      affiliations: "affiliations are corrected one by one: PATCH /api/affiliations/{id}",
      fictional: "whether a person is fictional (demo data) is fixed when recorded",
    },
    body: correctionBody(shapeOf(ZCreatePerson), personFields, "PersonCorrection"),
  },
  {
    path: "affiliations",
    entity: "affiliation",
    noun: "Affiliation",
    table: t.affiliations,
    read: "person:read",
    correct: "person:correct",
    fields: ["organisationId", "role", "fromOn", "toOn", "primary"],
    fixed: { personId: "an affiliation is of one person for good; record a new one for another person" },
    body: correctionBody(
      shapeOf(ZAffiliation),
      ["organisationId", "role", "fromOn", "toOn", "primary"],
      "AffiliationCorrection",
    ),
  },
  {
    path: "organisations",
    entity: "organisation",
    noun: "Organisation",
    table: t.organisations,
    read: "organisation:read",
    correct: "organisation:correct",
    fields: ["name", "aliases", "parentId", "notes"],
    fixed: { rivalIds: "rivalries are recorded by POST /api/organisations/{id}/rivalries" },
    body: correctionBody(
      shapeOf(ZCreateOrganisation),
      ["name", "aliases", "parentId", "notes"],
      "OrganisationCorrection",
    ),
  },
  {
    path: "requests",
    entity: "request",
    noun: "Request",
    table: t.requests,
    read: "request:read",
    correct: "request:correct",
    fields: requestFields,
    fixed: {
      personId: "a request names its person for good (two records of one person are merged, not moved)",
      person: "a request names its person for good; correct the person: PATCH /api/people/{id}",
      requestingState: "the requesting state is whose request it is",
      requestedState: "the state asked to surrender is fixed by the request",
      type: "the request's type sets its legal track; withdraw it and file a new one",
      treaty: "the case runs under the treaty its request named",
      charges: "charges are corrected one by one: PATCH /api/charges/{id}",
    },
    body: correctionBody(requestShape ?? shapeOf(ZCreateRequest), requestFields, "RequestCorrection"),
  },
  {
    path: "charges",
    entity: "charge",
    noun: "Charge",
    table: t.charges,
    read: "request:read",
    correct: "request:correct",
    fields: ["statute", "description", "maximumPenalty", "capitalEligible", "sealed"],
    fixed: { requestId: "a charge belongs to its request for good" },
    body: correctionBody(
      shapeOf(ZCharge),
      ["statute", "description", "maximumPenalty", "capitalEligible", "sealed"],
      "ChargeCorrection",
    ),
  },
  {
    path: "places",
    entity: "place",
    noun: "Place",
    table: t.places,
    read: "place:read",
    correct: "place:correct",
    fields: ["code", "name", "lat", "lon"],
    fixed: { kind: "an airport is not corrected into a prison: record the other place" },
    body: correctionBody(shapeOf(ZCreatePlace), ["code", "name", "lat", "lon"], "PlaceCorrection"),
  },
  {
    path: "operations",
    entity: "operation",
    noun: "Operation",
    table: t.operations,
    read: "operation:read",
    correct: "operation:correct",
    fields: ["legalBasis", "operationDate", "stagingAirport", "administrationId", "notes"],
    fixed: {
      code: "an operation's code names it in every plan, release and manifest",
      status: "an operation's status moves by its lifecycle: POST /api/operations/{id}/status",
      receivingState: "what was released and shared went to the receiving state",
      departedAt: "set by the lifecycle",
      completedAt: "set by the lifecycle",
      aircraft: "aircraft are planned by the planning routes",
      people: "people are listed and removed by POST/DELETE /api/operations/{id}/people",
    },
    body: correctionBody(
      shapeOf(ZCreateOperation),
      ["legalBasis", "operationDate", "stagingAirport", "administrationId", "notes"],
      "OperationCorrection",
    ),
  },
  {
    path: "decisions",
    entity: "decision",
    noun: "Decision",
    table: t.decisions,
    read: "decision:read",
    correct: null,
    fields: ["legalBasis", "reasons", "decidedOn"],
    fixed: {
      outcome: "the outcome is the step the case took: take the track's step (an appeal, a new decision)",
      body: "the body that decided is fixed",
      kind: "what was decided is fixed",
      personId: "the decision is on its person for good",
      caseId: "the decision is of its case for good",
      transitionId: "the decision and its case step are one act",
      bypassedHoldIds: "the holds bypassed are those of the step",
      appealWindowEndsOn: "the appeal window runs from the step (the case's deadline)",
      supersedes: "set by the supersession",
      supersededBy: "set by the supersession",
    },
  },
  {
    path: "handovers",
    entity: "handover",
    noun: "Handover",
    table: t.handovers,
    read: "handover:read",
    correct: null,
    fields: [
      "occurredAt",
      "dispatchingOfficer",
      "dispatchingAgency",
      "receivingOfficer",
      "receivingAgency",
      "condition",
      "documents",
    ],
    fixed: {
      operationId: "a handover is of its operation for good",
      personId: "a handover is of its person for good",
      caseId: "a handover is of its case for good (its step was taken with it)",
      place: "the place was checked against the operation's stops when the handover was signed",
      legalBasis: "recorded on the case's step, which a supersession does not take again",
      reasons: "recorded on the case's step, which a supersession does not take again",
      supersedes: "set by the supersession",
      supersededBy: "set by the supersession",
    },
  },
];

export const correctable = kinds.filter((k) => k.correct !== null);
export const superseded = kinds.filter((k) => k.correct === null);

/** A kind of record whose history is read from the audit chain. */
export type HistoryKind = Pick<CorrectableKind, "path" | "entity" | "noun" | "read"> & {
  table: CorrectableKind["table"] | typeof t.cases | typeof t.assurances | typeof t.legalHolds;
};

/**
 * Records changed only by their own acts — a case by its track's steps, an assurance given or withdrawn, a
 * hold placed or lifted — never corrected: their history is read all the same.
 */
const changedByActs: HistoryKind[] = [
  { path: "cases", entity: "case", noun: "Case", table: t.cases, read: "case:read" },
  { path: "assurances", entity: "assurance", noun: "Assurance", table: t.assurances, read: "assurance:read" },
  { path: "holds", entity: "legal_hold", noun: "Hold", table: t.legalHolds, read: "hold:read" },
];

/** Every kind with a history: those corrected or superseded, and those changed only by their acts. */
export const historyKinds: HistoryKind[] = [...kinds, ...changedByActs];

/** The fields of `body` that are fixed for `kind`, each with its rule. */
export function fixedFieldsOf(kind: CorrectableKind, body: unknown) {
  if (!body || typeof body !== "object") return [];
  const rules = { ...alwaysFixed, ...kind.fixed };
  return Object.keys(body)
    .filter((k) => Object.hasOwn(rules, k))
    .map((k) => ({ field: k, rule: `fixed: ${rules[k]}` }));
}
