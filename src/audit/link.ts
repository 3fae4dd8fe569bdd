import { eq, type SQL, sql } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import type { Db } from "../db/client.ts";
import { DIVISION_BY_ZERO, sqlStateOf } from "../db/errors.ts";
import { type auditEvents, auditHead } from "../db/schema.ts";
import { perHandle, scopingOf } from "../db/scope.ts";
import { bodyOf, hashEvent } from "./chain.ts";
import type { Tx } from "./write.ts";

const BATCH = 5000;

type EventRow = typeof auditEvents.$inferSelect;

/** A pass read events as pending that a concurrent pass linked meanwhile: it is rolled back and retried. */
class StaleLink extends Error {
  constructor() {
    super("audit link pass saw events another pass linked meanwhile");
  }
}

interface RawEvent {
  id: string;
  actor_id: string;
  actor_name: string;
  party: string;
  occurred_at: Date | string;
  recorded_at: Date | string;
  entity: string;
  entity_id: string;
  kind: string;
  before: unknown;
  after: unknown;
  reason: string | null;
}

const pendingText = `select id, actor_id, actor_name, party, occurred_at, recorded_at, entity, entity_id,
  kind, before, after, reason from audit_events where seq is null order by arrival limit ${BATCH}`;
const pendingEvents = sql.raw(pendingText);
/** The chain's head and the events waiting to be linked; `lock` holds the head until commit. */
const headAndPendingText = (
  lock: boolean,
) => `with h as (select seq, hash from audit_head where id = 1${lock ? " for update" : ""})
  select h.seq as head_seq, h.hash as head_hash, e.* from h left join lateral (${pendingText}) e on true`;

const rowsOf = <R>(result: unknown): R[] => (result as { rows: R[] }).rows;

const eventOf = (r: RawEvent) => ({
  id: r.id,
  actorId: r.actor_id,
  actorName: r.actor_name,
  party: r.party,
  occurredAt: new Date(r.occurred_at),
  recordedAt: new Date(r.recorded_at),
  entity: r.entity,
  entityId: r.entity_id,
  kind: r.kind,
  before: r.before,
  after: r.after,
  reason: r.reason,
});

/**
 * Within `tx`: locks the chain's head, links the events other transactions committed unlinked (oldest
 * arrival first), then gives `own` (events about to be inserted by this transaction) the next positions.
 * Returns how many events were linked.
 *
 * Two statements per batch: lock the head and read the pending events together, then set the events'
 * links and the head together. The first statement's snapshot is taken before it waits for the head, so
 * if a concurrent pass held the head, events it linked can look pending: the update only links events
 * still unlinked, and if it links fewer than it read, the pass is rolled back (`StaleLink`) and retried.
 */
export async function linkWithin(tx: Tx, own: Omit<EventRow, "arrival">[] = []): Promise<number> {
  // Linking is the system's work (it reads and links every party's events, and moves the head, which only
  // the system may see under row-level security), also inside a writer's transaction: the system's setting
  // for these statements, then the writer's again. After a failure the transaction is rolled back, and the
  // setting with it.
  const [setting] = rowsOf<{ was: string | null }>(
    await tx.execute(
      sql`select current_setting('app.system', true) as was, set_config('app.system', 'on', true)`,
    ),
  );
  const linked = await linkAsSystem(tx, own);
  await tx.execute(sql`select set_config('app.system', ${setting?.was ?? ""}, true)`);
  return linked;
}

