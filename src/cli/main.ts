/**
 * The `traslado` command. Each command loads what it needs when it runs (`await import`), so `--help`
 * and the light commands do not load the HTTP server, the database drivers or the planner.
 */
import { Command, Option } from "commander";
import type { Services } from "../services.ts";
import { commandModules } from "./modules.ts";

const withServices = async <T>(fn: (s: Services) => Promise<T>) =>
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
  .option("--party <party>", "the state whose figures are shown", "MX")
  .action((opts: { format: string; from?: string; to?: string; party: string }) =>
    withServices(async (s) => {
      const { ZStatsQuery } = await import("../stats/service.ts");
      const { consoleActor } = await import("../auth/tokens.ts");
      const stats = await s.stats.stats(
        ZStatsQuery.parse({ from: opts.from, to: opts.to }),
        consoleActor(opts.party, "communications"),
      );
      if (opts.format === "json") {
        process.stdout.write(`${JSON.stringify(stats, null, 2)}\n`);
        return;
      }
      const lines = [`People sent: ${stats.total}`, "", "Operations:"];
      for (const o of stats.operations)
        lines.push(
          `  ${o.date}  ${o.code.padEnd(16)} ${String(o.people).padStart(4)} people  ${o.destinations.join(" ")}`,
        );
      for (const [title, rows] of [
        ["Per administration", stats.administrations],
        ["Per organisation (a person of several counts under each: may add up to more)", stats.organisations],
        ["Per primary affiliation (each person once: adds up to the total)", stats.primaryOrganisations],
        ["Per destination", stats.destinations],
        ["Per legal basis", stats.legalBases],
      ] as const) {
        lines.push("", `${title}:`);
        for (const r of rows) lines.push(`  ${String(r.people).padStart(4)}  ${r.key}`);
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
  .description("recompute the hash chain and check every audited row against its last after-image")
  .action(() =>
    withServices(async (s) => {
      const { verifyAudit } = await import("../audit/verify.ts");
      // The whole chain, every party's: the system's reading.
      const report = await s.database.scoped("system", () => verifyAudit(s.database.app));
      if (report.ok) {
        process.stdout.write(
          `audit chain intact: ${report.eventsChecked} events checked, ${report.rowsChecked} rows match\n`,
        );
        return;
      }
      const [first] = report.problems;
      process.stdout.write(
        `audit chain BROKEN: ${report.problems.length}${report.problems.length >= 50 ? "+" : ""} problem(s) in ${report.eventsChecked} events and ${report.rowsChecked} rows\n`,
      );
      process.stdout.write(`first bad entry: ${first?.message}\n`);
      for (const p of report.problems.slice(1, 10)) process.stdout.write(`  also: ${p.message}\n`);
      process.exitCode = 1;
    }),
  );

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
