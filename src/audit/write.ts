import { and, eq } from "drizzle-orm";
import { v7 as uuidv7 } from "uuid";
import type { Actor } from "../auth/roles.ts";
import type { Db } from "../db/client.ts";
import { auditEvents, idempotencyKeys } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { imageOf } from "./chain.ts";
import { type AuditedTable, type EntityName, entityOf } from "./entities.ts";
import { linkerFor, linkWithin } from "./link.ts";
import { fullRow, insertRows } from "./rows.ts";

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
}

/** Events per write from which they are linked inside the writing transaction. */
const LINK_IN_TRANSACTION = 1000;

interface BaseRow {
  id: string;
  version: number;
}

interface PendingEvent {
  entity: EntityName;
  entityId: string;
  kind: string;
  occurredAt: Date;
  before: unknown;
  after: unknown;
}

/**
 * The only write path to audited tables. Each change is recorded as an audit event in the same
 * transaction; after commit, `write()` has the events linked into the hash chain before it returns.
 */
export class Writer {
  private readonly pending: PendingEvent[] = [];

  constructor(
    /** For reads inside the transaction. Writes go through the methods below. */
    readonly tx: Tx,
    readonly actor: Actor,
    readonly now: Date,
  ) {}

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
    await insertRows(this.tx, table, full);
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

  async remove<T extends AuditedTable>(table: T, id: string, options: ChangeOptions = {}) {
    const entity = entityOf(table);
    const before = await this.lock(table, id, options.expectedVersion);
    await this.tx.delete(table).where(eq(table.id, id));
    this.record(entity, id, `${entity}.deleted`, before as object, null, options);
  }

  private async lock<T extends AuditedTable>(table: T, id: string, expectedVersion?: number) {
    // biome-ignore lint/suspicious/noExplicitAny: see insert
    const [row] = (await (this.tx.select().from(table as any) as any)
      .where(eq(table.id, id))
      .for("update")) as Row<T>[];
    const entity = entityOf(table);
    if (!row) throw new AppError("NOT_FOUND", `${entity} ${id} not found`, { entity, id });
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
    entity: EntityName,
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
    });
  }

  /**
   * Writes the pending events, in the transaction of the changes they record. `write()` has them linked
   * into the hash chain right after commit (`link.ts`).
   */
  async flush(): Promise<number> {
    if (this.pending.length === 0) return 0;
    const rows = this.pending.map((p) =>
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
      }),
    );
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
  options: { now?: Date; idempotency?: IdempotencyRecord | undefined } = {},
): Promise<T> {
  const { idempotency } = options;
  const result = await db.transaction(async (tx) => {
    const now = options.now ?? new Date();
    if (idempotency) {
      const claimed = await tx
        .insert(idempotencyKeys)
        .values({
          actorId: actor.id,
          key: idempotency.key,
          requestHash: idempotency.requestHash,
          createdAt: now,
        })
        .onConflictDoNothing()
        .returning({ key: idempotencyKeys.key });
      if (claimed.length === 0) throw new IdempotentReplay();
    }
    const writer = new Writer(tx, actor, now);
    const result = await fn(writer);
    await writer.flush();
    if (idempotency) {
      await tx
        .update(idempotencyKeys)
        .set({ statusCode: idempotency.status, response: imageOf({ body: result }).body ?? null })
        .where(and(eq(idempotencyKeys.actorId, actor.id), eq(idempotencyKeys.key, idempotency.key)));
    }
    return result;
  });
  // Acknowledged writes are linked: the caller hears back once its events are in the chain.
  await linkerFor(db).request();
  return result;
}
