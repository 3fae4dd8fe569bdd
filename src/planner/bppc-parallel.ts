/**
 * Plain BPPC on two threads: the local search on the caller's, column generation (HiGHS) in a worker
 * (`bppc-worker.ts`), as a portfolio. Each side reports its bins and its proven bound to a shared
 * buffer; once the best packing meets the best bound, both stop. On the literature, neither side alone
 * settles every instance in time: the search alone packs some of the very full 250-item instances in a
 * few hundred milliseconds (BPPC_2_3_6, 2_4_3) where column generation needs most of the second, and
 * column generation alone packs or proves others (2_3_9, 2_4_5) where the search stalls one bin over.
 * On one thread they share the second; here each has its own core when the machine has one to spare
 * (and its own share of a busy machine's time).
 */
import type { Worker } from "node:worker_threads";
import { startWorker } from "../runtime.ts";
import { type BppcInstance, type BppcSolution, bppcCore, solveBppc } from "./bppc.ts";
import { packingErrors } from "./bppc-check.ts";

export interface BppcWorkerJob {
  /** Told back with the answer: an answer to an earlier job, not awaited, is then told apart. */
  id: number;
  instance: BppcInstance;
  seed: number;
  /** `performance.timeOrigin + performance.now()` at which the caller's time runs out. */
  deadlineEpoch: number;
  /** Int32Array over it: [best bins, best proven bound] of both threads (`sharedProgress`). */
  shared: SharedArrayBuffer;
}

export type BppcWorkerAnswer = { id: number } & (
  | {
      lowerBound: number;
      assignment: number[];
      /** `performance.timeOrigin + performance.now()` when the worker found its packing. */
      foundEpoch: number;
    }
  | { error: string }
);

/** The shared state's reader and writer: the fewest bins and the highest bound either thread reports. */
export function sharedProgress(buffer: SharedArrayBuffer) {
  const s = new Int32Array(buffer);
  const lower = (k: number, v: number) => {
    for (let cur = Atomics.load(s, k); v < cur; cur = Atomics.load(s, k))
      if (Atomics.compareExchange(s, k, cur, v) === cur) return;
  };
  const raise = (k: number, v: number) => {
    for (let cur = Atomics.load(s, k); v > cur; cur = Atomics.load(s, k))
      if (Atomics.compareExchange(s, k, cur, v) === cur) return;
  };
  return {
    stop: () => Atomics.load(s, 0) <= Atomics.load(s, 1),
    report: (bins: number, lowerBound: number) => {
      lower(0, bins);
      raise(1, lowerBound);
    },
  };
}

/** A worker thread with HiGHS loaded, kept for the jobs given to it; `close()` ends it. */
export class BppcWorker {
  private constructor(private readonly worker: Worker) {}

  /** Starts the worker and waits until HiGHS is loaded in it; rejects when it cannot be. */
  static async start(): Promise<BppcWorker> {
    const worker = startWorker("planner/bppc-worker");
    const ready = await new Promise<string>((resolve, reject) => {
      worker.once("message", resolve);
      worker.once("error", reject);
      worker.postMessage("ready?");
    }).catch(async (e: unknown) => {
      await worker.terminate();
      throw e;
    });
    if (ready !== "ready") {
      await worker.terminate();
      throw new Error("HiGHS could not be loaded in the worker");
    }
    return new BppcWorker(worker);
  }

  private jobs = 0;

  /** Gives the worker a job (its `id` is set here); resolves with its answer, or an error. */
  run(job: Omit<BppcWorkerJob, "id">): Promise<BppcWorkerAnswer> {
    const id = ++this.jobs;
    return new Promise((resolve) => {
      const onError = (e: unknown) => {
        this.worker.off("message", onMessage);
        resolve({ id, error: String(e) });
      };
      const onMessage = (answer: BppcWorkerAnswer) => {
        if (answer.id !== id) return;
        this.worker.off("message", onMessage);
        this.worker.off("error", onError);
        resolve(answer);
      };
      this.worker.on("message", onMessage);
      this.worker.once("error", onError);
      this.worker.postMessage({ ...job, id } satisfies BppcWorkerJob);
    });
  }

  close(): Promise<number> {
    return this.worker.terminate();
  }
}

/**
 * `solveBppc` as a portfolio over two threads: the local search here (no HiGHS), column generation first
 * in `worker`. The better packing and the higher bound of the two are returned; the worker's packing is
 * checked before it is taken. Same options as `solveBppc` (time limit, seed); the time counts from this
 * call, and the worker is given the same deadline.
 */
export async function solveBppcParallel(
  inst: BppcInstance,
  worker: BppcWorker,
  options: { timeLimitMs?: number; seed?: number } = {},
): Promise<BppcSolution> {
  const t0 = performance.now();
  const timeLimitMs = options.timeLimitMs ?? 1000;
  const seed = options.seed ?? 1;
  const shared = new SharedArrayBuffer(8);
  new Int32Array(shared).set([inst.n + 1, 0]);
  const { stop, report } = sharedProgress(shared);
  const theirs = worker.run({
    instance: inst,
    // Another seed than this thread's: the worker's own local search (between its dives) then explores
    // other packings than this one's.
    seed: seed + 1,
    deadlineEpoch: performance.timeOrigin + t0 + timeLimitMs,
    shared,
  });
  const mine = solveBppc(inst, { timeLimitMs, seed, stop, onProgress: report });
  // Settled here (this packing meets the best bound either thread proved): the worker's answer can add
  // nothing, and waiting for it would wait for the end of whatever it is in the middle of.
  const sharedBound = new Int32Array(shared)[1]!;
  let answer: BppcWorkerAnswer = { id: 0, error: "not awaited" };
  if (mine.bins > Math.max(mine.lowerBound, sharedBound)) {
    // The worker stops at the same deadline, or at once when this thread settled the instance; an
    // answer later than the time limit (a busy machine, a HiGHS solve overrunning its own limit) is
    // not awaited.
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<BppcWorkerAnswer>((resolve) => {
      timer = setTimeout(
        () => resolve({ id: 0, error: "no answer within the time limit" }),
        Math.max(0, t0 + timeLimitMs - 2 - performance.now()),
      );
    });
    answer = await Promise.race([theirs, late]);
    clearTimeout(timer);
  }
  const end = performance.now();
  let best = mine;
  let lowerBound = Math.max(mine.lowerBound, sharedBound);
  if (!("error" in answer)) {
    lowerBound = Math.max(lowerBound, answer.lowerBound);
    const bins = new Set(answer.assignment).size;
    if (bins < mine.bins && packingErrors(bppcCore(inst), answer.assignment).length === 0)
      best = {
        ...mine,
        bins,
        assignment: answer.assignment,
        foundMs: answer.foundEpoch - performance.timeOrigin - t0,
      };
  }
  return {
    ...best,
    lowerBound,
    provenOptimal: best.bins <= lowerBound,
    elapsedMs: end - t0,
  };
}
