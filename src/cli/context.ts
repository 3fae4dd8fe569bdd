import type { Command } from "commander";
import { sql } from "drizzle-orm";
import { type Config, loadConfig } from "../config.ts";
import { type Database, openDatabase } from "../db/client.ts";
import { asConflict, describeError, sqlStateOf } from "../db/errors.ts";
import { AppError } from "../errors.ts";
import { type Services, services } from "../services.ts";

/**
 * Opens the configured database (embedded PGlite in DATA_DIR, or DATABASE_URL), migrated — on a server, by
 * the schema owner's connection (MIGRATION_DATABASE_URL) when one is given.
 */
export async function openConfigured(config: Config): Promise<Database> {
  if (config.DATABASE_URL && config.MIGRATION_DATABASE_URL) {
    const owner = await openDatabase({ kind: "postgres", url: config.MIGRATION_DATABASE_URL, poolSize: 1 });
    try {
      await owner.migrate();
    } finally {
      await owner.close();
    }
  }
  const database = config.DATABASE_URL
    ? await openDatabase({ kind: "postgres", url: config.DATABASE_URL, poolSize: config.DATABASE_POOL_SIZE })
    : await openDatabase({ kind: "pglite", dataDir: config.DATA_DIR });
  try {
    // Applied only when one is missing: the application role may read the migration level, not change it.
    if (!(config.DATABASE_URL && config.MIGRATION_DATABASE_URL)) {
      const level = await database.migrationLevel();
      if (level.applied < level.expected) await database.migrate();
    }
  } catch (err) {
    await database.close();
    throw err;
  }
  return database;
}

/**
 * The second wall holds only if the application cannot step over it: the role its scoped work runs as must
 * be neither a superuser nor one that bypasses row-level security, and on a server the role it connects as
 * must not be either. Throws CONFIG_INVALID naming the role, unless ALLOW_PRIVILEGED_DATABASE_ROLE is set.
 */
export async function checkDatabaseRole(database: Database, config: Config): Promise<void> {
  const rowsOf = <R>(r: unknown) => (r as { rows: R[] }).rows;
  const query = sql`select r.rolname as name, r.rolsuper as super, r.rolbypassrls as bypass from pg_roles r where r.rolname = current_user`;
  const roles = [
    ...rowsOf<{ name: string; super: boolean; bypass: boolean }>(
      await database.scoped({ party: "-", actorId: "role-check" }, () => database.app.execute(query)),
    ),
    ...(database.kind === "postgres"
      ? rowsOf<{ name: string; super: boolean; bypass: boolean }>(await database.db.execute(query))
      : []),
  ];
  const privileged = roles.filter((r) => r.super || r.bypass);
  if (privileged.length === 0 || config.ALLOW_PRIVILEGED_DATABASE_ROLE) return;
  const [r] = privileged;
  throw new AppError(
    "CONFIG_INVALID",
    `DATABASE_URL: the application connects as ${r!.name}, ${r!.super ? "a superuser" : "a role that bypasses row-level security"}: connect as traslado_app (the migrations create it; give it a password and LOGIN), apply migrations with MIGRATION_DATABASE_URL, or set ALLOW_PRIVILEGED_DATABASE_ROLE=true for maintenance`,
    { issues: [{ field: "DATABASE_URL", rule: `must not connect as ${r!.name}` }] },
  );
}

/** Runs a command with the services over the configured database, then closes it. */
export async function withServices<T>(fn: (s: Services, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const database = await openConfigured(config);
  try {
    return await fn(services(database, config), config);
  } finally {
    await database.close();
  }
}

/** SQLSTATEs of a value given in a form its column cannot take, and what to tell the user. */
const MALFORMED_VALUE: Record<string, string> = {
  "22P02": "a value given is not in the form its field takes: an id is a UUID (from a list or an answer)",
  "22007": "a date or time given is not in the form YYYY-MM-DD (or an ISO 8601 time)",
  "22008": "a date or time given is out of range",
};

/** A command's failure, as a user reads it: the message (and each field), then exit code 1 or 2. */
export function reportFailure(thrown: unknown): number {
  const err = asConflict(thrown);
  if (err instanceof AppError) {
    process.stderr.write(`traslado: ${err.message}\n`);
    for (const i of err.details.issues ?? []) process.stderr.write(`  ${i.field}: ${i.rule}\n`);
    return err.code === "VALIDATION_FAILED" ? 2 : 1;
  }
  // A value the database could not read as its column's type: an argument given in the wrong form (an id
  // that is not a UUID), the user's to mend, not a fault to report with the statement.
  const malformed = MALFORMED_VALUE[sqlStateOf(err) ?? ""];
  if (malformed) {
    process.stderr.write(`traslado: ${malformed}\n`);
    return 2;
  }
  // A database error's message quotes the values it refused (a name, a date of birth): never printed.
  process.stderr.write(`traslado: ${describeError(err)}\n`);
  return 1;
}

/** A command module adds its subcommands to the program. */
export type CommandModule = (program: Command) => void;
