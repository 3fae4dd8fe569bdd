/**
 * Importing requests with their people and charges from CSV or JSON (`traslado import FILE`).
 *
 * Streamed: the file is read, its records validated (`ZCreateRequest`, and against the record and the file
 * so far) and written in batches through one audited `Writer`, all inside one transaction, so memory stays
 * bounded however long the file. All or nothing: once a record is bad nothing more is written, the rest of
 * the file is still checked, so that every bad line and field is reported (the first `ISSUES_KEPT`), and
 * the transaction is rolled back.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { basename, extname } from "node:path";
import { type Duplex, type Readable, Transform } from "node:stream";
import { parse } from "csv-parse";
import { asc, eq, inArray, sql } from "drizzle-orm";
import streamArray from "stream-json/streamers/stream-array.js";
import type { z } from "zod";
import { type Tx, type Writer, write } from "../audit/write.ts";
import { asActor, requirePermission } from "../auth/access.ts";
import type { Actor } from "../auth/roles.ts";
import { newCase, trackOfRequest } from "../cases/open.ts";
import { casesOf, insertCases } from "../cases/service.ts";
import { treatyFor } from "../cases/treaty-parameters.ts";
import type { Db } from "../db/client.ts";
import { INVALID_PARAMETER_VALUE, sqlStateOf } from "../db/errors.ts";
import { affiliations, imports, organisations, people } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { fieldPath } from "../http/errors.ts";
import { wordListMayAgree } from "../people/names.ts";
import {
  formsAgree,
  likelyDuplicatesOfMany,
  likelyDuplicatesWithin,
  type NewPerson,
  nameForms,
} from "../people/search.ts";
import { type CreateRequest, ZCreateRequest } from "./schemas.ts";
import { insertRequests, intake, requestedStateOf } from "./service.ts";

export type TransferFormat = "csv" | "json";

/**
 * The CSV columns, in the order `export` writes them. One row per charge; consecutive rows with the same
 * `request_ref` are one request. Request and person columns may be left empty on a request's later rows.
 * Lists (`aliases`, `nationalities`, `risk_flags`) are separated by `;`; `identifiers` are `kind:value;…`;
 * `affiliations` are `organisation[:role];…` by the organisation's name, one of its aliases, or its id, the
 * first being the person's primary affiliation.
 */
export const csvColumns = [
  "request_ref",
  "person_ref",
  "person_id",
  "given_names",
  "family_names",
  "aliases",
  "date_of_birth",
  "nationalities",
  "identifiers",
  "risk_flags",
  "custody_facility",
  "custody_since",
  "fictional",
  "affiliations",
  "requesting_state",
  "requesting_agency",
  "type",
  "channel",
  "diplomatic_note",
  "sent_on",
  "received_on",
  "court",
  "district",
  "court_case_number",
  "treaty",
  "statute",
  "description",
  "maximum_penalty",
  "capital_eligible",
  "sealed",
] as const;
export type CsvColumn = (typeof csvColumns)[number];

const personColumns = {
  given_names: "givenNames",
  family_names: "familyNames",
  aliases: "aliases",
  date_of_birth: "dateOfBirth",
  nationalities: "nationalities",
  identifiers: "identifiers",
  risk_flags: "riskFlags",
  custody_facility: "custodyFacility",
  custody_since: "custodySince",
  fictional: "fictional",
  affiliations: "affiliations",
} as const satisfies Partial<Record<CsvColumn, string>>;

const requestColumns = {
  requesting_state: "requestingState",
  requesting_agency: "requestingAgency",
  type: "type",
  channel: "channel",
  diplomatic_note: "diplomaticNote",
  sent_on: "sentOn",
  received_on: "receivedOn",
  court: "court",
  district: "district",
  court_case_number: "courtCaseNumber",
  treaty: "treaty",
} as const satisfies Partial<Record<CsvColumn, string>>;

const chargeColumns = {
  statute: "statute",
  description: "description",
  maximum_penalty: "maximumPenalty",
  capital_eligible: "capitalEligible",
  sealed: "sealed",
} as const satisfies Partial<Record<CsvColumn, string>>;

const listColumns = new Set<string>(["aliases", "nationalities", "risk_flags"]);
const booleanColumns = new Set<string>(["fictional", "capital_eligible", "sealed"]);
/** The CSV column of a schema field, to name it in errors. */
const columnOfField = new Map<string, string>(
  [...Object.entries(personColumns), ...Object.entries(requestColumns), ...Object.entries(chargeColumns)].map(
    ([column, field]) => [field, column],
  ),
);
columnOfField.set("personId", "person_id");
columnOfField.set("person", "given_names, family_names");
columnOfField.set("organisationId", "affiliations");

/** One bad field of one record. `location` is `line 14` (CSV) or `index 3` (JSON array). */
export interface RecordIssue {
  location: string;
  field: string;
  rule: string;
}

/** A record as read from a file, before validation. */
export interface SourceRecord {
  /** Where the record starts: `line 14` or `index 3`. */
  location: string;
  /** Position in the file, to report issues in file order. */
  ordinal: number;
  input: unknown;
  /** CSV: the line the record starts on. */
  line?: number;
  /** Where a field of the input came from (a charge's own CSV line), if not `location`. */
  locate?: (path: readonly PropertyKey[]) => string;
  /** CSV `request_ref`: a request's rows must be consecutive, so a ref seen earlier in the file is refused. */
  requestRef?: string;
  /** CSV `person_ref`: records with the same ref share one new person. */
  personRef?: string;
  /** Problems found while reading (bad booleans, inconsistent rows…), reported with the schema's. */
  issues?: RecordIssue[];
}

/** How far an import has gone: records read and checked, requests written (and bytes of the file read). */
export interface ImportProgress {
  records: number;
  requests: number;
  bytes?: number;
  totalBytes?: number;
}
export type ProgressListener = (progress: ImportProgress) => void;

/** Issues kept to report, in file order; those beyond are counted, not kept, so memory stays bounded. */
export const ISSUES_KEPT = 1000;

export interface ImportResult {
  /** Records read from the file. */
  records: number;
  requests: number;
  people: number;
  charges: number;
  cases: number;
  /** Bad records' issues (only with `partial`; otherwise the import throws): the first `ISSUES_KEPT`. */
  rejected: RecordIssue[];
  /** Number of records rejected. */
  rejectedRecords: number;
  /** Issues found beyond those in `rejected`. */
  moreIssues: number;
  /** Where the import's time went, in milliseconds (`traslado import --timings`). */
  timings: ImportTimings;
}

