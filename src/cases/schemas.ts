import { z } from "zod";
import { crossCheck, crossChecked } from "../http/cross-check.ts";
import { text, ZDay, ZOccurredAt, ZPageQuery, ZShort, ZText, ZUuid } from "../http/schemas.ts";
import { decisionBodies, securityStates, treatyStates } from "./tracks.ts";

export const ZOpenCase = z.strictObject({
  track: z.enum(["treaty", "security"]),
  personId: ZUuid,
  /** The request the case answers. Required on the treaty track: the case runs under the request's treaty. */
  requestId: ZUuid.optional(),
  openedOn: ZDay.optional(),
  /**
   * Confirms a second case for a person who already has an open case on this track, or was handed over on
   * it, and says why. Without it such a case is refused with 409, naming the existing one.
   */
  duplicateReason: ZText.optional(),
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
  /** When it happened in the world: a date-time, or a calendar day; defaults to now. */
  occurredAt: ZOccurredAt.optional(),
  /** Optimistic concurrency: the case version read (or send `If-Match`). */
  expectedVersion: z.number().int().min(1).optional(),
  /** A decision that bypasses active legal holds, with its legal basis. */
  bypass: z.strictObject({ holdIds: z.array(ZUuid).min(1).max(100), legalBasis: ZShort }).optional(),
  /** The operation the case boards (assign-to-operation); it must list the person. */
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
  .superRefine(
    crossCheck((a, ctx) => {
      if (a.scope === "person" && !a.personId)
        ctx.addIssue({ code: "custom", path: ["personId"], message: "required when scope is person" });
      if (a.scope === "operation" && !a.operationId)
        ctx.addIssue({ code: "custom", path: ["operationId"], message: "required when scope is operation" });
      if (a.status === "given" && !a.givenOn)
        ctx.addIssue({ code: "custom", path: ["givenOn"], message: "required when status is given" });
    }),
    crossChecked,
  );
export type CreateAssurance = z.infer<typeof ZCreateAssurance>;

export const ZListAssurances = ZPageQuery.extend({
  personId: ZUuid.optional(),
  operationId: ZUuid.optional(),
  kind: z.enum(["no-death-penalty", "specialty", "other"]).optional(),
  status: z.enum(["requested", "given", "withdrawn"]).optional(),
});
export type ListAssurances = z.infer<typeof ZListAssurances>;

export const ZListDecisions = ZPageQuery.extend({
  personId: ZUuid.optional(),
  caseId: ZUuid.optional(),
  body: z.enum(decisionBodies).optional(),
  outcome: text(50, { required: false, trim: false }).optional(),
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
