/**
 * Corrections (issue 12): a record is changed in place, with the version read and a reason, through the
 * audited write path (the chain keeps the before and after of every field, and the reason); a decision or
 * a handover is never changed in place but superseded by a new record. A record's history is read back
 * from the chain.
 *
 * Order of the checks: the permission (403), the record in the caller's reach (404, the same as none), the
 * record of the caller's own party (409 RECORD_OF_ANOTHER_PARTY), the version read (428 without one), the
 * rules of the law and of the record (409/422, each by its code), then the write, which refuses a stale
 * version (409 VERSION_CONFLICT) and writes nothing. The rules run inside the write's transaction; those
 * that read a request's state first hold the request's cases (`holdCases`), so a concurrent step of a case
 * cannot slip between the check and the write.
 */
import { and, asc, eq, isNotNull, ne, sql } from "drizzle-orm";
import { v7 as uuidv7 } from "uuid";
import { changesOf } from "../audit/events.ts";
import { type IdempotencyRecord, type Row, write } from "../audit/write.ts";
import { asSystem, guarded } from "../auth/access.ts";
import type { Actor } from "../auth/roles.ts";
import { actBefore, actMoment, stillToCome, toIsoDate } from "../cases/calendar.ts";
import { type SharedStatus, stateDefs, transitions } from "../cases/tracks.ts";
import type { Db } from "../db/client.ts";
import { getById, requireRefs, visible } from "../db/query.ts";
import {
  administrations,
  affiliations,
  auditEvents,
  caseStatuses,
  cases,
  caseTransitions,
  decisions,
  handoverConfirmations,
  handovers,
  operations,
  organisations,
  places,
  type requests,
} from "../db/schema.ts";
import { AppError, supersededError } from "../errors.ts";
import type { CorrectableKind, HistoryKind } from "./kinds.ts";

/** What the requesting state is told once a request is granted: its charges are what it was granted on. */
const grantedStatuses: ReadonlySet<SharedStatus> = new Set([
  "granted",
  "approved for transfer",
  "deferred",
  "scheduled",
  "handed over",
]);
/** Before any decision: the request may still be corrected. */
const undecidedStatuses: ReadonlySet<SharedStatus> = new Set(["received", "under review"]);
const sharedOf = new Map(stateDefs.map((d) => [d.name as string, d.shared]));

/** Operations not yet under way (src/operations/lifecycle.ts): the only ones corrected in place. */
const correctableOperation = new Set(["planning", "planned"]);

type Patch = Record<string, unknown>;
interface Correction {
  actor: Actor;
  id: string;
  /** The version read (`If-Match`); undefined answers 428. */
  version: number | undefined;
  input: Patch & { reason: string };
  /** A supersession's `Idempotency-Key`, stored with its write (`src/http/idempotency.ts`). */
  idempotency?: IdempotencyRecord;
}

const field = (f: string, rule: string) => ({ field: f, rule });

function requireVersion(version: number | undefined): number {
  if (version === undefined)
    throw new AppError("PRECONDITION_REQUIRED", 'If-Match: required, the version read (its ETag, e.g. "3")', {
      issues: [field("headers.if-match", "required")],
    });
  return version;
}

function requireOwn(entity: string, row: { party: string }, actor: Actor) {
  if (row.party !== actor.party)
    throw new AppError(
      "RECORD_OF_ANOTHER_PARTY",
      `this ${entity} is ${row.party}'s record: only ${row.party} corrects it`,
      { owner: row.party, rule: "a record is corrected by the party that wrote it" },
    );
}

