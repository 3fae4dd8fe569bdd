import { createHash } from "node:crypto";
import { and, eq, type SQL, sql } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import { v7 as uuidv7 } from "uuid";
import type { Actor } from "../auth/roles.ts";
import type { Db } from "../db/client.ts";
import { DIVISION_BY_ZERO, sqlStateOf } from "../db/errors.ts";
import { auditEvents, idempotencyKeys } from "../db/schema.ts";
import { scopeOf, scopingOf } from "../db/scope.ts";
import { AppError, notFound } from "../errors.ts";
import { imageOf } from "./chain.ts";
import { type AuditedTable, type EntityName, entityOf, type NotedEntity } from "./entities.ts";
import { linkerFor, linkWithin } from "./link.ts";
import { columnsOf, fullRow, insertRows, insertStatement } from "./rows.ts";

export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
export type Row<T extends AuditedTable> = T["$inferSelect"];
type Managed = "id" | "party" | "version" | "recordedAt";
type Insertable<T extends AuditedTable> = T["$inferInsert"];
export type NewRow<T extends AuditedTable> = {
  [K in keyof Insertable<T> as K extends Managed ? never : K]: Insertable<T>[K];
} & {
  id?: string;
  party?: string;
};
export type Patch<T extends AuditedTable> = {
  [K in keyof Insertable<T> as K extends Managed ? never : K]?: Insertable<T>[K];
};

export interface ChangeOptions {
  /** When the change happened in the world, if not now. */
  occurredAt?: Date;
  /** Optimistic concurrency: the version the caller read. */
  expectedVersion?: number;
  /** Why the change was made (a correction's reason), kept in its audit event. */
  reason?: string;
}

const dialect = new PgDialect();

/** Events per write from which they are linked inside the writing transaction. */
const LINK_IN_TRANSACTION = 1000;

interface BaseRow {
  id: string;
  version: number;
}

interface PendingEvent {
  entity: EntityName | NotedEntity;
  entityId: string;
  kind: string;
  occurredAt: Date;
  before: unknown;
  after: unknown;
  reason: string | null;
}

/** A guarded update of a deferred write: the row must still be at `version`. */
interface Guard {
  /** Index of its part in the statement. */
  part: number;
  table: AuditedTable;
  id: string;
  version: number;
}

/** Raised when a deferred write's statement found a guarded row changed or gone (it wrote nothing). */
class GuardFailed extends Error {
  constructor() {
    super("a guarded row changed since it was read");
  }
}

/**
 * The only write path to audited tables. Each change is recorded as an audit event in the same
 * transaction; after commit, `write()` has the events linked into the hash chain before it returns.
 *
 * A *deferred* writer (`write(…, { deferred: true })`) sends nothing while `fn` runs: inserts, and
 * updates given the row they change (`before`), are kept and sent with their audit events as ONE
 * statement, so a whole write is one round trip. It has no transaction to read from while `fn` runs.
 */
export class Writer {
  private readonly pending: PendingEvent[] = [];
  private readonly parts: SQL[] = [];
  private readonly guards: Guard[] = [];

  constructor(
    private readonly transaction: Tx | null,
    readonly actor: Actor,
    readonly now: Date,
  ) {}

  /** For reads inside the transaction. Writes go through the methods below. */
  get tx(): Tx {
    if (!this.transaction) throw new Error("a deferred writer has no transaction to read from");
    return this.transaction;
  }

  private get deferred() {
    return this.transaction === null;
  }

  /** A deferred writer sends everything as one statement at the end, and has no transaction to read from. */
  get isDeferred() {
    return this.deferred;
  }

  async insert<T extends AuditedTable>(table: T, rows: NewRow<NoInfer<T>>[], options: ChangeOptions = {}) {
    const entity = entityOf(table);
    const full = rows.map(
      (r) =>
        fullRow(table, {
          ...r,
          id: r.id ?? uuidv7(),
          party: r.party ?? this.actor.party,
          version: 1,
          recordedAt: this.now,
        }) as Row<T>,
    );
    if (this.deferred) {
      if (full.length > 0) this.parts.push(insertStatement(table, full));
    } else {
      await insertRows(this.tx, table, full);
    }
    for (const row of full)
      this.record(entity, (row as BaseRow).id, `${entity}.created`, null, row as object, options);
    return full;
  }

