import type { Command } from "commander";
import { AppError } from "../errors.ts";

/**
 * `traslado seed --demo`: loads the demo data. Refuses when the demo is already loaded (it is never
 * loaded twice, even with --force), and when the database holds other data unless --force is given.
 */
export function registerSeedCommand(program: Command): void {
  program
    .command("seed")
    .description("load data: --demo loads the fictional demo of the 2025-2026 operations into the database")
    .option("--demo", "load the demo data (fictional people; public dates, cities and organisations)")
    .option("--force", "load the demo beside existing data (never a second copy of the demo)")
    .action(async (opts: { demo?: boolean; force?: boolean }) => {
      const { withServices } = await import("../cli/context.ts");
      const { databaseIsEmpty, demoLoaded, seedDemo } = await import("./demo.ts");
      await withServices(async (s) => {
        if (!opts.demo) {
          throw new AppError("VALIDATION_FAILED", "nothing to seed: pass --demo", {
            issues: [{ field: "--demo", rule: "required" }],
          });
        }
        if (await demoLoaded(s)) {
          throw new AppError(
            "DUPLICATE",
            "the demo data is already loaded in this database; nothing was written",
          );
        }
        if (!opts.force && !(await databaseIsEmpty(s))) {
          throw new AppError(
            "DUPLICATE",
            "the database is not empty (it has people or operations); nothing was written. Pass --force to add the demo beside the existing data",
          );
        }
        const started = performance.now();
        const result = await seedDemo(s);
        // A bulk write into nearly every table: give the query planner their sizes now.
        await s.database.analyze();
        const seconds = ((performance.now() - started) / 1000).toFixed(1);
        process.stdout.write(
          `demo data loaded in ${seconds} s: ${result.people} fictional people, ${result.operations} operations, ${result.cases} cases\n`,
        );
      });
    });
}
