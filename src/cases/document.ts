import { createHash } from "node:crypto";
import { and, eq, lt, type SQL, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { asSystem } from "../auth/access.ts";
import type { Db } from "../db/client.ts";
import { rowJson } from "../db/json.ts";
import { caseFiles, cases, caseTransitions, deadlines, decisions, legalHolds } from "../db/schema.ts";
import { perHandle } from "../db/scope.ts";
import { notFound } from "../errors.ts";
import { toIsoDate } from "./calendar.ts";
import { stateDefs } from "./tracks.ts";
import { defaultDueSoonDays, treaties } from "./treaty-parameters.ts";
import { availableTransitions, type CaseState, offenceKey, type Track } from "./workflow.ts";

const dueSoonByTreaty = JSON.stringify(Object.fromEntries(treaties.map((t) => [t.id, t.dueSoonDays])));

/** A case's available transitions, as JSON: the same for every case in one state of one track. */
const transitionsJson = new Map<string, string>();
function availableTransitionsJson(track: Track, state: CaseState): string {
  const key = `${track}/${state}`;
  let json = transitionsJson.get(key);
  if (json === undefined) {
    json = JSON.stringify(
      availableTransitions(track, state).map((t) => ({
        name: t.name,
        to: t.to,
        by: t.by,
        guards: t.guards,
        legalSource: t.legalSource,
      })),
    );
    transitionsJson.set(key, json);
  }
  return json;
}

/**
 * A JSON array of `element` over the rows `from` selects, in order; `[]` when there are none. An array
 * sub-select rather than `json_agg(… order by …)`: an ordered aggregate sets up an aggregation and a sort of
 * its own at every execution, even for no rows, which cost the case file about a tenth of its time in
 * PostgreSQL (docs/BENCHMARKS.md).
 */
const aggregate = (element: SQL, from: SQL, orderBy: SQL) =>
  sql`array_to_json(array(select ${element} ${from} order by ${orderBy}))`;

/**
 * The case file a client reads (`GET /api/cases/{id}`): the case row, its history, its deadlines (open
 * ones with their status as of today), the person's legal holds, the decisions on the person or this
 * case, the charges and the death-penalty and other assurances that cover it, and the transitions its
 * legal track allows next.
 *
 * The database builds the JSON in one statement, prepared once per connection; the charges' offence keys
 * (computed in the application, as the legal track compares them) and the available transitions (the
 * same for every case in a state) are added to the text. Nothing is parsed and re-serialised on the way.
 *
 * The file is then kept (`case_files`, drizzle/0020_case_files_kept.sql) for the reader's party, and the
 * next read is one lookup while the kept file is current: built the same day and by this code (`shape`).
 * Every write to what the file shows drops its person's kept files in the writing transaction; the locks the
 * reader takes before it builds (`case_file_may_keep`) keep a file built before such a write from being kept
 * after it. When it cannot take them (a write of the person in flight), it builds the file and keeps nothing.
 */
export function caseDocumentReader(db: Db) {
  const today = sql`${sql.placeholder("today")}::date`;
  const party = sql.placeholder("party");
  /** The first wall, in the statement: rows of the reader's party and rows shared with it. */
  const vis = (alias: string) =>
    sql`(${sql.raw(alias)}.party = ${party} or ${sql.raw(alias)}.shared_with ?| array[${party}::text, '*'])`;
  // The case's treaty's due-soon days (the treaties as JSON: id → days), else the default.
  const dueSoon = sql`coalesce((${sql.placeholder("dueSoonByTreaty")}::jsonb ->> c.treaty_parameters)::int, ${sql.placeholder("dueSoonDays")}::int)`;
  const doc = rowJson(cases, "c", {
    history: aggregate(
      rowJson(caseTransitions, "t"),
      sql`from case_transitions t where t.case_id = c.id and ${vis("t")}`,
      sql.raw(`t.occurred_at, t.id`),
    ),
    // The status of `deadlineStatus` (deadlines.ts), in SQL; coverage.test.ts holds the two to each other.
    deadlines: aggregate(
      rowJson(deadlines, "d", {
        status: sql`case when d.status <> 'open' then d.status
          when d.due_on < ${today} then 'overdue'
          when d.due_on <= ${today} + ${dueSoon} then 'due-soon'
          else 'open' end`,
      }),
      sql`from deadlines d where d.case_id = c.id and ${vis("d")}`,
      sql.raw(`d.due_on, d.id`),
    ),
    holds: aggregate(
      rowJson(legalHolds, "h"),
      sql`from legal_holds h where h.person_id = c.person_id and ${vis("h")}`,
      sql.raw(`h.filed_on, h.id`),
    ),
    decisions: aggregate(
      rowJson(decisions, "dc"),
      sql`from decisions dc where dc.person_id = c.person_id and (dc.case_id is null or dc.case_id = c.id) and ${vis("dc")}`,
      sql.raw(`dc.decided_on, dc.id`),
    ),
    // The rule of `coveringAssurances` (coverage.ts), in SQL; coverage.test.ts holds the two to each other.
    assurances: aggregate(
      sql.raw(`json_build_object('id', a.id, 'kind', a.kind, 'status', a.status)`),
      sql`from assurances a where ((a.scope = 'person' and a.person_id = c.person_id) or (a.scope = 'operation' and a.operation_id in (select l.operation_id from operation_people l where l.person_id = c.person_id and l.removed_at is null and ${vis("l")}))) and ${vis("a")}`,
      sql.raw(`a.scope desc, a.id`),
    ),
  });
  // The request's charges; for a case opened without one, the charges of every request for the person.
  const charges = sql<[string, boolean, string][]>`${aggregate(
    sql`json_build_array(ch.id, ch.capital_eligible, ch.statute)`,
    sql`from charges ch where ${vis("ch")} and ch.request_id = any(case when c.request_id is not null then array[c.request_id]
      else array(select r.id from requests r where r.person_id = c.person_id and ${vis("r")}) end)`,
    sql.raw("ch.id"),
  )}`;
  const c = alias(cases, "c");
  const build = (handle: Db) =>
    handle
      .select({
        track: c.track,
        state: c.state,
        doc: sql<string>`${doc}::text`,
        charges,
        personId: c.personId,
      })
      .from(c)
      .where(and(eq(c.id, sql.placeholder("id")), vis("c")));
  // Built once per connection of the caller's access scope, under a name that connection prepares once.
  const query = perHandle(db, () => build(db).prepare("case_document"));

  /** The kept file for the reader's party, if it is current. */
  const kept = perHandle(db, () =>
    db
      .select({ doc: caseFiles.doc })
      .from(caseFiles)
      .where(
        and(
          eq(caseFiles.caseId, sql.placeholder("id")),
          eq(caseFiles.party, sql.placeholder("party")),
          sql`${caseFiles.builtOn} = ${today}`,
          eq(caseFiles.shape, sql.placeholder("shape")),
        ),
      )
      .prepare("case_file_kept"),
  );
  /** Whether the file about to be built may be kept: the reader's locks, taken before the file is read. */
  const mayKeep = perHandle(db, () =>
    db
      .select({ may: sql<boolean>`case_file_may_keep(c.person_id)` })
      .from(c)
      .where(and(eq(c.id, sql.placeholder("id")), vis("c")))
      .prepare("case_file_may_keep"),
  );
  const keep = perHandle(db, () =>
    db
      .insert(caseFiles)
      .values({
        caseId: sql.placeholder("id"),
        party: sql.placeholder("party"),
        personId: sql.placeholder("personId"),
        builtOn: sql`${today}`,
        shape: sql.placeholder("shape"),
        doc: sql.placeholder("doc"),
      })
      .onConflictDoUpdate({
        target: [caseFiles.caseId, caseFiles.party],
        set: {
          personId: sql`excluded.person_id`,
          builtOn: sql`excluded.built_on`,
          shape: sql`excluded.shape`,
          doc: sql`excluded.doc`,
        },
      })
      .prepare("case_file_keep"),
  );

  /**
   * What a kept file was built by: the statement, the treaties' days and the transitions of every state. A
   * change to any of them (a new release) leaves every kept file behind. The charges' offence keys are made
   * by `offenceKey`, whose text counts too.
   */
  let shape: string | undefined;
  const shapeOf = (handle: Db) =>
    createHash("sha256")
      .update(build(handle).toSQL().sql)
      .update(dueSoonByTreaty)
      .update(String(defaultDueSoonDays))
      .update(stateDefs.map((s) => availableTransitionsJson(s.track, s.name)).join("\n"))
      .update(offenceKey.toString())
      .digest("hex")
      .slice(0, 32);

  /** The case file as JSON text, if the reader's party may see the case (else the same 404 as none). */
  return async (id: string, reader: { party: string }, now = new Date()): Promise<string> => {
    const day = toIsoDate(now);
    // Made at the first read, inside a scope (the statement is built on the scope's handle).
    shape ??= shapeOf(db);
    const [current] = await kept().execute({ id, party: reader.party, today: day, shape });
    if (current) return current.doc;
    // Locks, then the file (read in a snapshot taken after them), then keeping it: one transaction.
    return db.transaction(async () => {
      const [keeping] = await mayKeep().execute({ id, party: reader.party });
      const [row] = await query().execute({
        id,
        party: reader.party,
        today: day,
        dueSoonDays: defaultDueSoonDays,
        dueSoonByTreaty,
      });
      if (!row) throw notFound("case");
      const charges = row.charges.map(([chargeId, capitalEligible, statute]) => ({
        id: chargeId,
        capitalEligible,
        offenceKey: offenceKey(statute),
      }));
      const transitions = availableTransitionsJson(row.track as Track, row.state as CaseState);
      const file = `${row.doc.slice(0, -1)}, "charges" : ${JSON.stringify(charges)}, "availableTransitions" : ${transitions}}`;
      if (keeping?.may) {
        await keep().execute({
          id,
          party: reader.party,
          personId: row.personId,
          today: day,
          shape,
          doc: file,
        });
      }
      return file;
    });
  };
}

/**
 * Drops the kept files built before the day of `now` (none of them is served again), as the system: once a day
 * from the deadline clock. Returns how many.
 */
export async function dropEarlierCaseFiles(db: Db, now = new Date()): Promise<number> {
  const dropped = await asSystem(db, () =>
    db
      .delete(caseFiles)
      .where(lt(caseFiles.builtOn, toIsoDate(now)))
      .returning({ id: caseFiles.caseId }),
  );
  return dropped.length;
}

/** A row as JSON carries it: timestamps become strings. */
type AsJson<T> = {
  [K in keyof T]: T[K] extends Date ? string : T[K] extends Date | null ? string | null : T[K];
};

/** The case file as a client reads it. */
export type CaseDocument = AsJson<typeof cases.$inferSelect> & {
  history: AsJson<typeof caseTransitions.$inferSelect>[];
  /** An open deadline's status is `open`, `due-soon` or `overdue` as of the day read. */
  deadlines: AsJson<typeof deadlines.$inferSelect>[];
  holds: AsJson<typeof legalHolds.$inferSelect>[];
  decisions: AsJson<typeof decisions.$inferSelect>[];
  charges: { id: string; capitalEligible: boolean; offenceKey: string }[];
  assurances: { id: string; kind: string; status: string }[];
  availableTransitions: { name: string; to: string; by: string[]; guards: string[]; legalSource: string }[];
};