  async insertOne<T extends AuditedTable>(table: T, row: NewRow<NoInfer<T>>, options: ChangeOptions = {}) {
    const [inserted] = await this.insert(table, [row], options);
    return inserted as Row<T>;
  }

  /**
   * Applies the patch and bumps the version, refusing a stale `expectedVersion`. With `before` (the row as
   * read at `expectedVersion`) it is one conditional statement; otherwise the row is locked and read first.
   */
  async update<T extends AuditedTable>(
    table: T,
    id: string,
    patch: Patch<NoInfer<T>>,
    options: ChangeOptions & { kind?: string; before?: Row<NoInfer<T>> } = {},
  ): Promise<Row<T>> {
    const entity = entityOf(table);
    const given = options.before as BaseRow | undefined;
    if (given && (given.id !== id || (options.expectedVersion ?? given.version) !== given.version)) {
      throw new Error("update: `before` must be the row at the expected version");
    }
    if (this.deferred) {
      if (!given) throw new Error("update: a deferred writer needs `before`");
      return this.deferUpdate(table, given, patch, options);
    }
    const before = given ?? ((await this.lock(table, id, options.expectedVersion)) as BaseRow);
    // biome-ignore lint/suspicious/noExplicitAny: see insert
    const [after] = (await (this.tx.update(table) as any)
      .set({ ...patch, version: before.version + 1, recordedAt: this.now })
      .where(and(eq(table.id, id), eq(table.version, before.version)))
      .returning()) as Row<T>[];
    if (!after) {
      // Only with `before`: someone changed or removed the row since it was read.
      await this.lock(table, id, before.version);
      throw new Error(`update of ${entity} ${id} matched no row`);
    }
    this.record(entity, id, options.kind ?? `${entity}.updated`, before as object, after as object, options);
    return after as Row<T>;
  }

