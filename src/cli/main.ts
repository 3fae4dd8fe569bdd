/**
 * The `traslado` command. Each command loads what it needs when it runs (`await import`), so `--help`
 * and the light commands do not load the HTTP server, the database drivers or the planner.
 */
import { Command, Option } from "commander";
import type { Config } from "../config.ts";
import type { Services } from "../services.ts";
import { commandModules } from "./modules.ts";

const withServices = async <T>(fn: (s: Services, config: Config) => Promise<T>) =>
  (await import("./context.ts")).withServices(fn);

const program = new Command("traslado")
  .description("Traslado: surrender of detained people between states, from request to signed handover")
  .version(
    `traslado 0.1.0 (Node.js ${process.version})`,
    "-V, --version",
    "the version, and the Node.js it runs on",
  )
  .showHelpAfterError();

program
  .command("serve")
  .description("start the HTTP API (migrations applied; demo data loaded into an empty database)")
  .option("--port <port>", "port to listen on (default PORT or 3000)")
  .action(async (opts: { port?: string }) => {
    const { loadConfig } = await import("../config.ts");
    const { serve } = await import("./serve.ts");
    await serve(loadConfig(opts.port ? { ...process.env, PORT: opts.port } : process.env));
  });

program
  .command("migrate")
  .description("apply the database migrations")
  .action(() =>
    withServices(async (s) => {
      const level = await s.database.migrationLevel();
      process.stdout.write(
        `migrations applied: ${level.applied} of ${level.expected} (latest ${level.latest})\n`,
      );
    }),
  );

program
  .command("stats")
  .description(
    "people sent (a handover recorded, the case at its last step): per operation, administration, organisation, destination, legal basis",
  )
  .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
  .option("--from <day>", "first handover day counted, YYYY-MM-DD")
  .option("--to <day>", "last handover day counted, YYYY-MM-DD")
  .option(
    "--party <party>",
    "the state whose figures are shown (one with no operations of its own gets the public figures)",
    "MX",
  )
  .action((opts: { format: string; from?: string; to?: string; party: string }) =>
    withServices(async (s) => {
      const { ZStatsQuery } = await import("../stats/service.ts");
      const { validInput } = await import("../errors.ts");
      const { consoleActor } = await import("../auth/tokens.ts");
      const stats = await s.stats.stats(
        validInput(ZStatsQuery, { from: opts.from, to: opts.to }),
        consoleActor(opts.party, "communications"),
      );
      if (opts.format === "json") {
        process.stdout.write(`${JSON.stringify(stats, null, 2)}\n`);
        return;
      }
      const lines = [
        `People sent: ${stats.total}`,
        ...("public" in stats
          ? ["Public figures: cells of fewer than three people withheld"]
          : stats.handovers > stats.total
            ? [`Handovers: ${stats.handovers} (someone was handed over more than once)`]
            : []),
        "",
        "Operations:",
      ];
      const people = (n: number | null) => (n === null ? "withheld" : String(n)).padStart(8);
      for (const o of stats.operations)
        lines.push(
          `  ${o.date}  ${o.code.padEnd(16)} ${o.people === null ? "  (figure withheld)" : `${people(o.people)} people  ${o.destinations.join(" ")}`}`,
        );
      for (const [title, rows] of [
        ["Per administration", stats.administrations],
        ["Per organisation (a person of several counts under each: may add up to more)", stats.organisations],
        ["Per primary affiliation (each person once: adds up to the total)", stats.primaryOrganisations],
        ["Per destination", stats.destinations],
        ["Per legal basis", stats.legalBases],
      ] as const) {
        lines.push("", `${title}:`);
        for (const r of rows) lines.push(`  ${people(r.people)}  ${r.key}`);
      }
      process.stdout.write(`${lines.join("\n")}\n`);
    }),
  );

