import { z } from "zod";
import { AppError } from "./errors.ts";

/**
 * Configuration, parsed once at start-up. Nothing else reads `process.env`.
 */
const ZConfig = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default("0.0.0.0"),
  /** postgres://… to use a PostgreSQL server; unset for embedded PGlite in DATA_DIR. */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must start with postgres:// or postgresql://")
    .optional(),
  DATA_DIR: z.string().default("./data"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  /** Whether a capital-eligible charge without a no-death-penalty assurance blocks, or is recorded as a risk. */
  DEATH_PENALTY_ASSURANCE_POLICY: z.enum(["block", "record-risk"]).default("block"),
  /** Which amparo window the system enforces: Ley de Amparo art. 17-I (30 days) or LEI art. 33 (15 days). */
  AMPARO_WINDOW: z.enum(["ley-de-amparo", "lei"]).default("ley-de-amparo"),
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
