/**
 * Finding a person under any spelling (issue 12): by name or alias, tolerating accents, word order,
 * hyphens and typos (pg_trgm and unaccent: drizzle/0014_person_search.sql, 0015_person_search_fast.sql), and by identifier exactly.
 * Used by `GET /api/people?q=`, `traslado people search`, and the duplicate check at intake.
 */
import { and, inArray, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { type Reader, visible } from "../db/query.ts";
import { people } from "../db/schema.ts";
import { namesAgree, nameWords, wordListsAgree } from "./names.ts";

export type MatchedBy = "identifier" | "name";

export interface SearchHit {
  id: string;
  /** 1 for an identifier matched exactly; otherwise the trigram similarity of the best name form, 0–1. */
  score: number;
  matchedBy: MatchedBy;
}

/**
 * The least word similarity (pg_trgm) between the query and a person's search text for the person to be a
 * candidate (0.35, set on `traslado_person_search` in drizzle/0015_person_search_fast.sql): low enough for two
 * typos in a short name. This wide tier runs only when the close one (name similarity at least
 * `CLOSE_THRESHOLD`) does not fill the page: among many namesakes it leaves thousands of rows to rank.
 */
export const CANDIDATE_THRESHOLD = 0.35;

/** The least trigram similarity of the query to a person's name for the close tier (set on the function too). */
export const CLOSE_THRESHOLD = 0.5;

/**
 * The people `reader` may see that `q` finds, best first: those whose identifier is `q` exactly (national ID,
 * requesting-state ID, INTERPOL notice…) before any found by name. A record merged into another is not
 * found (its survivor is). The name score is the better of the trigram similarity of the query to the
 * full name and to the closest alias, averaged with the query's word similarity to the whole search text
 * (so that "Pérez" ranks the Pérez above the Peralta). The database function `traslado_person_search`
 * does the search on the indexes of the stored normalised forms (generated columns), applying the reader's
 * visibility itself (row-level security would keep the planner off them); the caller reads the rows it names
 * under row-level security. By name it tries the close tier first (similar names, few candidates) and the
 * wide one only when the close one finds fewer than `limit` people.
 */
export async function searchPeople(db: Db, q: string, limit: number, _reader: Reader): Promise<SearchHit[]> {
  const query = q.trim();
  if (!query) return [];
  const rows = rowsOf<{ id: string; score: number; matched_by: MatchedBy }>(
    await db.execute(
      sql`select id, score, matched_by from public.traslado_person_search(${query}, ${limit})`,
    ),
  );
  const seen = new Set<string>();
  const hits: SearchHit[] = [];
  for (const r of rows) {
    if (seen.has(r.id)) continue;
    seen.add(r.id);
    hits.push({ id: r.id, score: Math.round(Number(r.score) * 1000) / 1000, matchedBy: r.matched_by });
  }
  return hits.slice(0, limit);
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
 * An import's own new people: all recorded at the import's one instant (`recordedAt`, its transaction's
 * time). The import compares its new people among themselves (`likelyDuplicatesWithin`, and src/requests/
 * import.ts for those of earlier batches), so `likelyDuplicatesOfMany` leaves those born on a known day out.
 */
export interface ImportedSoFar {
  recordedAt: Date;
}

/**
 * `likelyDuplicates` of many new people (an import's batch) in two statements whatever their number: one
 * finds and scores the candidates, one reads them. A new person born on a known day is compared with the
 * people born that day or on no known day (`traslado_person_candidates`, drizzle/0021_import_own_people.sql):
 * a likely duplicate is never born on another day, and so the cost follows the people born on one day, not
 * the whole record. In an import (`imported`), the import's own people born that day are left out, without
 * their rows being read: the import compares them itself (its rows in `people`, mostly written by the
 * import, are no longer in the database's buffers at a million requests). One without a date of birth goes
 * through the search by name (`traslado_person_search`).
 * Identifiers are looked up by value on their index either way.
 */
export async function likelyDuplicatesOfMany(
  db: Db,
  persons: NewPerson[],
  reader: Reader,
  imported?: ImportedSoFar,
): Promise<LikelyDuplicate[][]> {
  const out = persons.map(() => new Map<string, LikelyDuplicate>());
  if (persons.length === 0) return [];
  const named = persons.map((p, i) => ({
    i,
    v: `${p.givenNames} ${p.familyNames}`,
    born: p.dateOfBirth || null,
    idents: (p.identifiers ?? []).map((ident) => ident.value),
  }));
  const unborn = named.filter((p) => p.born === null).map(({ i, v }) => ({ i, v }));
  const mine = imported ? imported.recordedAt.toISOString() : null;
  // Each name candidate's two similarities are computed once (pg_trgm takes the trigrams of both texts at
  // each call): the search's conditions (at least its two thresholds) and its score read them. The score is
  // the search's: the better of the name's and the closest alias's similarity, averaged with the word
  // similarity to the whole search text.
  const found = rowsOf<{ i: number; id: string; score: number; matched_by: MatchedBy }>(
    await db.execute(sql`
      with q as (
        select q.i, q.v, q.born, q.idents, public.traslado_norm(q.v) as n
          from jsonb_to_recordset(${JSON.stringify(named)}::jsonb) as q(i int, v text, born date, idents text[])),
      candidates as (
        select q.i, q.n, c.id, c.matched_by, c.name_key, c.alias_keys, c.search_key
          from q cross join lateral public.traslado_person_candidates(q.v, q.born, q.idents, ${mine}::timestamptz) c),
      scored as materialized (
        select c.i, c.n, c.id, c.alias_keys,
               similarity(c.n, c.name_key) as close, word_similarity(c.n, c.search_key) as wide
          from candidates c
         where c.matched_by = 'name'),
      ranked as (
        select i, id, 1::double precision as score, matched_by from candidates where matched_by = 'identifier'
        union all
        select i, id,
               (greatest(close, coalesce((select max(similarity(n, a)) from unnest(alias_keys) a), 0)) + wide) / 2,
               'name'
          from scored
         where close >= ${CLOSE_THRESHOLD}::real or wide >= ${CANDIDATE_THRESHOLD}::real)
      select i, id, score, matched_by
        from (select r.*, row_number() over (partition by i, matched_by order by score desc, id) as nth
                from ranked r) r
       where nth <= ${CANDIDATES_PER_PERSON}
      union all
      select q.i, c.id, c.score, c.matched_by
        from jsonb_to_recordset(${JSON.stringify(unborn)}::jsonb) as q(i int, v text)
        cross join lateral public.traslado_person_search(q.v, ${CANDIDATES_PER_PERSON}) c
       where c.matched_by = 'name'`),
  );
  if (found.length === 0) return persons.map(() => []);
  // The candidates' rows, read under row-level security.
  const rows = await db
    .select({
      id: people.id,
      givenNames: people.givenNames,
      familyNames: people.familyNames,
      aliases: people.aliases,
      dateOfBirth: people.dateOfBirth,
      identifiers: people.identifiers,
    })
    .from(people)
    .where(and(visible(people, reader), inArray(people.id, [...new Set(found.map((f) => f.id))])));
  const byId = new Map(rows.map((r) => [r.id, r]));
  for (const f of found.sort(
    (a, b) => (a.matched_by === "identifier" ? -1 : 0) - (b.matched_by === "identifier" ? -1 : 0),
  )) {
    const r = byId.get(f.id);
    const person = persons[f.i]!;
    if (!r || out[f.i]!.has(r.id)) continue;
    if (f.matched_by === "identifier") {
      if (
        r.identifiers.some((x) =>
          (person.identifiers ?? []).some((y) => x.kind === y.kind && x.value === y.value),
        )
      )
        out[f.i]!.set(r.id, { ...pick(r), score: 1, matchedBy: "identifier" });
      continue;
    }
    const forms = [`${person.givenNames} ${person.familyNames}`, ...(person.aliases ?? [])];
    const theirs = [`${r.givenNames} ${r.familyNames}`, ...r.aliases];
    const agree = forms.some((a) => theirs.some((b) => namesAgree(a, b)));
    const born = !person.dateOfBirth || !r.dateOfBirth || person.dateOfBirth === r.dateOfBirth;
    if (agree && born) {
      out[f.i]!.set(r.id, {
        ...pick(r),
        score: Math.round(Number(f.score) * 1000) / 1000,
        matchedBy: "name",
      });
    }
  }
  return out.map((m) => [...m.values()].sort((a, b) => b.score - a.score));
}

/** A person's name forms (the name, then each alias), each as its words (`nameWords`). */
export function nameForms(p: NewPerson): string[][] {
  return [`${p.givenNames} ${p.familyNames}`, ...(p.aliases ?? [])].map(nameWords);
}

/** Whether some name form of one person agrees word by word with some form of another (`wordListsAgree`). */
export function formsAgree(a: readonly (readonly string[])[], b: readonly (readonly string[])[]): boolean {
  return a.some((x) => b.some((y) => wordListsAgree(x, y)));
}

/**
 * `likelyDuplicates` among new people themselves (an import's batch, before any of them is written): for
 * each, the index of the first earlier one who is likely the same person by the same rules — an identifier
 * of the same kind and value, or a name or alias that agrees word by word (`namesAgree`) without a
 * different date of birth. People born the same day are all compared; others when a word of three letters
 * or more of their names is the same once normalised (for the people recorded, the trigram search plays
 * that part), so the work follows the namesakes in the batch, not its square.
 */
export function likelyDuplicatesWithin(
  persons: readonly NewPerson[],
  /** Their name forms (`nameForms`), when the caller has them already. */
  forms: readonly (readonly string[])[][] = persons.map(nameForms),
): (number | undefined)[] {
  const byIdentifier = new Map<string, number>();
  const byBirth = new Map<string, number[]>();
  const byWord = new Map<string, number[]>();
  const add = (index: Map<string, number[]>, key: string, i: number) => {
    const list = index.get(key);
    if (list) list.push(i);
    else index.set(key, [i]);
  };
  const agree = (i: number, j: number) => {
    const [a, b] = [persons[i]!.dateOfBirth, persons[j]!.dateOfBirth];
    if (a && b && a !== b) return false;
    return formsAgree(forms[i]!, forms[j]!);
  };
  return persons.map((p, i) => {
    let match: number | undefined;
    for (const x of p.identifiers ?? []) {
      const j = byIdentifier.get(`${x.kind}\u0000${x.value}`);
      if (j !== undefined && (match === undefined || j < match)) match = j;
    }
    const words = new Set(forms[i]!.flat().filter((w) => w.length >= 3));
    if (match === undefined) {
      const candidates = new Set<number>(p.dateOfBirth ? (byBirth.get(p.dateOfBirth) ?? []) : []);
      for (const w of words) for (const j of byWord.get(w) ?? []) candidates.add(j);
      match = [...candidates].sort((a, b) => a - b).find((j) => agree(i, j));
    }
    for (const x of p.identifiers ?? []) {
      const key = `${x.kind}\u0000${x.value}`;
      if (!byIdentifier.has(key)) byIdentifier.set(key, i);
    }
    if (p.dateOfBirth) add(byBirth, p.dateOfBirth, i);
    for (const w of words) add(byWord, w, i);
    return match;
  });
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
