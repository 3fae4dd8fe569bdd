/**
 * `traslado people search Q`, `traslado person merge A B`, `traslado person unmerge MERGE_ID`: the console's
 * way to the search and the merges (src/people/search.ts, merge.ts), as the foreign ministry of `--party`.
 */
import type { Command } from "commander";
import { consoleActor } from "../auth/tokens.ts";
import { uuidArg } from "../cli/args.ts";
import { withServices } from "../cli/context.ts";

export function registerPeopleCommands(program: Command): void {
  program
    .command("people")
    .description("people of the record")
    .command("search")
    .description(
      "find people by name, alias (any spelling: accents, word order, hyphens, typos) or identifier",
    )
    .argument("<query...>", "a name, an alias or an identifier")
    .option("--limit <n>", "at most this many, best first", "10")
    .option("--party <party>", "the state the console operator reads for", "MX")
    .option("--format <format>", "text or json", "text")
    .action((words: string[], opts: { limit: string; party: string; format: string }) =>
      withServices(async (s) => {
        const limit = Math.max(1, Math.min(500, Number(opts.limit) || 10));
        const page = await s.people.list(
          { q: words.join(" "), limit },
          consoleActor(opts.party, "foreign-ministry"),
        );
        if (opts.format === "json") {
          process.stdout.write(`${JSON.stringify(page.items, null, 2)}\n`);
          return;
        }
        for (const p of page.items as ((typeof page.items)[number] & {
          score?: number;
          matchedBy?: string;
        })[]) {
          process.stdout.write(
            `${(p.score ?? 0).toFixed(3)}  ${(p.matchedBy ?? "").padEnd(10)} ${p.id}  ${p.givenNames} ${p.familyNames}${p.aliases.length ? `  (${p.aliases.join("; ")})` : ""}\n`,
          );
        }
        if (page.items.length === 0) process.stdout.write("no one found\n");
      }),
    );

  const person = program.command("person").description("one person's record");
  person
    .command("merge")
    .description(
      "merge record A into record B (the same person): A's requests, cases, affiliations and aliases move to B",
    )
    .argument("<merged>", "the id of the record merged away")
    .argument("<survivor>", "the id of the record that survives")
    .requiredOption("--reason <text>", "why these are one person (kept in the audit chain)")
    .option("--party <party>", "the state the console operator acts for", "MX")
    .action((merged: string, survivor: string, opts: { reason: string; party: string }) =>
      withServices(async (s) => {
        const m = await s.merges.merge({
          actor: consoleActor(opts.party, "foreign-ministry"),
          id: uuidArg("<merged>", merged),
          input: { into: uuidArg("<survivor>", survivor), reason: opts.reason },
          idempotency: undefined,
        });
        process.stdout.write(
          `merged ${m.mergedId} into ${m.survivorId}: ${m.moved.rows.length} row(s) moved; merge ${m.id} (undo: traslado person unmerge ${m.id} --reason …)\n`,
        );
      }),
    );
  person
    .command("unmerge")
    .description("undo a merge, while nothing it touched was written since")
    .argument("<merge>", "the merge's id (printed by `person merge`)")
    .requiredOption("--reason <text>", "why the merge is undone (kept in the audit chain)")
    .option("--party <party>", "the state the console operator acts for", "MX")
    .action((id: string, opts: { reason: string; party: string }) =>
      withServices(async (s) => {
        const m = await s.merges.undo({
          actor: consoleActor(opts.party, "foreign-ministry"),
          id: uuidArg("<merge>", id, "`person merge`"),
          input: { reason: opts.reason },
          idempotency: undefined,
        });
        process.stdout.write(
          `undone: ${m.mergedId} is its own record again; ${m.moved.rows.length} row(s) moved back\n`,
        );
      }),
    );
}
