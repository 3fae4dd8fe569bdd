import { and, eq } from "drizzle-orm";
import { write } from "../audit/write.ts";
import { guarded } from "../auth/access.ts";
import type { Actor } from "../auth/roles.ts";
import type { Db } from "../db/client.ts";
import { getById, pageOf, requireRefs, visible } from "../db/query.ts";
import {
  assurances,
  cases,
  decisions,
  legalHolds,
  operations,
  people,
  releases,
  requests,
} from "../db/schema.ts";
import { AppError } from "../errors.ts";
import type { Call } from "../use-case.ts";
import { toIsoDate } from "./calendar.ts";
import type { CreateAssurance, CreateHold, ListAssurances, ListDecisions, ListHolds } from "./schemas.ts";

/** Legal holds, assurances and decisions: the facts the legal tracks' guards read. */
export function legalRecordService(db: Db) {
  /**
   * The parties an assurance is shared with: for a person, the states of the person's requests (requesting
   * and requested); for an operation, the state that runs it and the one it flies to. Never the giver.
   */
  async function counterparts(actor: Actor, input: CreateAssurance): Promise<string[]> {
    const parties = new Set<string>();
    if (input.scope === "person" && input.personId) {
      const rows = await db
        .select({ requesting: requests.requestingState, requested: requests.requestedState })
        .from(requests)
        .where(and(eq(requests.personId, input.personId), visible(requests, actor)));
      for (const r of rows) {
        parties.add(r.requesting);
        if (r.requested) parties.add(r.requested);
      }
    }
    if (input.scope === "operation" && input.operationId) {
      const [op] = await db
        .select({ party: operations.party, receivingState: operations.receivingState })
        .from(operations)
        .where(eq(operations.id, input.operationId));
      if (op) {
        parties.add(op.party);
        parties.add(op.receivingState);
      } else {
        // A requesting state knows an operation through what was released to it.
        const [released] = await db
          .select({ party: releases.party, toParty: releases.toParty })
          .from(releases)
          .where(and(eq(releases.operationId, input.operationId), visible(releases, actor)));
        if (released) {
          parties.add(released.party);
          parties.add(released.toParty);
        }
      }
    }
    parties.delete(actor.party);
    return [...parties].sort();
  }

  /** A person a party may name: one it may see, or one a request it may see names. */
  async function personKnown(actor: Actor, personId: string): Promise<boolean> {
    const [person] = await db
      .select({ id: people.id })
      .from(people)
      .where(and(eq(people.id, personId), visible(people, actor)));
    if (person) return true;
    const [named] = await db
      .select({ id: requests.id })
      .from(requests)
      .where(and(eq(requests.personId, personId), visible(requests, actor)));
    return named !== undefined;
  }

  /** An operation a party may name: its own, or one released to it. */
  async function operationKnown(actor: Actor, operationId: string): Promise<boolean> {
    const [op] = await db
      .select({ id: operations.id })
      .from(operations)
      .where(and(eq(operations.id, operationId), visible(operations, actor)));
    if (op) return true;
    const [released] = await db
      .select({ id: releases.id })
      .from(releases)
      .where(and(eq(releases.operationId, operationId), visible(releases, actor)));
    return released !== undefined;
  }

  return {
    holds: {
      create: ({ actor, input, idempotency }: Call<CreateHold>) =>
        guarded(db, actor, "hold:create", async () => {
          await requireRefs(
            db,
            [
              { field: "personId", table: people, id: input.personId },
              { field: "caseId", table: cases, id: input.caseId },
            ],
            actor,
          );
          return write(db, actor, (w) => w.insertOne(legalHolds, { ...input, status: "active" }), {
            idempotency,
          });
        }),
      /** A court lifts a hold (or the proceeding ends). */
      lift: ({
        actor,
        input,
        idempotency,
      }: Call<{ id: string; liftedOn: string; expectedVersion?: number | undefined }>) =>
        guarded(db, actor, "hold:lift", async () => {
          await getById(db, legalHolds, "legal hold", input.id, actor);
          return write(
            db,
            actor,
            (w) =>
              w.update(
                legalHolds,
                input.id,
                { status: "lifted", liftedOn: input.liftedOn },
                {
                  kind: "legal_hold.lifted",
                  ...(input.expectedVersion ? { expectedVersion: input.expectedVersion } : {}),
                },
              ),
            { idempotency },
          );
        }),
      get: (id: string, actor: Actor) =>
        guarded(db, actor, "hold:read", () => getById(db, legalHolds, "legal hold", id, actor)),
      list: (q: ListHolds, actor: Actor) =>
        guarded(db, actor, "hold:read", () =>
          pageOf(
            db,
            legalHolds,
            [
              q.personId ? eq(legalHolds.personId, q.personId) : undefined,
              q.caseId ? eq(legalHolds.caseId, q.caseId) : undefined,
              q.status ? eq(legalHolds.status, q.status) : undefined,
              q.kind ? eq(legalHolds.kind, q.kind) : undefined,
            ],
            q,
            actor,
          ),
        ),
    },

    assurances: {
      /**
       * An assurance given (by the requesting state) or recorded as received (by the foreign ministry),
       * shared with the other states concerned.
       */
      create: ({ actor, input, idempotency }: Call<CreateAssurance>) =>
        guarded(db, actor, "assurance:create", async () => {
          if (input.personId && !(await personKnown(actor, input.personId))) {
            throw new AppError("REFERENCE_INVALID", `personId: no such record ${input.personId}`, {
              issues: [{ field: "personId", rule: "must reference an existing record" }],
            });
          }
          if (input.operationId && !(await operationKnown(actor, input.operationId))) {
            throw new AppError("REFERENCE_INVALID", `operationId: no such record ${input.operationId}`, {
              issues: [{ field: "operationId", rule: "must reference an existing record" }],
            });
          }
          const sharedWith = await counterparts(actor, input);
          return write(db, actor, (w) => w.insertOne(assurances, { ...input, sharedWith }), { idempotency });
        }),
      /**
       * The state that gave an assurance withdraws it (or the foreign ministry records that it was
       * withdrawn): from then on it covers no one, and the steps it allowed are blocked again.
       */
      withdraw: ({
        actor,
        input,
        idempotency,
      }: Call<{ id: string; withdrawnOn: string; expectedVersion?: number | undefined }>) =>
        guarded(db, actor, "assurance:withdraw", async () => {
          const row = (await getById(
            db,
            assurances,
            "assurance",
            input.id,
            actor,
          )) as typeof assurances.$inferSelect;
          if (row.party !== actor.party) {
            throw new AppError(
              "RECORD_OF_ANOTHER_PARTY",
              `this assurance was recorded by ${row.party}: only ${row.party} may withdraw it`,
              { party: row.party },
            );
          }
          if (row.status === "withdrawn") {
            throw new AppError("TRANSITION_NOT_ALLOWED", "this assurance is withdrawn already", {
              status: row.status,
            });
          }
          const rule =
            input.withdrawnOn > toIsoDate(new Date())
              ? "not after today"
              : row.givenOn && input.withdrawnOn < row.givenOn
                ? `not before the assurance was given, on ${row.givenOn}`
                : null;
          if (rule)
            throw new AppError("VALIDATION_FAILED", `withdrawnOn: ${rule}`, {
              issues: [{ field: "withdrawnOn", rule }],
            });
          return write(
            db,
            actor,
            (w) =>
              w.update(
                assurances,
                input.id,
                { status: "withdrawn" },
                {
                  kind: "assurance.withdrawn",
                  occurredAt: new Date(`${input.withdrawnOn}T00:00:00Z`),
                  expectedVersion: input.expectedVersion ?? row.version,
                },
              ),
            { idempotency },
          );
        }),
      get: (id: string, actor: Actor) =>
        guarded(db, actor, "assurance:read", () => getById(db, assurances, "assurance", id, actor)),
      list: (q: ListAssurances, actor: Actor) =>
        guarded(db, actor, "assurance:read", () =>
          pageOf(
            db,
            assurances,
            [
              q.personId ? eq(assurances.personId, q.personId) : undefined,
              q.operationId ? eq(assurances.operationId, q.operationId) : undefined,
              q.kind ? eq(assurances.kind, q.kind) : undefined,
              q.status ? eq(assurances.status, q.status) : undefined,
            ],
            q,
            actor,
          ),
        ),
    },

    /**
     * Decisions are recorded by the case steps that take them (`approve-transfer`, `grant-extradition`…):
     * the step and its decision are one act, so there is no way to write one without the other.
     */
    decisions: {
      get: (id: string, actor: Actor) =>
        guarded(db, actor, "decision:read", () => getById(db, decisions, "decision", id, actor)),
      list: (q: ListDecisions, actor: Actor) =>
        guarded(db, actor, "decision:read", () =>
          pageOf(
            db,
            decisions,
            [
              q.personId ? eq(decisions.personId, q.personId) : undefined,
              q.caseId ? eq(decisions.caseId, q.caseId) : undefined,
              q.body ? eq(decisions.body, q.body) : undefined,
              q.outcome ? eq(decisions.outcome, q.outcome) : undefined,
            ],
            q,
            actor,
          ),
        ),
    },
  };
}
