/**
 * The record grower of `npm run bench:scale`: copies of one template case, written straight into the
 * tables with multi-row INSERTs, with their audit events linked into the hash chain as the linker links
 * them.
 *
 * The template is made by the application itself (`harvest`): a case opened and moved through the API,
 * whose audit events (and so the rows they left) are read back. Each copy is the template's events with
 * fresh ids in place of the template's entity ids and event ids, a fresh number in the person's name,
 * and its own chain positions. Because an id or that number takes the place of another of the same
 * kind inside a string, the canonical JSON of a copy's event (RFC 8785: keys in order, strings escaped)
 * is the template's with those substitutions: the text is compiled once into segments and slots, and
 * each copy's event hash is one SHA-256 over the joined segments (`hashEvent`'s input, built without
 * parsing). Each row is the last after-image of its entity, so `audit verify` (full or from a checkpoint)
 * finds every row equal to its image. `checkCopy` proves the shortcut against `hashEvent(bodyOf(…))`.
 */
import { createHash } from "node:crypto";
import { and, asc, getTableName, gt, lte } from "drizzle-orm";
import type pg from "pg";
import { v7 as uuidv7 } from "uuid";
import { bodyOf, canonical, hashEvent } from "../../src/audit/chain.ts";
import { auditedTables, type EntityName } from "../../src/audit/entities.ts";
import { columnsOf } from "../../src/audit/rows.ts";
import type { Db } from "../../src/db/client.ts";
import { auditEvents } from "../../src/db/schema.ts";

/** Put in the template person's family name; each copy has its own number there. */
export const NAME_MARK = "Qnumq";
const SEQ_MARK = 987654321987;
const PREV_MARK = "Qprevq";
const HASH_MARK = "Qhashq";
const SLOT = { seq: -1, prev: -2, hash: -3, number: -4 } as const;
const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
const MARKS = new RegExp(`${UUID}|${SEQ_MARK}|${PREV_MARK}|${HASH_MARK}|${NAME_MARK}`, "g");

/** Text with holes: literal strings, and slot numbers (≥ 0: an id of the copy; < 0: `SLOT`). */
type Segments = (string | number)[];

interface TemplateEvent {
  /** Canonical JSON of the hashed body (`bodyOf`), as segments. */
  body: Segments;
  /** The row for `audit_events` (column names; seq, prev_hash and hash as slots), as segments. */
  row: Segments;
}

interface TemplateTable {
  table: string;
  /** Column names, in the order of the JSON rows. */
  columns: string[];
  /** One JSON row per entity of this table, as segments. */
  rows: Segments[];
}

export interface Template {
  /** Ids a copy needs: its entity ids first, then one per event. */
  ids: number;
  /** How many of them are entity ids (made in creation order, so UUIDv7 order follows the template's). */
  entities: number;
  events: TemplateEvent[];
  /** Tables in the order their first row appeared (foreign keys point backwards). */
  tables: TemplateTable[];
  /** Rows per copy, all tables. */
  rowsPerCopy: number;
}

function compile(text: string, ids: Map<string, number>): Segments {
  const out: Segments = [];
  let at = 0;
  for (const m of text.matchAll(MARKS)) {
    const token = m[0];
    const slot =
      token === String(SEQ_MARK)
        ? SLOT.seq
        : token === PREV_MARK
          ? SLOT.prev
          : token === HASH_MARK
            ? SLOT.hash
            : token === NAME_MARK
              ? SLOT.number
              : ids.get(token);
    // A uuid that is not one of the template's own (an actor's id, say) stays as it is.
    if (slot === undefined) continue;
    out.push(text.slice(at, m.index), slot);
    at = m.index + token.length;
  }
  out.push(text.slice(at));
  return out;
}

function fill(s: Segments, ids: string[], seq: number, prev: string, hash: string, n: string): string {
  let out = "";
  for (const x of s) {
    if (typeof x === "string") out += x;
    else if (x >= 0) out += ids[x];
    else if (x === SLOT.seq) out += seq;
    else if (x === SLOT.prev) out += prev;
    else if (x === SLOT.hash) out += hash;
    else out += n;
  }
  return out;
}

