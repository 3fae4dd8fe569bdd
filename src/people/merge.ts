/**
 * Two records of one person merged into one (issue 12): the survivor takes the merged record's requests,
 * cases, affiliations, decisions, holds, assurances, operation listings and handovers, and its name and
 * aliases as aliases; the merged record stays, marked `mergedInto`, and its id resolves to the survivor.
 * Every row moved is written through the audit path, and the merge keeps what it changed
 * (`person_merges.moved`) so that it can be undone while nothing it touched was written since.
 *
 * Decisions and signed handovers are re-pointed like the rest: only the person they name changes, never what
 * was decided or signed (that changes only by supersession, src/corrections/). A row of another party that
 * names the merged record refuses the merge (and its undoing): this party can neither see nor move it.
 */
import { and, count, eq, ne, sql } from "drizzle-orm";
import { auditedTables, type EntityName } from "../audit/entities.ts";
import { type Tx, write } from "../audit/write.ts";
import { asSystem, guarded } from "../auth/access.ts";
import type { Actor } from "../auth/roles.ts";
import type { Db } from "../db/client.ts";
import { getById, type Reader } from "../db/query.ts";
import {
  affiliations,
  assurances,
  cases,
  decisions,
  handovers,
  type Identifier,
  legalHolds,
  type MergeMoves,
  operationPeople,
  people,
  personMerges,
  requests,
} from "../db/schema.ts";
import { AppError, issuesError } from "../errors.ts";
import type { Call } from "../use-case.ts";
import type { MergePerson, UndoMerge } from "./merge-schemas.ts";
import { normaliseName } from "./names.ts";

/**
 * Every table whose rows name a person by `person_id` (the schema's `person_id` columns): a merge moves
 * them all. Snapshots (a release's manifest, a plan's input) and the read log keep the id they were
 * written with: they record what was, and the merged id still resolves.
 */
export const personReferences = [
  "affiliation",
  "request",
  "assurance",
  "legal_hold",
  "decision",
  "operation_person",
  "case",
  "handover",
] as const satisfies EntityName[];
type RefEntity = (typeof personReferences)[number];
const refTables = {
  affiliation: affiliations,
  request: requests,
  assurance: assurances,
  legal_hold: legalHolds,
  decision: decisions,
  operation_person: operationPeople,
  case: cases,
  handover: handovers,
} as const;

type Person = typeof people.$inferSelect;

/** A record merged into another answers as its survivor (following a chain of merges). */
export async function resolveMerged(db: Db, person: Person, reader: Reader): Promise<Person> {
  let current = person;
  for (let hops = 0; current.mergedInto && hops < 20; hops++) {
    current = await getById(db, people, "person", current.mergedInto, reader);
  }
  return current;
}

const refused = (rule: string, details: Record<string, unknown> = {}): never => {
  throw new AppError("MERGE_REFUSED", rule, { rule, ...details });
};

/** The same identifier: same kind and value. */
const sameId = (a: Identifier, b: Identifier) => a.kind === b.kind && a.value === b.value;