async function linkAsSystem(tx: Tx, own: Omit<EventRow, "arrival">[]): Promise<number> {
  // Inside a writer's own transaction (a bulk write) a stale read could not be retried without losing the
  // write: take the head first, so the read below starts after any concurrent pass has committed.
  if (own.length > 0) await tx.execute(sql`select 1 from audit_head where id = 1 for update`);
  const first = rowsOf<RawEvent & { head_seq: unknown; head_hash: string }>(
    await tx.execute(sql.raw(headAndPendingText(true))),
  );
  const head = first[0];
  if (!head) throw new Error("audit chain head is missing: the database was not migrated");
  let seq = Number(head.head_seq);
  let hash = head.head_hash;
  let linked = 0;
  let pending: RawEvent[] = head.id === null ? [] : first;
  for (;;) {
    if (pending.length === 0) break;
    const values = pending.map((r) => {
      seq += 1;
      const prev = hash;
      hash = hashEvent(prev, bodyOf(eventOf(r), seq));
      return sql`(${r.id}::uuid, ${seq}::bigint, ${prev}, ${hash})`;
    });
    const [done] = rowsOf<{ n: unknown }>(
      await tx.execute(sql`
        with u as (
          update audit_events as e set seq = v.seq, prev_hash = v.prev, hash = v.hash
          from (values ${sql.join(values, sql`, `)}) as v(id, seq, prev, hash)
          where e.id = v.id and e.seq is null
          returning 1),
        h as (update audit_head set seq = ${seq}, hash = ${hash} where id = 1)
        select count(*) as n from u`),
    );
    if (Number(done?.n) !== pending.length) throw new StaleLink();
    linked += pending.length;
    if (pending.length < BATCH) break;
    pending = rowsOf<RawEvent>(await tx.execute(pendingEvents));
  }
  for (const e of own) {
    seq += 1;
    e.seq = seq;
    e.prevHash = hash;
    hash = hashEvent(hash, bodyOf(e, seq));
    e.hash = hash;
  }
  if (own.length > 0) await tx.update(auditHead).set({ seq, hash }).where(eq(auditHead.id, 1));
  return linked + own.length;
}

/**
 * Links events written by committed transactions into the hash chain. Linking after commit, rather than
 * inside each writer's transaction, lets writers commit concurrently: a head row locked through every
 * commit caps the whole system at one commit per disk flush (about 400 a second measured on this
 * machine's disk). Returns how many it linked.
 *
 * Two prepared statements per batch and no explicit transaction: read the head and the pending events
 * (oldest arrival first), hash them here, then move the head and link the events in one statement that
 * only applies if the head is still where it was read. If another pass moved it meanwhile, or linked some
 * of these events, the statement divides by zero and writes nothing, and the pass starts again.
 */
export async function linkPending(db: Db): Promise<number> {
  let linked = 0;
  for (let attempt = 1; ; ) {
    try {
      const n = await asSystem(db, () => linkBatch(statementsOf(db)()));
      linked += n;
      if (n < BATCH) return linked;
    } catch (err) {
      if (!(err instanceof StaleLink) || ++attempt > 20) throw err;
      // Another process linked first: it made progress, so this pass only needs to catch up. A short,
      // random wait keeps two processes from colliding again and again.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 2 * attempt));
    }
  }
}

/** Under row-level security the linker reads and links every party's events: the system's work. */
function asSystem<T>(db: Db, fn: () => Promise<T>): Promise<T> {
  const scoping = scopingOf(db);
  return scoping ? scoping.scoped("system", fn) : fn();
}

/** The linker's two statements, prepared once per connection (`perHandle`). */
function statementsOf(db: Db): () => LinkStatements {
  let of = statements.get(db);
  if (!of) {
    of = perHandle(db, () => linkStatements(db));
    statements.set(db, of);
  }
  return of;
}
const statements = new WeakMap<Db, () => LinkStatements>();