type EventRow = typeof auditEvents.$inferSelect;

/** A template: the events after `fromSeq` up to `toSeq` (the application's own, just written) and the rows they left. */
export async function harvest(
  db: Db,
  fromSeq: number,
  toSeq: number,
): Promise<{ template: Template; events: EventRow[] }> {
  const events = await db
    .select()
    .from(auditEvents)
    .where(and(gt(auditEvents.seq, fromSeq), lte(auditEvents.seq, toSeq)))
    .orderBy(asc(auditEvents.seq));
  if (events.length === 0) throw new Error("scale: the template wrote no audit events");
  const ids = new Map<string, number>();
  for (const e of events) {
    if (!(e.entity in auditedTables)) throw new Error(`scale: the template wrote a ${e.entity} event`);
    if (!ids.has(e.entityId)) ids.set(e.entityId, ids.size);
  }
  const entities = ids.size;
  for (const e of events) ids.set(e.id, ids.size);

  const compiled = events.map((e) => ({
    body: compile(canonical(bodyOf(e, SEQ_MARK)), ids),
    row: compile(
      JSON.stringify({
        id: e.id,
        seq: SEQ_MARK,
        prev_hash: PREV_MARK,
        hash: HASH_MARK,
        actor_id: e.actorId,
        actor_name: e.actorName,
        party: e.party,
        occurred_at: e.occurredAt.toISOString(),
        recorded_at: e.recordedAt.toISOString(),
        entity: e.entity,
        entity_id: e.entityId,
        kind: e.kind,
        before: e.before,
        after: e.after,
      }),
      ids,
    ),
  }));

  // Each entity's row is its last after-image; entities in the order they first appeared.
  const last = new Map<string, EventRow>();
  for (const e of events) last.set(`${e.entity}/${e.entityId}`, e);
  const tables = new Map<string, TemplateTable>();
  for (const e of last.values()) {
    if (e.after == null) continue;
    const table = auditedTables[e.entity as EntityName];
    const columns = columnsOf(table);
    const name = getTableName(table);
    let t = tables.get(e.entity);
    if (!t) {
      t = { table: name, columns: columns.map(([, c]) => c.name), rows: [] };
      tables.set(e.entity, t);
    }
    const image = e.after as Record<string, unknown>;
    const row: Record<string, unknown> = {};
    for (const [key, c] of columns) row[c.name] = image[key] ?? null;
    t.rows.push(compile(JSON.stringify(row), ids));
  }
  const order = [...new Set(events.map((e) => e.entity))].filter((x) => tables.has(x));
  const list = order.map((x) => tables.get(x)!);
  return {
    template: {
      ids: ids.size,
      entities,
      events: compiled,
      tables: list,
      rowsPerCopy: list.reduce((n, t) => n + t.rows.length, 0),
    },
    events,
  };
}

/** The shortcut against the real thing: copy `ids` of the template events, hashed both ways. */
export function checkCopy(template: Template, events: EventRow[]) {
  const ids = Array.from({ length: template.ids }, () => uuidv7());
  let prev = "0".repeat(64);
  template.events.forEach((t, i) => {
    const seq = 1000 + i;
    const fast = sha256Chain(prev, fill(t.body, ids, seq, "", "", "7"));
    const row = JSON.parse(fill(t.row, ids, seq, prev, fast, "7"));
    const e = events[i]!;
    const copy = {
      ...e,
      id: row.id,
      entityId: row.entity_id,
      before: row.before,
      after: row.after,
    };
    const slow = hashEvent(prev, bodyOf(copy, seq));
    if (slow !== fast)
      throw new Error(`scale: the copied hash of template event ${i} (${e.kind}) is not hashEvent's`);
    prev = fast;
  });
}

const sha256Chain = (prev: string, body: string) =>
  createHash("sha256").update(`${prev}\n${body}`).digest("hex");

export interface GrowOptions {
  /** Copies per batch (one statement per table, one for the events). */
  batch?: number;
  /** Told after each batch. */
  onProgress?: (copies: number) => void;
}