export function mergeService(db: Db) {
  return {
    /**
     * Merges person `id` into `input.into`. Refused (409 MERGE_REFUSED, with the rule) when either is
     * already merged, when both are listed on one operation or handed over in one (the survivor cannot
     * take the other's place there), or when a row to move belongs to another party (RECORD_OF_ANOTHER_PARTY).
     */
    merge: ({ actor, id, input, idempotency }: Call<MergePerson> & { id: string }) =>
      guarded(db, actor, "person:merge", async () => {
        const merged = await getById(db, people, "person", id, actor);
        if (input.into === id) {
          throw new AppError("VALIDATION_FAILED", "into: a person is not merged into themselves", {
            issues: [{ field: "into", rule: "must be another person" }],
          });
        }
        // The survivor is named in the body: a reference (422 naming `into`), where the path's is a 404.
        const survivor = await getById(db, people, "person", input.into, actor).catch((e: unknown) => {
          throw e instanceof AppError && e.code === "NOT_FOUND"
            ? issuesError("REFERENCE_INVALID", [{ field: "into", rule: "must reference an existing record" }])
            : e;
        });
        for (const p of [merged, survivor]) {
          if (p.mergedInto)
            refused(`person ${p.id} was already merged into ${p.mergedInto}`, { personId: p.id });
          if (p.party !== actor.party) {
            throw new AppError("RECORD_OF_ANOTHER_PARTY", `person ${p.id} is a record of ${p.party}`, {
              entity: "person",
              id: p.id,
            });
          }
        }
        return write(
          db,
          actor,
          async (w) => {
            // Rows of another party never reach the reads below (row-level security hides them from a
            // read FOR UPDATE, even when shared): counted first, in the system's scope, or the merge would
            // leave them naming the merged record.
            await refuseOthersRows(db, merged.id, actor.party, "a merge would leave them behind");
            const moves: MergeMoves["rows"] = [];
            const survivorRows = await referencing(w.tx, survivor.id);
            const mergedRows = await referencing(w.tx, merged.id);
            // Treaty and law: one person is listed once per operation and handed over once in it.
            for (const entity of ["operation_person", "handover"] as const) {
              for (const r of mergedRows[entity]) {
                const op = (r as { operationId: string }).operationId;
                if (survivorRows[entity].some((s) => (s as { operationId: string }).operationId === op)) {
                  refused(
                    `both people are ${entity === "handover" ? "handed over" : "listed"} in operation ${op}`,
                    {
                      operationId: op,
                    },
                  );
                }
              }
            }
            const survivorHasPrimary = survivorRows.affiliation.some((a) => a.primary);
            for (const entity of personReferences) {
              for (const row of mergedRows[entity]) {
                if (row.party !== actor.party) {
                  throw new AppError(
                    "RECORD_OF_ANOTHER_PARTY",
                    `${entity} ${row.id} is a record of ${row.party}`,
                    {
                      entity,
                      id: row.id,
                    },
                  );
                }
                const patch: Record<string, unknown> = { personId: survivor.id };
                const before: Record<string, unknown> = { personId: merged.id };
                // At most one primary affiliation: the survivor's stays primary.
                if (entity === "affiliation" && (row as { primary: boolean }).primary && survivorHasPrimary) {
                  patch.primary = false;
                  before.primary = true;
                }
                const after = await w.update(refTables[entity], row.id, patch as never, {
                  expectedVersion: row.version,
                  kind: `${entity}.moved`,
                });
                moves.push({ entity, id: row.id, versionAfter: after.version, before });
              }
            }
            // Operation listings that keep another person apart from the merged one now name the survivor.
            const apart = await w.tx
              .select()
              .from(operationPeople)
              .where(sql`${operationPeople.keepApartFrom} @> ${JSON.stringify([merged.id])}::jsonb`);
            for (const row of apart) {
              const current = moves.find((m) => m.id === row.id);
              const keepApartFrom = [
                ...new Set(row.keepApartFrom.map((p) => (p === merged.id ? survivor.id : p))),
              ];
              const after = await w.update(
                operationPeople,
                row.id,
                { keepApartFrom },
                { kind: "operation_person.moved" },
              );
              if (current) {
                current.versionAfter = after.version;
                current.before.keepApartFrom = row.keepApartFrom;
              } else {
                moves.push({
                  entity: "operation_person",
                  id: row.id,
                  versionAfter: after.version,
                  before: { keepApartFrom: row.keepApartFrom },
                });
              }
            }
            // The merged record's name and aliases become the survivor's aliases; its identifiers, its own.
            const known = new Set(
              [`${survivor.givenNames} ${survivor.familyNames}`, ...survivor.aliases].map(normaliseName),
            );
            const addedAliases: string[] = [];
            for (const a of [`${merged.givenNames} ${merged.familyNames}`, ...merged.aliases]) {
              if (known.has(normaliseName(a))) continue;
              known.add(normaliseName(a));
              addedAliases.push(a);
            }
            const addedIdentifiers = merged.identifiers.filter(
              (i, n) =>
                !survivor.identifiers.some((s) => sameId(s, i)) &&
                merged.identifiers.findIndex((j) => sameId(i, j)) === n,
            );
            await w.update(
              people,
              survivor.id,
              {
                aliases: [...survivor.aliases, ...addedAliases],
                identifiers: [...survivor.identifiers, ...addedIdentifiers],
              },
              { expectedVersion: survivor.version, kind: "person.merge_received" },
            );
            const mergedAfter = await w.update(
              people,
              merged.id,
              { mergedInto: survivor.id },
              { expectedVersion: merged.version, kind: "person.merged" },
            );
            return w.insertOne(personMerges, {
              mergedId: merged.id,
              survivorId: survivor.id,
              reason: input.reason,
              sharedWith: merged.sharedWith,
              moved: { rows: moves, mergedVersionAfter: mergedAfter.version, addedAliases, addedIdentifiers },
              status: "active",
              undoneAt: null,
              undoneReason: null,
            });
          },
          { idempotency },
        );
      }),

    /**
     * Undoes a merge: every row it moved goes back, the aliases and identifiers it gave the survivor are
     * taken off, and the merged record lives again. Refused (409 MERGE_REFUSED, naming the record) once
     * the merged record or a row the merge moved has been written since: the merge is then part of the
     * record, and is corrected by other means.
     */
    undo: ({ actor, id, input, idempotency }: Call<UndoMerge> & { id: string }) =>
      guarded(db, actor, "person:merge", async () => {
        const merge = await getById(db, personMerges, "person merge", id, actor);
        if (merge.status !== "active") refused(`merge ${id} was already undone`);
        return write(
          db,
          actor,
          async (w) => {
            const moved = merge.moved;
            const [mergedNow] = await w.tx
              .select()
              .from(people)
              .where(eq(people.id, merge.mergedId))
              .for("update");
            if (!mergedNow || mergedNow.version !== moved.mergedVersionAfter) {
              refused(
                `the merged record ${merge.mergedId} was written since the merge: a merge is undone only while nothing it touched has changed`,
                { entity: "person", id: merge.mergedId },
              );
            }
            // A row that names the merged record now was written after the merge (the merge moved them all);
            // one of another party, which this party cannot see to lock, is refused by party and kind.
            await refuseOthersRows(
              db,
              merge.mergedId,
              actor.party,
              "written on the merged record since the merge: a merge is undone only while nothing new was written on it",
            );
            const since = await referencing(w.tx, merge.mergedId);
            for (const entity of personReferences) {
              const row = since[entity][0];
              if (row) {
                refused(
                  `${entity} ${row.id} was written on the merged record ${merge.mergedId} since the merge: a merge is undone only while nothing new was written on the merged record`,
                  { entity, id: row.id },
                );
              }
            }
            for (const m of moved.rows) {
              const table = auditedTables[m.entity as RefEntity];
              const [row] = await w.tx
                .select({ version: table.version })
                .from(table)
                .where(eq(table.id, m.id));
              if (!row || row.version !== m.versionAfter) {
                refused(
                  `${m.entity} ${m.id} was written since the merge: a merge is undone only while nothing it touched has changed`,
                  { entity: m.entity, id: m.id },
                );
              }
              await w.update(table, m.id, m.before as never, {
                expectedVersion: m.versionAfter,
                kind: `${m.entity}.moved`,
              });
            }
            const survivor = await getById(w.tx as unknown as Db, people, "person", merge.survivorId);
            const dropAlias = new Set(moved.addedAliases);
            await w.update(
              people,
              survivor.id,
              {
                aliases: survivor.aliases.filter((a) => !dropAlias.has(a)),
                identifiers: survivor.identifiers.filter(
                  (i) => !moved.addedIdentifiers.some((a) => sameId(a, i)),
                ),
              },
              { expectedVersion: survivor.version, kind: "person.merge_undone" },
            );
            await w.update(
              people,
              merge.mergedId,
              { mergedInto: null },
              {
                expectedVersion: moved.mergedVersionAfter,
                kind: "person.unmerged",
              },
            );
            return w.update(
              personMerges,
              merge.id,
              { status: "undone", undoneAt: w.now, undoneReason: input.reason },
              { expectedVersion: merge.version, kind: "person_merge.undone" },
            );
          },
          { idempotency },
        );
      }),

    get: (id: string, actor: Actor) =>
      guarded(db, actor, "person:read", () => getById(db, personMerges, "person merge", id, actor)),
  };
}

