import { type Command, Option } from "commander";
import { historyKinds } from "./kinds.ts";

/**
 * `traslado history KIND ID`: a record's history from the audit chain (who, when, why, before → after), as
 * the auditor of a party reads it (`GET /api/{kind}/{id}/history`).
 */
export function registerHistoryCommand(program: Command): void {
  program
    .command("history")
    .description("a record's changes from the audit chain: who, when, why, each field before → after")
    .addArgument(
      program.createArgument("<kind>", "the kind of record").choices(historyKinds.map((k) => k.entity)),
    )
    .argument("<id>", "the record's id")
    .option("--party <party>", "the state reading it (its auditor's reach)", "MX")
    .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
    .action(async (entity: string, id: string, opts: { party: string; format: string }) => {
      const { withServices } = await import("../cli/context.ts");
      const { uuidArg } = await import("../cli/args.ts");
      const { consoleActor } = await import("../auth/tokens.ts");
      await withServices(async (s) => {
        const kind = historyKinds.find((k) => k.entity === entity)!;
        const history = await s.corrections.history(
          kind,
          uuidArg("<id>", id),
          consoleActor(opts.party, "auditor"),
        );
        if (opts.format === "json") {
          process.stdout.write(`${JSON.stringify(history, null, 2)}\n`);
          return;
        }
        const lines: string[] = [];
        for (const e of history.events) {
          const who = e.actor.name ? `${e.actor.name} (${e.actor.party})` : e.actor.party;
          lines.push(`#${e.seq}  ${e.occurredAt}  ${e.action}  by ${who}${e.reason ? `: ${e.reason}` : ""}`);
          for (const c of e.changes)
            lines.push(
              `    ${c.field}: ${JSON.stringify(c.before ?? null)} → ${JSON.stringify(c.after ?? null)}`,
            );
        }
        process.stdout.write(`${lines.join("\n")}\n`);
      });
    });
}
