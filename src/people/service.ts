import { and, eq, ilike, inArray, isNull, or, sql } from "drizzle-orm";
import { write } from "../audit/write.ts";
import { guarded } from "../auth/access.ts";
import type { Actor } from "../auth/roles.ts";
import type { Db } from "../db/client.ts";
import { getById, pageOf, requireRefs, visible } from "../db/query.ts";
import { affiliations, organisations, people, rivalries } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import type { Call } from "../use-case.ts";
import { resolveMerged } from "./merge.ts";
import type {
  AddAffiliations,
  AddRivalry,
  CreateOrganisation,
  CreatePerson,
  ListOrganisations,
  ListPeople,
} from "./schemas.ts";
import { searchPeople } from "./search.ts";

export function peopleService(db: Db) {
  /** The people with the affiliations the reader may see (another party's analysis stays its own). */
  async function withAffiliations<P extends { id: string }>(rows: P[], reader: Actor) {
    if (rows.length === 0) return [];
    const affs = await db
      .select()
      .from(affiliations)
      .where(
        and(
          inArray(
            affiliations.personId,
            rows.map((r) => r.id),
          ),
          visible(affiliations, reader),
        ),
      );
    return rows.map((r) => ({ ...r, affiliations: affs.filter((a) => a.personId === r.id) }));
  }

  return {
    create: ({ actor, input, idempotency }: Call<CreatePerson>) =>
      guarded(db, actor, "person:create", async () => {
        const { affiliations: affs, ...person } = input;
        await requireRefs(
          db,
          affs.map((a, i) => ({
            field: `affiliations[${i}].organisationId`,
            table: organisations,
            id: a.organisationId,
          })),
          actor,
        );
        return write(
          db,
          actor,
          async (w) => {
            const row = await w.insertOne(people, person);
            const rows = await w.insert(
              affiliations,
              affs.map((a) => ({ ...a, personId: row.id })),
            );
            return { ...row, affiliations: rows };
          },
          { idempotency },
        );
      }),

    get: (id: string, actor: Actor) =>
      guarded(db, actor, "person:read", async () => {
        // A record merged into another answers as its survivor (merge.ts).
        const found = await resolveMerged(db, await getById(db, people, "person", id, actor), actor);
        const [person] = await withAffiliations([found], actor);
        return person!;
      }),

    /** Affiliations learnt after intake (a new warrant, an analysis), audited like the person's own. */
    addAffiliations: ({ actor, id, input, idempotency }: Call<AddAffiliations> & { id: string }) =>
      guarded(db, actor, "person:update", async () => {
        await getById(db, people, "person", id, actor);
        await requireRefs(
          db,
          input.affiliations.map((a, i) => ({
            field: `affiliations[${i}].organisationId`,
            table: organisations,
            id: a.organisationId,
          })),
          actor,
        );
        const newPrimary = input.affiliations.findIndex((a) => a.primary);
        if (newPrimary >= 0) {
          const [current] = await db
            .select({ id: affiliations.id })
            .from(affiliations)
            .where(and(eq(affiliations.personId, id), eq(affiliations.primary, true)));
          if (current) {
            throw new AppError("DUPLICATE", "the person already has a primary affiliation", {
              issues: [
                {
                  field: `affiliations[${newPrimary}].primary`,
                  rule: `the person's primary affiliation is ${current.id}`,
                },
              ],
              existingId: current.id,
            });
          }
        }
        return write(
          db,
          actor,
          (w) =>
            w.insert(
              affiliations,
              input.affiliations.map((a) => ({ ...a, personId: id })),
            ),
          { idempotency },
        );
      }),

    list: (query: ListPeople, actor: Actor) =>
      guarded(db, actor, "person:read", async () => {
        // With `q`, the people found by name, alias or identifier, best first, each with its score
        // (search.ts); the other filters narrow them. One page: a ranked list has no cursor.
        const hits = query.q ? await searchPeople(db, query.q, query.limit, actor) : undefined;
        if (hits?.length === 0) return { items: [], nextCursor: null };
        const conditions = [
          hits
            ? inArray(
                people.id,
                hits.map((h) => h.id),
              )
            : isNull(people.mergedInto),
          query.organisationId
            ? inArray(
                people.id,
                db
                  .select({ id: affiliations.personId })
                  .from(affiliations)
                  .where(eq(affiliations.organisationId, query.organisationId)),
              )
            : undefined,
          query.riskFlag ? sql`${people.riskFlags} @> ${JSON.stringify([query.riskFlag])}::jsonb` : undefined,
          query.custodyFacility ? eq(people.custodyFacility, query.custodyFacility) : undefined,
        ];
        const page = await pageOf(db, people, conditions, hits ? { limit: query.limit } : query, actor);
        if (!hits) return { ...page, items: await withAffiliations(page.items, actor) };
        const rank = new Map(hits.map((h, i) => [h.id, { i, score: h.score, matchedBy: h.matchedBy }]));
        const ranked = page.items.sort((a, b) => rank.get(a.id)!.i - rank.get(b.id)!.i);
        const items = (await withAffiliations(ranked, actor)).map((p) => {
          const { score, matchedBy } = rank.get(p.id)!;
          return { ...p, score, matchedBy };
        });
        return { items, nextCursor: null };
      }),
  };
}

