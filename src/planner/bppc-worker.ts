/**
 * Worker thread of `solveBppcParallel` (`bppc-parallel.ts`): loads HiGHS once, then for each job runs
 * `solveBppc` with column generation first, until the shared state says the instance is settled.
 */
import { parentPort } from "node:worker_threads";
import { solveBppc } from "./bppc.ts";
import type { BppcWorkerAnswer, BppcWorkerJob } from "./bppc-parallel.ts";
import { sharedProgress } from "./bppc-parallel.ts";
import { loadHighs } from "./highs-load.ts";

const highsReady = loadHighs();

parentPort?.on("message", async (job: BppcWorkerJob | "ready?") => {
  if (job === "ready?") {
    const ok = await highsReady.then(
      () => true,
      () => false,
    );
    parentPort!.postMessage(ok ? "ready" : "no-highs");
    return;
  }
  try {
    const highs = await highsReady;
    const { stop, report } = sharedProgress(job.shared);
    // The caller's deadline, on this thread's clock (both count from the same epoch).
    const startEpoch = performance.timeOrigin + performance.now();
    const left = job.deadlineEpoch - startEpoch;
    const s = solveBppc(job.instance, {
      timeLimitMs: Math.max(0, left),
      seed: job.seed,
      highs,
      colgenFirst: true,
      stop,
      onProgress: report,
    });
    parentPort!.postMessage({
      id: job.id,
      lowerBound: s.lowerBound,
      assignment: s.assignment,
      foundEpoch: startEpoch + s.foundMs,
    } satisfies BppcWorkerAnswer);
  } catch (e) {
    parentPort!.postMessage({ id: job.id, error: String(e) } satisfies BppcWorkerAnswer);
  }
});