/**
 * Milliseconds spent, over all batches: checking records (`check`, of which the duplicate check against the
 * people recorded, `duplicatesRecorded`, and against the file's own new people, `duplicatesInFile`), writing
 * them (`write`), and appending their audit events (`audit`); `total` from the transaction's start to its
 * commit, the file's reading and parsing included.
 */
export interface ImportTimings {
  total: number;
  check: number;
  duplicatesRecorded: number;
  duplicatesInFile: number;
  write: number;
  audit: number;
}

/** Runs `f`, adding the milliseconds it took to `timings[phase]`. */
async function timed<T>(
  timings: ImportTimings,
  phase: keyof ImportTimings,
  f: () => Promise<T> | T,
): Promise<T> {
  const started = performance.now();
  try {
    return await f();
  } finally {
    timings[phase] += performance.now() - started;
  }
}

export interface ImportOptions {
  db: Db;
  actor: Actor;
  records: AsyncIterable<SourceRecord> | Iterable<SourceRecord>;
  /** Import the valid records and report the bad ones, instead of writing nothing. */
  partial?: boolean;
  /** Open a case per request: security-transfer → security track, any other type → treaty track. */
  openCases?: boolean;
  /**
   * Record new people even when people already recorded, or new people earlier in the file, are likely the
   * same (by default such a record is bad: its issue names the likely ones, `likelyDuplicatesOfMany`, or the
   * earlier line, `likelyDuplicatesWithin`).
   */
  allowDuplicates?: boolean;
  /**
   * The database server memory the import keeps what it remembers of the file in (`FileMemory`), as
   * PostgreSQL's `temp_buffers` ("256MB"). Unset: the session's. For a PostgreSQL server only: on PGlite it
   * would be the process's own memory, for good.
   */
  tempBuffers?: string;
  /** Records read, checked and written per batch (multi-row statements; audit events flushed per batch). */
  batchSize?: number;
  /** Called after each batch. */
  onProgress?: ProgressListener;
  now?: Date;
  /**
   * The file the records come from. An import is recorded with the SHA-256 of the file's bytes, and a file
   * already imported is refused (DUPLICATE, nothing written) unless `again` is set.
   */
  source?: { name: string; sha256: string; format: TransferFormat; again?: boolean };
}

interface ValidRecord {
  ordinal: number;
  location: string;
  input: CreateRequest;
  personRef?: string | undefined;
}

/** The rule a zod issue broke, as a reader says it. */
function ruleOf(issue: z.core.$ZodIssue): string {
  if (issue.code === "invalid_type" && /received undefined/.test(issue.message)) return "required";
  return issue.message.replace(/^Invalid input: /, "");
}

/** A schema field, with its CSV column when the name differs: `charges[0].maximumPenalty (maximum_penalty)`. */
function fieldName(path: readonly PropertyKey[], csv: boolean): string {
  const name = fieldPath(path);
  if (!csv) return name;
  const last = [...path].reverse().find((p) => typeof p === "string");
  const column = typeof last === "string" ? columnOfField.get(last) : undefined;
  return column && column !== last ? `${name} (${column})` : name;
}

/** Organisations by id, name and alias (lower-cased), to resolve a CSV's `affiliations` by name. */
async function organisationIndex(db: Db): Promise<Map<string, string>> {
  const index = new Map<string, string>();
  for (const o of await db.select().from(organisations)) {
    index.set(o.id, o.id);
    for (const name of [o.name, ...o.aliases]) index.set(name.toLowerCase(), o.id);
  }
  return index;
}

/**
 * The affiliations of a record's new person with organisation ids: a CSV names each organisation (by name,
 * alias or id), JSON gives its id; either must be known. Unknown ones are the record's issues.
 */
function resolveAffiliations(record: SourceRecord, index: Map<string, string>): RecordIssue[] {
  const person = (record.input as { person?: { affiliations?: unknown } } | null)?.person;
  const list = person?.affiliations;
  if (!Array.isArray(list)) return [];
  const csv = record.locate !== undefined;
  const issues: RecordIssue[] = [];
  list.forEach((a: { organisation?: string; organisationId?: unknown }, i) => {
    if (!a || typeof a !== "object") return;
    const key = csv ? a.organisation : a.organisationId;
    if (typeof key !== "string") return;
    const id = index.get(key.toLowerCase());
    if (csv) {
      // An unknown one is reported here, once; the record is refused, so any id serves the schema.
      const { organisation: _o, ...rest } = a;
      list[i] = { ...rest, organisationId: id ?? "00000000-0000-0000-0000-000000000000" };
    }
    if (id) return;
    issues.push({
      location: record.location,
      field: fieldName(["person", "affiliations", i, "organisationId"], csv),
      rule: `unknown organisation ${key}`,
    });
  });
  return issues;
}

function validate(
  record: SourceRecord,
  organisationIds: Map<string, string>,
  issues: RecordIssue[],
): ValidRecord | undefined {
  issues.push(...resolveAffiliations(record, organisationIds));
  const parsed = ZCreateRequest.safeParse(record.input);
  const csv = record.locate !== undefined;
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const location = record.locate?.(issue.path) ?? record.location;
      if (issue.code === "unrecognized_keys") {
        for (const key of issue.keys)
          issues.push({ location, field: fieldName([...issue.path, key], csv), rule: "unknown field" });
      } else {
        issues.push({ location, field: fieldName(issue.path, csv) || "(record)", rule: ruleOf(issue) });
      }
    }
  }
  if (issues.length > 0 || !parsed.success) return undefined;
  return {
    ordinal: record.ordinal,
    location: record.location,
    input: parsed.data,
    personRef: record.personRef,
  };
}

/** Ids of `personId` references that name no person. */
async function missingPeople(db: Pick<Db, "select">, ids: string[]): Promise<Set<string>> {
  const missing = new Set(ids);
  for (let i = 0; i < ids.length; i += 1000) {
    const found = await db
      .select({ id: people.id })
      .from(people)
      .where(inArray(people.id, ids.slice(i, i + 1000)));
    for (const { id } of found) missing.delete(id);
  }
  return missing;
}

