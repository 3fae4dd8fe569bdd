/**
 * Worker thread of `BppcWorker` (`bppc-parallel.ts`): loads HiGHS once, then for each job runs
 * `solveBppc`, with column generation first beside another thread's search (`solveBppcParallel`) or whole
 * (`solveBppcInWorker`), until the shared state says the instance is settled. Between jobs it may warm up:
 * solve the built-in instance over and over until told to stop.
 */
import { readlinkSync } from "node:fs";
import { getPriority, setPriority } from "node:os";
import { parentPort } from "node:worker_threads";
import { type BppcInstance, solveBppc, warmUpInstance } from "./bppc.ts";
import type { BppcWorkerAnswer, BppcWorkerJob, BppcWorkerWarmUp } from "./bppc-parallel.ts";
import { sharedProgress } from "./bppc-parallel.ts";
import { loadHighs } from "./highs-load.ts";

const highsReady = loadHighs();
/**
 * Each warm-up solve's time limit. A solve the caller stops part way ends at once, but for the HiGHS solve
 * in progress (a few milliseconds); shorter solves would spend more of the warm-up in the bounds and the
 * greedy start and less in the searches and column generation the real solve runs.
 */
const WARM_UP_SOLVE_MS = 400;

/** This thread's id for the kernel, to set its own priority (Linux: /proc/thread-self); null elsewhere. */
function kernelThreadId(): number | null {
  try {
    return Number(readlinkSync("/proc/thread-self").split("/").pop());
  } catch {
    return null;
  }
}

/** Sets the nice value of the thread `tid`; false when it cannot (not permitted, or no such thread). */
function renice(tid: number, nice: number): boolean {
  try {
    setPriority(tid, nice);
    return true;
  } catch {
    return false;
  }
}

/**
 * The instance a job brought, in arrays built here. Those a message brings (structured clone) hold generic
 * elements where the solver's own hold small integers, and code V8 optimised on the one kind runs on the
 * other as on newer code: in a worker warmed up for 800 ms, 5 of 16 runs of BPPC_2_4_1 and 2_4_3 ended
 * within 35 ms with the copy, none without (docs/BENCHMARKS.md).
 */
function rebuilt(inst: BppcInstance): BppcInstance {
  return {
    n: inst.n,
    capacity: inst.capacity,
    weights: inst.weights.map((w) => w),
    edges: inst.edges.map(([a, b]) => [a, b]),
  };
}

parentPort?.on("message", async (job: BppcWorkerJob | BppcWorkerWarmUp | "ready?") => {
  if (job === "ready?") {
    const ok = await highsReady.then(
      () => true,
      () => false,
    );
    parentPort!.postMessage(ok ? "ready" : "no-highs");
    return;
  }
  if ("warmUp" in job) {
    const highs = await highsReady.catch(() => undefined);
    const raised = new Int32Array(job.warmUp);
    const stop = () => Atomics.load(raised, 0) !== 0;
    const since = new Float64Array(job.warmUp, 8, 1);
    // The warm-up runs at the lowest priority (nice 19), on what the loading main thread leaves of the
    // machine: at the same priority it took 0.1–0.3 s more start-up from the main thread's loading than it
    // saved on instances settled in a few milliseconds (docs/BENCHMARKS.md). The solve must then run at the
    // usual priority, which an unprivileged thread cannot take back once it has given it up (Linux lets
    // only a privileged one lower its nice value): where this thread cannot (tried one step down and
    // back), it does not warm up (-1 tells the caller so), and the job runs cold, as on the command's own
    // thread. The usual priority is the one the process runs at (`nice traslado …` is kept).
    const tid = kernelThreadId();
    const usual = tid === null ? 0 : getPriority(tid);
    if (tid === null || usual >= 19 || !renice(tid, usual + 1) || !renice(tid, usual)) {
      since[0] = -1;
      return;
    }
    renice(tid, 19);
    since[0] = performance.timeOrigin + performance.now();
    const inst = warmUpInstance();
    // Column generation first on odd seeds: from the greedy packing, so HiGHS, the pricing and the dive
    // run at once (the code the slow instances spend their time in); the whole schedule on even ones.
    for (let seed = 1; !stop(); seed++)
      solveBppc(inst, { seed, highs, timeLimitMs: WARM_UP_SOLVE_MS, stop, colgenFirst: seed % 2 === 1 });
    renice(tid, usual);
    return;
  }
  try {
    const highs = await highsReady;
    const { stop, report } = sharedProgress(job.shared);
    // The caller's deadline, on this thread's clock (both count from the same epoch).
    const startEpoch = performance.timeOrigin + performance.now();
    const left = job.deadlineEpoch - startEpoch;
    const s = solveBppc(rebuilt(job.instance), {
      timeLimitMs: Math.max(0, left),
      seed: job.seed,
      highs,
      colgenFirst: job.colgenFirst,
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
