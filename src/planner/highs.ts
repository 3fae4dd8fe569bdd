/**
 * HiGHS (MILP, WebAssembly) on a BPPC instance, in a worker thread and always with a time limit:
 * the exact side of the benchmark ("HiGHS alone") and a second opinion for small instances.
 * Model: x[i,b] item i in bin b, y[b] bin used; minimise Σ y; each item once; capacity C·y[b];
 * x[i,b] + x[j,b] ≤ y[b] for conflicting i, j; y[b] ≥ y[b+1] and x[i,b] = 0 for b > i (symmetry).
 */
import type { Worker } from "node:worker_threads";
import { startWorker } from "../runtime.ts";
import type { BppcInstance } from "./bppc.ts";
import type { HighsAnswer, HighsJob } from "./highs-worker.ts";

export interface HighsResult {
  status: string;
  /** Bins in the best solution found, null when none within the time limit. */
  bins: number | null;
  optimal: boolean;
  elapsedMs: number;
  /** 0-based bin of each item when a solution was found. */
  assignment: number[] | null;
  /** Set when the model was not built (too large for the time limit to mean anything). */
  skipped?: string;
}

export function bppcLp(inst: BppcInstance, binCount: number): string {
  const { n, capacity: C, weights, edges } = inst;
  const B = binCount;
  const x = (i: number, b: number) => `x${i}_${b}`;
  const lines: string[] = [
    "Minimize",
    ` obj: ${Array.from({ length: B }, (_, b) => `y${b}`).join(" + ")}`,
    "Subject To",
  ];
  for (let i = 0; i < n; i++) {
    const terms: string[] = [];
    for (let b = 0; b <= Math.min(i, B - 1); b++) terms.push(x(i, b));
    lines.push(` a${i}: ${terms.join(" + ")} = 1`);
  }
  for (let b = 0; b < B; b++) {
    const terms: string[] = [];
    for (let i = b; i < n; i++) terms.push(`${weights[i]} ${x(i, b)}`);
    lines.push(` c${b}: ${terms.join(" + ")} - ${C} y${b} <= 0`);
    if (b + 1 < B) lines.push(` s${b}: y${b} - y${b + 1} >= 0`);
  }
  let k = 0;
  for (const [i, j] of edges)
    for (let b = 0; b <= Math.min(i, j, B - 1); b++)
      lines.push(` e${k++}: ${x(i, b)} + ${x(j, b)} - y${b} <= 0`);
  lines.push("Binary");
  for (let b = 0; b < B; b++) lines.push(` y${b}`);
  for (let i = 0; i < n; i++) for (let b = 0; b <= Math.min(i, B - 1); b++) lines.push(` ${x(i, b)}`);
  lines.push("End");
  return lines.join("\n");
}

/** The worker: dist/planner/highs-worker.js when compiled, the TypeScript source under tsx. */
const spawnHighsWorker = (): Worker => startWorker("planner/highs-worker");

/** A HiGHS worker kept alive between jobs (start-up costs ~1 s); replaced if a job overruns. */
export class HighsRunner {
  private worker: Worker | null = null;

  run(job: HighsJob, hardLimitMs: number): Promise<HighsAnswer> {
    const worker = this.worker ?? spawnHighsWorker();
    this.worker = worker;
    return new Promise((resolve) => {
      const done = (a: HighsAnswer) => {
        clearTimeout(timer);
        worker.removeAllListeners("message");
        worker.removeAllListeners("error");
        resolve(a);
      };
      const timer = setTimeout(() => {
        void worker.terminate();
        this.worker = null;
        done({ status: "killed after hard limit", objective: null, columns: {} });
      }, hardLimitMs);
      worker.once("message", done);
      worker.once("error", (e) => {
        this.worker = null;
        done({ status: "error", objective: null, columns: {}, error: String(e) });
      });
      worker.postMessage(job);
    });
  }

  /** Loads HiGHS in the worker now, so the first timed job does not pay for it. */
  async warmUp(): Promise<void> {
    await this.run({ lp: "Minimize\n obj: x\nSubject To\n c: x >= 1\nEnd", timeLimitSec: 1 }, 60_000);
  }

  async close(): Promise<void> {
    await this.worker?.terminate();
    this.worker = null;
  }
}

export async function solveBppcHighs(
  inst: BppcInstance,
  options: { timeLimitMs: number; binCount: number; maxRows?: number; runner?: HighsRunner },
): Promise<HighsResult> {
  const start = performance.now();
  const B = options.binCount;
  const rows = inst.n + 2 * B + inst.edges.length * B;
  if (rows > (options.maxRows ?? 400_000))
    return {
      status: "skipped",
      bins: null,
      optimal: false,
      elapsedMs: 0,
      assignment: null,
      skipped: `model too large (${rows} rows)`,
    };
  const lp = bppcLp(inst, B);
  const runner = options.runner ?? new HighsRunner();
  const a = await runner.run(
    { lp, timeLimitSec: options.timeLimitMs / 1000 },
    options.timeLimitMs * 3 + 10_000,
  );
  if (!options.runner) await runner.close();
  let assignment: number[] | null = null;
  if (a.objective !== null) {
    assignment = new Array(inst.n).fill(-1);
    for (const name of Object.keys(a.columns)) {
      const m = /^x(\d+)_(\d+)$/.exec(name);
      if (m) assignment[Number(m[1])] = Number(m[2]);
    }
  }
  return {
    status: a.error ? `${a.status}: ${a.error}` : a.status,
    bins: a.objective === null ? null : Math.round(a.objective),
    optimal: a.status === "Optimal",
    // HiGHS's own time (LP parse + solve); the model text is built outside and not counted.
    elapsedMs: a.solveMs ?? performance.now() - start,
    assignment,
  };
}