export function correctionService(db: Db) {
  /** What the cases of a request (those the reader sees, and the status shared with it) have reached. */
  async function statusesOf(requestId: string, actor: Actor): Promise<Set<SharedStatus>> {
    const shared = await db
      .select({ status: caseStatuses.status })
      .from(caseStatuses)
      .where(and(eq(caseStatuses.requestId, requestId), visible(caseStatuses, actor)));
    const own = await db
      .select({ state: cases.state })
      .from(cases)
      .where(and(eq(cases.requestId, requestId), visible(cases, actor)));
    return new Set([
      ...shared.map((s) => s.status as SharedStatus),
      ...own.flatMap((c) => (sharedOf.has(c.state) ? [sharedOf.get(c.state)!] : [])),
    ]);
  }

  /**
   * Holds the request's cases (FOR SHARE, whoever's they are) until the correction's transaction ends: a
   * step of one of them (a grant, a refusal, a lapse) updates its case row, so it waits for the correction
   * to commit, or the correction waits for the step and then reads what it decided. The rules of the law
   * read the statuses after this, inside the correction's transaction (review H1: a grant committed between
   * the check and the write let a charge of a granted extradition change). Run in the system's scope: under
   * row-level security a lock skips the rows of another party silently. Only ids are read.
   */
  async function holdCases(requestId: string) {
    await asSystem(db, () =>
      db.select({ id: cases.id }).from(cases).where(eq(cases.requestId, requestId)).for("share"),
    );
  }

  async function requireUndecided(requestId: string, actor: Actor, what: string) {
    await holdCases(requestId);
    const decided = [...(await statusesOf(requestId, actor))].filter((s) => !undecidedStatuses.has(s));
    if (decided.length > 0)
      throw new AppError(
        "REQUEST_DECIDED",
        `${what}: the request is decided (${decided.join(", ")}); it is the record the decision was made on`,
        { rule: "a request is corrected only before it is decided", statuses: decided },
      );
  }

  /** The rules of each kind beyond the fields' own: the law, uniqueness, references, cross-field checks. */
  const rules: Partial<
    Record<
      CorrectableKind["entity"],
      (row: Record<string, unknown>, patch: Patch, actor: Actor) => Promise<void>
    >
  > = {
    async affiliation(row, patch, actor) {
      await requireRefs(
        db,
        [{ field: "organisationId", table: organisations, id: patch.organisationId as string | undefined }],
        actor,
      );
      const merged = { ...row, ...patch } as Row<typeof affiliations>;
      if (merged.fromOn && merged.toOn && merged.toOn < merged.fromOn)
        throw new AppError("VALIDATION_FAILED", "toOn: must not be before fromOn", {
          issues: [field("toOn", "must not be before fromOn")],
        });
      if (patch.primary === true && !row.primary) {
        const [current] = await db
          .select({ id: affiliations.id })
          .from(affiliations)
          .where(
            and(
              eq(affiliations.personId, merged.personId),
              eq(affiliations.primary, true),
              ne(affiliations.id, merged.id),
            ),
          );
        if (current)
          throw new AppError("DUPLICATE", "the person already has a primary affiliation", {
            issues: [field("primary", `the person's primary affiliation is ${current.id}`)],
            existingId: current.id,
          });
      }
    },

    async organisation(row, patch, actor) {
      if (typeof patch.name === "string" && patch.name !== row.name) {
        const [clash] = await db
          .select({ id: organisations.id })
          .from(organisations)
          .where(eq(organisations.name, patch.name));
        if (clash)
          throw new AppError("DUPLICATE", `an organisation named ${patch.name} already exists`, {
            issues: [field("name", "must be unique")],
            existingId: clash.id,
          });
      }
      if (typeof patch.parentId === "string") {
        await requireRefs(db, [{ field: "parentId", table: organisations, id: patch.parentId }], actor);
        // No organisation is its own ancestor.
        let at: string | null = patch.parentId;
        for (let depth = 0; at && depth < 100; depth++) {
          if (at === row.id)
            throw new AppError("VALIDATION_FAILED", "parentId: an organisation cannot be its own ancestor", {
              issues: [field("parentId", "must not be the organisation or one of its cells")],
            });
          const [parent]: { parentId: string | null }[] = await db
            .select({ parentId: organisations.parentId })
            .from(organisations)
            .where(eq(organisations.id, at));
          at = parent?.parentId ?? null;
        }
      }
    },

    async request(row, patch, actor) {
      await requireUndecided(row.id as string, actor, "request");
      const merged = { ...row, ...patch } as Row<typeof requests>;
      if (merged.channel === "diplomatic-note" && !merged.diplomaticNote)
        throw new AppError("VALIDATION_FAILED", "diplomaticNote: required when channel is diplomatic-note", {
          issues: [field("diplomaticNote", "required when channel is diplomatic-note")],
        });
      if (merged.sentOn && merged.receivedOn && merged.receivedOn < merged.sentOn)
        throw new AppError("VALIDATION_FAILED", "receivedOn: must not be before sentOn", {
          issues: [field("receivedOn", "must not be before sentOn")],
        });
    },

    async charge(row, _patch, actor) {
      const requestId = row.requestId as string;
      await holdCases(requestId);
      const statuses = await statusesOf(requestId, actor);
      const granted = [...statuses].filter((s) => grantedStatuses.has(s));
      // Treaty art. 17 (specialty): the person is tried only for the offences extradition was granted for.
      if (granted.length > 0)
        throw new AppError(
          "CHARGE_FIXED_BY_GRANT",
          "charge: the request's extradition was granted on its charges; they are fixed (specialty, Treaty art. 17): a new charge needs a new request",
          { rule: "the charges of a granted extradition are fixed", requestId, statuses: granted },
        );
      await requireUndecided(requestId, actor, "charge");
    },

    async place(row, patch) {
      if (typeof patch.code === "string" && patch.code !== row.code) {
        // Operations, aircraft, legs, listings and handovers name a place by its code: once one does, the
        // code stays (a changed one would leave them naming no place, and planning them would fail).
        const code = row.code as string;
        const [named] = await asSystem(db, () =>
          db.execute(sql`
            select 'an operation' as what from operations where staging_airport = ${code}
            union all select 'an aircraft' from aircraft where staging_airport = ${code}
            union all select 'a leg' from legs where from_airport = ${code} or to_airport = ${code}
            union all select 'a listing' from operation_people where destination_airport = ${code}
            union all select 'a handover' from handovers where place = ${code}
            limit 1`),
        ).then((r) => (r as unknown as { rows: { what: string }[] }).rows);
        if (named)
          throw new AppError(
            "FIELD_FIXED",
            `code: ${code} is named by ${named.what}; record a new place for a new code`,
            { issues: [field("code", `fixed once a record names it (${named.what} names ${code})`)] },
          );
        const [clash] = await db.select({ id: places.id }).from(places).where(eq(places.code, patch.code));
        if (clash)
          throw new AppError("DUPLICATE", `a place with code ${patch.code} already exists`, {
            issues: [field("code", "must be unique")],
            existingId: clash.id,
          });
      }
    },

    async operation(row, patch, actor) {
      if (!correctableOperation.has(row.status as string))
        throw new AppError(
          "OPERATION_UNDER_WAY",
          `operation is ${row.status}: only an operation being planned (planning, planned) is corrected in place`,
          { rule: "an operation under way is not corrected", status: row.status },
        );
      await requireRefs(
        db,
        [
          {
            field: "administrationId",
            table: administrations,
            id: patch.administrationId as string | undefined,
          },
        ],
        actor,
      );
      if (typeof patch.stagingAirport === "string") {
        const [airport] = await db
          .select({ id: places.id })
          .from(places)
          .where(
            and(eq(places.code, patch.stagingAirport), eq(places.kind, "airport"), visible(places, actor)),
          );
        if (!airport)
          throw new AppError("REFERENCE_INVALID", "stagingAirport: must be a known airport", {
            issues: [field("stagingAirport", "must be a known airport")],
          });
      }
    },
  };

  return {
    /** Corrects a record in place: the fields given, with the reason, at the version read. */
    correct: (kind: CorrectableKind, { actor, id, version, input }: Correction) =>
      guarded(db, actor, kind.correct!, async () => {
        const row = (await getById(db, kind.table, kind.entity, id, actor)) as Record<string, unknown> & {
          party: string;
        };
        requireOwn(kind.entity, row, actor);
        // A merged record is read as its survivor: a correction to it would change a record nobody reads
        // and answer with another (review M4). The survivor is corrected instead.
        if (kind.entity === "person" && typeof row.mergedInto === "string")
          throw new AppError(
            "PERSON_MERGED",
            `person ${id} was merged into ${row.mergedInto}: correct the survivor, ${row.mergedInto}`,
            { survivorId: row.mergedInto, rule: "a merged record is corrected as its survivor" },
          );
        const expectedVersion = requireVersion(version);
        const { reason, ...patch } = input;
        // The rules run inside the write's transaction, so what they read holds until it commits.
        return write(db, actor, async (w) => {
          await rules[kind.entity]?.(row, patch, actor);
          return w.update(kind.table, id, patch as never, {
            expectedVersion,
            reason,
            kind: `${kind.entity}.corrected`,
          });
        });
      }),

    /**
     * Corrects a recorded decision by a new one that supersedes it: the old stays, marked `supersededBy`;
     * the new carries `supersedes`. Only a role that takes the step which recorded it may.
     */
    supersedeDecision: ({ actor, id, version, input, idempotency }: Correction) =>
      guarded(db, actor, "decision:supersede", async () => {
        const old = await getById(db, decisions, "decision", id, actor);
        requireOwn("decision", old, actor);
        if (old.transitionId) {
          const [step] = await db
            .select({ transition: caseTransitions.transition })
            .from(caseTransitions)
            .where(eq(caseTransitions.id, old.transitionId));
          const def = transitions.find((t) => t.name === step?.transition);
          if (def && !def.by.includes(actor.role))
            throw new AppError(
              "DECIDED_BY_ANOTHER_BODY",
              `a decision recorded by ${def.name} is corrected by those who take that step: ${def.by.join(", ")}`,
              {
                rule: "a decision is corrected by the body that decided",
                step: def.name,
                allowedRoles: [...def.by],
              },
            );
        }
        return supersede(db, actor, decisions, "decision", old, requireVersion(version), input, idempotency);
      }),

    /** Corrects a signed handover by a new record that supersedes it; both stay, the tally counts the new. */
    supersedeHandover: ({ actor, id, version, input, idempotency }: Correction) =>
      guarded(db, actor, "handover:supersede", async () => {
        const old = await getById(db, handovers, "handover", id, actor);
        requireOwn("handover", old, actor);
        const expectedVersion = requireVersion(version);
        const patch: Patch = { ...input };
        if (typeof patch.occurredAt === "string") {
          const occurredAt = new Date(patch.occurredAt);
          // The rules of the handover it corrects: not still to come, not before its operation flew, and
          // not after the operation completed or the receiving state confirmed the handover (by day where
          // an act was given as a day: `actBefore`).
          const [op] = await db
            .select({
              operationDate: operations.operationDate,
              departedAt: operations.departedAt,
              completedAt: operations.completedAt,
            })
            .from(operations)
            .where(eq(operations.id, old.operationId));
          const [confirmed] = await db
            .select({ occurredAt: handoverConfirmations.occurredAt })
            .from(handoverConfirmations)
            .where(eq(handoverConfirmations.handoverId, old.id));
          const rule =
            stillToCome(occurredAt, new Date()) ??
            (op && toIsoDate(occurredAt) < op.operationDate
              ? `not before the operation date ${op.operationDate}`
              : op?.departedAt && actBefore(occurredAt, op.departedAt)
                ? `not before the departure ${actMoment(op.departedAt)}`
                : op?.completedAt && actBefore(op.completedAt, occurredAt)
                  ? `not after the operation was completed, ${actMoment(op.completedAt)}`
                  : confirmed && actBefore(confirmed.occurredAt, occurredAt)
                    ? `not after its confirmation, ${actMoment(confirmed.occurredAt)}`
                    : null);
          if (rule)
            throw new AppError("VALIDATION_FAILED", `occurredAt: ${rule}`, {
              issues: [{ field: "occurredAt", rule }],
            });
          patch.occurredAt = occurredAt;
        }
        return supersede(
          db,
          actor,
          handovers,
          "handover",
          old,
          expectedVersion,
          patch as typeof input,
          idempotency,
        );
      }),

    /**
     * A record's history from the audit chain, oldest first: each change with who, when, why, and each
     * field's before and after. The record must be in the caller's reach (else the same 404 as none); an
     * event of another party names that party, not its official.
     */
    history: async (kind: HistoryKind, id: string, actor: Actor) => {
      await guarded(db, actor, kind.read, () => getById(db, kind.table, kind.entity, id, actor));
      const events = await asSystem(db, () =>
        db
          .select()
          .from(auditEvents)
          .where(
            and(
              eq(auditEvents.entity, kind.entity),
              eq(auditEvents.entityId, id),
              isNotNull(auditEvents.seq),
            ),
          )
          .orderBy(asc(auditEvents.seq)),
      );
      return {
        entity: kind.entity,
        id,
        events: events.map((e) => {
          const own = e.party === actor.party;
          return {
            seq: e.seq!,
            occurredAt: e.occurredAt.toISOString(),
            recordedAt: e.recordedAt.toISOString(),
            action: e.kind,
            actor: { id: own ? e.actorId : null, name: own ? e.actorName : null, party: e.party },
            reason: e.reason,
            version: versionOf(e.after),
            changes: changesOf(image(e.before), image(e.after), true),
          };
        }),
      };
    },
  };
}