/** A rivalry is stored once per pair, the smaller id first (the pair's unique index relies on it). */
const rivalPair = (a: string, b: string) => (a < b ? { orgA: a, orgB: b } : { orgA: b, orgB: a });

export function organisationService(db: Db) {
  /** Each organisation's rivals, for the given organisations only. */
  async function withRivals<O extends { id: string }>(orgs: O[], reader: Actor) {
    if (orgs.length === 0) return [];
    const ids = orgs.map((o) => o.id);
    const rows = await db
      .select()
      .from(rivalries)
      .where(and(or(inArray(rivalries.orgA, ids), inArray(rivalries.orgB, ids)), visible(rivalries, reader)));
    return orgs.map((o) => {
      const own = rows
        .filter((r) => r.orgA === o.id || r.orgB === o.id)
        .map((r) => ({ organisationId: r.orgA === o.id ? r.orgB : r.orgA, reason: r.reason }));
      return { ...o, rivalIds: own.map((r) => r.organisationId), rivalries: own };
    });
  }

  return {
    create: ({ actor, input, idempotency }: Call<CreateOrganisation>) =>
      guarded(db, actor, "organisation:create", async () => {
        const { rivalIds, ...org } = input;
        await requireRefs(
          db,
          [
            { field: "parentId", table: organisations, id: org.parentId },
            ...rivalIds.map((id, i) => ({ field: `rivalIds[${i}]`, table: organisations, id })),
          ],
          actor,
        );
        const [clash] = await db
          .select()
          .from(organisations)
          .where(eq(organisations.name, org.name))
          .limit(1);
        if (clash) {
          throw new AppError("DUPLICATE", `an organisation named ${org.name} already exists`, {
            issues: [{ field: "name", rule: "must be unique" }],
            existingId: clash.id,
          });
        }
        return write(
          db,
          actor,
          async (w) => {
            const row = await w.insertOne(organisations, org);
            const pairs = [...new Set(rivalIds)].map((other) => rivalPair(row.id, other));
            await w.insert(rivalries, pairs);
            return { ...row, rivalIds: [...new Set(rivalIds)] };
          },
          { idempotency },
        );
      }),

    get: (id: string, actor: Actor) =>
      guarded(db, actor, "organisation:read", async () => {
        const row = await getById(db, organisations, "organisation", id, actor);
        return (await withRivals([row], actor))[0]!;
      }),

    /**
     * Records that two organisations are rivals (members never travel together; a cell inherits its
     * parent's rivals). 409 DUPLICATE when they already are.
     */
    addRivalry: ({ actor, id, input, idempotency }: Call<AddRivalry> & { id: string }) =>
      guarded(db, actor, "organisation:update", async () => {
        await getById(db, organisations, "organisation", id, actor);
        if (input.rivalId === id) {
          throw new AppError("VALIDATION_FAILED", "rivalId: an organisation is not its own rival", {
            issues: [{ field: "rivalId", rule: "must be another organisation" }],
          });
        }
        await requireRefs(db, [{ field: "rivalId", table: organisations, id: input.rivalId }], actor);
        const pair = rivalPair(id, input.rivalId);
        const [existing] = await db
          .select()
          .from(rivalries)
          .where(and(eq(rivalries.orgA, pair.orgA), eq(rivalries.orgB, pair.orgB)));
        if (existing) {
          throw new AppError("DUPLICATE", "these organisations are already recorded as rivals", {
            issues: [{ field: "rivalId", rule: "must be unique" }],
            existingId: existing.id,
          });
        }
        return write(db, actor, (w) => w.insertOne(rivalries, { ...pair, reason: input.reason ?? null }), {
          idempotency,
        });
      }),

    list: (query: ListOrganisations, actor: Actor) =>
      guarded(db, actor, "organisation:read", async () => {
        const page = await pageOf(
          db,
          organisations,
          [
            query.q
              ? or(
                  ilike(organisations.name, `%${query.q}%`),
                  sql`${organisations.aliases}::text ilike ${`%${query.q}%`}`,
                )
              : undefined,
            query.parentId ? eq(organisations.parentId, query.parentId) : undefined,
          ],
          query,
          actor,
        );
        return { ...page, items: await withRivals(page.items, actor) };
      }),
  };
}