function linkStatements(db: Db): LinkStatements {
  const session = db._.session;
  const prepare = (name: string, text: SQL) =>
    session.prepareQuery(dialect.sqlToQuery(text), undefined, name, false);
  return {
    read: prepare("audit_link_read", sql.raw(headAndPendingText(false))),
    link: prepare(
      "audit_link_write",
      sql`with h as (
          update audit_head set seq = ${sql.placeholder("seq")}::bigint, hash = ${sql.placeholder("hash")}
          where id = 1 and seq = ${sql.placeholder("fromSeq")}::bigint and hash = ${sql.placeholder("fromHash")}
          returning 1),
        u as (
          update audit_events as e set seq = v.seq, prev_hash = v.prev, hash = v.hash
          from unnest(${sql.placeholder("ids")}::uuid[], ${sql.placeholder("seqs")}::bigint[],
            ${sql.placeholder("prevs")}::text[], ${sql.placeholder("hashes")}::text[]) as v(id, seq, prev, hash)
          where e.id = v.id and e.seq is null and exists (select 1 from h)
          returning 1)
        select 1 / ((select count(*) from u) = ${sql.placeholder("n")}::int)::int as ok`,
    ),
  };
}
type LinkStatements = {
  read: ReturnType<Db["_"]["session"]["prepareQuery"]>;
  link: ReturnType<Db["_"]["session"]["prepareQuery"]>;
};
const dialect = new PgDialect();

async function linkBatch(statements: LinkStatements): Promise<number> {
  const rows = rowsOf<RawEvent & { head_seq: unknown; head_hash: string }>(await statements.read.execute());
  const head = rows[0];
  if (!head) throw new Error("audit chain head is missing: the database was not migrated");
  const fromSeq = Number(head.head_seq);
  const fromHash = head.head_hash;
  const pending = head.id === null ? [] : rows;
  if (pending.length === 0) return 0;
  let seq = fromSeq;
  let hash = fromHash;
  const ids: string[] = [];
  const seqs: number[] = [];
  const prevs: string[] = [];
  const hashes: string[] = [];
  for (const r of pending) {
    seq += 1;
    ids.push(r.id);
    seqs.push(seq);
    prevs.push(hash);
    hash = hashEvent(hash, bodyOf(eventOf(r), seq));
    hashes.push(hash);
  }
  try {
    await statements.link.execute({
      seq,
      hash,
      fromSeq,
      fromHash,
      ids,
      seqs,
      prevs,
      hashes,
      n: pending.length,
    });
  } catch (err) {
    if (sqlStateOf(err) === DIVISION_BY_ZERO) throw new StaleLink();
    throw err;
  }
  return pending.length;
}

/**
 * How far linking lags: the events committed but not linked yet, and the age of the oldest of them
 * (0 when none). Writers link their own events before they answer, so a lasting lag means a process
 * stopped between commit and link, or linking fails; `audit verify` and a shutdown link what is left.
 */
export async function linkLag(db: Db): Promise<{ unlinked: number; oldestAgeSeconds: number }> {
  const [row] = rowsOf<{ n: unknown; age: unknown }>(
    await db.execute(sql`select count(*) as n,
      coalesce(extract(epoch from (now() - min(recorded_at))), 0)::float8 as age
      from audit_events where seq is null`),
  );
  return { unlinked: Number(row?.n ?? 0), oldestAgeSeconds: Number(row?.age ?? 0) };
}

/**
 * Coalesces link requests of one process: whoever asks while a pass runs is served by the next pass, so
 * under load one pass links the events of many transactions.
 */
class Linker {
  private running: Promise<void> | null = null;
  private next: Promise<void> | null = null;

  constructor(private readonly db: Db) {}

  /** Resolves once every event committed before the call is linked. */
  request(): Promise<void> {
    if (!this.running) {
      this.running = this.pass();
      return this.running;
    }
    if (!this.next) {
      this.next = this.running
        .catch(() => undefined)
        .then(() => {
          this.next = null;
          this.running = this.pass();
          return this.running;
        });
    }
    return this.next;
  }

  private async pass(): Promise<void> {
    try {
      await linkPending(this.db);
    } finally {
      this.running = null;
    }
  }
}

const linkers = new WeakMap<Db, Linker>();

export function linkerFor(db: Db): Linker {
  let linker = linkers.get(db);
  if (!linker) {
    linker = new Linker(db);
    linkers.set(db, linker);
  }
  return linker;
}