const image = (v: unknown) => (v && typeof v === "object" ? (v as Record<string, unknown>) : null);
const versionOf = (v: unknown) => {
  const n = image(v)?.version;
  return typeof n === "number" ? n : null;
};

/**
 * The supersession itself, in one write: the old row marked `supersededBy` at the version read (a stale one
 * writes nothing), then the new row, a copy with the corrections and `supersedes`. Both events carry the
 * reason. The old row is marked first: a handover's person and operation are unique among standing ones.
 */
async function supersede<T extends typeof decisions | typeof handovers>(
  db: Db,
  actor: Actor,
  table: T,
  entity: "decision" | "handover",
  old: Row<T>,
  expectedVersion: number,
  input: Patch & { reason: string },
  idempotency: IdempotencyRecord | undefined,
) {
  if (old.supersededBy) throw supersededError(entity, old.supersededBy, "correct");
  const { reason, ...patch } = input;
  return write(
    db,
    actor,
    async (w) => {
      const newId = uuidv7();
      const marked = await w.update(
        table as typeof decisions,
        old.id,
        { supersededBy: newId },
        {
          expectedVersion,
          reason,
          kind: `${entity}.superseded`,
        },
      );
      const { id: _id, party: _party, version: _version, recordedAt: _recorded, ...kept } = marked;
      const current = await w.insertOne(
        table as typeof decisions,
        { ...kept, ...patch, id: newId, supersedes: old.id, supersededBy: null } as never,
        { reason },
      );
      return { superseded: marked as Row<T>, current: current as Row<T> };
    },
    { idempotency },
  );
}