  /**
   * The update as a part of the deferred statement, guarded by the version `before` was read at. The
   * changed columns go as one JSON parameter, like inserts, so the row written is `after` as computed here.
   */
  private deferUpdate<T extends AuditedTable>(
    table: T,
    before: BaseRow,
    patch: Patch<NoInfer<T>>,
    options: ChangeOptions & { kind?: string },
  ): Row<T> {
    const entity = entityOf(table);
    const values: Record<string, unknown> = { ...patch, version: before.version + 1, recordedAt: this.now };
    const after = { ...before, ...values } as Row<T>;
    const byKey = new Map(columnsOf(table));
    const json: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(values)) {
      const column = byKey.get(key);
      if (!column) throw new Error(`update of ${entity}: unknown column ${key}`);
      if (value !== undefined) json[column.name] = value;
    }
    const names = sql.join(
      Object.keys(json).map((n) => sql.identifier(n)),
      sql`, `,
    );
    this.parts.push(
      sql`update ${table} set (${names}) = (select ${names} from jsonb_populate_record(null::${table}, ${JSON.stringify(json)}::jsonb)) where ${table.id} = ${before.id} and ${table.version} = ${before.version} returning 1`,
    );
    this.guards.push({ part: this.parts.length - 1, table, id: before.id, version: before.version });
    this.record(entity, before.id, options.kind ?? `${entity}.updated`, before, after as object, options);
    return after;
  }

  /**
   * An event that changes no row (`NotedEntity`): a sign-in, a refusal, an export. `after` says what
   * happened; it never holds a secret or a person's data, only ids, names of routes and counts.
   */
  note(entity: NotedEntity, entityId: string, kind: string, after: object, options: ChangeOptions = {}) {
    this.record(entity, entityId, kind, null, after, options);
  }

  async remove<T extends AuditedTable>(table: T, id: string, options: ChangeOptions = {}) {
    if (this.deferred) throw new Error("remove: not available to a deferred writer");
    const entity = entityOf(table);
    const before = await this.lock(table, id, options.expectedVersion);
    await this.tx.delete(table).where(eq(table.id, id));
    this.record(entity, id, `${entity}.deleted`, before as object, null, options);
  }

  private async lock<T extends AuditedTable>(
    table: T,
    id: string,
    expectedVersion?: number,
    reader: Pick<Db, "select"> = this.tx,
    forUpdate = true,
  ) {
    // biome-ignore lint/suspicious/noExplicitAny: see insert
    const query = (reader.select().from(table as any) as any).where(eq(table.id, id));
    const [row] = (await (forUpdate ? query.for("update") : query)) as Row<T>[];
    const entity = entityOf(table);
    if (!row) throw notFound(entity);
    const current = (row as BaseRow).version;
    if (expectedVersion !== undefined && current !== expectedVersion) {
      throw new AppError(
        "VERSION_CONFLICT",
        `${entity} ${id} is at version ${current}, not ${expectedVersion}: someone changed it first; reload and retry`,
        { entity, id, currentVersion: current, expectedVersion },
      );
    }
    return row;
  }

  private record(
    entity: EntityName | NotedEntity,
    entityId: string,
    kind: string,
    before: object | null,
    after: object | null,
    options: ChangeOptions,
  ) {
    this.pending.push({
      entity,
      entityId,
      kind,
      occurredAt: options.occurredAt ?? this.now,
      before: before && imageOf(before),
      after: after && imageOf(after),
      reason: options.reason ?? null,
    });
  }

  private eventRows() {
    return this.pending.map((p) =>
      fullRow(auditEvents, {
        id: uuidv7(),
        actorId: this.actor.id,
        actorName: this.actor.name,
        party: this.actor.party,
        occurredAt: p.occurredAt,
        recordedAt: this.now,
        entity: p.entity,
        entityId: p.entityId,
        kind: p.kind,
        before: p.before,
        after: p.after,
        reason: p.reason,
      }),
    );
  }

  /**
   * A deferred write as one statement: every kept change and its audit events, one writable CTE each.
   * The statement is atomic, so the events commit with the changes or not at all. If a guarded update
   * matched no row (someone changed or removed it since it was read), the final select divides by zero,
   * which aborts the whole statement: nothing is written, and `write()` reports which row moved.
   */
  private statement(): SQL {
    const events = this.eventRows();
    if (events.length >= LINK_IN_TRANSACTION) throw new Error("a deferred write is for a few rows");
    const parts = [...this.parts, insertStatement(auditEvents, events)];
    const ctes = sql.join(
      parts.map((p, i) => sql`${sql.raw(`w${i}`)} as (${p})`),
      sql`, `,
    );
    const updated = this.guards.map((g) => `(select count(*) from w${g.part})`).join(" + ");
    const check =
      this.guards.length === 0 ? sql`1` : sql.raw(`1 / ((${updated}) = ${this.guards.length})::int`);
    return sql`with ${ctes} select ${check} as ok`;
  }

  /**
   * Sends the deferred write; throws `GuardFailed` if a guarded row moved (nothing was written).
   *
   * The statement is prepared under a name derived from its text, so each shape of write (a transition
   * that updates a case and inserts a history row and a deadline, say) is parsed and planned once per
   * connection: planning it cost more than running it.
   */
  async send(executor: Pick<Db, "_">): Promise<void> {
    if (this.parts.length === 0 && this.pending.length === 0) return;
    const query = dialect.sqlToQuery(this.statement());
    const name = `deferred_${createHash("sha256").update(query.sql).digest("base64url").slice(0, 32)}`;
    try {
      await executor._.session.prepareQuery(query, undefined, name, false).execute();
    } catch (err) {
      if (this.guards.length > 0 && sqlStateOf(err) === DIVISION_BY_ZERO) throw new GuardFailed();
      throw err;
    }
    this.pending.length = 0;
  }

  /** After `GuardFailed`: the `VERSION_CONFLICT` or `NOT_FOUND` of the first guarded row that moved. */
  async explain(db: Db): Promise<never> {
    for (const g of this.guards) await this.lock(g.table, g.id, g.version, db, false);
    throw new Error("a deferred write's guarded update matched no row, yet every row is at its version");
  }

  /**
   * Writes the pending events, in the transaction of the changes they record. `write()` has them linked
   * into the hash chain right after commit (`link.ts`).
   */
  async flush(): Promise<number> {
    if (this.pending.length === 0) return 0;
    const rows = this.eventRows();
    // A large batch (an import) is linked in this transaction: linking it after commit would rewrite
    // every event row once more. Small ones are linked after commit, so writers don't queue on the head.
    if (rows.length >= LINK_IN_TRANSACTION) {
      await linkWithin(this.tx, rows as Parameters<typeof linkWithin>[1]);
    }
    await insertRows(this.tx, auditEvents, rows);
    const count = this.pending.length;
    this.pending.length = 0;
    return count;
  }
}

