import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { PGlite } from "@electric-sql/pglite";
import { getTableName, sql } from "drizzle-orm";
import { drizzle as drizzleNodePg } from "drizzle-orm/node-postgres";
import { migrate as migrateNodePg } from "drizzle-orm/node-postgres/migrator";
import type { PgDatabase, PgQueryResultHKT, PgTable } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import pg from "pg";
import { migrationsFolder } from "../runtime.ts";
import { type DataDirLock, lockDataDir } from "./lock.ts";
import { newPGlite } from "./pglite.ts";
import * as schema from "./schema.ts";
import { registerScoping, type ScopePools, type Scoping, scoping } from "./scope.ts";

export type Schema = typeof schema;
/** One database type for both drivers: the services never know which one they run on. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type DbKind = "pglite" | "postgres";

export interface Database {
  /**
   * The database itself, as the connection's role: the migration runner's, a test's, the maintenance
   * CLI's. The services never use it: they use `app`.
   */
  db: Db;
  /** The services' handle: the current access scope's transaction (`scope.ts`); it throws outside one. */
  app: Db;
  /** Runs `fn` as an actor of a party, or as the system, under row-level security. */
  scoped: Scoping["scoped"];
  /** Runs `job` once the current scope has committed. */
  afterCommit: Scoping["afterCommit"];
  kind: DbKind;
  /** Apply the migrations kept in `drizzle/`. */
  migrate(): Promise<void>;
  /** Number of migrations applied, and the tag of the last one. */
  migrationLevel(): Promise<{ applied: number; latest: string | null; expected: number }>;
  close(): Promise<void>;
  /**
   * The connections: the server pool's total, idle and waiting clients. PGlite is one connection inside
   * the process, with no pool to count: total 1, the others unknown.
   */
  poolStats(): { total: number; idle?: number; waiting?: number };
  /**
   * ANALYZE these tables (every table when none are named), so the query planner knows their sizes after
   * a bulk write: with autovacuum off or behind, plans made on stale statistics turn into sequential scans.
   */
  analyze(tables?: PgTable[]): Promise<void>;
  /** The PGlite instance, when embedded (tests clone it). */
  pglite?: PGlite;
}

export { migrationsFolder };

interface Journal {
  entries: { idx: number; tag: string }[];
}
const journal = (): Journal => JSON.parse(readFileSync(join(migrationsFolder, "meta/_journal.json"), "utf8"));

/** Counts come back as numbers from PGlite and as strings from `pg`: normalise them here. */
export function toCount(value: unknown): number {
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return Number(value);
  if (typeof value === "string" && value !== "") return Number(value);
  return 0;
}

export type OpenOptions =
  | { kind: "postgres"; url: string; poolSize?: number }
  | { kind: "pglite"; dataDir: string }
  | { kind: "pglite"; pglite: PGlite };

export async function openDatabase(options: OpenOptions): Promise<Database> {
  if (options.kind === "postgres") return openPostgres(options.url, options.poolSize ?? 10);
  let lock: DataDirLock | undefined;
  let client: PGlite;
  if ("pglite" in options) {
    client = options.pglite;
  } else {
    lock = lockDataDir(options.dataDir);
    try {
      client = await newPGlite(options.dataDir);
    } catch (err) {
      lock.release();
      throw err;
    }
  }
  await client.exec("SET TimeZone = 'UTC'");
  const db = drizzlePglite(client, { schema }) as unknown as Db;
  return {
    db,
    ...scopedHandles(db),
    kind: "pglite",
    pglite: client,
    migrate: () => migratePglite(drizzlePglite(client, { schema }), { migrationsFolder }),
    migrationLevel: () => migrationLevel(db),
    poolStats: () => ({ total: 1 }),
    analyze: (tables) => analyze(db, tables),
    async close() {
      await client.close();
      lock?.release();
    },
  };
}

async function openPostgres(url: string, poolSize: number): Promise<Database> {
  // The raw handle's pool: migrations, maintenance, tests; small, as the services never use it.
  const pool = newPool(url, Math.max(2, Math.ceil(poolSize / 4)));
  // pg returns `date` columns as JS Dates by default; the record keeps calendar days as YYYY-MM-DD text.
  const db = drizzleNodePg(pool, { schema }) as unknown as Db;
  await pool.query("select 1");
  // The scopes' connections (scope.ts): the actors' pool has the configured size; the system's (sign-in
  // lookups, linking the audit chain) a quarter of it, so that switching between the two is rare.
  const scopes = {
    actors: newPool(url, poolSize),
    system: newPool(url, Math.max(2, Math.ceil(poolSize / 4))),
    handle: (client: pg.PoolClient) => drizzleNodePg(client, { schema }) as unknown as Db,
  };
  const pools = [pool, scopes.actors, scopes.system];
  const count = (k: "totalCount" | "idleCount" | "waitingCount") => pools.reduce((n, p) => n + p[k], 0);
  return {
    db,
    ...scopedHandles(db, scopes),
    kind: "postgres",
    migrate: () => migrateNodePg(drizzleNodePg(pool, { schema }), { migrationsFolder }),
    migrationLevel: () => migrationLevel(db),
    poolStats: () => ({
      total: count("totalCount"),
      idle: count("idleCount"),
      waiting: count("waitingCount"),
    }),
    analyze: (tables) => analyze(db, tables),
    close: async () => {
      await Promise.all(pools.map((p) => p.end()));
    },
  };
}

function newPool(url: string, max: number) {
  const pool = new pg.Pool({ connectionString: url, max, options: "-c TimeZone=UTC" });
  // An idle connection the server closes (a restart, an administrator, a dropped database) is an
  // 'error' on the pool, and an unhandled one would stop the process. The pool has already discarded
  // that connection and opens a new one when needed; a query in flight still gets its own error.
  pool.on("error", () => {});
  return pool;
}

function scopedHandles(db: Db, pools?: ScopePools) {
  const s = scoping(db, pools);
  registerScoping(s.app, s);
  return { app: s.app, scoped: s.scoped, afterCommit: s.afterCommit };
}

async function analyze(db: Db, tables: PgTable[] = []): Promise<void> {
  const names = tables.map((t) => `"${getTableName(t).replaceAll('"', '""')}"`);
  await db.execute(sql.raw(`analyze ${names.join(", ")}`));
}

async function migrationLevel(db: Db) {
  const expected = journal().entries;
  let applied = 0;
  try {
    const rows = await db.execute(sql`select count(*) as n from drizzle.__drizzle_migrations`);
    applied = toCount((rows as unknown as { rows: { n: unknown }[] }).rows[0]?.n);
  } catch {
    applied = 0;
  }
  const latest = applied > 0 ? (expected[applied - 1]?.tag ?? null) : null;
  return { applied, latest, expected: expected.length };
}
