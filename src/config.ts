import { z } from "zod";
import { AppError } from "./errors.ts";

/**
 * Configuration, parsed once at start-up. Nothing else reads `process.env`.
 */
const ZConfig = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** The address to listen on: this machine only, unless told otherwise (`0.0.0.0` for every interface). */
  HOST: z.string().min(1).default("127.0.0.1"),
  /** The largest request body a route with a body accepts; a larger one is refused with 413 before it is read. */
  BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(1024 * 1024),
  /**
   * Requests a client may make in RATE_LIMIT_WINDOW_MS (a client: its bearer token or session cookie, else
   * its address); past it, 429 with Retry-After. /health and /metrics are not counted. Raise it for a
   * benchmark that sends everything with one token.
   */
  RATE_LIMIT_MAX: z.coerce.number().int().min(1).default(1200),
  RATE_LIMIT_WINDOW_MS: z.coerce.number().int().min(1000).default(60_000),
  /** postgres://… to use a PostgreSQL server; unset for embedded PGlite in DATA_DIR. */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must start with postgres:// or postgresql://")
    .optional(),
  /**
   * postgres://… of the role that owns the schema, to apply migrations with (they create tables, the
   * application role and the row-level security policies); defaults to DATABASE_URL.
   */
  MIGRATION_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must start with postgres:// or postgresql://")
    .optional(),
  /**
   * `serve` refuses to start when DATABASE_URL connects as a superuser or a role that bypasses row-level
   * security (it should be traslado_app, which the migrations create); true allows it, for maintenance only.
   */
  ALLOW_PRIVILEGED_DATABASE_ROLE: z
    .enum(["true", "false", "1", "0"])
    .default("false")
    .transform((v) => v === "true" || v === "1"),
  DATA_DIR: z.string().default("./data"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  /** Whether a capital-eligible charge without a no-death-penalty assurance blocks, or is recorded as a risk. */
  DEATH_PENALTY_ASSURANCE_POLICY: z.enum(["block", "record-risk"]).default("block"),
  /** Which amparo window the system enforces: Ley de Amparo art. 17-I (30 days) or LEI art. 33 (15 days). */
  AMPARO_WINDOW: z.enum(["ley-de-amparo", "lei"]).default("ley-de-amparo"),
  /**
   * On SIGTERM or SIGINT, `serve` stops taking requests, finishes those in flight, links the audit events
   * left unlinked and closes the database; past this bound it exits with code 1 whatever is left.
   */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).default(10_000),
  /** `serve` runs the deadline clock (the lapse transitions) every so many seconds; 0: never (run it from cron). */
  DEADLINE_CLOCK_INTERVAL_S: z.coerce.number().int().min(0).default(0),
  /** Connections of the PostgreSQL server pool (DATABASE_URL) of one process. */
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(1000).default(10),
  /** Whether `serve` loads the demo data into an empty database. */
  SEED_DEMO: z
    .enum(["true", "false", "1", "0"])
    .default("true")
    .transform((v) => v === "true" || v === "1"),
});

export type Config = z.infer<typeof ZConfig>;

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = ZConfig.safeParse(env);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ field: i.path.join("."), rule: i.message }));
    throw new AppError(
      "CONFIG_INVALID",
      `invalid configuration: ${issues.map((i) => `${i.field}: ${i.rule}`).join("; ")}`,
      { issues },
    );
  }
  return parsed.data;
}
