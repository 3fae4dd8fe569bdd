/**
 * `traslado serve`: the HTTP API over the configured database until SIGTERM or SIGINT. Then it stops
 * taking requests, stops the deadline clock and the webhook sender (each after its run in progress), finishes
 * the requests in flight, links the audit events left unlinked, closes the database and exits 0, or exits 1 when that takes longer than SHUTDOWN_TIMEOUT_MS.
 */

import type { FastifyBaseLogger } from "fastify";
import { linkPending } from "../audit/link.ts";
import { startDeadlineClock } from "../cases/deadline-clock.ts";
import { type Config, deadlineClockSeconds, signingKeyFile } from "../config.ts";
import type { Database } from "../db/client.ts";
import { createApp } from "../http/app.ts";
import { services } from "../services.ts";
import { checkDatabaseRole, openConfigured } from "./context.ts";

export async function serve(config: Config): Promise<void> {
  const database = await openConfigured(config);
  try {
    await checkDatabaseRole(database, config);
  } catch (err) {
    await database.close();
    throw err;
  }
  const s = services(database, config);
  if (config.SEED_DEMO) {
    const { seedDemoIfEmpty } = await import("../seed/demo.ts");
    const seeded = await seedDemoIfEmpty(s);
    if (seeded) {
      // A bulk write into nearly every table: give the query planner their sizes now.
      await database.analyze();
      process.stderr.write(
        `traslado: empty database: loaded the demo data (${seeded.people} fictional people)\n`,
      );
      // The embedded database's demo gets an account per role and party; their passwords, printed this once,
      // stay in DATA_DIR/demo-accounts.txt (owner only). A server's accounts come from `traslado user create`.
      if (database.kind === "pglite" && !(await s.admin.anyUser())) {
        const { createDemoAccounts, demoAccountsText } = await import("../auth/demo-accounts.ts");
        const made = await createDemoAccounts(s, config.DATA_DIR);
        process.stderr.write(
          `traslado: demo accounts (kept in ${made.file}, readable by you only):\n${demoAccountsText(made.accounts, s.sessions.settings.totpRequiredRoles, new Date())}`,
        );
      }
    }
  }
  const oidc = config.OIDC_ISSUER ? (await import("../auth/oidc.ts")).oidcConfigOf(config) : undefined;
  const app = await createApp(s, {
    logger: { level: config.LOG_LEVEL, pretty: config.NODE_ENV === "development" && process.stdout.isTTY },
    config,
    oidc,
  });
  const clockSeconds = deadlineClockSeconds(config);
  const clock = clockSeconds > 0 ? startDeadlineClock(s, clockSeconds * 1000, app.log) : undefined;

  const sender =
    config.WEBHOOK_POLL_INTERVAL_MS > 0
      ? (await import("../notifications/sender.ts")).startWebhookSender(
          s,
          config.WEBHOOK_POLL_INTERVAL_MS,
          app.log,
        )
      : undefined;

  const checkpoints =
    config.AUDIT_CHECKPOINT_INTERVAL_S > 0 ? await startCheckpoints(database, config, app.log) : undefined;

  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    const started = Date.now();
    setTimeout(() => {
      app.log.error({ signal, timeoutMs: config.SHUTDOWN_TIMEOUT_MS }, "shutdown took too long: exiting now");
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS).unref();
    app.log.info({ signal }, "shutting down: no new requests; finishing those in flight");
    try {
      // Each waits for its run in progress (a lapse, a reminder, a webhook attempt bounded by WEBHOOK_TIMEOUT_MS).
      await clock?.stop();
      await sender?.stop();
      await checkpoints?.stop();
      // Stops listening, answers 503 to requests arriving on open connections, waits for those in flight.
      await app.close();
      // Each write links its own events before it answers; these are the events of writes cut short
      // between commit and link (a client gone, a failed link pass).
      const linked = await linkPending(database.app);
      await database.close();
      app.log.info({ linked, ms: Date.now() - started }, "stopped: requests finished, audit chain linked");
      process.exit(0);
    } catch (err) {
      app.log.error({ err }, "shutdown failed");
      process.exit(1);
    }
  };
  // `on`, not `once`: a second signal while stopping must meet the guard above, not Node's default (exit at
  // once, links and pools left as they were). Ctrl-C signals the whole process group, so `npm start` and the
  // Node.js 24 relaunch (bin/traslado.js, which passes signals on) deliver it twice.
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  await app.listen({ port: config.PORT, host: config.HOST });
  // The address it listens on (127.0.0.1 unless HOST says otherwise; `localhost` may mean ::1 first).
  const host = config.HOST === "0.0.0.0" || config.HOST === "::" ? "localhost" : config.HOST;
  const origin = `http://${host.includes(":") ? `[${host}]` : host}:${config.PORT}`;
  process.stderr.write(`traslado: API on ${origin}/api, docs on ${origin}/docs (${database.kind})\n`);
}

/** The checkpoint clock, with the deployment's signing key (made on first need). */
async function startCheckpoints(database: Database, config: Config, log: FastifyBaseLogger) {
  const { startCheckpointClock } = await import("../audit/checkpoint.ts");
  const { loadOrCreateSigningKey } = await import("../crypto/signing-key.ts");
  const file = signingKeyFile(config);
  const { key, created } = loadOrCreateSigningKey(file);
  log.info({ keyId: key.keyId, file, created }, "audit checkpoints signed with this key");
  return startCheckpointClock(database, key, config.AUDIT_CHECKPOINT_INTERVAL_S * 1000, log);
}
