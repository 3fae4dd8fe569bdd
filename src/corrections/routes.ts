/**
 * The corrections' routes: `PATCH /api/{kind}/{id}` (with `If-Match` and a reason),
 * `GET /api/{kind}/{id}/history`, and `POST /api/decisions/{id}/supersessions` and
 * `POST /api/handovers/{id}/supersessions` for what is corrected only by a new record.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { whoMay } from "../auth/permissions.ts";
import { ADecision } from "../cases/schemas.ts";
import { issuesError } from "../errors.ts";
import { AInt, AParty, ATimestamp, AUuid, aList, aText } from "../http/answers.ts";
import { idempotent } from "../http/idempotency.ts";
import { ifMatch, ifMatchHeader, tagVersion } from "../http/if-match.ts";
import { ZIdParams, ZPastDay, ZShort, ZText } from "../http/schemas.ts";
import { AHandover, AOperation, APlace, ZCreateHandover } from "../operations/schemas.ts";
import { AAffiliation, AOrganisation, APerson } from "../people/schemas.ts";
import { ACharge, ARequest } from "../requests/schemas.ts";
import type { Services } from "../services.ts";
import {
  type CorrectableKind,
  correctable,
  correctionBody,
  fixedFieldsOf,
  historyKinds,
  superseded,
} from "./kinds.ts";

const AHistoryEvent = z
  .strictObject({
    seq: AInt.describe("The event's place in the audit chain"),
    occurredAt: ATimestamp.describe("When it happened in the world"),
    recordedAt: ATimestamp.describe("When it was written"),
    action: aText(100).describe("`person.created`, `person.corrected`, `decision.superseded`…"),
    actor: z
      .strictObject({ id: aText(200).nullable(), name: aText(200).nullable(), party: AParty })
      .describe("Who: the official of the caller's own party; of another party, the party only"),
    reason: aText(2000).nullable().describe("Why: a correction's reason"),
    version: AInt.nullable().describe("The record's version after the change (null when it was removed)"),
    changes: aList(
      z.strictObject({ field: aText(100), before: z.unknown().optional(), after: z.unknown().optional() }),
      200,
    ).describe("Each field with its value before and after (all of them on a create)"),
  })
  .meta({ id: "HistoryEvent" });

const AHistory = z
  .strictObject({
    entity: aText(40),
    id: AUuid,
    events: aList(AHistoryEvent, 100_000).describe("Oldest first, from the audit chain"),
  })
  .meta({
    id: "RecordHistory",
    description: "A record's changes: who, when, why, each field before → after",
  });

const ADecisionSupersession = z
  .strictObject({ superseded: ADecision, current: ADecision })
  .meta({ id: "DecisionSupersession", description: "The decision superseded and the one that stands" });
const AHandoverSupersession = z
  .strictObject({ superseded: AHandover, current: AHandover })
  .meta({ id: "HandoverSupersession", description: "The handover superseded and the one that stands" });

const ZDecisionSupersession = correctionBody(
  { legalBasis: ZShort, reasons: ZText, decidedOn: ZPastDay },
  ["legalBasis", "reasons", "decidedOn"],
  "DecisionSupersessionBody",
);
const handoverFields = [
  "occurredAt",
  "dispatchingOfficer",
  "dispatchingAgency",
  "receivingOfficer",
  "receivingAgency",
  "condition",
  "documents",
] as const;
const ZHandoverSupersession = correctionBody(
  ZCreateHandover.shape,
  handoverFields,
  "HandoverSupersessionBody",
);

/** The answer of a correction: the record as a read by id gives it. */
function answers(
  s: Services,
): Record<string, { schema: z.ZodType; read?: (id: string, actor: never) => Promise<unknown> }> {
  return {
    person: { schema: APerson, read: s.people.get },
    organisation: { schema: AOrganisation, read: s.organisations.get },
    affiliation: { schema: AAffiliation },
    request: { schema: ARequest, read: s.requests.get },
    charge: { schema: ACharge },
    place: { schema: APlace },
    operation: { schema: AOperation },
  };
}

/** Fixed fields are refused by name and rule before the body's validation (which would call them unknown). */
const refuseFixed = (kind: CorrectableKind) => async (req: FastifyRequest) => {
  const issues = fixedFieldsOf(kind, req.body);
  if (issues.length > 0) throw issuesError("FIELD_FIXED", issues);
};

const ifMatchDoc =
  '`If-Match` is required: the version read (the `ETag` of a read by id, e.g. `"3"`); without it 428 PRECONDITION_REQUIRED, and a stale one answers 409 VERSION_CONFLICT and writes nothing. `reason` is required and kept in the audit chain.';