/**
 * The bad records' issues, in file order: the first `ISSUES_KEPT` are kept, the rest counted, so that a file
 * of a million bad rows is reported in bounded memory.
 */
class IssueReport {
  readonly kept: RecordIssue[] = [];
  more = 0;
  badRecords = 0;

  add(issues: RecordIssue[]) {
    this.badRecords += 1;
    for (const issue of issues) {
      if (this.kept.length < ISSUES_KEPT) this.kept.push(issue);
      else this.more += 1;
    }
  }

  /** `VALIDATION_FAILED` naming every kept issue, and how many more there are. */
  error(records: number): AppError {
    const valid = records - this.badRecords;
    const issues = this.kept.map((i) => ({ field: `${i.location}: ${i.field}`, rule: i.rule }));
    if (this.more > 0)
      issues.push({
        field: "(more)",
        rule: `${this.more} further issue(s), not listed (the first ${ISSUES_KEPT} are)`,
      });
    return new AppError(
      "VALIDATION_FAILED",
      `${this.badRecords} of ${records} record(s) are invalid: nothing was imported` +
        (valid > 0 ? ` (--partial imports the ${valid} valid one(s))` : ""),
      { issues },
    );
  }
}

/**
 * What an import remembers of the file it has read so far, in temporary tables of its transaction rather
 * than in memory: each `request_ref` with its line, each `person_ref` with the person its first line
 * describes and, once written, the person's id, and its new people born on a known day as the words of
 * their names, for later batches' duplicate check (`checkDuplicates`). Temporary tables live in the
 * session's own memory (and files), not in the database's shared buffers or its write-ahead log. Dropped at
 * commit; gone with a rollback.
 */
/** After how many batches' people `FileMemory` gathers them into a text per day of birth. */
const BORN_GATHERED_BATCHES = 25;

class FileMemory {
  constructor(
    private readonly tx: Tx,
    /** How many people are kept a row each before they are gathered by day (`rememberBorn`). */
    private readonly gatherEvery: number,
  ) {}

  /**
   * `tempBuffers`: the server memory the session may keep these tables in (PostgreSQL's `temp_buffers`,
   * 8 MB by default); past it, each page read is a read of a file. A million requests' memory is some
   * 200 MB. It can only be set before the session's first temporary table: on a session that has had one,
   * the session's own setting stays.
   */
  static async open(tx: Tx, gatherEvery: number, tempBuffers?: string): Promise<FileMemory> {
    if (tempBuffers) {
      await tx
        .transaction((sp) => sp.execute(sql`select set_config('temp_buffers', ${tempBuffers}, true)`))
        .catch((err: unknown) => {
          if (sqlStateOf(err) !== INVALID_PARAMETER_VALUE) throw err;
        });
    }
    await tx.execute(
      sql`create temporary table traslado_import_refs (ref text primary key, line int not null) on commit drop`,
    );
    await tx.execute(
      sql`create temporary table traslado_import_people (ref text primary key, line int not null, person text not null, person_id uuid) on commit drop`,
    );
    await tx.execute(
      sql`create temporary table traslado_import_born (date_of_birth date not null, ordinal int not null, location text not null, forms text not null) on commit drop`,
    );
    await tx.execute(sql`create index on traslado_import_born (date_of_birth)`);
    await tx.execute(
      sql`create temporary table traslado_import_born_days (date_of_birth date primary key, people text not null) on commit drop`,
    );
    return new FileMemory(tx, gatherEvery);
  }

  /** Records each ref's line; returns the line of those already recorded by earlier batches. */
  async requestRefs(refs: Map<string, number>): Promise<Map<string, number>> {
    if (refs.size === 0) return new Map();
    const given = JSON.stringify([...refs].map(([ref, line]) => ({ ref, line })));
    const rows = rowsOf<{ ref: string; line: number }>(
      await this.tx.execute(sql`with given as (
          select * from jsonb_to_recordset(${given}::jsonb) as g(ref text, line int)),
        earlier as (select r.ref, r.line from traslado_import_refs r join given using (ref)),
        recorded as (insert into traslado_import_refs select ref, line from given on conflict do nothing)
        select ref, line from earlier`),
    );
    return new Map(rows.map((r) => [r.ref, Number(r.line)]));
  }

  /** The people already described by earlier batches under these refs. */
  async people(refs: string[]): Promise<Map<string, KnownPerson>> {
    if (refs.length === 0) return new Map();
    const rows = rowsOf<{ ref: string; line: number; person: string; person_id: string | null }>(
      await this.tx.execute(sql`select ref, line, person, person_id from traslado_import_people
        where ref in (select jsonb_array_elements_text(${JSON.stringify(refs)}::jsonb))`),
    );
    return new Map(
      rows.map((r) => [
        r.ref,
        { line: Number(r.line), person: r.person, personId: r.person_id ?? undefined },
      ]),
    );
  }

  /** People kept in `traslado_import_born` since it was last gathered by day, and at its last ANALYZE. */
  private born = 0;
  private bornAnalysed = 0;

  /**
   * Keeps the new people of a batch who were born on a known day (each with the location of the line that
   * describes them, and the words of their name forms, `nameWords`), for later batches to be compared with:
   * a row each in `traslado_import_born`, gathered every `gatherEvery` people into a text per day in
   * `traslado_import_born_days`. A day's people were written far apart, and a batch reads those of some
   * 2,000 days: one row a day is a few thousand rows to read, where a row a person is most of the table.
   * `traslado_import_born` is analysed each time it has doubled: without statistics the planner takes a day
   * of birth for a large share of it, and reads the whole table instead of looking its days up.
   */
  async rememberBorn(
    newPeople: { ordinal: number; location: string; person: NewPerson; forms: string[][] }[],
  ) {
    const rows = newPeople.flatMap(({ ordinal, location, person, forms }) =>
      person.dateOfBirth
        ? [
            {
              date_of_birth: person.dateOfBirth,
              ordinal,
              location,
              forms: forms.map((f) => f.join(" ")).join("|"),
            },
          ]
        : [],
    );
    if (rows.length === 0) return;
    await this.tx.execute(sql`insert into traslado_import_born
      select * from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as g(date_of_birth date, ordinal int, location text, forms text)`);
    this.born += rows.length;
    if (this.born >= this.gatherEvery) {
      await this.tx.execute(sql`insert into traslado_import_born_days as d
          select date_of_birth, string_agg(location || E'\t' || forms, E'\n' order by ordinal)
            from traslado_import_born group by date_of_birth
        on conflict (date_of_birth) do update set people = d.people || E'\n' || excluded.people`);
      await this.tx.execute(sql`truncate traslado_import_born`);
      await this.tx.execute(sql`analyze traslado_import_born_days`);
      this.born = 0;
      this.bornAnalysed = 0;
    } else if (this.born >= 2 * this.bornAnalysed) {
      await this.tx.execute(sql`analyze traslado_import_born`);
      this.bornAnalysed = this.born;
    }
  }

