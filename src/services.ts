import { auditEventService } from "./audit/events.ts";
import { readLog } from "./audit/reads.ts";
import { adminService } from "./auth/admin.ts";
import { signInLimiter } from "./auth/rate-limit.ts";
import { sessionService } from "./auth/sessions.ts";
import { type AuthConfig, authSettings } from "./auth/settings.ts";
import { signInService } from "./auth/sign-in.ts";
import { tokenService } from "./auth/tokens.ts";
import { totpService } from "./auth/totp.ts";
import { deadlineClockState } from "./cases/deadline-clock.ts";
import { legalRecordService } from "./cases/legal-record.ts";
import { caseService } from "./cases/service.ts";
import { type Config, signingKeyFile } from "./config.ts";
import { correctionService } from "./corrections/service.ts";
import { loadOrCreateSigningKey, readSigningKey, type SigningKey } from "./crypto/signing-key.ts";
import type { Database } from "./db/client.ts";
import { documentService } from "./documents/service.ts";
import { configuredStore, type DocumentStore } from "./documents/store.ts";
import { notificationService } from "./notifications/service.ts";
import { defaultWebhookSettings, webhookService } from "./notifications/webhooks.ts";
import { PlanRunner } from "./operations/plan-runner.ts";
import { planningService } from "./operations/planning.ts";
import { operationService, referenceService } from "./operations/service.ts";
import { personFileReader } from "./people/file.ts";
import { mergeService } from "./people/merge.ts";
import { organisationService, peopleService } from "./people/service.ts";
import { requestService } from "./requests/service.ts";
import { statsService } from "./stats/service.ts";

export interface ServiceOptions {
  /** The clock of sign-in, sessions, tokens, TOTP, reminders and webhooks (tests move it). */
  clock?: () => Date;
  /** Where documents' content goes, when not the configured store (a test's). */
  documentStore?: DocumentStore;
  /** The key file receipts are signed with, when not the deployment's (a test's, in a temporary folder). */
  receiptKeyFile?: string;
  /** How webhook hosts are resolved, when not by the system's resolver (a test's). */
  webhookResolve?: (host: string) => Promise<string[]>;
}

/**
 * Builds every service from the database: the one place where the application is wired. Settings of
 * sign-in and sessions not given take their configured defaults (`src/auth/settings.ts`).
 */
export function services(
  database: Database,
  config: Pick<Config, "DEATH_PENALTY_ASSURANCE_POLICY" | "AMPARO_WINDOW"> &
    Partial<AuthConfig> &
    Partial<
      Pick<
        Config,
        | "DATA_DIR"
        | "SIGNING_KEY_FILE"
        | "REMINDER_LEAD_DAYS"
        | "WEBHOOK_MAX_ATTEMPTS"
        | "WEBHOOK_BACKOFF_BASE_S"
        | "WEBHOOK_BACKOFF_MAX_S"
        | "WEBHOOK_TIMEOUT_MS"
        | "WEBHOOK_ALLOW_HOSTS"
        | "DOCUMENT_STORE"
        | "DOCUMENT_MAX_BYTES"
        | "DOCUMENTS_DIR"
        | "DOCUMENTS_S3_BUCKET"
        | "DOCUMENTS_S3_ENDPOINT"
        | "DOCUMENTS_S3_REGION"
        | "DOCUMENTS_S3_PREFIX"
        | "DOCUMENTS_S3_FORCE_PATH_STYLE"
        | "DOCUMENTS_S3_ACCESS_KEY_ID"
        | "DOCUMENTS_S3_SECRET_ACCESS_KEY"
      >
    >,
  options: ServiceOptions = {},
) {
  // The services reach the record only through access scopes (`src/db/scope.ts`).
  const db = database.app;
  const planRunner = new PlanRunner();
  const cases = caseService(db, {
    deathPenaltyAssurance: config.DEATH_PENALTY_ASSURANCE_POLICY,
    amparoWindow: config.AMPARO_WINDOW,
  });
  const planning = planningService(db, planRunner);
  const clock = options.clock ?? (() => new Date());
  const auth = authSettings(config);
  const tokens = tokenService(db, clock);
  const sessions = sessionService(db, auth, clock);
  const totp = totpService(db, auth, clock);
  const limiter = signInLimiter(db, auth);
  const keyFile = signingKeyFile({
    DATA_DIR: config.DATA_DIR ?? "./data",
    SIGNING_KEY_FILE: config.SIGNING_KEY_FILE,
  });
  let signingKey: SigningKey | null = null;
  const documents = documentService(db, {
    store: options.documentStore ?? configuredStore(config),
    maxBytes: config.DOCUMENT_MAX_BYTES ?? 100 * 1024 * 1024,
    // Receipts are signed with the deployment's key, made on first need.
    signingKey: () => {
      signingKey ??= loadOrCreateSigningKey(options.receiptKeyFile ?? keyFile).key;
      return signingKey;
    },
  });
  return {
    database,
    config,
    tokens,
    sessions,
    totp,
    signIn: signInService(db, auth, { sessions, totp, limiter }, clock),
    admin: adminService(db, { sessions, tokens, totp }, clock),
    people: peopleService(db),
    merges: mergeService(db),
    // The deployment's public key, read when a verification asks for it (none in a bare test setup).
    audit: auditEventService(
      db,
      () => (config.DATA_DIR || config.SIGNING_KEY_FILE ? readSigningKey(keyFile) : null),
      (add) => documents.verifyAll(add),
    ),
    documents,
    personFile: personFileReader(db),
    corrections: correctionService(db),
    organisations: organisationService(db),
    requests: requestService(db),
    cases,
    legal: legalRecordService(db),
    operations: operationService(db, { cases, planning, runner: planRunner }),
    reference: referenceService(db),
    stats: statsService(db),
    /** Who read which record by id, written in batches. */
    reads: readLog(db),
    planning,
    planRunner,
    /** Reminders of deadlines, raised by the deadline clock, and each user's notifications. */
    notifications: notificationService(db, { leadDays: config.REMINDER_LEAD_DAYS ?? [7, 3, 1, 0], clock }),
    /** Outgoing webhooks and their deliveries. */
    webhooks: webhookService(db, {
      ...defaultWebhookSettings,
      ...definedOf(config),
      clock,
      // Without NODE_ENV, the strict rules of production.
      egress: {
        production: (config.NODE_ENV ?? "production") === "production",
        allowHosts: config.WEBHOOK_ALLOW_HOSTS ?? [],
        ...(options.webhookResolve ? { resolve: options.webhookResolve } : {}),
      },
    }),
    /** When the deadline clock last ran in this process (for /metrics). */
    deadlineClock: deadlineClockState(),
  };
}

export type Services = ReturnType<typeof services>;

/** The webhook settings the configuration gives (a test's partial configuration leaves the rest default). */
function definedOf(config: Partial<Pick<Config, keyof typeof defaultWebhookSettings>>) {
  return Object.fromEntries(
    Object.entries(config).filter(([k, v]) => k in defaultWebhookSettings && v !== undefined),
  ) as Partial<typeof defaultWebhookSettings>;
}
