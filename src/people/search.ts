/**
 * Finding a person under any spelling (issue 12): by name or alias, tolerating accents, word order,
 * hyphens and typos (pg_trgm and unaccent: drizzle/0011_person_search.sql), and by identifier exactly.
 * Used by `GET /api/people?q=`, `traslado people search`, and the duplicate check at intake.
 */
import { and, isNull, type SQL, sql } from "drizzle-orm";
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
 * A person's name score against a normalised query: the better of the trigram similarity to the full name
 * and to the closest alias, averaged with the word similarity to the whole search text.
 */
const nameScore = (norm: SQL) => sql<number>`(greatest(
    similarity(${norm}, public.traslado_norm(${people.givenNames} || ' ' || ${people.familyNames})),
    coalesce((select max(similarity(${norm}, public.traslado_norm(a))) from jsonb_array_elements_text(${people.aliases}) a), 0)
  ) + word_similarity(${norm}, ${personKey})) / 2`;

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
    const byName = await tx
      .select({ id: people.id, score: nameScore(norm).mapWith(Number) })
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

/** Candidates the trigram search gives each new person, before the word-by-word check. */
const CANDIDATES_PER_PERSON = 5;

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
  return (await likelyDuplicatesOfMany(db, [person], reader))[0]!;
}

/**
 * `likelyDuplicates` of many new people in two statements whatever their number (an import's batch): one
 * for their identifiers, one for their names (a lateral trigram search per name, each on the index).
 */
export async function likelyDuplicatesOfMany(
  db: Db,
  persons: NewPerson[],
  reader: Reader,
): Promise<LikelyDuplicate[][]> {
  const out = persons.map(() => new Map<string, LikelyDuplicate>());
  if (persons.length === 0) return [];
  const live = and(visible(people, reader), isNull(people.mergedInto));
  const idRows = persons.flatMap((p, i) => (p.identifiers ?? []).map((ident) => ({ i, ident })));
  await db.transaction(async (tx) => {
    await tx.execute(
      sql`select set_config('pg_trgm.word_similarity_threshold', ${String(CANDIDATE_THRESHOLD)}, true)`,
    );
    if (idRows.length > 0) {
      const rows = await tx.execute(sql`
        select q.i, ${people.id} as id, ${people.givenNames} as "givenNames", ${people.familyNames} as "familyNames",
          ${people.aliases} as aliases, ${people.dateOfBirth}::text as "dateOfBirth"
        from jsonb_to_recordset(${JSON.stringify(idRows)}::jsonb) as q(i int, ident jsonb)
        join ${people} on ${people.identifiers} @> jsonb_build_array(q.ident)
        where ${live}`);
      for (const r of rowsOf<PersonRow & { i: number }>(rows))
        out[r.i]!.set(r.id, { ...pick(r), score: 1, matchedBy: "identifier" });
    }
    const names = persons.map((p, i) => ({ i, n: `${p.givenNames} ${p.familyNames}` }));
    const norm = sql`public.traslado_norm(q.n)`;
    const rows = await tx.execute(sql`
      select q.i, c.* from jsonb_to_recordset(${JSON.stringify(names)}::jsonb) as q(i int, n text)
      cross join lateral (
        select ${people.id} as id, ${people.givenNames} as "givenNames", ${people.familyNames} as "familyNames",
          ${people.aliases} as aliases, ${people.dateOfBirth}::text as "dateOfBirth", ${nameScore(norm)} as score
        from ${people}
        where ${live} and ${norm} <% ${personKey}
        order by score desc
        limit ${CANDIDATES_PER_PERSON}
      ) c`);
    for (const r of rowsOf<PersonRow & { i: number; score: number }>(rows)) {
      const person = persons[r.i]!;
      if (out[r.i]!.has(r.id)) continue;
      const forms = [`${person.givenNames} ${person.familyNames}`, ...(person.aliases ?? [])];
      const theirs = [`${r.givenNames} ${r.familyNames}`, ...r.aliases];
      const agree = forms.some((a) => theirs.some((b) => namesAgree(a, b)));
      const born = !person.dateOfBirth || !r.dateOfBirth || person.dateOfBirth === r.dateOfBirth;
      if (agree && born) {
        out[r.i]!.set(r.id, {
          ...pick(r),
          score: Math.round(Number(r.score) * 1000) / 1000,
          matchedBy: "name",
        });
      }
    }
  });
  return out.map((m) => [...m.values()].sort((a, b) => b.score - a.score));
}

interface PersonRow {
  id: string;
  givenNames: string;
  familyNames: string;
  aliases: string[];
  dateOfBirth: string | null;
}

/** Rows of a raw statement: `{ rows }` from both drivers. */
const rowsOf = <T>(result: unknown): T[] => (result as { rows: T[] }).rows;

const pick = (r: PersonRow) => ({
  id: r.id,
  givenNames: r.givenNames,
  familyNames: r.familyNames,
  dateOfBirth: r.dateOfBirth,
});
