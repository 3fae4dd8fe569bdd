/**
 * Outgoing webhooks (issue 12): endpoints a party's administrator configures, each with a Standard Webhooks
 * secret (`whsec_…`, shown once, kept apart from the audited endpoint row), and the delivery of every
 * reminder event to each, signed as the Standard Webhooks specification says (`webhook-id`,
 * `webhook-timestamp`, `webhook-signature`, by the `standardwebhooks` library), retried with exponential
 * backoff up to WEBHOOK_MAX_ATTEMPTS, each attempt recorded.
 *
 * Several app processes share the deliveries: `deliverDue` claims the due ones in one statement
 * (`FOR UPDATE SKIP LOCKED`, and a lease in `locked_until` that a process dying mid-attempt lets run out),
 * so no two send the same attempt. The HTTP call runs outside any transaction.
 */
import { randomBytes } from "node:crypto";
import { and, asc, desc, eq, inArray, isNull, lte, or, sql } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import { v7 as uuidv7 } from "uuid";
import { write } from "../audit/write.ts";
import { asSystem, guarded } from "../auth/access.ts";
import type { Actor } from "../auth/roles.ts";
import type { Config } from "../config.ts";
import type { Db } from "../db/client.ts";
import { webhookAttempts, webhookDeliveries, webhookEndpoints, webhookSecrets } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { attemptRefusal, type EgressPolicy, urlRefusal } from "./egress.ts";
import { backoffSeconds } from "./rules.ts";

export type WebhookSettings = Pick<
  Config,
  "WEBHOOK_MAX_ATTEMPTS" | "WEBHOOK_BACKOFF_BASE_S" | "WEBHOOK_BACKOFF_MAX_S" | "WEBHOOK_TIMEOUT_MS"
> & { clock: () => Date; egress: EgressPolicy };

export const defaultWebhookSettings = {
  WEBHOOK_MAX_ATTEMPTS: 8,
  WEBHOOK_BACKOFF_BASE_S: 30,
  WEBHOOK_BACKOFF_MAX_S: 6 * 3600,
  WEBHOOK_TIMEOUT_MS: 10_000,
};

/** Deliveries one run claims at most. */
const BATCH = 20;

type EndpointRow = typeof webhookEndpoints.$inferSelect;
const endpointOf = (e: EndpointRow) => ({
  id: e.id,
  party: e.party,
  sharedWith: e.sharedWith,
  version: e.version,
  url: e.url,
  description: e.description,
  recordedAt: e.recordedAt.toISOString(),
});

/** A new Standard Webhooks secret: `whsec_` and 32 random bytes in base64. */
const newSecret = () => `whsec_${randomBytes(32).toString("base64")}`;

/** What an attempt's error says: the kind of failure, never a header, a body or a secret. */
function describe(err: unknown): string {
  if (err instanceof Error && err.name === "TimeoutError") return "timeout";
  if (err instanceof Error && err.name === "AbortError") return "cut short: the process stopped";
  const cause = (err as { cause?: { code?: string } }).cause?.code;
  return cause ? `network: ${cause}` : "network error";
}