export function correctionRoutes(app: FastifyInstance, s: Services) {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  const byEntity = answers(s);
  const version = (req: FastifyRequest) => ifMatch(req.headers["if-match"] as string | undefined);
  const tagged = (reply: FastifyReply, body: unknown) => {
    tagVersion(reply, body);
    return body;
  };

  for (const kind of correctable) {
    const answer = byEntity[kind.entity]!;
    const fixed = Object.keys(kind.fixed).join(", ");
    typed.patch(
      `/${kind.path}/:id`,
      {
        schema: {
          operationId: `correct${kind.noun}`,
          tags: [kind.path],
          summary: `Correct ${kind.entity === "affiliation" ? "an" : "a"} ${kind.entity}, with a reason`,
          description: [
            `Changes the fields given (validated as at creation; \`null\` clears an optional one); the audit chain keeps each field's before and after. ${ifMatchDoc}`,
            `Not corrected here (422 FIELD_FIXED, naming the field and its rule): ${fixed}.`,
            kindRules[kind.entity] ?? "",
            whoMay(kind.correct!),
          ]
            .filter(Boolean)
            .join("\n\n"),
          params: ZIdParams,
          headers: ifMatchHeader,
          body: kind.body!,
          response: { 200: answer.schema },
        },
        preValidation: refuseFixed(kind),
        config: { permission: kind.correct! },
      },
      async (req, reply) => {
        const { id } = req.params as { id: string };
        const row = await s.corrections.correct(kind, {
          actor: req.actor,
          id,
          version: version(req),
          input: req.body as Record<string, unknown> & { reason: string },
        });
        return tagged(reply, answer.read ? await answer.read(id, req.actor as never) : row);
      },
    );
  }

  for (const kind of historyKinds) {
    typed.get(
      `/${kind.path}/:id/history`,
      {
        schema: {
          operationId: `get${kind.noun}History`,
          tags: [kind.path],
          summary: `The ${kind.entity}'s history: each change with who, when, why, before → after`,
          description: `From the audit chain, oldest first. A record out of the caller's reach answers 404, as one that does not exist.\n\n${whoMay(kind.read)}`,
          params: ZIdParams,
          response: { 200: AHistory },
        },
        config: { permission: kind.read },
      },
      (req) => s.corrections.history(kind, (req.params as { id: string }).id, req.actor),
    );
  }

  const decision = superseded.find((k) => k.entity === "decision")!;
  const handover = superseded.find((k) => k.entity === "handover")!;
  const supersessions = [
    {
      kind: decision,
      operationId: "supersedeDecision",
      summary: "Correct a recorded decision by a new one that supersedes it",
      description: `A decision once recorded is never changed: the correction is a new decision (its \`supersedes\` names the old, whose \`supersededBy\` names the new); both stay readable. Only its legal basis, reasons and day are corrected; not ${Object.keys(decision.fixed).join(", ")} (422 FIELD_FIXED). A superseded decision answers 409 RECORD_SUPERSEDED. Only a role that takes the step which recorded it may (else 422 DECIDED_BY_ANOTHER_BODY).`,
      body: ZDecisionSupersession,
      response: ADecisionSupersession,
      permission: "decision:supersede",
      supersede: s.corrections.supersedeDecision,
    },
    {
      kind: handover,
      operationId: "supersedeHandover",
      summary: "Correct a signed handover by a new record that supersedes it",
      description: `A signed handover is never changed: the correction is a new record (\`supersedes\` the old, whose \`supersededBy\` names the new); both stay readable, and the figures count the standing one only. The case's step is not taken again. Not corrected: ${Object.keys(handover.fixed).join(", ")} (422 FIELD_FIXED). A superseded handover answers 409 RECORD_SUPERSEDED.`,
      body: ZHandoverSupersession,
      response: AHandoverSupersession,
      permission: "handover:supersede",
      supersede: s.corrections.supersedeHandover,
    },
  ] as const;
  for (const route of supersessions) {
    typed.post(
      `/${route.kind.path}/:id/supersessions`,
      {
        schema: {
          operationId: route.operationId,
          tags: [route.kind.path],
          summary: route.summary,
          description: `${route.description} ${ifMatchDoc}\n\n${whoMay(route.permission)}`,
          params: ZIdParams,
          headers: ifMatchHeader,
          body: route.body,
          response: { 201: route.response },
        },
        preValidation: refuseFixed(route.kind),
        config: { permission: route.permission, successStatus: 201 },
      },
      (req, reply) =>
        idempotent(s.database.app, req, reply, req.actor, 201, (idempotency) =>
          route.supersede({
            actor: req.actor,
            id: (req.params as { id: string }).id,
            version: version(req),
            input: req.body as Record<string, unknown> & { reason: string },
            idempotency,
          }),
        ),
    );
  }
}

/** The rules of the law or the record each kind's correction answers to. */
const kindRules: Partial<Record<CorrectableKind["entity"], string>> = {
  person:
    "A record merged into another is not corrected: 409 PERSON_MERGED, naming the survivor (`details.survivorId`), which is corrected instead.",
  request:
    "Only before the request is decided (its cases still received or under review): after, 409 REQUEST_DECIDED. Only by the party that wrote it (409 RECORD_OF_ANOTHER_PARTY).",
  charge:
    "A charge of a request whose extradition was granted is fixed (specialty, Treaty art. 17): 422 CHARGE_FIXED_BY_GRANT; of a request otherwise decided, 409 REQUEST_DECIDED.",
  operation:
    "Only while it is being planned (planning, planned): later, 409 OPERATION_UNDER_WAY. A planned operation's adopted plan is not re-checked here: re-plan if the date or the staging airport changed.",
  affiliation: "At most one primary affiliation per person (409 DUPLICATE).",
  organisation: "Names are unique (409 DUPLICATE); no organisation is its own ancestor.",
  place:
    "Codes are unique (409 DUPLICATE), and fixed once an operation, aircraft, leg, listing or handover names the place (422 FIELD_FIXED): record a new place for a new code.",
};
