/**
 * Exporting the record as JSON or CSV (`traslado export`). Tables are read a page at a time in id order
 * (keyset pagination: UUIDv7 ids are time-ordered; the audit chain by `seq`) and written as they are
 * read, so an export of any size runs in constant memory.
 *
 * Requests in CSV use the import's columns, one row per charge, so that an export re-imports.
 */
import { once } from "node:events";
import type { Writable } from "node:stream";
import { stringify } from "csv-stringify/sync";
import { and, asc, eq, getTableColumns, gt, inArray } from "drizzle-orm";
import { v7 as uuidv7 } from "uuid";
import type { AuditedTable } from "../audit/entities.ts";
import { write } from "../audit/write.ts";
import { guarded } from "../auth/access.ts";
import type { Permission } from "../auth/permissions.ts";
import type { Actor } from "../auth/roles.ts";
import type { Db } from "../db/client.ts";
import { pageOf, visible } from "../db/query.ts";
import {
  affiliations,
  auditEvents,
  cases,
  charges,
  deadlines,
  handovers,
  operations,
  organisations,
  people,
  requests,
} from "../db/schema.ts";
import { primaryOf } from "../stats/tally.ts";
import { type CsvColumn, csvColumns, type TransferFormat } from "./import.ts";

export const exportEntities = [
  "requests",
  "people",
  "cases",
  "operations",
  "handovers",
  "deadlines",
  "audit",
] as const;
export type ExportEntity = (typeof exportEntities)[number];

const tables = { people, cases, operations, handovers, deadlines } satisfies Record<string, AuditedTable>;

export interface ExportOptions {
  db: Db;
  /** Who exports: the export holds only what this actor may read. */
  actor: Actor;
  entity: ExportEntity;
  format: TransferFormat;
  out: Writable;
  /** Rows read per query. */
  pageSize?: number;
}

/** Writes with backpressure: waits for the stream to drain when its buffer is full. */
async function put(out: Writable, text: string) {
  if (!out.write(text)) await once(out, "drain");
}

