import { mkdirSync, writeFileSync } from "node:fs";
import pg from "pg";
import { ensureWebBuilt } from "../bin/build-web.js";
import { openDatabase } from "../src/db/client.ts";
import { newPGlite } from "../src/db/pglite.ts";
import { hasChromium } from "./browser/chromium.ts";
import { pgliteTemplateFile, serverPrefix, serverTemplateName, testCacheDir, withDatabase } from "./db.ts";

/**
 * Migrates one database once per run; every test file then gets its own copy of it: a clone of the
 * PGlite data directory (dumpDataDir/loadDataDir), or, with TEST_DATABASE_URL, a new database created
 * from a template database on the PostgreSQL server.
 */
export default async function setup(): Promise<void> {
  // The browser tests' web app, built once here: test files building it at once would race.
  if (hasChromium) await ensureWebBuilt({ quiet: true });
  const url = process.env.TEST_DATABASE_URL;
  if (url) {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    const old = await admin.query("select datname from pg_database where datname like $1 or datname = $2", [
      `${serverPrefix}_test_%`,
      serverTemplateName,
    ]);
    for (const { datname } of old.rows)
      await admin.query(`drop database if exists "${datname}" with (force)`);
    await admin.query(`create database "${serverTemplateName}"`);
    await admin.end();
    const template = await openDatabase({ kind: "postgres", url: withDatabase(url, serverTemplateName) });
    await template.migrate();
    await template.close();
    return;
  }
  mkdirSync(testCacheDir, { recursive: true });
  const client = await newPGlite();
  const database = await openDatabase({ kind: "pglite", pglite: client });
  await database.migrate();
  const dump = await client.dumpDataDir("none");
  writeFileSync(pgliteTemplateFile, Buffer.from(await dump.arrayBuffer()));
  await client.close();
}
