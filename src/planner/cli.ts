/**
 * `traslado plan`: plan an operation from a JSON file, or solve a literature BPPC instance.
 *   traslado plan --input FILE.json [--time-limit-ms N] [--seed S] [--format json|text] [--pdf OUT.pdf]
 *   traslado plan --bppc FILE [--time-limit-ms N] [--seed S] --format json
 * Exit code 0 when a plan exists (or a BPPC solution), 3 when no plan exists, 2 on bad input.
 */
import { readFileSync, writeFileSync } from "node:fs";
import type { Command } from "commander";
import { AppError } from "../errors.ts";
import {
  type BppcInstance,
  type BppcOptions,
  type BppcSolution,
  parseBppc,
  solveBppc,
  warmUpInstance,
} from "./bppc.ts";
import { BppcWorker, solveBppcInWorker, solveBppcParallel } from "./bppc-parallel.ts";
import { takePrestartedBppcWorker } from "./bppc-prestart.ts";
import { parsePlanInput } from "./compile.ts";
import { loadHighs } from "./highs-load.ts";
import { manifestText, ZManifestFacts } from "./manifest.ts";
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
  /** False with `--no-warm-up-thread`: the solve runs on this thread (bin/traslado.js starts no worker). */
  warmUpThread?: boolean;
}

/**
 * `--warm-up-ms` where the solve runs on this thread (one core, `--no-warm-up-thread`): the solver on the
 * built-in instance for `ms` before the clock of the real one starts. A new process runs its first few
 * hundred milliseconds of the solver's JavaScript and of HiGHS's WebAssembly on unoptimised code; run on
 * this thread, the warm-up adds `ms` to the command's own time, which the worker thread bin/traslado.js
 * starts (`bppc-prestart.ts`) avoids by warming up while the command starts.
 */
function warmUp(ms: number, highs: BppcOptions["highs"]) {
  solveBppc(warmUpInstance(), { timeLimitMs: ms, seed: 1, highs });
}

function positiveInt(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new AppError("VALIDATION_FAILED", `--${name}: expected a whole number, got ${value}`);
  return n;
}

/**
 * `plan --bppc`'s solve. `--threads 2`: column generation in a worker thread (the prestarted one when there
 * is one: it is warm), the local search on this thread (`solveBppcParallel`). Otherwise (the default: two
 * threads were not shown to do better, docs/BENCHMARKS.md) both in turn on one thread: the prestarted
 * worker's, or when there is none (one core, or run in process), this one. HiGHS is loaded before the clock
 * starts; without it, the search alone.
 */
async function solveBppcCommand(
  inst: BppcInstance,
  opts: PlanCliOptions,
  timeLimitMs: number,
  seed: number,
  prestarted: Promise<BppcWorker | null>,
): Promise<BppcSolution> {
  const threads = positiveInt("threads", opts.threads ?? "1");
  if (threads !== 1 && threads !== 2)
    throw new AppError("VALIDATION_FAILED", `--threads: expected 1 or 2, got ${opts.threads}`);
  const warmUpMs = positiveInt("warm-up-ms", opts.warmUpMs ?? "0");
  const ready = opts.warmUpThread === false ? null : await prestarted;
  if (threads === 2) {
    const worker = ready ?? (await BppcWorker.start({ warmUp: warmUpMs > 0 }).catch(() => null));
    if (worker) {
      await worker.warmedFor(warmUpMs);
      try {
        return await solveBppcParallel(inst, worker, { timeLimitMs, seed });
      } finally {
        // The prestarted one is closed by the caller.
        if (!ready) await worker.close();
      }
    }
  } else if (ready) {
    await ready.warmedFor(warmUpMs);
    try {
      return await solveBppcInWorker(inst, ready, { timeLimitMs, seed });
    } catch (e) {
      process.stderr.write(`traslado plan: ${(e as Error).message}; solving on the main thread\n`);
    }
  }
  const highs = await loadHighs().catch((e: unknown) => {
    process.stderr.write(`traslado plan: HiGHS not loaded (${(e as Error).message}); no column generation\n`);
    return undefined;
  });
  if (warmUpMs > 0) warmUp(warmUpMs, highs);
  return solveBppc(inst, { timeLimitMs, seed, highs });
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
    // The solver's thread bin/traslado.js started and is warming up (`bppc-prestart.ts`), if it did: it
    // is closed when the command ends, whatever happens.
    const prestarted = takePrestartedBppcWorker();
    let inst: BppcInstance;
    let s: BppcSolution;
    try {
      inst = parseBppc(readFileSync(opts.bppc, "utf8"));
      s = await solveBppcCommand(inst, opts, timeLimitMs, seed, prestarted);
    } finally {
      // Not awaited: tearing the worker's isolate down took 85–140 ms here, which the answer need not wait
      // for (an idle worker does not hold the process up).
      void (await prestarted)?.close();
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
      "with --bppc: let the solver run at least this long on a built-in instance before the clock starts (a new process's code is not yet optimised; the warm-up thread does so anyway while the command starts)",
      "0",
    )
    .option(
      "--no-warm-up-thread",
      "with --bppc: solve on the command's own thread, without a worker thread that warms the solver up while the command starts",
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