  /**
   * The people kept by earlier batches (`rememberBorn`) born on any of `days`, by day, in file order: each
   * day's people as one text (`firstLikely` reads it), so that a million requests' some 25 million
   * same-day people cost text to read, not rows to send nor objects to make.
   */
  async bornOn(days: string[]): Promise<Map<string, string>> {
    if (days.length === 0) return new Map();
    const rows = rowsOf<{ day: string; people: string }>(
      await this.tx.execute(sql`with days as (
          select (jsonb_array_elements_text(${JSON.stringify(days)}::jsonb))::date as date_of_birth)
        select date_of_birth::text as day, string_agg(people, E'\n' order by gathered) as people
          from (select date_of_birth, 0 as gathered, people
                  from traslado_import_born_days join days using (date_of_birth)
                union all
                select date_of_birth, 1, string_agg(location || E'\t' || forms, E'\n' order by ordinal)
                  from traslado_import_born join days using (date_of_birth)
                 group by date_of_birth) kept
         group by date_of_birth`),
    );
    return new Map(rows.map((r) => [r.day, r.people]));
  }

  /**
   * The location of the first of a day's people (`bornOn`: a line each, its location, a tab, its name
   * forms as `rememberBorn` keeps them) whose name forms agree with `forms` (`formsAgree`). A person is
   * taken apart only if a form of theirs passes `wordListMayAgree` with one of `forms`.
   */
  static firstLikely(day: string, forms: string[][]): string | undefined {
    for (let start = 0; start < day.length; ) {
      const tab = day.indexOf("\t", start);
      const newline = day.indexOf("\n", tab);
      const end = newline < 0 ? day.length : newline;
      let may = false;
      for (let from = tab + 1; from <= end && !may; ) {
        const bar = day.indexOf("|", from);
        const to = bar < 0 || bar > end ? end : bar;
        may = forms.some((f) => wordListMayAgree(f, day, from, to));
        from = to + 1;
      }
      if (
        may &&
        formsAgree(
          forms,
          day
            .slice(tab + 1, end)
            .split("|")
            .map((f) => f.split(" ").filter(Boolean)),
        )
      )
        return day.slice(start, tab);
      start = end + 1;
    }
    return undefined;
  }

  /** Records people first described in this batch, and the ids of people written in it. */
  async rememberPeople(changed: Map<string, KnownPerson>) {
    if (changed.size === 0) return;
    const given = JSON.stringify(
      [...changed].map(([ref, k]) => ({
        ref,
        line: k.line,
        person: k.person,
        person_id: k.personId ?? null,
      })),
    );
    await this.tx.execute(sql`insert into traslado_import_people
      select * from jsonb_to_recordset(${given}::jsonb) as g(ref text, line int, person text, person_id uuid)
      on conflict (ref) do update set person_id = excluded.person_id`);
  }
}

/** A `person_ref`'s person: the line that first described it, as JSON, and its id once written. */
interface KnownPerson {
  line: number;
  person: string;
  personId?: string | undefined;
  /** First described, or first written, in the current batch. */
  changed?: boolean;
}

const rowsOf = <R>(result: unknown): R[] => (result as { rows: R[] }).rows;

/**
 * Reads, checks and writes the records in batches, in one audited transaction: all or nothing. Throws
 * `VALIDATION_FAILED` naming the bad records' lines and fields (the first `ISSUES_KEPT`) when a record is
 * bad and not `partial`; from the first bad record on, the rest of the file is only checked, and at the end
 * the transaction is rolled back.
 */
export async function importRequests(options: ImportOptions): Promise<ImportResult> {
  requirePermission(options.actor, "request:create");
  if (options.openCases) requirePermission(options.actor, "case:create");
  // Everything in the importer's access scope: one transaction under row-level security.
  return asActor(options.db, options.actor, () => importInScope(options));
}

async function importInScope(options: ImportOptions): Promise<ImportResult> {
  const { db, actor, partial = false, batchSize = 2000, onProgress, source } = options;
  const organisationIds = await organisationIndex(db);
  const report = new IssueReport();
  const counts = { requests: 0, people: 0, charges: 0, cases: 0 };
  const timings: ImportTimings = {
    total: 0,
    check: 0,
    duplicatesRecorded: 0,
    duplicatesInFile: 0,
    write: 0,
    audit: 0,
  };
  let records = 0;
  const started = performance.now();
  await write(
    db,
    actor,
    async (w) => {
      if (source && !source.again) {
        // Two imports of one file at once: the second waits here for the first, then sees it.
        await w.tx.execute(
          sql`select pg_advisory_xact_lock(hashtext(${`traslado-import:${source.sha256}`}))`,
        );
        await refuseReimport(w.tx, source);
      }
      const memory = await FileMemory.open(w.tx, BORN_GATHERED_BATCHES * batchSize, options.tempBuffers);
      for await (const batch of batchesOf(options.records, batchSize)) {
        records += batch.length;
        const { valid, people } = await timed(timings, "check", () =>
          checkBatch(w, batch, memory, organisationIds, report, options, timings),
        );
        // A bad record and not `partial`: nothing will be kept, so the rest is only checked.
        if (valid.length > 0 && (partial || report.badRecords === 0)) {
          await timed(timings, "write", async () => {
            const inputs = await resolvePeopleRefs(w, valid, people, counts);
            const written = await insertRequests(w, inputs);
            counts.requests += written.length;
            counts.people += inputs.filter((r) => r.person).length;
            for (const r of written) counts.charges += r.charges.length;
            if (options.openCases) counts.cases += (await openCasesFor(w, written)).length;
          });
          // Appending each batch's audit events, linked into the chain as they go (`linkWithin`), keeps
          // memory flat however long the file; the chain's head stays locked until commit.
          await timed(timings, "audit", () => w.flush());
        }
        await memory.rememberPeople(new Map([...people].filter(([, p]) => p.changed)));
        onProgress?.({ records, requests: counts.requests });
      }
      if (report.badRecords > 0 && !partial) throw report.error(records);
      if (source && counts.requests > 0) {
        await w.insertOne(imports, {
          fileSha256: source.sha256,
          fileName: source.name,
          format: source.format,
          records,
          ...counts,
        });
      }
    },
    options.now ? { now: options.now } : {},
  );
  return {
    records,
    ...counts,
    rejected: report.kept,
    rejectedRecords: report.badRecords,
    moreIssues: report.more,
    timings: { ...timings, total: performance.now() - started },
  };
}