export function webhookService(db: Db, settings: WebhookSettings) {
  async function endpointOfParty(id: string, actor: Actor) {
    const [row] = await db
      .select()
      .from(webhookEndpoints)
      .where(
        and(
          eq(webhookEndpoints.id, id),
          eq(webhookEndpoints.party, actor.party),
          isNull(webhookEndpoints.removedAt),
        ),
      );
    if (!row) throw new AppError("NOT_FOUND", `webhook ${id} not found`, { entity: "webhook", id });
    return row;
  }

  return {
    /** Adds an endpoint of the caller's party; answers its secret, this once. */
    create: (o: { actor: Actor; url: string; description: string }) =>
      guarded(db, o.actor, "webhook:manage", async () => {
        const refused = urlRefusal(o.url, settings.egress);
        if (refused)
          throw new AppError("VALIDATION_FAILED", `url: ${refused}`, {
            issues: [{ field: "url", rule: refused }],
          });
        const secret = newSecret();
        // The endpoint, its audit event and its secret in one transaction: all of them, or none.
        const row = await write(db, o.actor, async (w) => {
          const made = await w.insertOne(webhookEndpoints, { url: o.url, description: o.description });
          await w.tx.insert(webhookSecrets).values({ endpointId: made.id, party: made.party, secret });
          return made;
        });
        return { ...endpointOf(row), secret };
      }),

    list: (o: { actor: Actor }) =>
      guarded(db, o.actor, "webhook:manage", async () => ({
        items: (
          await db
            .select()
            .from(webhookEndpoints)
            .where(and(eq(webhookEndpoints.party, o.actor.party), isNull(webhookEndpoints.removedAt)))
            .orderBy(asc(webhookEndpoints.id))
        ).map(endpointOf),
      })),

    /** Removes an endpoint: nothing more is delivered to it; its deliveries stay readable. */
    remove: (o: { actor: Actor; id: string }) =>
      guarded(db, o.actor, "webhook:manage", async () => {
        const before = await endpointOfParty(o.id, o.actor);
        const now = settings.clock();
        const after = await write(
          db,
          o.actor,
          async (w) => {
            const removed = await w.update(
              webhookEndpoints,
              o.id,
              { removedAt: now },
              { before, kind: "webhook_endpoint.removed" },
            );
            // Its pending deliveries are given up in the same transaction as the audited removal.
            await w.tx
              .update(webhookDeliveries)
              .set({ status: "failed", nextAttemptAt: null })
              .where(and(eq(webhookDeliveries.endpointId, o.id), eq(webhookDeliveries.status, "pending")));
            return removed;
          },
          { now },
        );
        return endpointOf(after);
      }),

    /** An endpoint's deliveries, newest first, each with its attempts. */
    deliveries: (o: { actor: Actor; id: string; limit: number; cursor?: string | undefined }) =>
      guarded(db, o.actor, "webhook:manage", async () => {
        const [endpoint] = await db
          .select({ id: webhookEndpoints.id })
          .from(webhookEndpoints)
          .where(and(eq(webhookEndpoints.id, o.id), eq(webhookEndpoints.party, o.actor.party)));
        if (!endpoint)
          throw new AppError("NOT_FOUND", `webhook ${o.id} not found`, { entity: "webhook", id: o.id });
        const rows = await db
          .select()
          .from(webhookDeliveries)
          .where(
            and(
              eq(webhookDeliveries.endpointId, o.id),
              o.cursor ? sql`${webhookDeliveries.id} < ${o.cursor}` : undefined,
            ),
          )
          .orderBy(desc(webhookDeliveries.id))
          .limit(o.limit + 1);
        const more = rows.length > o.limit;
        const page = more ? rows.slice(0, o.limit) : rows;
        const attempts =
          page.length === 0
            ? []
            : await db
                .select()
                .from(webhookAttempts)
                .where(
                  inArray(
                    webhookAttempts.deliveryId,
                    page.map((d) => d.id),
                  ),
                )
                .orderBy(asc(webhookAttempts.attempt));
        return {
          items: page.map((d) => ({
            id: d.id,
            party: d.party,
            sharedWith: [] as string[],
            eventType: d.eventType as "deadline.reminder" | "deadline.lapsed",
            reminderId: d.reminderId,
            status: d.status as "pending" | "delivered" | "failed",
            attempts: attempts
              .filter((a) => a.deliveryId === d.id)
              .map((a) => ({
                attempt: a.attempt,
                startedAt: a.startedAt.toISOString(),
                durationMs: a.durationMs,
                statusCode: a.statusCode,
                error: a.error,
                nextAttemptAt: a.nextAttemptAt ? a.nextAttemptAt.toISOString() : null,
              })),
            nextAttemptAt: d.nextAttemptAt ? d.nextAttemptAt.toISOString() : null,
            createdAt: d.createdAt.toISOString(),
            deliveredAt: d.deliveredAt ? d.deliveredAt.toISOString() : null,
          })),
          nextCursor: more ? page[page.length - 1]!.id : null,
        };
      }),

    /**
     * One run of the sender at `now`: claims the deliveries due (none another process holds), makes one
     * attempt of each, records it, and schedules the next with backoff, or marks it delivered or failed.
     */
    async deliverDue(now = settings.clock(), stop?: AbortSignal) {
      if (stop?.aborted) return [];
      const lease = new Date(now.getTime() + settings.WEBHOOK_TIMEOUT_MS + 30_000);
      const claimed = await asSystem(db, async () => {
        const due = db
          .select({ id: webhookDeliveries.id })
          .from(webhookDeliveries)
          .where(
            and(
              eq(webhookDeliveries.status, "pending"),
              lte(webhookDeliveries.nextAttemptAt, now),
              or(isNull(webhookDeliveries.lockedUntil), lte(webhookDeliveries.lockedUntil, now)),
            ),
          )
          .orderBy(asc(webhookDeliveries.nextAttemptAt))
          .limit(BATCH)
          .for("update", { skipLocked: true });
        const rows = await db
          .update(webhookDeliveries)
          .set({ lockedUntil: lease, attempts: sql`${webhookDeliveries.attempts} + 1` })
          .where(inArray(webhookDeliveries.id, due))
          .returning();
        if (rows.length === 0) return [];
        const targets = await db
          .select({ id: webhookEndpoints.id, url: webhookEndpoints.url, secret: webhookSecrets.secret })
          .from(webhookEndpoints)
          .innerJoin(webhookSecrets, eq(webhookSecrets.endpointId, webhookEndpoints.id))
          .where(
            inArray(
              webhookEndpoints.id,
              rows.map((r) => r.endpointId),
            ),
          );
        // An endpoint without its secret (one added before drizzle/0015 wrote both in one transaction, cut
        // short between them) cannot sign: its deliveries fail now rather than be claimed again at every run.
        const unsigned = rows.filter((r) => !targets.some((t) => t.id === r.endpointId)).map((r) => r.id);
        if (unsigned.length > 0)
          await db
            .update(webhookDeliveries)
            .set({ status: "failed", nextAttemptAt: null, lockedUntil: null })
            .where(inArray(webhookDeliveries.id, unsigned));
        return rows.flatMap((r) => {
          const target = targets.find((t) => t.id === r.endpointId);
          return target ? [{ delivery: r, target }] : [];
        });
      });
      const outcomes = await Promise.all(
        claimed.map(async ({ delivery, target }) => {
          const body = JSON.stringify(delivery.payload);
          const signature = new Webhook(target.secret).sign(delivery.id, now, body);
          const started = performance.now();
          let statusCode: number | null = null;
          let error: string | null = null;
          // Refused by the egress rules (a private address, http in production): given up at once, never sent.
          const refused = await attemptRefusal(target.url, settings.egress);
          if (refused) error = refused;
          else
            try {
              const res = await fetch(target.url, {
                method: "POST",
                headers: {
                  "content-type": "application/json",
                  "webhook-id": delivery.id,
                  "webhook-timestamp": String(Math.floor(now.getTime() / 1000)),
                  "webhook-signature": signature,
                },
                body,
                redirect: "manual",
                signal: stop
                  ? AbortSignal.any([stop, AbortSignal.timeout(settings.WEBHOOK_TIMEOUT_MS)])
                  : AbortSignal.timeout(settings.WEBHOOK_TIMEOUT_MS),
              });
              statusCode = res.status;
              await res.body?.cancel();
              if (res.status < 200 || res.status > 299) error = `HTTP ${res.status}`;
            } catch (err) {
              error = describe(err);
            }
          const durationMs = Math.round(performance.now() - started);
          const attempt = delivery.attempts;
          const delivered = error === null;
          const exhausted = !delivered && (refused !== null || attempt >= settings.WEBHOOK_MAX_ATTEMPTS);
          const next =
            delivered || exhausted
              ? null
              : new Date(
                  now.getTime() +
                    backoffSeconds(attempt, settings.WEBHOOK_BACKOFF_BASE_S, settings.WEBHOOK_BACKOFF_MAX_S) *
                      1000,
                );
          await asSystem(db, () =>
            db.transaction(async (tx) => {
              await tx.insert(webhookAttempts).values({
                id: uuidv7(),
                party: delivery.party,
                deliveryId: delivery.id,
                attempt,
                startedAt: now,
                durationMs,
                statusCode,
                error,
                nextAttemptAt: next,
              });
              await tx
                .update(webhookDeliveries)
                .set({
                  status: delivered ? "delivered" : exhausted ? "failed" : "pending",
                  nextAttemptAt: next,
                  lockedUntil: null,
                  deliveredAt: delivered ? now : null,
                })
                // Only while this process's lease holds: one that ran out and was taken over writes nothing.
                .where(and(eq(webhookDeliveries.id, delivery.id), eq(webhookDeliveries.lockedUntil, lease)));
            }),
          );
          return {
            deliveryId: delivery.id,
            endpointId: target.id,
            attempt,
            statusCode,
            error,
            delivered,
            exhausted,
          };
        }),
      );
      return outcomes;
    },
  };
}