/** A client's idempotency key, stored with the response in the same transaction as the write. */
export interface IdempotencyRecord {
  key: string;
  requestHash: string;
  /** The HTTP status the response is stored with. */
  status: number;
}

/** Thrown when another request with the same idempotency key committed first: replay its response. */
export class IdempotentReplay extends Error {
  constructor() {
    super("idempotency key already used");
  }
}

/**
 * Runs `fn` in one transaction with a `Writer`; its changes and their audit events commit together or
 * not at all. With an idempotency key, the key is claimed first (a concurrent request with the same key
 * waits on it, then replays) and the result is stored with it before commit.
 */
export async function write<T>(
  db: Db,
  actor: Actor,
  fn: (w: Writer) => Promise<T>,
  options: { now?: Date; idempotency?: IdempotencyRecord | undefined; deferred?: boolean } = {},
): Promise<T> {
  const scoping = scopingOf(db);
  if (!scoping) return writeNow(db, actor, fn, options, () => linkerFor(db).request());
  // Under row-level security, as the actor; the chain is linked once the outermost scope has committed.
  return scoping.scoped(scopeOf(actor), () =>
    writeNow(db, actor, fn, options, () => scoping.afterCommit("audit-link", () => linkerFor(db).request())),
  );
}

async function writeNow<T>(
  db: Db,
  actor: Actor,
  fn: (w: Writer) => Promise<T>,
  options: { now?: Date; idempotency?: IdempotencyRecord | undefined; deferred?: boolean },
  link: () => Promise<void>,
): Promise<T> {
  const { idempotency } = options;
  if (options.deferred) return writeDeferred(db, actor, fn, options, link);
  const result = await db.transaction(async (tx) => {
    const now = options.now ?? new Date();
    if (idempotency) {
      await claim(tx, actor, idempotency, now);
    }
    const writer = new Writer(tx, actor, now);
    const result = await fn(writer);
    await writer.flush();
    if (idempotency) await storeResponse(tx, actor, idempotency, result);
    return result;
  });
  // Acknowledged writes are linked: the caller hears back once its events are in the chain.
  await link();
  return result;
}

/**
 * `write()` with a deferred writer: `fn` computes every change without the database, and the changes
 * and their events go as one statement (one round trip, atomic on its own). With an idempotency key it
 * runs in a transaction that claims the key first and stores the response, as `write()` does. Inside an
 * access scope that is a transaction (PGlite's) the statement runs in a savepoint, so that a refused guard
 * leaves the scope usable.
 */
async function writeDeferred<T>(
  db: Db,
  actor: Actor,
  fn: (w: Writer) => Promise<T>,
  options: { now?: Date; idempotency?: IdempotencyRecord | undefined },
  link: () => Promise<void>,
): Promise<T> {
  const { idempotency } = options;
  const now = options.now ?? new Date();
  const writer = new Writer(null, actor, now);
  const result = await fn(writer);
  try {
    if (idempotency) {
      await db.transaction(async (tx) => {
        await claim(tx, actor, idempotency, now);
        await writer.send(tx);
        await storeResponse(tx, actor, idempotency, result);
      });
    } else if (scopingOf(db)?.transactional) {
      await db.transaction((tx) => writer.send(tx));
    } else {
      await writer.send(db);
    }
  } catch (err) {
    if (err instanceof GuardFailed) return writer.explain(db);
    throw err;
  }
  // Acknowledged writes are linked: the caller hears back once its events are in the chain.
  await link();
  return result;
}

async function claim(tx: Tx, actor: Actor, idempotency: IdempotencyRecord, now: Date) {
  const claimed = await tx
    .insert(idempotencyKeys)
    .values({ actorId: actor.id, key: idempotency.key, requestHash: idempotency.requestHash, createdAt: now })
    .onConflictDoNothing()
    .returning({ key: idempotencyKeys.key });
  if (claimed.length === 0) throw new IdempotentReplay();
}

async function storeResponse(tx: Tx, actor: Actor, idempotency: IdempotencyRecord, result: unknown) {
  await tx
    .update(idempotencyKeys)
    .set({
      // An upload's is known only once its file is hashed, after the claim.
      requestHash: idempotency.requestHash,
      statusCode: idempotency.status,
      response: imageOf({ body: result }).body ?? null,
    })
    .where(and(eq(idempotencyKeys.actorId, actor.id), eq(idempotencyKeys.key, idempotency.key)));
}