/** A value as a CSV cell: dates in ISO 8601, lists and objects as JSON, null as empty. */
function cellOf(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** Writes the pages as a JSON array or CSV with a header, one page at a time. */
class Sink {
  private first = true;
  constructor(
    private readonly out: Writable,
    private readonly format: TransferFormat,
    private readonly columns: readonly string[],
  ) {}

  async open() {
    if (this.format === "json") await put(this.out, "[");
    else await put(this.out, stringify([this.columns as string[]]));
  }

  async json(items: unknown[]) {
    if (items.length === 0) return;
    const text = items.map((i) => `\n${JSON.stringify(i)}`).join(",");
    await put(this.out, this.first ? text : `,${text}`);
    this.first = false;
  }

  async csv(rows: unknown[][]) {
    if (rows.length > 0) await put(this.out, stringify(rows.map((r) => r.map(cellOf))));
  }

  async close() {
    if (this.format === "json") await put(this.out, this.first ? "]\n" : "\n]\n");
  }
}

/** The permission exporting each entity needs: the same as reading it. */
const readPermission: Record<ExportEntity, Permission> = {
  requests: "request:read",
  people: "person:read",
  cases: "case:read",
  operations: "operation:read",
  handovers: "handover:read",
  deadlines: "deadline:read",
  audit: "audit:read",
};

/**
 * Exports one entity, as far as the actor may read it; returns the number of records (for requests in CSV,
 * still requests, not rows).
 */
export async function exportRecords(options: ExportOptions): Promise<number> {
  const count = await guarded(options.db, options.actor, readPermission[options.entity], () =>
    exportInScope(options),
  );
  // An export is in the audit chain: who took what, in which format, how many records.
  await write(options.db, options.actor, async (w) => {
    w.note("export", uuidv7(), "export.written", {
      entity: options.entity,
      format: options.format,
      count,
    });
  });
  return count;
}

async function exportInScope({
  db,
  actor,
  entity,
  format,
  out,
  pageSize = 1000,
}: ExportOptions): Promise<number> {
  if (entity === "requests") return exportRequests(db, actor, format, out, pageSize);
  if (entity === "audit") return exportAudit(db, actor, format, out, pageSize);
  const table = tables[entity];
  const columns = Object.entries(getTableColumns(table));
  const sink = new Sink(
    out,
    format,
    columns.map(([, c]) => c.name),
  );
  await sink.open();
  let count = 0;
  let cursor: string | undefined;
  do {
    const page = await pageOf(db, table, [], { limit: pageSize, cursor }, actor);
    count += page.items.length;
    if (format === "json") await sink.json(page.items);
    else await sink.csv(page.items.map((r) => columns.map(([key]) => (r as Record<string, unknown>)[key])));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  await sink.close();
  return count;
}

async function exportAudit(db: Db, actor: Actor, format: TransferFormat, out: Writable, pageSize: number) {
  const columns = Object.entries(getTableColumns(auditEvents));
  const sink = new Sink(
    out,
    format,
    columns.map(([, c]) => c.name),
  );
  await sink.open();
  let count = 0;
  let after = 0;
  for (;;) {
    const rows = await db
      .select()
      .from(auditEvents)
      .where(and(gt(auditEvents.seq, after), eq(auditEvents.party, actor.party)))
      .orderBy(asc(auditEvents.seq))
      .limit(pageSize);
    if (rows.length === 0) break;
    count += rows.length;
    if (format === "json") await sink.json(rows);
    else await sink.csv(rows.map((r) => columns.map(([key]) => (r as Record<string, unknown>)[key])));
    after = rows[rows.length - 1]!.seq ?? after;
  }
  await sink.close();
  return count;
}

type RequestRow = typeof requests.$inferSelect;
type ChargeRow = typeof charges.$inferSelect;
type PersonRow = typeof people.$inferSelect;

/**
 * Requests with their charges. JSON: each request as stored, with `charges` nested. CSV: the import's
 * columns, one row per charge; `request_ref` is the request's id and `person_ref` its person's id, so a
 * re-import creates each person once.
 */
async function exportRequests(db: Db, actor: Actor, format: TransferFormat, out: Writable, pageSize: number) {
  const sink = new Sink(out, format, csvColumns);
  await sink.open();
  let count = 0;
  let cursor: string | undefined;
  do {
    const page = await pageOf(db, requests, [], { limit: pageSize, cursor }, actor);
    const ids = page.items.map((r) => r.id);
    const chargeRows =
      ids.length > 0
        ? await db
            .select()
            .from(charges)
            .where(and(inArray(charges.requestId, ids), visible(charges, actor)))
            .orderBy(asc(charges.id))
        : [];
    const byRequest = new Map<string, ChargeRow[]>();
    for (const c of chargeRows) {
      const list = byRequest.get(c.requestId);
      if (list) list.push(c);
      else byRequest.set(c.requestId, [c]);
    }
    if (format === "json") {
      await sink.json(page.items.map((r) => ({ ...r, charges: byRequest.get(r.id) ?? [] })));
    } else {
      const personIds = [...new Set(page.items.map((r) => r.personId))];
      const personRows =
        personIds.length > 0
          ? await db
              .select()
              .from(people)
              .where(and(inArray(people.id, personIds), visible(people, actor)))
          : [];
      const personById = new Map(personRows.map((p) => [p.id, p]));
      const affs =
        personIds.length > 0
          ? await db
              .select({
                personId: affiliations.personId,
                name: organisations.name,
                role: affiliations.role,
                primary: affiliations.primary,
                toOn: affiliations.toOn,
              })
              .from(affiliations)
              .innerJoin(organisations, eq(organisations.id, affiliations.organisationId))
              .where(and(inArray(affiliations.personId, personIds), visible(affiliations, actor)))
              .orderBy(asc(affiliations.id))
          : [];
      // The import reads the first affiliation as the primary one: write it first.
      const affiliationsOf = (personId: string) => {
        const own = affs.filter((a) => a.personId === personId);
        const first = primaryOf(own);
        return [...(first ? [first] : []), ...own.filter((a) => a !== first)]
          .map((a) => (a.role ? `${a.name}:${a.role}` : a.name))
          .join(";");
      };
      const rows: unknown[][] = [];
      for (const r of page.items) {
        const person = personById.get(r.personId);
        const list = byRequest.get(r.id) ?? [];
        // A request without charges cannot be imported, but is still exported, with empty charge cells.
        for (const c of list.length > 0 ? list : [undefined])
          rows.push(csvRow(r, person, c, affiliationsOf(r.personId)));
      }
      await sink.csv(rows);
    }
    count += page.items.length;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  await sink.close();
  return count;
}

function csvRow(
  r: RequestRow,
  p: PersonRow | undefined,
  c: ChargeRow | undefined,
  affiliationCell: string,
): unknown[] {
  const list = (xs: string[] | undefined) => (xs && xs.length > 0 ? xs.join(";") : "");
  const values: Record<CsvColumn, unknown> = {
    request_ref: r.id,
    person_ref: r.personId,
    person_id: "",
    given_names: p?.givenNames,
    family_names: p?.familyNames,
    aliases: list(p?.aliases),
    date_of_birth: p?.dateOfBirth,
    nationalities: list(p?.nationalities),
    identifiers: list(p?.identifiers.map((i) => `${i.kind}:${i.value}`)),
    risk_flags: list(p?.riskFlags),
    custody_facility: p?.custodyFacility,
    custody_since: p?.custodySince,
    fictional: p?.fictional,
    affiliations: affiliationCell,
    requesting_state: r.requestingState,
    requesting_agency: r.requestingAgency,
    type: r.type,
    channel: r.channel,
    diplomatic_note: r.diplomaticNote,
    sent_on: r.sentOn,
    received_on: r.receivedOn,
    court: r.court,
    district: r.district,
    court_case_number: r.courtCaseNumber,
    treaty: r.treaty,
    statute: c?.statute,
    description: c?.description,
    maximum_penalty: c?.maximumPenalty,
    capital_eligible: c?.capitalEligible,
    sealed: c?.sealed,
  };
  return csvColumns.map((k) => values[k]);
}
