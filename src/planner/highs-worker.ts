/** Worker thread running one HiGHS solve (HiGHS blocks its thread; the caller's event loop stays free). */
import { parentPort } from "node:worker_threads";
import { loadHighs } from "./highs-load.ts";

export interface HighsJob {
  lp: string;
  timeLimitSec: number;
}

export interface HighsAnswer {
  status: string;
  objective: number | null;
  columns: Record<string, number>;
  /** Time inside HiGHS (parse + solve), ms. */
  solveMs?: number;
  error?: string;
}

const highsReady = loadHighs();

parentPort?.on("message", async (job: HighsJob) => {
  try {
    const highs = await highsReady;
    const t0 = performance.now();
    const r = highs.solve(job.lp, { time_limit: job.timeLimitSec, output_flag: false, mip_rel_gap: 0 });
    const columns: Record<string, number> = {};
    const hasSolution =
      r.Status === "Optimal" || (r.Status === "Time limit reached" && Number.isFinite(r.ObjectiveValue));
    if (hasSolution)
      for (const [name, col] of Object.entries(r.Columns)) {
        const v = (col as { Primal?: number }).Primal;
        if (v !== undefined && v > 0.5) columns[name] = v;
      }
    parentPort!.postMessage({
      status: r.Status,
      objective: hasSolution ? r.ObjectiveValue : null,
      columns,
      solveMs: performance.now() - t0,
    } satisfies HighsAnswer);
  } catch (e) {
    parentPort!.postMessage({
      status: "error",
      objective: null,
      columns: {},
      error: String(e),
    } satisfies HighsAnswer);
  }
});
