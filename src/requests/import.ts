/**
 * Importing requests with their people and charges from CSV or JSON (`traslado import FILE`).
 *
 * Every record is validated with `ZCreateRequest` before anything is written, so that a bad file is
 * reported in full (each bad line and field) and, by default, writes nothing. The valid records are then
 * written in batches through one audited `Writer`, all inside one transaction: all or nothing.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { basename, extname } from "node:path";
import type { Readable } from "node:stream";
import { parse } from "csv-parse";
import { asc, eq, inArray, sql } from "drizzle-orm";
import type { z } from "zod";
import { type Writer, write } from "../audit/write.ts";
import { asActor, requirePermission } from "../auth/access.ts";
import type { Actor } from "../auth/roles.ts";
import { newCase, trackOfRequest } from "../cases/open.ts";
import { casesOf, insertCases } from "../cases/service.ts";
import { treatyFor } from "../cases/treaty-parameters.ts";
import type { Db } from "../db/client.ts";
import { affiliations, imports, organisations, people } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { fieldPath } from "../http/errors.ts";
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
  /** Where a field of the input came from (a charge's own CSV line), if not `location`. */
  locate?: (path: readonly PropertyKey[]) => string;
  /** CSV `person_ref`: records with the same ref share one new person. */
  personRef?: string;
  /** Problems found while reading (bad booleans, inconsistent rows…), reported with the schema's. */
  issues?: RecordIssue[];
}

export type ImportPhase = "read" | "write";
export type ProgressListener = (progress: { phase: ImportPhase; done: number; total: number }) => void;

export interface ImportResult {
  /** Records read from the file. */
  records: number;
  requests: number;
  people: number;
  charges: number;
  cases: number;
  /** Bad records' issues (only with `partial`; otherwise the import throws). */
  rejected: RecordIssue[];
  /** Number of records rejected. */
  rejectedRecords: number;
}

export interface ImportOptions {
  db: Db;
  actor: Actor;
  records: AsyncIterable<SourceRecord> | Iterable<SourceRecord>;
  /** Import the valid records and report the bad ones, instead of writing nothing. */
  partial?: boolean;
  /** Open a case per request: security-transfer → security track, any other type → treaty track. */
  openCases?: boolean;
  /** Requests written per batch (multi-row statements; the audit events are flushed per batch). */
  batchSize?: number;
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
): { ok: true; value: ValidRecord } | { ok: false; issues: RecordIssue[] } {
  const issues = [...(record.issues ?? []), ...resolveAffiliations(record, organisationIds)];
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
  if (issues.length > 0 || !parsed.success) return { ok: false, issues };
  return {
    ok: true,
    value: {
      ordinal: record.ordinal,
      location: record.location,
      input: parsed.data,
      personRef: record.personRef,
    },
  };
}

