/**
 * Finding a person under any spelling (issue 12): by name or alias, tolerating accents, word order,
 * hyphens and typos (pg_trgm and unaccent: drizzle/0011_person_search.sql), and by identifier exactly.
 * Used by `GET /api/people?q=`, `traslado people search`, and the duplicate check at intake.
 */
import { and, inArray, isNull, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { type Reader, visible } from "../db/query.ts";
import { people } from "../db/schema.ts";
import { namesAgree } from "./names.ts";

export type MatchedBy = "identifier" | "name";

export interface SearchHit {
  id: string;
  /** 1 for an identifier matched exactly; otherwise the trigram similarity of the best name form, 0–1. */
  score: number;
  matchedBy: MatchedBy;
}

/**
 * The least word similarity (pg_trgm) between the query and a person's search text for the person to be a
 * candidate: low enough for two typos in a short name, high enough that the index leaves few rows to rank.
 */
export const CANDIDATE_THRESHOLD = 0.35;

/** The search text of the trigram index; the same expression as the index's, or the index is not used. */
const personKey = sql`public.traslado_person_key(${people.givenNames}, ${people.familyNames}, ${people.aliases})`;

/**
 * The people `reader` may see that `q` finds, best first: those whose identifier is `q` exactly (national ID,
 * requesting-state ID, INTERPOL notice…) before any found by name. A record merged into another is not
 * found (its survivor is). The name score is the better of the trigram similarity of the query to the
 * full name and to the closest alias, averaged with the query's word similarity to the whole search text
 * (so that "Pérez" ranks the Pérez above the Peralta).
 */
export async function searchPeople(db: Db, q: string, limit: number, reader: Reader): Promise<SearchHit[]> {
  const query = q.trim();
  if (!query) return [];
  const live = and(visible(people, reader), isNull(people.mergedInto));
  return db.transaction(async (tx) => {
    // The threshold of `<%` (and of the index scan), for this transaction only.
    await tx.execute(
      sql`select set_config('pg_trgm.word_similarity_threshold', ${String(CANDIDATE_THRESHOLD)}, true)`,
    );
    const byIdentifier = await tx
      .select({ id: people.id })
      .from(people)
      .where(and(live, sql`${people.identifiers} @> ${JSON.stringify([{ value: query }])}::jsonb`))
      .limit(limit);
    const norm = sql`public.traslado_norm(${query})`;
    const nameScore = sql<number>`(greatest(
        similarity(${norm}, public.traslado_norm(${people.givenNames} || ' ' || ${people.familyNames})),
        coalesce((select max(similarity(${norm}, public.traslado_norm(a))) from jsonb_array_elements_text(${people.aliases}) a), 0)
      ) + word_similarity(${norm}, ${personKey})) / 2`;
    const byName = await tx
      .select({ id: people.id, score: nameScore.mapWith(Number) })
      .from(people)
      .where(and(live, sql`${norm} <% ${personKey}`))
      .orderBy(sql`2 desc`, people.id)
      .limit(limit);
    const found = new Set(byIdentifier.map((r) => r.id));
    return [
      ...byIdentifier.map((r) => ({ id: r.id, score: 1, matchedBy: "identifier" as const })),
      ...byName
        .filter((r) => !found.has(r.id))
        .map((r) => ({ id: r.id, score: Math.round(r.score * 1000) / 1000, matchedBy: "name" as const })),
    ].slice(0, limit);
  });
}

/** A person found at intake who may be the one being recorded, with what the caller may see of them. */
export interface LikelyDuplicate {
  id: string;
  givenNames: string;
  familyNames: string;
  dateOfBirth: string | null;
  score: number;
  matchedBy: MatchedBy;
}

export interface NewPerson {
  givenNames: string;
  familyNames: string;
  aliases?: string[];
  dateOfBirth?: string | null | undefined;
  identifiers?: { kind: string; value: string }[];
}

/**
 * The people already recorded (and visible to `reader`) who are likely the new person: one who has an
 * identifier of theirs (same kind and value), or whose name or an alias agrees word by word with the new
 * person's name or an alias (`namesAgree`) without a different date of birth.
 */
export async function likelyDuplicates(
  db: Db,
  person: NewPerson,
  reader: Reader,
): Promise<LikelyDuplicate[]> {
  const live = and(visible(people, reader), isNull(people.mergedInto));
  const identifiers = person.identifiers ?? [];
  const columns = {
    id: people.id,
    givenNames: people.givenNames,
    familyNames: people.familyNames,
    aliases: people.aliases,
    dateOfBirth: people.dateOfBirth,
  };
  const out = new Map<string, LikelyDuplicate>();
  if (identifiers.length > 0) {
    const rows = await db
      .select(columns)
      .from(people)
      .where(
        and(
          live,
          sql`(${sql.join(
            identifiers.map((i) => sql`${people.identifiers} @> ${JSON.stringify([i])}::jsonb`),
            sql` or `,
          )})`,
        ),
      )
      .limit(10);
    for (const r of rows) out.set(r.id, { ...pick(r), score: 1, matchedBy: "identifier" });
  }
  const forms = [`${person.givenNames} ${person.familyNames}`, ...(person.aliases ?? [])];
  const hits = await searchPeople(db, forms[0]!, 10, reader);
  const names = hits.filter((h) => h.matchedBy === "name" && !out.has(h.id));
  if (names.length > 0) {
    const rows = await db
      .select(columns)
      .from(people)
      .where(
        inArray(
          people.id,
          names.map((h) => h.id),
        ),
      );
    for (const h of names) {
      const r = rows.find((x) => x.id === h.id);
      if (!r) continue;
      const theirs = [`${r.givenNames} ${r.familyNames}`, ...r.aliases];
      const agree = forms.some((a) => theirs.some((b) => namesAgree(a, b)));
      const born = !person.dateOfBirth || !r.dateOfBirth || person.dateOfBirth === r.dateOfBirth;
      if (agree && born) out.set(r.id, { ...pick(r), score: h.score, matchedBy: "name" });
    }
  }
  return [...out.values()].sort((a, b) => b.score - a.score);
}

const pick = (r: { id: string; givenNames: string; familyNames: string; dateOfBirth: string | null }) => ({
  id: r.id,
  givenNames: r.givenNames,
  familyNames: r.familyNames,
  dateOfBirth: r.dateOfBirth,
});