program
  .command("deadlines")
  .description("open deadlines of the legal tracks, overdue first")
  .addOption(new Option("--status <status>", "which").choices(["upcoming", "overdue", "all"]).default("all"))
  .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
  .option(
    "--apply-lapses",
    "take the lapse transitions of overdue deadlines (release; freed for good), as the deadline clock",
  )
  .option("--party <party>", "the state whose deadlines are shown", "MX")
  .action(
    (opts: {
      status: "upcoming" | "overdue" | "all";
      format: string;
      applyLapses?: boolean;
      party: string;
    }) =>
      withServices(async (s) => {
        if (opts.applyLapses) {
          const { runDeadlineClock } = await import("../cases/deadline-clock.ts");
          const out = await runDeadlineClock(s);
          for (const a of out.applied)
            process.stdout.write(`lapsed: ${a.person} (case ${a.caseId}): ${a.transition}\n`);
          for (const r of out.refused)
            process.stdout.write(`not lapsed: ${r.person} (case ${r.caseId}): ${r.reason}\n`);
          process.stdout.write(`${out.applied.length} lapse(s) applied\n`);
          process.stdout.write(`${out.reminders.length} reminder(s) and lapse notice(s) raised\n`);
          return;
        }
        const { consoleActor } = await import("../auth/tokens.ts");
        const list = await s.cases.deadlines(
          { status: opts.status, withinDays: 365, limit: 1000 },
          consoleActor(opts.party, "auditor"),
        );
        if (opts.format === "json") {
          process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
          return;
        }
        process.stdout.write(`Open deadlines as of ${list.asOf}: ${list.items.length}\n`);
        for (const d of list.items) {
          process.stdout.write(
            `  ${d.dueOn}  ${d.status.padEnd(8)} ${d.kind.padEnd(26)} ${d.person.name.padEnd(30)} ${d.legalSource}${d.conflict ? "  [conflict: see case]" : ""}\n`,
          );
        }
      }),
  );

const audit = program.command("audit").description("the tamper-evident audit chain");
audit
  .command("verify")
  .description(
    "check the audit chain: by default from the latest signed checkpoint (its signature, its event's hash, the events since and the rows they changed); --full: the whole chain, every checkpoint and every row",
  )
  .option(
    "--full",
    "recompute the whole chain from its first event, check every checkpoint and every audited row (finds what the default cannot: an event altered before the latest checkpoint, a row edited or inserted behind the application's back whose entity has no event since it); its time grows with the whole record",
  )
  .addHelpText(
    "after",
    `
Without --full it promises: the latest checkpoint was signed by this deployment's key (SIGNING_KEY_FILE) and
its event still has the hash it signed; every event since follows from it; every row an event since then
changed is as its last event left it. It does not see an event altered before the checkpoint (unless it is
the checkpoint's own), a row edited or deleted behind the application's back whose entity has had no event
since, or a row inserted behind its back: --full does, so run it periodically too. With no checkpoint yet,
it is the full verify. Exit code 1 when anything is wrong.`,
  )
  .action((opts: { full?: boolean }) =>
    withServices(async (s, config) => {
      const { verifyAudit, verifySinceCheckpoint } = await import("../audit/verify.ts");
      const { readSigningKey } = await import("../crypto/signing-key.ts");
      const { signingKeyFile } = await import("../config.ts");
      const key = readSigningKey(signingKeyFile(config));
      // The whole chain, every party's: the system's reading.
      const report = await s.database.scoped("system", () =>
        (opts.full ? verifyAudit : verifySinceCheckpoint)(s.database.app, {
          key,
          // Every stored document's content against its hash, streamed (content is not in the chain).
          documents: (add) => s.documents.verifyAll(add),
        }),
      );
      process.stdout.write(verifyReportText(report));
      if (!report.ok) process.exitCode = 1;
    }),
  );

