import { eq } from "drizzle-orm";
import { write } from "../audit/write.ts";
import type { Db } from "../db/client.ts";
import { getById, pageOf, requireRefs } from "../db/query.ts";
import { assurances, cases, decisions, legalHolds, operations, people } from "../db/schema.ts";
import type { Call } from "../use-case.ts";
import type { CreateAssurance, CreateHold, ListAssurances, ListDecisions, ListHolds } from "./schemas.ts";

/** Legal holds, assurances and decisions: the facts the legal tracks' guards read. */
export function legalRecordService(db: Db) {
  return {
    holds: {
      async create({ actor, input, idempotency }: Call<CreateHold>) {
        await requireRefs(db, [
          { field: "personId", table: people, id: input.personId },
          { field: "caseId", table: cases, id: input.caseId },
        ]);
        return write(db, actor, (w) => w.insertOne(legalHolds, { ...input, status: "active" }), {
          idempotency,
        });
      },
      /** A court lifts a hold (or the proceeding ends). */
      async lift({
        actor,
        input,
        idempotency,
      }: Call<{ id: string; liftedOn: string; expectedVersion?: number | undefined }>) {
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
      },
      get: (id: string) => getById(db, legalHolds, "legal hold", id),
      list: (q: ListHolds) =>
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
        ),
    },

    assurances: {
      async create({ actor, input, idempotency }: Call<CreateAssurance>) {
        await requireRefs(db, [
          { field: "personId", table: people, id: input.personId },
          { field: "operationId", table: operations, id: input.operationId },
        ]);
        return write(db, actor, (w) => w.insertOne(assurances, input), { idempotency });
      },
      get: (id: string) => getById(db, assurances, "assurance", id),
      list: (q: ListAssurances) =>
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
        ),
    },

    /**
     * Decisions are recorded by the case steps that take them (`approve-transfer`, `grant-extradition`…):
     * the step and its decision are one act, so there is no way to write one without the other.
     */
    decisions: {
      get: (id: string) => getById(db, decisions, "decision", id),
      list: (q: ListDecisions) =>
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
        ),
    },
  };
}