/** Every row that names `personId`, per referencing table (read in the merge's transaction). */
async function referencing(tx: Tx, personId: string) {
  const out = {} as { [E in RefEntity]: (typeof refTables)[E]["$inferSelect"][] };
  for (const entity of personReferences) {
    const table = refTables[entity];
    // biome-ignore lint/suspicious/noExplicitAny: a select over a union of tables
    (out as any)[entity] = await (tx.select().from(table as any) as any)
      .where(eq(table.personId, personId))
      .for("update");
  }
  return out;
}

/**
 * Refuses (409 RECORD_OF_ANOTHER_PARTY) when rows of a party other than `party` name `personId`, by
 * `person_id` or in an operation listing's keep-apart list. Counted in the system's scope, since under
 * row-level security the actor cannot see (or lock) them all; the refusal names the party and the kind of
 * record and how many, never the rows' ids, which the actor may not know.
 */
async function refuseOthersRows(db: Db, personId: string, party: string, why: string) {
  const found = await asSystem(db, async () => {
    const out: { entity: string; party: string; rows: number }[] = [];
    for (const entity of personReferences) {
      const table = refTables[entity];
      const named =
        entity === "operation_person"
          ? sql`(${table.personId} = ${personId} or ${operationPeople.keepApartFrom} @> ${JSON.stringify([personId])}::jsonb)`
          : eq(table.personId, personId);
      const counts = await db
        .select({ party: table.party, n: count() })
        .from(table)
        .where(and(named, ne(table.party, party)))
        .groupBy(table.party);
      for (const c of counts) out.push({ entity, party: c.party, rows: Number(c.n) });
    }
    return out;
  });
  const first = found[0];
  if (!first) return;
  throw new AppError(
    "RECORD_OF_ANOTHER_PARTY",
    `${found.map((f) => `${f.rows} ${f.entity} record(s) of ${f.party}`).join(", ")} name person ${personId}: ${why}; only their party can change them`,
    {
      entity: first.entity,
      owner: first.party,
      others: found,
      rule: "a merge moves every reference, or none",
    },
  );
}
