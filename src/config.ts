import { join } from "node:path";
import { z } from "zod";
import { roles } from "./auth/roles.ts";
import { AppError } from "./errors.ts";
import { parseAllowHosts } from "./notifications/egress.ts";
import { parseLeadDays } from "./notifications/rules.ts";

/** Plain http is allowed for a provider or redirect on this machine only (a test's provider, development). */
export function isLoopback(url: URL): boolean {
  return ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname);
}

const ZHttpsUrl = z
  .url({ protocol: /^https?$/ })
  .max(2048)
  .refine(
    (v) => !URL.canParse(v) || v.startsWith("https://") || isLoopback(new URL(v)),
    "must use https (http only for localhost)",
  );

/** Sign-in through OpenID Connect: all of these, or none (then local accounts only). */
const oidcRequired = ["OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET", "OIDC_REDIRECT_URI"] as const;

/**
 * Configuration, parsed once at start-up. Nothing else reads `process.env`.
 */
const ZConfig = z
  .object({
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
    /**
     * The deployment's Ed25519 signing key (PKCS#8 PEM), made on first need with mode 0600; it signs the
     * audit chain's checkpoints. Default: DATA_DIR/signing-key.pem. On a server deployment, a path on the
     * application's machine that survives redeployments (a mounted secret), backed up: checkpoints signed
     * by a lost key can no longer be checked.
     */
    SIGNING_KEY_FILE: z.string().min(1).optional(),
    /**
     * Where documents' content is kept (issue 12), addressed by its SHA-256: `postgres` (the database itself,
     * in chunks, written in the upload's transaction), `directory` (DOCUMENTS_DIR) or `s3` (an S3-compatible
     * object store: DOCUMENTS_S3_*), the options for large deployments.
     */
    DOCUMENT_STORE: z.enum(["postgres", "directory", "s3"]).default("postgres"),
    /** The largest document accepted; past it the upload answers 413 and nothing is stored. */
    DOCUMENT_MAX_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .default(100 * 1024 * 1024),
    /** The directory store's folder (DOCUMENT_STORE=directory); default DATA_DIR/documents. */
    DOCUMENTS_DIR: z.string().min(1).optional(),
    /** The object store's bucket (DOCUMENT_STORE=s3). */
    DOCUMENTS_S3_BUCKET: z.string().min(3).max(63).optional(),
    /** The object store's address, for one that is not AWS (MinIO, Ceph, a sovereign cloud's): https://… */
    DOCUMENTS_S3_ENDPOINT: ZHttpsUrl.optional(),
    DOCUMENTS_S3_REGION: z.string().min(1).default("us-east-1"),
    /** A prefix of every key the store writes (`traslado/`). */
    DOCUMENTS_S3_PREFIX: z.string().max(200).default(""),
    /** Path-style addresses (bucket in the path), which most S3-compatible servers need. */
    DOCUMENTS_S3_FORCE_PATH_STYLE: z
      .enum(["true", "false", "1", "0"])
      .default("false")
      .transform((v) => v === "true" || v === "1"),
    /** Credentials of the object store; when unset, the AWS SDK's own chain (environment, instance role). */
    DOCUMENTS_S3_ACCESS_KEY_ID: z.string().min(1).optional(),
    DOCUMENTS_S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    /**
     * `development` sends the session cookie without `Secure` (plain http://localhost); `production` and `test`
     * send it `Secure` (the test suite's injected requests carry it all the same).
     */
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
    /**
     * `serve` runs the deadline clock every so many seconds: the lapse transitions, then the reminders due
     * (src/notifications/); 0: never (run `traslado deadlines --apply-lapses` from cron). Every app process
     * may run it: each lapse, reminder and webhook delivery happens once across them. Unset: every 300 s in
     * production, never otherwise (see `deadlineClockSeconds`).
     */
    DEADLINE_CLOCK_INTERVAL_S: z.coerce.number().int().min(0).optional(),
    /** Days before a deadline's due day on which its reminders are raised, comma-separated (0: the due day). */
    REMINDER_LEAD_DAYS: z
      .string()
      .default("7,3,1,0")
      .transform((v, ctx) => {
        try {
          return parseLeadDays(v);
        } catch (err) {
          ctx.addIssue({ code: "custom", message: (err as Error).message });
          return z.NEVER;
        }
      }),
    /** `serve` sends the webhook deliveries due every so many milliseconds; 0: never. */
    WEBHOOK_POLL_INTERVAL_MS: z.coerce.number().int().min(0).default(5000),
    /** Attempts of one webhook delivery before it is marked failed. */
    WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
    /** Delay before the second attempt; each later one doubles it (exponential backoff), up to WEBHOOK_BACKOFF_MAX_S. */
    WEBHOOK_BACKOFF_BASE_S: z.coerce.number().int().min(0).default(30),
    WEBHOOK_BACKOFF_MAX_S: z.coerce
      .number()
      .int()
      .min(0)
      .default(6 * 3600),
    /**
     * Host names (or IP addresses) a webhook may reach in production although they are on a loopback,
     * private or link-local address, and by plain http: an internal receiver the operator vouches for;
     * comma-separated. Others must be https to a public address (src/notifications/egress.ts).
     */
    WEBHOOK_ALLOW_HOSTS: z.string().default("").transform(parseAllowHosts),
    /** How long one attempt waits for the receiver's answer. */
    WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
    /**
     * `serve` signs a checkpoint of the audit chain every so many seconds, after verifying the events since
     * the last one (as `traslado audit checkpoint`); 0: never (run that command from cron). With several
     * processes, one whose interval has not passed since the latest checkpoint (any process's) skips its turn.
     */
    AUDIT_CHECKPOINT_INTERVAL_S: z.coerce.number().int().min(0).default(0),
    /** Connections of the PostgreSQL server pool (DATABASE_URL) of one process. */
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(1000).default(10),
    /** A signed-in session ends after so many minutes without a request (idle expiry). */
    SESSION_IDLE_MINUTES: z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .default(30),
    /** A session ends so many hours after sign-in, however busy (absolute expiry). */
    SESSION_ABSOLUTE_HOURS: z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 30)
      .default(12),
    /**
     * A session's last-seen time is written at most once per so many seconds, so that a busy user does not
     * write on every request; the idle expiry is therefore exact to within this much.
     */
    SESSION_TOUCH_SECONDS: z.coerce.number().int().min(0).max(3600).default(60),
    /** Sign-in failures counted per window of so many minutes, per account and per address. */
    SIGN_IN_WINDOW_MINUTES: z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .default(15),
    /** Failed sign-ins to one account name in a window before it answers 429 (whether the account exists or not). */
    SIGN_IN_MAX_FAILURES_PER_ACCOUNT: z.coerce.number().int().min(1).max(10_000).default(5),
    /** Failed sign-ins from one address in a window before it answers 429. */
    SIGN_IN_MAX_FAILURES_PER_ADDRESS: z.coerce.number().int().min(1).max(100_000).default(20),
    /**
     * Roles whose sessions need a second factor (TOTP), comma-separated; a sign-in in one of them without a
     * confirmed TOTP gets a session limited to enrolling one.
     */
    TOTP_REQUIRED_ROLES: z
      .string()
      .default("decision-authority,auditor,admin")
      .transform((v) =>
        v
          .split(",")
          .map((r) => r.trim())
          .filter(Boolean),
      )
      .pipe(z.array(z.enum(roles))),
    /** The issuer an authenticator app shows beside the account. */
    TOTP_ISSUER: z.string().min(1).max(100).default("Traslado"),
    /** Whether `serve` loads the demo data into an empty database. */
    SEED_DEMO: z
      .enum(["true", "false", "1", "0"])
      .default("true")
      .transform((v) => v === "true" || v === "1"),
    /** The OpenID Connect provider's issuer identifier; its discovery document is read at start-up. */
    OIDC_ISSUER: ZHttpsUrl.optional(),
    OIDC_CLIENT_ID: z.string().min(1).max(255).optional(),
    /** Only from the environment (or a secret store feeding it); never logged, never in a file of the repository. */
    OIDC_CLIENT_SECRET: z.string().min(16, "too short (at least 16 characters)").max(1024).optional(),
    /** The callback registered with the provider: https://<this server>/auth/oidc/callback */
    OIDC_REDIRECT_URI: ZHttpsUrl.optional(),
    OIDC_SCOPES: z
      .string()
      .max(1024)
      .regex(/(^| )openid( |$)/, "must include openid")
      .default("openid profile email"),
    /** `acr` values of the provider that count as a second factor (comma-separated); `amr` mfa/otp always does. */
    OIDC_SECOND_FACTOR_ACR: z.string().max(1024).default(""),
  })
  .superRefine((env, ctx) => {
    if (env.DOCUMENT_STORE === "s3" && !env.DOCUMENTS_S3_BUCKET)
      ctx.addIssue({
        code: "custom",
        path: ["DOCUMENTS_S3_BUCKET"],
        message: "required when DOCUMENT_STORE=s3",
      });
    const set = oidcRequired.filter((k) => env[k] !== undefined);
    if (set.length === 0 || set.length === oidcRequired.length) return;
    for (const k of oidcRequired)
      if (env[k] === undefined)
        ctx.addIssue({
          code: "custom",
          path: [k],
          message: `required when ${set.join(", ")} ${set.length === 1 ? "is" : "are"} set (OpenID Connect needs all ${oidcRequired.length} OIDC_ settings, or none)`,
        });
  });

export type Config = z.infer<typeof ZConfig>;

/** Where the deployment's signing key is: SIGNING_KEY_FILE, or DATA_DIR/signing-key.pem. */
export const signingKeyFile = (config: Pick<Config, "SIGNING_KEY_FILE" | "DATA_DIR">): string =>
  config.SIGNING_KEY_FILE ?? join(config.DATA_DIR, "signing-key.pem");

/**
 * How often `serve` runs the deadline clock, in seconds (0: never). Unset, a production deployment runs it
 * every 5 minutes, so lapses and reminders come when the law says without anyone running a command; the
 * embedded demo does not, so its overdue deadlines stay as the demo shows them until someone acts.
 */
export const deadlineClockSeconds = (
  config: Pick<Config, "DEADLINE_CLOCK_INTERVAL_S" | "NODE_ENV">,
): number => config.DEADLINE_CLOCK_INTERVAL_S ?? (config.NODE_ENV === "production" ? 300 : 0);

/** Where the directory store keeps documents: DOCUMENTS_DIR, or DATA_DIR/documents. */
export const documentsDir = (config: Pick<Config, "DOCUMENTS_DIR" | "DATA_DIR">): string =>
  config.DOCUMENTS_DIR ?? join(config.DATA_DIR, "documents");

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