/** Ids of `personId` references that name no person. */
async function missingPeople(db: Db, ids: string[]): Promise<Set<string>> {
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
 * Validates every record, then (when all are valid, or with `partial`) writes the valid ones: requests,
 * their new people and charges, and with `openCases` a case per request, all in one audited transaction.
 * Throws `VALIDATION_FAILED` naming every bad record and field when a record is bad and not `partial`.
 */
export async function importRequests(options: ImportOptions): Promise<ImportResult> {
  requirePermission(options.actor, "request:create");
  if (options.openCases) requirePermission(options.actor, "case:create");
  // Everything in the importer's access scope: one transaction under row-level security.
  return asActor(options.db, options.actor, () => importInScope(options));
}

async function importInScope(options: ImportOptions): Promise<ImportResult> {
  const { db, actor, partial = false, openCases = false, batchSize = 2000, onProgress } = options;
  const valid: ValidRecord[] = [];
  const bad = new Map<number, RecordIssue[]>();
  let records = 0;
  const organisationIds = await organisationIndex(db);
  for await (const record of options.records) {
    records += 1;
    const result = validate(record, organisationIds);
    if (result.ok) valid.push(result.value);
    else bad.set(record.ordinal, result.issues);
  }

  // References to existing people must exist: checked before writing, reported like any bad field.
  const referenced = [...new Set(valid.flatMap((v) => (v.input.personId ? [v.input.personId] : [])))];
  if (referenced.length > 0) {
    const missing = await missingPeople(db, referenced);
    if (missing.size > 0) {
      for (let i = valid.length - 1; i >= 0; i--) {
        const v = valid[i]!;
        if (v.input.personId && missing.has(v.input.personId)) {
          bad.set(v.ordinal, [
            {
              location: v.location,
              field: "personId",
              rule: "must reference an existing person",
            },
          ]);
          valid.splice(i, 1);
        }
      }
    }
  }

  // Cases the import would open must be ones `newCase` opens: a treaty for the treaty track, and no second
  // open case on a track for one person (from the record or earlier in the file).
  if (openCases) {
    const existing = await casesOf(db, referenced);
    const byPerson = new Map<string, { id: string; track: string; state: string }[]>();
    for (const c of existing) byPerson.set(c.personId, [...(byPerson.get(c.personId) ?? []), c]);
    for (let i = 0; i < valid.length; i++) {
      const v = valid[i]!;
      const who = v.input.personId ?? (v.personRef ? `ref:${v.personRef}` : `record:${v.ordinal}`);
      const own = byPerson.get(who) ?? [];
      const request = {
        id: v.location,
        personId: who,
        type: v.input.type,
        requestingState: v.input.requestingState,
        treaty:
          v.input.treaty ?? treatyFor(v.input.requestingState, requestedStateOf(actor, v.input))?.id ?? null,
      };
      const opened = newCase(
        { track: trackOfRequest(v.input.type), personId: who, request },
        own,
        new Date(),
      );
      if (opened.ok) {
        own.push({ id: `(${v.location})`, track: opened.row.track, state: opened.row.state });
        byPerson.set(who, own);
        continue;
      }
      const field = opened.code === "TREATY_MISSING" ? "treaty" : "personId";
      bad.set(v.ordinal, [
        {
          location: v.location,
          field,
          rule: `no case can be opened: ${opened.message.replace(/^the /, "")}`,
        },
      ]);
      valid.splice(i--, 1);
    }
  }

  const rejected = [...bad.entries()].sort(([a], [b]) => a - b).flatMap(([, issues]) => issues);
  if (bad.size > 0 && !partial) {
    throw new AppError(
      "VALIDATION_FAILED",
      `${bad.size} of ${records} record(s) are invalid: nothing was imported` +
        (valid.length > 0 ? ` (--partial imports the ${valid.length} valid one(s))` : ""),
      { issues: rejected.map((i) => ({ field: `${i.location}: ${i.field}`, rule: i.rule })) },
    );
  }

  const counts = { requests: 0, people: 0, charges: 0, cases: 0 };
  const { source } = options;
  if (valid.length > 0) {
    const personByRef = new Map<string, string>();
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
        onProgress?.({ phase: "write", done: 0, total: valid.length });
        for (let i = 0; i < valid.length; i += batchSize) {
          const batch = valid.slice(i, i + batchSize);
          const inputs = await resolvePeopleRefs(w, batch, personByRef, counts);
          const written = await insertRequests(w, inputs);
          counts.requests += written.length;
          counts.people += inputs.filter((r) => r.person).length;
          for (const r of written) counts.charges += r.charges.length;
          if (openCases) counts.cases += (await openCasesFor(w, written)).length;
          // Appending each batch's audit events keeps memory flat however long the file; the chain's head
          // stays locked until commit, as for any write.
          await w.flush();
          onProgress?.({ phase: "write", done: Math.min(i + batchSize, valid.length), total: valid.length });
        }
        if (source) {
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
  }
  return { records, ...counts, rejected, rejectedRecords: bad.size };
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
  personByRef: Map<string, string>,
  counts: { people: number },
): Promise<CreateRequest[]> {
  const firstUse = new Map<string, { person: NonNullable<CreateRequest["person"]>; sharedWith: string[] }>();
  for (const r of batch) {
    if (r.personRef && r.input.person && !personByRef.has(r.personRef) && !firstUse.has(r.personRef))
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
      personByRef.set(ref, created[i]!.id);
    });
    counts.people += created.length;
  }
  return batch.map((r) => {
    if (!r.personRef || !r.input.person) return r.input;
    const { person: _person, ...rest } = r.input;
    return { ...rest, personId: personByRef.get(r.personRef)! };
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

/** A JSON array of `ZCreateRequest` objects (person inline, or `personId`). Located by array index. */
export function* readJsonRecords(text: string): Iterable<SourceRecord> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new AppError("VALIDATION_FAILED", `not valid JSON: ${(err as Error).message}`, {
      issues: [{ field: "(file)", rule: "must be a JSON array of requests" }],
    });
  }
  if (!Array.isArray(data)) {
    throw new AppError("VALIDATION_FAILED", "the JSON file must hold an array of requests", {
      issues: [{ field: "(file)", rule: "must be a JSON array of requests" }],
    });
  }
  for (let i = 0; i < data.length; i++) yield { location: `index ${i}`, ordinal: i, input: data[i] };
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
 */
export async function readCsvRecords(input: Readable): Promise<SourceRecord[]> {
  const out: SourceRecord[] = [];
  const parser = input.pipe(parse({ bom: true, relax_column_count: true }));
  let header: string[] | undefined;
  let group: RequestGroup | undefined;
  let ordinal = 0;
  /** The line the next record starts on. */
  let nextLine = 1;
  const seenRefs = new Map<string, number>();
  const people = new Map<string, { line: number; key: string }>();

  const finish = (g: RequestGroup): SourceRecord => {
    const input: Record<string, unknown> = { ...g.request, charges: g.charges };
    if (g.personId) input.personId = g.personId;
    if (Object.keys(g.person).length > 0) input.person = g.person;
    return {
      location: `line ${g.firstLine}`,
      ordinal: ordinal++,
      input,
      locate: (path) =>
        `line ${path[0] === "charges" && typeof path[1] === "number" ? (g.chargeLines[path[1]] ?? g.firstLine) : g.firstLine}`,
      personRef: g.personRef,
      issues: g.issues,
    };
  };

  const handle = (record: string[]) => {
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

    if (group) out.push(finish(group));
    group = newGroup(ref ?? "", line, row, rowIssues);
    if (ref) {
      const earlier = seenRefs.get(ref);
      if (earlier !== undefined) {
        group.issues.push({
          location: `line ${line}`,
          field: "request_ref",
          rule: `${ref} is already used by the request at line ${earlier}; a request's rows must be consecutive`,
        });
      } else {
        seenRefs.set(ref, line);
      }
    }
    if (group.personRef) {
      const key = JSON.stringify(group.person);
      const known = people.get(group.personRef);
      if (!known) people.set(group.personRef, { line, key });
      else if (Object.keys(group.person).length > 0 && known.key !== key) {
        group.issues.push({
          location: `line ${line}`,
          field: "person_ref",
          rule: `describes person ${group.personRef} differently from line ${known.line}`,
        });
      } else {
        // Later uses of a person_ref may leave the person columns empty: the person of its first line.
        group.person = JSON.parse(known.key);
      }
    }
  };

  // Records are handled synchronously as the parser produces them (no promise per record): the import
  // validates the whole file before writing anyway, so they are collected, but the file is never one string.
  try {
    await new Promise<void>((resolve, reject) => {
      parser.on("readable", () => {
        try {
          for (let item = parser.read(); item !== null; item = parser.read()) handle(item);
        } catch (err) {
          parser.destroy();
          reject(err);
        }
      });
      parser.on("error", reject);
      parser.on("end", resolve);
    });
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
  if (group) out.push(finish(group));
  return out;
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

/** Reads and imports a CSV or JSON file; `format` defaults to the file's extension. */
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
  const { onProgress } = options;
  const source = async (sha256: string) => {
    const s = { name, sha256, format, again: options.again ?? false };
    // Refused before anything is written, and again under a lock when the import writes.
    if (!s.again) await asActor(options.db, options.actor, () => refuseReimport(options.db, s));
    return s;
  };
  if (format === "json") {
    onProgress?.({ phase: "read", done: 0, total: size });
    const bytes = await readFile(options.file);
    onProgress?.({ phase: "read", done: size, total: size });
    const from = await source(createHash("sha256").update(bytes).digest("hex"));
    return importRequests({ ...options, source: from, records: readJsonRecords(bytes.toString("utf8")) });
  }
  // The file is read once: hashed as it is parsed, so the hash recorded is of the bytes imported.
  const hash = createHash("sha256");
  const stream = createReadStream(options.file);
  stream.on("data", (chunk) => hash.update(chunk as Buffer));
  if (onProgress) {
    let done = 0;
    let last = 0;
    stream.on("data", (chunk) => {
      done += chunk.length;
      if (done - last > 1 << 20 || done === size) {
        last = done;
        onProgress({ phase: "read", done, total: size });
      }
    });
  }
  const records = await readCsvRecords(stream);
  return importRequests({ ...options, source: await source(hash.digest("hex")), records });
}
