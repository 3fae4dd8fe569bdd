import { z } from "zod";
import { roles } from "../auth/roles.ts";
import { assurances, cases, caseTransitions, deadlines, decisions, legalHolds } from "../db/schema.ts";
import { ACount, ADay, AText, AUuid, aList, aText, pageSchema, rowSchema } from "../http/answers.ts";
import { crossCheck, crossChecked } from "../http/cross-check.ts";
import { text, ZDay, ZOccurredAt, ZPageQuery, ZPastDay, ZShort, ZText, ZUuid } from "../http/schemas.ts";
import { deadlineKinds } from "./deadlines.ts";
import { decisionBodies, decisionOutcomes, guardIds, securityStates, treatyStates } from "./tracks.ts";
import { treatyIds } from "./treaty-parameters.ts";

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
    /** A promise counts from the day it was given: not one dated ahead, which would count already. */
    givenOn: ZPastDay.optional(),
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

// Answers (documentation, checked in the tests: src/http/answers.ts)

const AShortText = aText(200);
const AState = z.enum([...treatyStates, ...securityStates]);
const ATrack = z.enum(["treaty", "security"]);

/** A risk a step left open (a missing assurance under the `open-risk` policy…); `details` on the step's answer. */
export const AOpenRisk = z
  .strictObject({
    code: aText(64),
    message: AText,
    details: z.record(aText(100), z.unknown()).meta({ maxProperties: 100 }).optional(),
  })
  .meta({ id: "OpenRisk" });

export const ACase = rowSchema(cases, {
  track: ATrack,
  state: AState,
  treatyParameters: z.enum(treatyIds),
  barredOffences: aList(AShortText, 1000),
  openRisks: aList(AOpenRisk, 100),
}).meta({ id: "Case" });
/** A case as a list shows it: with its person's name (null when the person is out of the reader's reach). */
export const ACaseListItem = ACase.extend({ personName: AShortText.nullable() }).meta({ id: "CaseListItem" });
export const ACasePage = pageSchema(ACaseListItem, "CasePage");

export const ACaseTransition = rowSchema(caseTransitions, {
  transition: AShortText,
  fromState: AState,
  toState: AState,
  actorId: AShortText,
  actorName: AShortText,
  actorRole: z.enum(roles),
  legalBasis: AShortText,
  bypass: z.strictObject({ holdIds: aList(AUuid, 100), legalBasis: AShortText }),
  openRisks: aList(AOpenRisk, 100),
}).meta({ id: "CaseTransition", description: "A step a case took: its history" });

const deadlineFields = {
  kind: z.enum(deadlineKinds),
  unit: z.enum(["natural", "business"]),
  countsFrom: z.enum(["trigger-day", "day-after"]),
  legalSource: AShortText,
  alternatives: aList(z.strictObject({ source: AShortText, days: ACount, dueOn: ADay }), 20),
};

/**
 * A deadline of a case. `status`: `met` or `lapsed` once closed; an open one reads `open`, `due-soon` or
 * `overdue` as of the day read.
 */
export const ADeadline = rowSchema(deadlines, {
  ...deadlineFields,
  status: z.enum(["open", "due-soon", "overdue", "met", "lapsed"]),
}).meta({ id: "Deadline" });

/** A deadline a step started (not stored yet when it was decided: no id). */
export const AStartedDeadline = z
  .strictObject({
    kind: deadlineFields.kind,
    startsOn: ADay,
    dueOn: ADay,
    days: ACount,
    unit: deadlineFields.unit,
    legalSource: deadlineFields.legalSource,
    countsFrom: deadlineFields.countsFrom.optional(),
    alternatives: deadlineFields.alternatives.optional(),
    conflict: AText.optional(),
  })
  .meta({ id: "StartedDeadline" });

export const ALegalHold = rowSchema(legalHolds, {
  kind: z.enum(["amparo", "pending-proceeding", "other"]),
  source: AShortText,
  reference: AShortText,
  status: z.enum(["active", "lifted", "bypassed"]),
}).meta({ id: "LegalHold" });
export const ALegalHoldPage = pageSchema(ALegalHold, "LegalHoldPage");

export const AAssurance = rowSchema(assurances, {
  kind: z.enum(["no-death-penalty", "specialty", "other"]),
  giver: AShortText,
  scope: z.enum(["person", "operation"]),
  documentRef: AShortText,
  status: z.enum(["requested", "given", "withdrawn"]),
}).meta({ id: "Assurance" });
export const AAssurancePage = pageSchema(AAssurance, "AssurancePage");

export const ADecision = rowSchema(decisions, {
  body: z.enum(decisionBodies),
  kind: AShortText,
  outcome: z.enum(decisionOutcomes),
  legalBasis: AShortText,
  bypassedHoldIds: aList(AUuid, 100),
}).meta({ id: "Decision" });
export const ADecisionPage = pageSchema(ADecision, "DecisionPage");

/** The case file (`GET /api/cases/{id}`, src/cases/document.ts). */
export const ACaseFile = ACase.extend({
  history: aList(ACaseTransition),
  deadlines: aList(ADeadline, 1000),
  holds: aList(ALegalHold, 1000),
  decisions: aList(ADecision, 1000),
  charges: aList(z.strictObject({ id: AUuid, capitalEligible: z.boolean(), offenceKey: AShortText }), 10_000),
  assurances: aList(
    z.strictObject({ id: AUuid, kind: AAssurance.shape.kind, status: AAssurance.shape.status }),
    1000,
  ),
  availableTransitions: aList(
    z.strictObject({
      name: AShortText,
      to: AState,
      by: aList(z.enum(roles), roles.length),
      guards: aList(z.enum(guardIds), guardIds.length),
      legalSource: AShortText,
    }),
    100,
  ),
}).meta({
  id: "CaseFile",
  description:
    "The case with its history, deadlines, the person's holds, decisions, charges and covering assurances, and the transitions its track allows next",
});

/** What a step wrote (`POST /api/cases/{id}/transitions`; an operation's move and a handover take steps too). */
export const ACaseStep = z
  .strictObject({
    case: ACase,
    transition: ACaseTransition,
    /** The decision the step recorded, if it is one. */
    decision: ADecision.nullable(),
    openRisks: aList(AOpenRisk, 100),
    deadlinesStarted: aList(AStartedDeadline, 20),
  })
  .meta({ id: "CaseStep" });

/** Open deadlines with their case and person (`GET /api/deadlines`). */
export const ADeadlineList = z
  .strictObject({
    asOf: ADay,
    items: aList(
      ADeadline.extend({
        case: z.strictObject({ id: AUuid, state: AState, track: ATrack }),
        person: z.strictObject({ id: AUuid, name: aText(401) }),
      }).meta({ id: "DeadlineDue" }),
      1000,
    ),
  })
  .meta({ id: "DeadlineList" });