/**
 * Appends `copies` copies of the templates (copy n of `templates[n % templates.length]`) to the record,
 * after the chain's head, and moves the head. Batches take turns over the connections: a batch's rows on
 * `rows[i]`, its events on `events[i]`, each with one batch in flight while the next is built. `firstNumber` numbers the
 * copies' people.
 */
export async function grow(
  rows: pg.Client[],
  events: pg.Client[],
  templates: Template[],
  copies: number,
  firstNumber: number,
  options: GrowOptions = {},
): Promise<{ seq: number; hash: string; time: { build: number; waitRows: number; waitEvents: number } }> {
  const batch = options.batch ?? 1000;
  const [head] = (await rows[0]!.query("select seq::int8 as seq, hash from audit_head where id = 1"))
    .rows as {
    seq: string;
    hash: string;
  }[];
  if (!head) throw new Error("scale: the chain has no head: is the database migrated?");
  let seq = Number(head.seq);
  let hash = head.hash;
  // Every table any template fills, in the order of first appearance (a template's order is kept).
  const tables = [...new Map(templates.flatMap((t) => t.tables.map((x) => [x.table, x.columns] as const)))];
  const slot = new Map(tables.map(([name], i) => [name, i]));
  const inserts = tables.map(([table, columns]) => {
    const names = columns.map((c) => `"${c}"`).join(", ");
    return `insert into ${table} (${names}) select ${names} from jsonb_populate_recordset(null::${table}, $1::jsonb)`;
  });
  const eventColumns =
    "id, seq, prev_hash, hash, actor_id, actor_name, party, occurred_at, recorded_at, entity, entity_id, kind, before, after";
  const insertEvents = `insert into audit_events (${eventColumns}) select ${eventColumns} from jsonb_populate_recordset(null::audit_events, $1::jsonb)`;
  const time = { build: 0, waitRows: 0, waitEvents: 0 };
  if (rows.length !== events.length) throw new Error("grow: as many row connections as event connections");
  const rowsInFlight: Promise<unknown>[] = rows.map(() => Promise.resolve());
  const eventsInFlight: Promise<unknown>[] = events.map(() => Promise.resolve());
  let turn = 0;
  for (let done = 0; done < copies; ) {
    const n = Math.min(batch, copies - done);
    let t = performance.now();
    const tableRows: string[][] = tables.map(() => []);
    const eventRows: string[] = [];
    for (let k = 0; k < n; k++) {
      const number = firstNumber + done + k;
      const template = templates[number % templates.length]!;
      const name = String(number);
      const ids = new Array<string>(template.ids);
      for (let i = 0; i < template.ids; i++) ids[i] = uuidv7();
      for (const t of template.events) {
        seq += 1;
        const prev = hash;
        hash = sha256Chain(prev, fill(t.body, ids, seq, "", "", name));
        eventRows.push(fill(t.row, ids, seq, prev, hash, name));
      }
      for (const t of template.tables) {
        const into = tableRows[slot.get(t.table)!]!;
        for (const r of t.rows) into.push(fill(r, ids, 0, "", "", name));
      }
    }
    time.build += performance.now() - t;
    // A batch's rows in one transaction (a copy's rows point only at each other), batches in turn over
    // the row connections.
    t = performance.now();
    await rowsInFlight[turn];
    time.waitRows += performance.now() - t;
    const into = rows[turn]!;
    rowsInFlight[turn] = (async () => {
      await into.query("begin");
      for (let i = 0; i < inserts.length; i++)
        if (tableRows[i]!.length > 0) await into.query(inserts[i]!, [`[${tableRows[i]!.join(",")}]`]);
      await into.query("commit");
    })();
    // Events take turns over their connections: one batch in flight on each.
    t = performance.now();
    await eventsInFlight[turn];
    time.waitEvents += performance.now() - t;
    eventsInFlight[turn] = events[turn]!.query(insertEvents, [`[${eventRows.join(",")}]`]);
    turn = (turn + 1) % events.length;
    done += n;
    options.onProgress?.(done);
  }
  await Promise.all([...rowsInFlight, ...eventsInFlight]);
  await rows[0]!.query("update audit_head set seq = $1, hash = $2 where id = 1", [seq, hash]);
  return { seq, hash, time };
}
