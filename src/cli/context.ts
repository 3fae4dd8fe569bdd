import type { Command } from "commander";
import { type Config, loadConfig } from "../config.ts";
import { type Database, openDatabase } from "../db/client.ts";
import { asConflict } from "../db/errors.ts";
import { AppError } from "../errors.ts";
import { type Services, services } from "../services.ts";

/** Opens the configured database (embedded PGlite in DATA_DIR, or DATABASE_URL), migrated. */
export async function openConfigured(config: Config): Promise<Database> {
  const database = config.DATABASE_URL
    ? await openDatabase({ kind: "postgres", url: config.DATABASE_URL, poolSize: config.DATABASE_POOL_SIZE })
    : await openDatabase({ kind: "pglite", dataDir: config.DATA_DIR });
  try {
    await database.migrate();
  } catch (err) {
    await database.close();
    throw err;
  }
  return database;
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

/** A command's failure, as a user reads it: the message (and each field), then exit code 1 or 2. */
export function reportFailure(thrown: unknown): number {
  const err = asConflict(thrown);
  if (err instanceof AppError) {
    process.stderr.write(`traslado: ${err.message}\n`);
    for (const i of err.details.issues ?? []) process.stderr.write(`  ${i.field}: ${i.rule}\n`);
    return err.code === "VALIDATION_FAILED" ? 2 : 1;
  }
  process.stderr.write(`traslado: ${err instanceof Error ? err.message : String(err)}\n`);
  return 1;
}

/** A command module adds its subcommands to the program. */
export type CommandModule = (program: Command) => void;
