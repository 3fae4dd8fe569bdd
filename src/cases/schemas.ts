import { z } from "zod";
import { ZDay, ZPageQuery, ZShort, ZText, ZUuid } from "../http/schemas.ts";
import { securityStates, treatyStates } from "./tracks.ts";

export const ZOpenCase = z.strictObject({
  track: z.enum(["treaty", "security"]),
  personId: ZUuid,
  requestId: ZUuid.optional(),
  /** Which treaty's parameters compute the deadlines. */
  treatyParameters: z.enum(["us-mx-1978"]).default("us-mx-1978"),
  openedOn: ZDay.optional(),
});
export type OpenCase = z.infer<typeof ZOpenCase>;

export const ZListCases = ZPageQuery.extend({
  track: z.enum(["treaty", "security"]).optional(),
  state: z.enum([...treatyStates, ...securityStates]).optional(),
  personId: ZUuid.optional(),
  operationId: ZUuid.optional(),
  openRisk: z.enum(["true"]).optional(),
});
export type ListCases = z.infer<typeof ZListCases>;

export const ZTransitionBody = z.strictObject({
  transition: ZShort,
  legalBasis: ZShort,
  reasons: ZText,
  /** When it happened in the world; defaults to now. */
  occurredAt: z.iso.datetime({ offset: true }).optional(),
  /** Optimistic concurrency: the case version read (or send `If-Match`). */
  expectedVersion: z.number().int().min(1).optional(),
  /** A decision that bypasses active legal holds, with its legal basis. */
  bypass: z.strictObject({ holdIds: z.array(ZUuid).min(1), legalBasis: ZShort }).optional(),
  /** The operation the case is assigned to (assign-to-operation, schedule-surrender…). */
  operationId: ZUuid.optional(),
});
export type TransitionBody = z.infer<typeof ZTransitionBody>;

export const ZCreateHold = z.strictObject({
  personId: ZUuid,
  caseId: ZUuid.optional(),
  kind: z.enum(["amparo", "pending-proceeding", "other"]),
  source: ZShort,
  reference: ZShort.optional(),
  blocksSurrender: z.boolean().default(true),
  filedOn: ZDay,
});
export type CreateHold = z.infer<typeof ZCreateHold>;

export const ZListHolds = ZPageQuery.extend({
  personId: ZUuid.optional(),
  caseId: ZUuid.optional(),
  status: z.enum(["active", "lifted", "bypassed"]).optional(),
  kind: z.enum(["amparo", "pending-proceeding", "other"]).optional(),
});
export type ListHolds = z.infer<typeof ZListHolds>;

export const ZCreateAssurance = z
  .strictObject({
    kind: z.enum(["no-death-penalty", "specialty", "other"]),
    giver: ZShort,
    scope: z.enum(["person", "operation"]),
    personId: ZUuid.optional(),
    operationId: ZUuid.optional(),
    givenOn: ZDay.optional(),
    documentRef: ZShort.optional(),
    status: z.enum(["requested", "given", "withdrawn"]),
  })
  .superRefine((a, ctx) => {
    if (a.scope === "person" && !a.personId)
      ctx.addIssue({ code: "custom", path: ["personId"], message: "required when scope is person" });
    if (a.scope === "operation" && !a.operationId)
      ctx.addIssue({ code: "custom", path: ["operationId"], message: "required when scope is operation" });
    if (a.status === "given" && !a.givenOn)
      ctx.addIssue({ code: "custom", path: ["givenOn"], message: "required when status is given" });
  });
export type CreateAssurance = z.infer<typeof ZCreateAssurance>;

export const ZListAssurances = ZPageQuery.extend({
  personId: ZUuid.optional(),
  operationId: ZUuid.optional(),
  kind: z.enum(["no-death-penalty", "specialty", "other"]).optional(),
  status: z.enum(["requested", "given", "withdrawn"]).optional(),
});
export type ListAssurances = z.infer<typeof ZListAssurances>;

export const decisionBodies = [
  "judge",
  "foreign-ministry",
  "national-security-council",
  "appeal-court",
] as const;

export const ZCreateDecision = z.strictObject({
  personId: ZUuid,
  caseId: ZUuid.optional(),
  body: z.enum(decisionBodies),
  kind: ZShort,
  outcome: z.enum(["granted", "refused", "approved", "rejected", "deferred", "other"]),
  legalBasis: ZShort,
  reasons: ZText,
  decidedOn: ZDay,
  appealWindowEndsOn: ZDay.optional(),
  bypassedHoldIds: z.array(ZUuid).default([]),
});
export type CreateDecision = z.infer<typeof ZCreateDecision>;

export const ZListDecisions = ZPageQuery.extend({
  personId: ZUuid.optional(),
  caseId: ZUuid.optional(),
  body: z.enum(decisionBodies).optional(),
  outcome: z.string().max(50).optional(),
});
export type ListDecisions = z.infer<typeof ZListDecisions>;

export const ZListDeadlines = z.object({
  status: z.enum(["upcoming", "overdue", "all"]).default("all"),
  /** Upcoming deadlines due within this many days. */
  withinDays: z.coerce.number().int().min(0).max(3650).default(365),
  caseId: ZUuid.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});
export type ListDeadlines = z.infer<typeof ZListDeadlines>;
