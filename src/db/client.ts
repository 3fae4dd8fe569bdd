import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { getTableName, sql } from "drizzle-orm";
import { drizzle as drizzleNodePg } from "drizzle-orm/node-postgres";
import { migrate as migrateNodePg } from "drizzle-orm/node-postgres/migrator";
import type { PgDatabase, PgQueryResultHKT, PgTable } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import pg from "pg";
import { migrationsFolder } from "../runtime.ts";
import { type DataDirLock, lockDataDir } from "./lock.ts";
import * as schema from "./schema.ts";

export type Schema = typeof schema;
/** One database type for both drivers: the services never know which one they run on. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type DbKind = "pglite" | "postgres";

export interface Database {
  db: Db;
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
      client = await PGlite.create(options.dataDir);
    } catch (err) {
      lock.release();
      throw err;
    }
  }
  await client.exec("SET TimeZone = 'UTC'");
  const db = drizzlePglite(client, { schema }) as unknown as Db;
  return {
    db,
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
  const pool = new pg.Pool({ connectionString: url, max: poolSize, options: "-c TimeZone=UTC" });
  // An idle connection the server closes (a restart, an administrator, a dropped database) is an
  // 'error' on the pool, and an unhandled one would stop the process. The pool has already discarded
  // that connection and opens a new one when needed; a query in flight still gets its own error.
  pool.on("error", () => {});
  // pg returns `date` columns as JS Dates by default; the record keeps calendar days as YYYY-MM-DD text.
  const db = drizzleNodePg(pool, { schema }) as unknown as Db;
  await pool.query("select 1");
  return {
    db,
    kind: "postgres",
    migrate: () => migrateNodePg(drizzleNodePg(pool, { schema }), { migrationsFolder }),
    migrationLevel: () => migrationLevel(db),
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    analyze: (tables) => analyze(db, tables),
    close: () => pool.end(),
  };
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
