/**
 * `traslado plan`: plan an operation from a JSON file, or solve a literature BPPC instance.
 *   traslado plan --input FILE.json [--time-limit-ms N] [--seed S] [--format json|text] [--pdf OUT.pdf]
 *   traslado plan --bppc FILE [--time-limit-ms N] [--seed S] --format json
 * Exit code 0 when a plan exists (or a BPPC solution), 3 when no plan exists, 2 on bad input.
 */
import { readFileSync, writeFileSync } from "node:fs";
import type { Command } from "commander";
import { AppError } from "../errors.ts";
import { type BppcOptions, type BppcSolution, parseBppc, solveBppc } from "./bppc.ts";
import { BppcWorker, solveBppcParallel } from "./bppc-parallel.ts";
import { parsePlanInput } from "./compile.ts";
import { loadHighs } from "./highs-load.ts";
import { manifestText, ZManifestFacts } from "./manifest.ts";
import { createRng, randInt } from "./rng.ts";
import { plan } from "./solve.ts";

interface PlanCliOptions {
  input?: string;
  bppc?: string;
  timeLimitMs: string;
  seed: string;
  format: string;
  pdf?: string;
  warmUpMs?: string;
  threads?: string;
}

/**
 * Runs the BPPC solver, column generation included, on a built-in instance for `ms` before the clock
 * of the real one starts. A new process runs its first few hundred milliseconds of the solver's
 * JavaScript and of HiGHS's WebAssembly on unoptimised code: the same instance took about 600 ms as the
 * first solve of a process and 430 ms as the second. The warm-up adds `ms` to the command's own time, not
 * to the solve's; measured on the 250-item class it did not bring more instances to the best known value
 * (38 of 42 runs either way), so it is off unless asked for. (A server's planner worker is warm after
 * its first job.)
 */
function warmUp(ms: number, highs: BppcOptions["highs"]) {
  // 150 items of weight 20–99 in bins of 150, a conflict between 30% of the pairs: the searches stall
  // above the bound, so column generation runs too.
  const rng = createRng(12345);
  const n = 150;
  const weights = Array.from({ length: n }, () => 20 + randInt(rng, 80));
  const edges: [number, number][] = [];
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if (rng() < 0.3) edges.push([i, j]);
  solveBppc({ n, capacity: 150, weights, edges }, { timeLimitMs: ms, seed: 1, highs });
}

function positiveInt(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new AppError("VALIDATION_FAILED", `--${name}: expected a whole number, got ${value}`);
  return n;
}

export async function runPlanCommand(
  opts: PlanCliOptions,
  out: (s: string) => void = (s) => process.stdout.write(s),
): Promise<number> {
  const timeLimitMs = positiveInt("time-limit-ms", opts.timeLimitMs);
  const seed = positiveInt("seed", opts.seed);
  if (!["json", "text"].includes(opts.format))
    throw new AppError("VALIDATION_FAILED", `--format: expected json or text, got ${opts.format}`);
  if (!!opts.input === !!opts.bppc)
    throw new AppError("VALIDATION_FAILED", "give exactly one of --input FILE.json or --bppc FILE");
  if (opts.bppc) {
    if (opts.format !== "json")
      throw new AppError("VALIDATION_FAILED", "--bppc prints JSON only: use --format json");
    const inst = parseBppc(readFileSync(opts.bppc, "utf8"));
    // --threads 2: the worker thread of column generation, with HiGHS loaded in it, is started before the
    // clock starts (some tens of milliseconds); the local search runs on this thread meanwhile
    // (`bppc-parallel.ts`). Otherwise (the default: two threads were not shown to do better, see
    // docs/BENCHMARKS.md) both run here, one after the other, HiGHS loaded before the clock starts;
    // without HiGHS, the search alone.
    const threads = positiveInt("threads", opts.threads ?? "1");
    if (threads !== 1 && threads !== 2)
      throw new AppError("VALIDATION_FAILED", `--threads: expected 1 or 2, got ${opts.threads}`);
    const worker = threads === 2 ? await BppcWorker.start().catch(() => undefined) : undefined;
    const highs = worker
      ? undefined
      : await loadHighs().catch((e: unknown) => {
          process.stderr.write(
            `traslado plan: HiGHS not loaded (${(e as Error).message}); no column generation\n`,
          );
          return undefined;
        });
    const warmUpMs = positiveInt("warm-up-ms", opts.warmUpMs ?? "0");
    if (warmUpMs > 0) warmUp(warmUpMs, highs);
    let s: BppcSolution;
    try {
      s = worker
        ? await solveBppcParallel(inst, worker, { timeLimitMs, seed })
        : solveBppc(inst, { timeLimitMs, seed, highs });
    } finally {
      await worker?.close();
    }
    out(
      `${JSON.stringify({
        instance: opts.bppc,
        n: inst.n,
        capacity: inst.capacity,
        bins: s.bins,
        lowerBound: s.lowerBound,
        provenOptimal: s.provenOptimal,
        elapsedMs: Math.round(s.elapsedMs * 10) / 10,
        assignment: s.assignment,
      })}\n`,
    );
    return 0;
  }
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(opts.input!, "utf8"));
  } catch (e) {
    throw new AppError("VALIDATION_FAILED", `--input ${opts.input}: ${(e as Error).message}`);
  }
  const input = parsePlanInput(data);
  const facts = ZManifestFacts.safeParse(data);
  if (!facts.success) {
    const issue = facts.error.issues[0]!;
    throw new AppError(
      "VALIDATION_FAILED",
      `--input ${opts.input}: ${issue.path.join(".")}: ${issue.message}`,
    );
  }
  const result = plan(input, { timeLimitMs, seed });
  out(opts.format === "json" ? `${JSON.stringify(result, null, 2)}\n` : manifestText(result));
  if (opts.pdf) {
    // PDFKit, the font and the map are loaded only when a PDF is printed.
    const { manifestPdf } = await import("./manifest-pdf.ts");
    const pdf = await manifestPdf(result, {
      airports: input.airports,
      operation: { ...facts.data, ...(input.operation ? { code: input.operation } : {}) },
      printedAt: new Date(),
    });
    writeFileSync(opts.pdf, pdf);
  }
  return result.status === "planned" ? 0 : 3;
}

export function registerPlanCommand(program: Command): void {
  program
    .command("plan")
    .description("plan an operation (people onto aircraft and routes), or solve a BPPC literature instance")
    .option("--input <file>", "operation data (JSON, see examples/january-2026.json)")
    .option("--bppc <file>", "bin packing with conflicts instance (`n C`, then `i w j1 j2 …`)")
    .option("--time-limit-ms <n>", "search time limit in milliseconds", "1000")
    .option("--seed <s>", "random seed (same seed, same plan)", "1")
    .option("--format <format>", "json or text (a manifest per aircraft)", "text")
    .option("--pdf <file>", "also write the manifests as PDF")
    .option(
      "--warm-up-ms <n>",
      "with --bppc: first run the solver this long on a built-in instance, before the clock starts (a new process's code is not yet optimised)",
      "0",
    )
    .option(
      "--threads <n>",
      "with --bppc: 2 runs column generation in a worker thread beside the search, 1 runs both on one thread in turn",
      "1",
    )
    .action(async (opts: PlanCliOptions) => {
      try {
        process.exitCode = await runPlanCommand(opts);
      } catch (e) {
        const msg = e instanceof AppError || e instanceof Error ? e.message : String(e);
        process.stderr.write(`traslado plan: ${msg}\n`);
        process.exitCode = 2;
      }
    });
}
