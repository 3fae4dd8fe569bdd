/** The audit chain's read API: what `GET /api/audit-events` takes and answers, and the verification's report. */
import { z } from "zod";
import { text, ZDay, ZUuid } from "../http/schemas.ts";
import { auditedTables, notedEntities } from "./entities.ts";

/** A moment: a date-time with its offset, or a day (as `from`, its start; as `to`, its end). */
const ZMoment = z.union([z.iso.datetime({ offset: true }).max(40), ZDay], {
  error: "must be a date-time with its offset (2026-01-20T17:00:00Z) or a day (2026-01-20)",
});

export const auditEntities = [
  ...(Object.keys(auditedTables) as (keyof typeof auditedTables)[]),
  ...notedEntities,
];

export const ZListAuditEvents = z
  .object({
    limit: z.coerce.number().int().min(1).max(500).default(50),
    /** The `nextCursor` of the previous page. */
    cursor: z
      .string()
      .regex(/^[1-9]\d{0,15}$/, "must be the nextCursor of a previous page")
      .meta({ maxLength: 16 })
      .optional(),
    /** Events of one kind of record (`case`, `person`, `access`…). */
    entity: z.enum(auditEntities).optional(),
    /** Events of one record (with `entity`, of that kind). */
    entityId: ZUuid.optional(),
    /** Events about a person: of the person and of every row that names them (see `audit report --person`). */
    personId: ZUuid.optional(),
    /** Events of one actor (a user's or a token's id). */
    actorId: text(200).optional(),
    /** Events of one kind (`case.transitioned`, `person.created`, `access.refused`…). */
    action: z
      .string()
      .max(100)
      .regex(/^[a-z_]+\.[a-z_]+$/, "must be an event kind such as case.transitioned")
      .optional(),
    /** Occurred at or after. */
    from: ZMoment.optional(),
    /** Occurred at or before (a day: to its end). */
    to: ZMoment.optional(),
  })
  .refine((q) => !(q.from && q.to) || Date.parse(q.from) <= Date.parse(q.to), {
    message: "must not be before from",
    path: ["to"],
  });
export type ListAuditEvents = z.infer<typeof ZListAuditEvents>;

/** Bounded, as the OpenAPI document states every string and list it gives. */
const str = (max = 200) => z.string().max(max);
const seq = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

export const ZAuditEvent = z
  .object({
    seq: seq.describe("The event's place in the chain"),
    occurredAt: str().describe("When it happened in the world"),
    recordedAt: str().describe("When it was written"),
    actor: z.object({ id: str(), name: str(), party: str() }),
    action: str().describe("The event's kind: `case.transitioned`, `person.created`, `access.refused`…"),
    entity: str(),
    entityId: str(),
    valuesShown: z
      .boolean()
      .describe("Whether `changes` carry values: only when the reader's role may read this kind of record"),
    changes: z
      .array(
        z.object({
          field: str(),
          before: z.unknown().optional(),
          after: z.unknown().optional(),
        }),
      )
      .max(200)
      .describe("Each field that changed (all of them on a create or a delete)"),
  })
  .meta({ id: "AuditEvent" });

export const ZAuditEventPage = z
  .object({
    items: z.array(ZAuditEvent).max(500).describe("Newest first"),
    nextCursor: z
      .string()
      .max(200)
      .nullable()
      .describe("Pass as `cursor` for the next (older) page; null on the last"),
  })
  .meta({ id: "AuditEventPage" });

export const ZAuditVerification = z
  .object({
    ok: z.boolean(),
    mode: z
      .enum(["full", "since-checkpoint"])
      .describe("since-checkpoint: from the latest signed checkpoint (the whole chain when there is none)"),
    eventsChecked: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    rowsChecked: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    checkpointsChecked: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    /** Stored documents whose content was checked against its hash. */
    documentsChecked: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    problems: z
      .array(
        z.object({
          where: z.enum(["chain", "row", "checkpoint", "document"]),
          seq: seq.optional(),
          entity: str().optional(),
          entityId: str().optional(),
          message: str(2000),
        }),
      )
      .max(50)
      .describe("The first bad entries (at most 50), in chain order, then table order"),
  })
  .meta({ id: "AuditVerification" });

export const ZAuditVerificationProgress = z
  .object({
    running: z.boolean().describe("Whether a verification is under way"),
    eventsChecked: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    eventsTotal: z
      .number()
      .int()
      .min(0)
      .max(Number.MAX_SAFE_INTEGER)
      .describe("The events it walks, counted when its walk began (0 before it counts them)"),
  })
  .meta({ id: "AuditVerificationProgress" });
