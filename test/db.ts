import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { type Database, openDatabase } from "../src/db/client.ts";
import { newPGlite } from "../src/db/pglite.ts";

export const testCacheDir = join(import.meta.dirname, "../.test-cache");
export const pgliteTemplateFile = join(testCacheDir, "template.tar");
/**
 * Names of the test databases on a server. `TEST_DATABASE_PREFIX` keeps two checkouts that run their
 * suites against one server at once from dropping each other's databases.
 */
export const serverPrefix = process.env.TEST_DATABASE_PREFIX ?? "traslado";
export const serverTemplateName = `${serverPrefix}_template`;

export type TestDatabase = Database & { url?: string };

/** The same server URL, naming another database. */
export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** A migrated database of the test file's own: a PGlite clone, or a new database on the server. */
export async function testDatabase(): Promise<TestDatabase> {
  const url = process.env.TEST_DATABASE_URL;
  if (url) {
    const name = `${serverPrefix}_test_${randomBytes(6).toString("hex")}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`create database "${name}" template "${serverTemplateName}"`);
    await admin.end();
    const database = await openDatabase({ kind: "postgres", url: withDatabase(url, name) });
    return {
      ...database,
      url: withDatabase(url, name),
      async close() {
        await database.close();
        const a = new pg.Client({ connectionString: url });
        await a.connect();
        await a.query(`drop database if exists "${name}" with (force)`);
        await a.end();
      },
    };
  }
  const blob = new Blob([readFileSync(pgliteTemplateFile)]);
  const client = await newPGlite(undefined, { loadDataDir: blob });
  return openDatabase({ kind: "pglite", pglite: client });
}