/** What `audit verify` and `audit checkpoint` print of a verify. */
function verifyReportText(report: import("../audit/verify.ts").VerifyReport): string {
  const scope =
    (report.mode === "full"
      ? `${report.eventsChecked} events checked, ${report.rowsChecked} rows match, ${report.checkpointsChecked} checkpoint(s) hold`
      : `since the checkpoint at event ${report.from?.seq} (signed ${report.from?.createdAt.toISOString()}): ${report.eventsChecked} events checked, ${report.rowsChecked} changed rows match`) +
    `, ${report.documentsChecked} document(s) match their SHA-256`;
  if (report.ok)
    return `audit chain intact: ${scope}${report.mode === "full" ? "" : " (--full checks the whole chain and every row)"}\n`;
  const [first, ...more] = report.problems;
  return [
    `audit chain BROKEN: ${report.problems.length}${report.problems.length >= 50 ? "+" : ""} problem(s) (${scope.replace(/ match| hold/g, "")})`,
    `first bad entry: ${first?.message}`,
    ...more.slice(0, 9).map((p) => `  also: ${p.message}`),
    "",
  ].join("\n");
}

audit
  .command("checkpoint")
  .description(
    "verify the events since the latest checkpoint (and the rows they changed), then sign a checkpoint of the chain with the deployment's key (made on first need)",
  )
  .action(() =>
    withServices(async (s, config) => {
      const { writeCheckpoint } = await import("../audit/checkpoint.ts");
      const { loadOrCreateSigningKey } = await import("../crypto/signing-key.ts");
      const { signingKeyFile } = await import("../config.ts");
      const file = signingKeyFile(config);
      const { key, created } = loadOrCreateSigningKey(file);
      if (created) process.stderr.write(`traslado: made a new signing key in ${file} (key ${key.keyId})\n`);
      const out = await s.database.scoped("system", () => writeCheckpoint(s.database.app, key));
      if (out.written) {
        process.stdout.write(
          `checkpoint signed at event ${out.written.seq} (${out.written.events} events verified since ${out.written.fromSeq ? `the checkpoint at event ${out.written.fromSeq}` : "the start"}), key ${key.keyId}\n`,
        );
        return;
      }
      process.stdout.write(verifyReportText(out.report));
      if (out.reason === "problems") {
        process.stdout.write("no checkpoint signed: the chain since the last one does not verify\n");
        process.exitCode = 1;
      } else process.stdout.write("no checkpoint signed: no event since the last one\n");
    }),
  );

program
  .command("key")
  .description("the deployment's signing key (SIGNING_KEY_FILE, or DATA_DIR/signing-key.pem)")
  .command("show")
  .description(
    "print the public key and its id, for others to check what this deployment signed (made on first need)",
  )
  .action(async () => {
    const { loadConfig, signingKeyFile } = await import("../config.ts");
    const { loadOrCreateSigningKey } = await import("../crypto/signing-key.ts");
    const file = signingKeyFile(loadConfig());
    const { key, created } = loadOrCreateSigningKey(file);
    if (created) process.stderr.write(`traslado: made a new signing key in ${file}\n`);
    process.stdout.write(`key id: ${key.keyId}\n${key.pem}`);
  });

audit
  .command("report")
  .description(
    "who looked at or changed a person's record, or what a user did: changes, reads by id, sign-ins, refusals, exports",
  )
  .option("--user <user>", "an actor id, a username or an actor's name")
  .option("--person <id>", "the person's id: their record and every row that names them")
  .option("--from <day>", "first day, YYYY-MM-DD")
  .option("--to <day>", "last day, YYYY-MM-DD")
  .option("--party <party>", "only what actors of this state did")
  .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
  .action(
    (opts: { user?: string; person?: string; from?: string; to?: string; party?: string; format: string }) =>
      withServices(async (s) => {
        const { auditReport, reportText } = await import("../audit/report.ts");
        const { format, ...query } = opts;
        // Every party's events and reads: the system's reading, on the server's machine.
        const lines = await s.database.scoped("system", () => auditReport(s.database.app, query));
        process.stdout.write(format === "json" ? `${JSON.stringify(lines, null, 2)}\n` : reportText(lines));
      }),
  );

for (const register of commandModules) register(program);

program.parseAsync(process.argv).catch(async (err) => {
  process.exitCode = (await import("./context.ts")).reportFailure(err);
});