/** The items in arrays of `size`. */
async function* batchesOf<T>(items: AsyncIterable<T> | Iterable<T>, size: number): AsyncGenerator<T[]> {
  let batch: T[] = [];
  for await (const item of items) {
    batch.push(item);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/**
 * Checks one batch: each record against the schema and the organisations, its `request_ref` and
 * `person_ref` against the file so far, its `personId` against the people, and with `openCases` the case
 * it would open. Bad records' issues go to `report` in file order. Returns the valid records and the
 * batch's `person_ref` people (with those first described here marked `changed`).
 */
async function checkBatch(
  w: Writer,
  batch: SourceRecord[],
  memory: FileMemory,
  organisationIds: Map<string, string>,
  report: IssueReport,
  options: ImportOptions,
  timings: ImportTimings,
): Promise<{ valid: ValidRecord[]; people: Map<string, KnownPerson> }> {
  const issuesOf = new Map<number, RecordIssue[]>(batch.map((r) => [r.ordinal, [...(r.issues ?? [])]]));

  // A request's rows must be consecutive: a ref used by an earlier request (in this batch or before) is bad.
  const firstLines = new Map<string, number>();
  for (const r of batch) {
    if (!r.requestRef) continue;
    const earlier = firstLines.get(r.requestRef);
    if (earlier === undefined) firstLines.set(r.requestRef, r.line ?? 0);
    else issuesOf.get(r.ordinal)!.push(refUsed(r, earlier));
  }
  const earlierRefs = await memory.requestRefs(firstLines);
  for (const r of batch) {
    const earlier = r.requestRef === undefined ? undefined : earlierRefs.get(r.requestRef);
    if (earlier !== undefined) issuesOf.get(r.ordinal)!.push(refUsed(r, earlier));
  }

  // Records sharing a person_ref share the person its first line describes; later lines may leave it empty.
  const refPeople = await memory.people([
    ...new Set(batch.flatMap((r) => (r.personRef ? [r.personRef] : []))),
  ]);
  for (const r of batch) {
    if (!r.personRef) continue;
    const input = r.input as { person?: Record<string, unknown> };
    const person = JSON.stringify(input.person ?? {});
    const known = refPeople.get(r.personRef);
    if (!known) {
      refPeople.set(r.personRef, { line: r.line ?? 0, person, changed: true });
    } else if (input.person && Object.keys(input.person).length > 0 && known.person !== person) {
      issuesOf.get(r.ordinal)!.push({
        location: r.location,
        field: "person_ref",
        rule: `describes person ${r.personRef} differently from line ${known.line}`,
      });
    } else if (known.person !== "{}") {
      input.person = JSON.parse(known.person);
    }
  }

  let valid: ValidRecord[] = [];
  for (const r of batch) {
    const v = validate(r, organisationIds, issuesOf.get(r.ordinal)!);
    if (v) valid.push(v);
  }

  // References to existing people must exist.
  const referenced = [...new Set(valid.flatMap((v) => (v.input.personId ? [v.input.personId] : [])))];
  const missing = await missingPeople(w.tx, referenced);
  valid = valid.filter((v) => {
    if (!v.input.personId || !missing.has(v.input.personId)) return true;
    issuesOf
      .get(v.ordinal)!
      .push({ location: v.location, field: "personId", rule: "must reference an existing person" });
    return false;
  });

  if (options.openCases) valid = await checkCases(w, valid, refPeople, issuesOf);
  if (!options.allowDuplicates) valid = await checkDuplicates(w, valid, refPeople, issuesOf, memory, timings);

  for (const r of batch) {
    const issues = issuesOf.get(r.ordinal)!;
    if (issues.length > 0) report.add(issues);
  }
  return { valid, people: refPeople };
}

/**
 * New people who are likely people already recorded (by this import's earlier batches too) make their
 * records bad, naming the likely ones by id and score; so do new people likely the same as an earlier new
 * person of their batch, naming its line. Checked in two statements per batch, and only for people new in
 * it: a `person_ref` described in an earlier batch was checked there.
 */
async function checkDuplicates(
  w: Writer,
  valid: ValidRecord[],
  refPeople: Map<string, KnownPerson>,
  issuesOf: Map<number, RecordIssue[]>,
  memory: FileMemory,
  timings: ImportTimings,
): Promise<ValidRecord[]> {
  const seen = new Set<string>();
  const fresh = valid.filter((v) => {
    if (!v.input.person) return false;
    if (!v.personRef) return true;
    if (seen.has(v.personRef) || refPeople.get(v.personRef)?.changed !== true) return false;
    seen.add(v.personRef);
    return true;
  });
  if (fresh.length === 0) return valid;
  const found = await timed(timings, "duplicatesRecorded", () =>
    likelyDuplicatesOfMany(
      w.tx as unknown as Db,
      fresh.map((v) => v.input.person!),
      w.actor,
      { recordedAt: w.now },
    ),
  );
  const bad = new Set<string>();
  fresh.forEach((v, i) => {
    const likely = found[i]!;
    if (likely.length === 0) return;
    if (v.personRef) bad.add(v.personRef);
    issuesOf.get(v.ordinal)!.push({
      location: v.location,
      field: "person",
      rule: `likely a person already recorded: ${likely.map((d) => `${d.id} (${d.matchedBy} ${d.score})`).join(", ")}; give their person_id, or import with --allow-duplicates`,
    });
  });
  // And the new people of the file among themselves, by the same rules: those of this batch (none of them is
  // in the record yet), and those of earlier batches born the same day (kept by `rememberBorn`).
  const sameAs = (v: ValidRecord, location: string) => {
    if (v.personRef) bad.add(v.personRef);
    issuesOf.get(v.ordinal)!.push({
      location: v.location,
      field: "person",
      rule: `likely the same person as the new person at ${location}; describe them once (one person_ref on both records), or import with --allow-duplicates`,
    });
  };
  await timed(timings, "duplicatesInFile", async () => {
    const earlier = await memory.bornOn([
      ...new Set(fresh.flatMap((v) => v.input.person!.dateOfBirth || [])),
    ]);
    const forms = fresh.map((v) => nameForms(v.input.person!));
    const within = likelyDuplicatesWithin(
      fresh.map((v) => v.input.person!),
      forms,
    );
    fresh.forEach((v, i) => {
      const person = v.input.person!;
      const kept = person.dateOfBirth ? earlier.get(person.dateOfBirth) : undefined;
      const first = kept === undefined ? undefined : FileMemory.firstLikely(kept, forms[i]!);
      const j = within[i];
      if (first) sameAs(v, first);
      else if (j !== undefined) sameAs(v, fresh[j]!.location);
    });
    await memory.rememberBorn(
      fresh.flatMap((v, i) =>
        issuesOf.get(v.ordinal)!.length === 0
          ? [{ ordinal: v.ordinal, location: v.location, person: v.input.person!, forms: forms[i]! }]
          : [],
      ),
    );
  });
  return valid.filter((v) => {
    const issues = issuesOf.get(v.ordinal)!;
    if (issues.length === 0 && v.personRef && bad.has(v.personRef)) {
      issues.push({
        location: v.location,
        field: "person_ref",
        rule: `person ${v.personRef} is likely a person already recorded (see its first record)`,
      });
    }
    return issues.length === 0;
  });
}

function refUsed(r: SourceRecord, earlier: number): RecordIssue {
  return {
    location: r.location,
    field: "request_ref",
    rule: `${r.requestRef} is already used by the request at line ${earlier}; a request's rows must be consecutive`,
  };
}

/**
 * Cases the import would open must be ones `newCase` opens: a treaty for the treaty track, and no second
 * open case on a track for one person (from the record, or earlier in the file: those already written are
 * in the transaction, those of this batch are weighed here).
 */
async function checkCases(
  w: Writer,
  valid: ValidRecord[],
  people: Map<string, KnownPerson>,
  issuesOf: Map<number, RecordIssue[]>,
): Promise<ValidRecord[]> {
  const personOf = (v: ValidRecord) =>
    v.input.personId ?? (v.personRef ? people.get(v.personRef)?.personId : undefined);
  const existing = await casesOf(w.tx, [...new Set(valid.flatMap((v) => personOf(v) ?? []))]);
  const byPerson = new Map<string, { id: string; track: string; state: string }[]>();
  for (const c of existing) byPerson.set(c.personId, [...(byPerson.get(c.personId) ?? []), c]);
  return valid.filter((v) => {
    const who = personOf(v) ?? (v.personRef ? `ref:${v.personRef}` : `record:${v.ordinal}`);
    const own = byPerson.get(who) ?? [];
    const request = {
      id: v.location,
      personId: who,
      type: v.input.type,
      requestingState: v.input.requestingState,
      treaty:
        v.input.treaty ?? treatyFor(v.input.requestingState, requestedStateOf(w.actor, v.input))?.id ?? null,
    };
    const opened = newCase({ track: trackOfRequest(v.input.type), personId: who, request }, own, new Date());
    if (opened.ok) {
      own.push({ id: `(${v.location})`, track: opened.row.track, state: opened.row.state });
      byPerson.set(who, own);
      return true;
    }
    issuesOf.get(v.ordinal)!.push({
      location: v.location,
      field: opened.code === "TREATY_MISSING" ? "treaty" : "personId",
      rule: `no case can be opened: ${opened.message.replace(/^the /, "")}`,
    });
    return false;
  });
}

/** DUPLICATE when this file (by its bytes) was imported before: nothing is written. */
export async function refuseReimport(reader: Pick<Db, "select">, source: { name: string; sha256: string }) {
  const [earlier] = await reader
    .select()
    .from(imports)
    .where(eq(imports.fileSha256, source.sha256))
    .orderBy(asc(imports.recordedAt))
    .limit(1);
  if (!earlier) return;
  throw new AppError(
    "DUPLICATE",
    `${source.name}: this file was already imported on ${earlier.recordedAt.toISOString().slice(0, 10)} ` +
      `(${earlier.requests} request(s), as ${earlier.fileName}); nothing was imported. ` +
      "Import it again only on purpose (--again).",
    { issues: [{ field: "file", rule: `already imported (SHA-256 ${source.sha256.slice(0, 12)}…)` }] },
  );
}

/** Records sharing a `person_ref` get one new person: created on its first use, referenced after. */
async function resolvePeopleRefs(
  w: Writer,
  batch: ValidRecord[],
  refPeople: Map<string, KnownPerson>,
  counts: { people: number },
): Promise<CreateRequest[]> {
  const firstUse = new Map<string, { person: NonNullable<CreateRequest["person"]>; sharedWith: string[] }>();
  for (const r of batch) {
    if (r.personRef && r.input.person && !refPeople.get(r.personRef)?.personId && !firstUse.has(r.personRef))
      firstUse.set(r.personRef, { person: r.input.person, sharedWith: intake(w.actor, r.input).sharedWith });
  }
  if (firstUse.size > 0) {
    const uses = [...firstUse.values()];
    const created = await w.insert(
      people,
      uses.map(({ person: { affiliations: _a, ...person }, sharedWith }) => ({ ...person, sharedWith })),
    );
    await w.insert(
      affiliations,
      uses.flatMap(({ person, sharedWith }, i) =>
        person.affiliations.map((a) => ({ ...a, personId: created[i]!.id, sharedWith })),
      ),
    );
    [...firstUse.keys()].forEach((ref, i) => {
      const known = refPeople.get(ref)!;
      known.personId = created[i]!.id;
      known.changed = true;
    });
    counts.people += created.length;
  }
  return batch.map((r) => {
    if (!r.personRef || !r.input.person) return r.input;
    const { person: _person, ...rest } = r.input;
    return { ...rest, personId: refPeople.get(r.personRef)!.personId! };
  });
}

/** Opens one case per request, on the track its type belongs to, as `caseService.open` does. */
function openCasesFor(
  w: Writer,
  written: { id: string; personId: string; type: string; requestingState: string; treaty: string | null }[],
) {
  return insertCases(
    w,
    written.map((r) => ({ track: trackOfRequest(r.type), personId: r.personId, request: r })),
    w.tx,
  );
}

// ---------------------------------------------------------------------------------------------------------
// Reading files

/** `FILE.csv` → csv, `FILE.json` → json; anything else needs `--format`. */
export function formatOf(file: string, format?: string): TransferFormat {
  const f = (format ?? extname(file).slice(1)).toLowerCase();
  if (f === "csv" || f === "json") return f;
  throw new AppError(
    "VALIDATION_FAILED",
    format
      ? `--format: must be csv or json, not ${format}`
      : `cannot tell the format of ${file} from its extension: pass --format csv or --format json`,
  );
}

/**
 * The items a parser stream produces from `input`, as they come. A failure of the input (the file) or of
 * the parser ends the iteration with that error; an iteration ended early closes both.
 */
async function* parsed<T>(input: Readable, parser: Duplex): AsyncGenerator<T> {
  input.on("error", (err) => parser.destroy(err));
  try {
    yield* input.pipe(parser) as AsyncIterable<T>;
  } finally {
    input.destroy();
  }
}

/**
 * A JSON array of `ZCreateRequest` objects (person inline, or `personId`), located by array index. Streamed
 * (stream-json): one element at a time is held, however long the array.
 */
export async function* readJsonRecords(input: Readable): AsyncGenerator<SourceRecord> {
  const notArray = { issues: [{ field: "(file)", rule: "must be a JSON array of requests" }] };
  try {
    for await (const { key, value } of parsed<{ key: number; value: unknown }>(
      input,
      streamArray.withParserAsStream(),
    ))
      yield { location: `index ${key}`, ordinal: key, input: value };
  } catch (err) {
    if (err instanceof AppError) throw err;
    const message = (err as Error).message;
    if (/top-level object should be an array/i.test(message))
      throw new AppError("VALIDATION_FAILED", "the JSON file must hold an array of requests", notArray);
    throw new AppError("VALIDATION_FAILED", `not valid JSON: ${message}`, notArray);
  }
}

function cell(value: string | undefined): string | undefined {
  const v = value?.trim();
  return v ? v : undefined;
}

interface RequestGroup {
  ref: string;
  firstLine: number;
  chargeLines: number[];
  request: Record<string, unknown>;
  person: Record<string, unknown>;
  personId: string | undefined;
  personRef: string | undefined;
  /** The first row's request and person cells, to check that later rows agree. */
  cells: Map<string, string>;
  charges: Record<string, unknown>[];
  issues: RecordIssue[];
}

/**
 * Rows of a CSV file, grouped into requests: one row per charge, consecutive rows with the same
 * `request_ref` forming one request. Streams the file; located by line number (the header is line 1).
 * Structural problems of the file (no header, unknown columns, unreadable CSV) throw `VALIDATION_FAILED`.

/**
 * Rows of a CSV file, grouped into requests: one row per charge, consecutive rows with the same
 * `request_ref` forming one request. Streamed: each request is yielded once its rows are read. Located by
 * line number (the header is line 1). Structural problems of the file (no header, unknown columns,
 * unreadable CSV) throw `VALIDATION_FAILED`. A `request_ref` or `person_ref` used again further on is
 * checked by the import, which remembers them (`FileMemory`).
 */
export async function* readCsvRecords(input: Readable): AsyncGenerator<SourceRecord> {
  let header: string[] | undefined;
  let group: RequestGroup | undefined;
  let ordinal = 0;
  /** The line the next record starts on. */
  let nextLine = 1;

  const finish = (g: RequestGroup): SourceRecord => {
    const input: Record<string, unknown> = { ...g.request, charges: g.charges };
    if (g.personId) input.personId = g.personId;
    if (Object.keys(g.person).length > 0) input.person = g.person;
    return {
      location: `line ${g.firstLine}`,
      line: g.firstLine,
      ordinal: ordinal++,
      input,
      locate: (path) =>
        `line ${path[0] === "charges" && typeof path[1] === "number" ? (g.chargeLines[path[1]] ?? g.firstLine) : g.firstLine}`,
      ...(g.ref ? { requestRef: g.ref } : {}),
      ...(g.personRef ? { personRef: g.personRef } : {}),
      issues: g.issues,
    };
  };

  /** Takes one CSV record; returns the request it completes, if any. */
  const handle = (record: string[]): SourceRecord | undefined => {
    // Line numbers are counted here (csv-parse's `info` copies an object per record): a record takes one
    // line plus one per line break inside its quoted fields. Empty lines are records of one empty field.
    const line = nextLine;
    nextLine += 1;
    for (const field of record)
      for (let i = field.indexOf("\n"); i >= 0; i = field.indexOf("\n", i + 1)) nextLine += 1;
    if (record.length === 1 && !record[0]!.trim()) return;
    if (!header) {
      header = record.map((h) => h.trim().toLowerCase());
      const unknown = header.filter((h) => !(csvColumns as readonly string[]).includes(h));
      const missing = ["request_ref", "statute", "description"].filter((c) => !header!.includes(c));
      if (unknown.length > 0 || missing.length > 0) {
        throw new AppError(
          "VALIDATION_FAILED",
          `line ${line}: the header does not name the columns of an import`,
          {
            issues: [
              ...unknown.map((c) => ({ field: `line ${line}: ${c}`, rule: "unknown column" })),
              ...missing.map((c) => ({ field: `line ${line}: ${c}`, rule: "column required" })),
            ],
          },
        );
      }
      return;
    }
    const row = new Map<string, string>();
    header.forEach((h, i) => {
      const v = cell(record[i]);
      if (v !== undefined) row.set(h, v);
    });
    const rowIssues: RecordIssue[] = [];
    if (record.length !== header.length) {
      rowIssues.push({
        location: `line ${line}`,
        field: "(row)",
        rule: `has ${record.length} field(s), the header ${header.length}`,
      });
    }
    const ref = row.get("request_ref");
    if (!ref) rowIssues.push({ location: `line ${line}`, field: "request_ref", rule: "required" });

    if (group && ref !== undefined && ref === group.ref) {
      // A further charge of the same request: its request and person cells, if given, must agree.
      for (const [column, value] of row) {
        if (column in chargeColumns || column === "request_ref") continue;
        const first = group.cells.get(column);
        if (first !== value) {
          group.issues.push({
            location: `line ${line}`,
            field: column,
            rule: `differs from line ${group.firstLine} of request_ref ${ref} (leave it empty or repeat it)`,
          });
        }
      }
      group.charges.push(chargeOf(row, line, group.issues, group.charges.length));
      group.chargeLines.push(line);
      group.issues.push(...rowIssues);
      return;
    }

    const done = group && finish(group);
    group = newGroup(ref ?? "", line, row, rowIssues);
    return done;
  };

  try {
    for await (const record of parsed<string[]>(input, parse({ bom: true, relax_column_count: true }))) {
      const done = handle(record);
      if (done) yield done;
    }
  } catch (err) {
    if (err instanceof AppError) throw err;
    const lines = (err as { lines?: number }).lines;
    throw new AppError("VALIDATION_FAILED", `not a readable CSV file: ${(err as Error).message}`, {
      issues: [{ field: lines ? `line ${lines}` : "(file)", rule: (err as Error).message }],
    });
  }
  if (!header) {
    throw new AppError(
      "VALIDATION_FAILED",
      "the CSV file is empty: expected a header line and one row per charge",
      {
        issues: [{ field: "line 1", rule: "header required" }],
      },
    );
  }
  if (group) yield finish(group);
}

function newGroup(ref: string, line: number, row: Map<string, string>, issues: RecordIssue[]): RequestGroup {
  const request: Record<string, unknown> = {};
  const person: Record<string, unknown> = {};
  const cells = new Map<string, string>();
  for (const [column, field] of Object.entries(requestColumns)) {
    const v = row.get(column);
    if (v !== undefined) request[field] = v;
  }
  for (const [column, field] of Object.entries(personColumns)) {
    const v = row.get(column);
    if (v === undefined) continue;
    person[field] = convert(column, field, v, line, issues, ["person", field]);
  }
  for (const [column, value] of row) if (!(column in chargeColumns)) cells.set(column, value);
  const personRef = row.get("person_ref");
  const personId = row.get("person_id");
  return {
    ref,
    firstLine: line,
    chargeLines: [line],
    request,
    person,
    personId,
    personRef,
    cells,
    charges: [chargeOf(row, line, issues, 0)],
    issues,
  };
}

function chargeOf(row: Map<string, string>, line: number, issues: RecordIssue[], index: number) {
  const charge: Record<string, unknown> = {};
  for (const [column, field] of Object.entries(chargeColumns)) {
    const v = row.get(column);
    if (v !== undefined) charge[field] = convert(column, field, v, line, issues, ["charges", index, field]);
  }
  return charge;
}

const truthy = new Set(["true", "yes", "y", "1"]);
const falsy = new Set(["false", "no", "n", "0"]);

/** A cell as the schema expects it: booleans, `;`-separated lists, `kind:value` identifiers. */
function convert(
  column: string,
  field: string,
  value: string,
  line: number,
  issues: RecordIssue[],
  path: PropertyKey[],
): unknown {
  if (booleanColumns.has(column)) {
    const v = value.toLowerCase();
    if (truthy.has(v)) return true;
    if (falsy.has(v)) return false;
    issues.push({ location: `line ${line}`, field: fieldName(path, true), rule: "must be true or false" });
    return undefined;
  }
  const list = () =>
    value
      .split(";")
      .map((s) => s.trim())
      .filter(Boolean);
  if (listColumns.has(column)) return list();
  if (field === "affiliations") {
    return list().map((item, i) => {
      const at = item.indexOf(":");
      const organisation = (at < 0 ? item : item.slice(0, at)).trim();
      const role = at < 0 ? "" : item.slice(at + 1).trim();
      return { organisation, ...(role ? { role } : {}), primary: i === 0 };
    });
  }
  if (field === "identifiers") {
    return list().map((item) => {
      const at = item.indexOf(":");
      return at < 0
        ? { kind: "other", value: item }
        : { kind: item.slice(0, at).trim(), value: item.slice(at + 1).trim() };
    });
  }
  return value;
}

/** The SHA-256 of a file's bytes, read as a stream. */
async function sha256Of(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/**
 * Reads and imports a CSV or JSON file, streamed: records are parsed, checked and written in batches as the
 * file is read, so memory does not grow with the file. `format` defaults to the file's extension.
 *
 * The file is hashed first (a file already imported is refused before anything is written), then hashed
 * again as it is imported: if its bytes changed meanwhile, the import fails and writes nothing, so the hash
 * recorded is of the bytes imported.
 */
export async function importFile(
  options: Omit<ImportOptions, "records" | "source"> & {
    file: string;
    format?: TransferFormat | undefined;
    /** Import a file that was imported before. */
    again?: boolean;
  },
): Promise<ImportResult> {
  const format = formatOf(options.file, options.format);
  const name = basename(options.file);
  const size = (await stat(options.file)).size;
  const sha256 = await sha256Of(options.file);
  const source = { name, sha256, format, again: options.again ?? false };
  // Refused before anything is written, and again under a lock when the import writes.
  if (!source.again) await asActor(options.db, options.actor, () => refuseReimport(options.db, source));

  // Hashed again as it is parsed: the hash is checked against the first once the whole file is read.
  const file = createReadStream(options.file);
  const hash = createHash("sha256");
  let bytes = 0;
  const hashed = file.pipe(
    new Transform({
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        bytes += chunk.length;
        done(null, chunk);
      },
    }),
  );
  file.on("error", (err) => hashed.destroy(err));
  const read = format === "json" ? readJsonRecords(hashed) : readCsvRecords(hashed);
  async function* records() {
    try {
      yield* read;
    } finally {
      file.destroy();
    }
    if (hash.digest("hex") !== sha256) {
      throw new AppError(
        "VALIDATION_FAILED",
        `${name} changed while it was being imported: nothing was imported`,
        {
          issues: [{ field: "file", rule: "must not change during the import" }],
        },
      );
    }
  }
  const { onProgress } = options;
  return importRequests({
    ...options,
    source,
    records: records(),
    ...(onProgress
      ? { onProgress: (p: ImportProgress) => onProgress({ ...p, bytes, totalBytes: size }) }
      : {}),
  });
}
