/**
 * The audit chain as a client reads it (`GET /api/audit-events`): events of the reader's party, newest
 * first, filtered by record, person, actor, kind and time; and the chain verified on request
 * (`POST /api/audit-verifications`).
 *
 * An event holds the before and after images of a record. The reader is told which fields changed, and
 * their values only when its role may read that kind of record (`person:read` for a person…): the names
 * of what changed in a user account or a token, never their values, unless one may manage them.
 */
import { and, desc, eq, gte, isNotNull, lt, lte, type SQL, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { asSystem, guarded, requirePermission } from "../auth/access.ts";
import { allows, type Permission } from "../auth/permissions.ts";
import type { Actor } from "../auth/roles.ts";
import type { PublicKey } from "../crypto/signing-key.ts";
import type { Db } from "../db/client.ts";
import { auditEvents } from "../db/schema.ts";
import type { EntityName, NotedEntity } from "./entities.ts";
import { aboutPerson, personIdsOf } from "./report.ts";
import type { ListAuditEvents } from "./schemas.ts";
import {
  type VerifyOptions,
  type VerifyProgress,
  type VerifyReport,
  verifySinceCheckpoint,
} from "./verify.ts";

/** The permission that lets a role read each kind of record: the values of its changes follow it. */
const readOf: Record<EntityName | NotedEntity, Permission | null> = {
  administration: "administration:read",
  place: "place:read",
  organisation: "organisation:read",
  rivalry: "organisation:read",
  person: "person:read",
  affiliation: "person:read",
  person_merge: "person:read",
  request: "request:read",
  charge: "request:read",
  assurance: "assurance:read",
  legal_hold: "hold:read",
  decision: "decision:read",
  operation: "operation:read",
  aircraft: "operation:read",
  leg: "operation:read",
  operation_person: "operation:read",
  plan: "operation:read",
  case: "case:read",
  case_transition: "case:read",
  deadline: "deadline:read",
  case_status: "case:read",
  handover: "handover:read",
  handover_confirmation: "handover:read",
  release: "release:read",
  document: "document:read",
  import: "request:create",
  api_token: "admin:manage",
  agency: "admin:manage",
  user: "admin:manage",
  webhook_endpoint: "webhook:manage",
  // Refusals and exports are the audit's own record: who tried what, who exported what.
  access: "audit:read",
  export: "audit:read",
  // Sign-ins and sessions: names only (an address, a user agent).
  sign_in: null,
  session: null,
  credential: null,
};

/** Fields every row carries that say nothing of what changed. */
const bookkeeping = new Set(["id", "party", "version", "recordedAt"]);

export interface Change {
  field: string;
  before?: unknown;
  after?: unknown;
}

/** What changed between two images: each field that differs (all of them on a create or a delete). */
export function changesOf(
  before: Record<string, unknown> | null,
  after: Record<string, unknown> | null,
  withValues: boolean,
): Change[] {
  const fields = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])];
  const out: Change[] = [];
  for (const field of fields) {
    if (bookkeeping.has(field)) continue;
    const b = before?.[field];
    const a = after?.[field];
    if (before && after && JSON.stringify(b) === JSON.stringify(a)) continue;
    if (!withValues) out.push({ field });
    else
      out.push({
        field,
        ...(before ? { before: b ?? null } : {}),
        ...(after ? { after: a ?? null } : {}),
      });
  }
  return out;
}

const mayRead = (role: Actor["role"], entity: string) => {
  const permission = readOf[entity as EntityName | NotedEntity];
  return permission ? allows(role, permission) : false;
};

/** The events under the name `aboutPerson` reads them by. */
const e = alias(auditEvents, "e");

/** A `to` given as a day counts the whole day. */
const until = (column: typeof e.occurredAt, to: string) =>
  /^\d{4}-\d{2}-\d{2}$/.test(to)
    ? lt(column, new Date(Date.parse(`${to}T00:00:00Z`) + 86_400_000))
    : lte(column, new Date(to));

export function auditEventService(
  db: Db,
  signingKey: () => PublicKey | null = () => null,
  /** Checks every stored document against its hash (`documentService().verifyAll`), with each verify. */
  checkDocuments?: VerifyOptions["documents"],
) {
  let running: Promise<VerifyReport> | null = null;
  let progress: VerifyProgress | null = null;
  return {
    /** A page of the events of the reader's party, newest first (the chain's order, backwards). */
    list: (query: ListAuditEvents, actor: Actor) =>
      guarded(db, actor, "audit:read", async () => {
        const conditions: (SQL | undefined)[] = [
          // The first wall: the reader's own party's events (row-level security says the same).
          eq(e.party, actor.party),
          // Linked events only: an event gets its place in the chain right after its write commits.
          isNotNull(e.seq),
          query.cursor ? lt(e.seq, Number(query.cursor)) : undefined,
          query.entity ? eq(e.entity, query.entity) : undefined,
          query.entityId ? eq(e.entityId, query.entityId) : undefined,
          query.actorId ? eq(e.actorId, query.actorId) : undefined,
          query.action ? eq(e.kind, query.action) : undefined,
          query.from ? gte(e.occurredAt, new Date(query.from)) : undefined,
          query.to ? until(e.occurredAt, query.to) : undefined,
          query.personId
            ? aboutPerson(query.personId, sql`select id from (${personIdsOf(query.personId)}) as p(id)`)
            : undefined,
        ];
        const rows = await db
          .select()
          .from(e)
          .where(and(...conditions))
          .orderBy(desc(e.seq))
          .limit(query.limit + 1);
        const more = rows.length > query.limit;
        const page = more ? rows.slice(0, query.limit) : rows;
        return {
          items: page.map((event) => {
            const withValues = mayRead(actor.role, event.entity);
            return {
              seq: event.seq!,
              occurredAt: event.occurredAt.toISOString(),
              recordedAt: event.recordedAt.toISOString(),
              actor: { id: event.actorId, name: event.actorName, party: event.party },
              action: event.kind,
              entity: event.entity,
              entityId: event.entityId,
              valuesShown: withValues,
              changes: changesOf(image(event.before), image(event.after), withValues),
            };
          }),
          nextCursor: more && page.length > 0 ? String(page[page.length - 1]!.seq) : null,
        };
      }),

    /**
     * Verifies the chain as `traslado audit verify` does by default (`verify.ts`): from the latest signed
     * checkpoint, under the deployment's key (the whole chain when there is none yet), in the system's
     * scope. Callers while one runs share its report: a second click does not start a second pass.
     */
    verify: async (actor: Actor) => {
      // The permission is the caller's; the work is the system's (every party's events and rows), outside
      // the caller's scope, as `traslado audit verify` runs it.
      requirePermission(actor, "audit:verify");
      if (!running) {
        progress = { eventsChecked: 0, eventsTotal: 0 };
        running = asSystem(db, () =>
          verifySinceCheckpoint(db, {
            key: signingKey(),
            onProgress: (p) => (progress = p),
            ...(checkDocuments ? { documents: checkDocuments } : {}),
          }),
        ).finally(() => {
          running = null;
          progress = null;
        });
      }
      return running;
    },

    /** How far the verification under way has got (events checked of the events to walk), if one runs. */
    progress: (actor: Actor) => {
      requirePermission(actor, "audit:verify");
      return progress ? { running: true, ...progress } : { running: false, eventsChecked: 0, eventsTotal: 0 };
    },
  };
}

const image = (v: unknown) => (v && typeof v === "object" ? (v as Record<string, unknown>) : null);
