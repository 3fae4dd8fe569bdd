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
  /** Column generation at once, another thread searching (`solveBppcParallel`); else the whole schedule. */
  colgenFirst: boolean;
}

/**
 * Solve the built-in instance until the first Int32 of `warmUp` is raised (`BppcWorker.start`); the
 * worker writes when it started (`performance.timeOrigin + performance.now()`) as the Float64 at byte 8,
 * or -1 when it declines (see `bppc-worker.ts`).
 */
export interface BppcWorkerWarmUp {
  warmUp: SharedArrayBuffer;
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

/** A job's shared state before either thread reports: more bins than any packing has, bound 0. */
function newProgress(inst: BppcInstance): SharedArrayBuffer {
  const shared = new SharedArrayBuffer(8);
  new Int32Array(shared).set([inst.n + 1, 0]);
  return shared;
}

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

/**
 * A worker thread with HiGHS loaded, kept for the jobs given to it; `close()` ends it. It keeps the process
 * alive only while a job is running: an idle or warming worker does not hold up the process's exit.
 */
export class BppcWorker {
  private constructor(private readonly worker: Worker) {}

  /** The warm-up's state (`BppcWorkerWarmUp`) while it runs; null once a job has stopped it. */
  private warming: SharedArrayBuffer | null = null;

  /**
   * Starts the worker and waits until HiGHS is loaded in it; rejects when it cannot be.
   * `warmUp`: the worker then runs the solver on the built-in instance (`warmUpInstance`) until its first
   * job: V8 optimises the solver's JavaScript and HiGHS's WebAssembly as they run, so the job starts on
   * warm code (a new process otherwise runs its first few hundred milliseconds of solving on unoptimised
   * code, docs/BENCHMARKS.md). It is asked for at once, so the worker starts it as soon as HiGHS is loaded
   * there, without waiting for this thread (which may be busy loading modules) to hear that it is.
   */
  static async start(options: { warmUp?: boolean } = {}): Promise<BppcWorker> {
    const worker = startWorker("planner/bppc-worker");
    const warming = options.warmUp ? new SharedArrayBuffer(16) : null;
    const ready = await new Promise<string>((resolve, reject) => {
      worker.once("message", resolve);
      worker.once("error", reject);
      worker.postMessage("ready?");
      if (warming) worker.postMessage({ warmUp: warming } satisfies BppcWorkerWarmUp);
    }).catch(async (e: unknown) => {
      await worker.terminate();
      throw e;
    });
    if (ready !== "ready") {
      await worker.terminate();
      throw new Error("HiGHS could not be loaded in the worker");
    }
    worker.unref();
    const w = new BppcWorker(worker);
    w.warming = warming;
    return w;
  }

  /**
   * How long the warm-up has run, in ms: 0 before the worker has started it, where it does not run (the
   * worker could not lower its priority and take it back), and once a job stopped it.
   */
  warmingMs(): number {
    const since = this.warming ? new Float64Array(this.warming, 8, 1)[0]! : 0;
    return since <= 0 ? 0 : performance.timeOrigin + performance.now() - since;
  }

  /** Whether the worker declined the warm-up asked for (it could not lower its priority and take it back). */
  warmUpDeclined(): boolean {
    return !!this.warming && new Float64Array(this.warming, 8, 1)[0] === -1;
  }

  /**
   * Resolves once the warm-up has run for `ms` (`plan --bppc --warm-up-ms`); at once when it has, or when
   * none runs (none was asked for, or a job stopped it). A warm-up that has not started 10 s past that
   * is not waited for longer.
   */
  async warmedFor(ms: number): Promise<void> {
    const giveUp = performance.now() + ms + 10_000;
    while (this.warming && !this.warmUpDeclined() && this.warmingMs() < ms && performance.now() < giveUp)
      await new Promise((resolve) => setTimeout(resolve, Math.max(5, ms - this.warmingMs())));
  }

  private jobs = 0;

  /**
   * Gives the worker a job (its `id` is set here), stopping its warm-up first; resolves with its answer,
   * or an error.
   */
  run(job: Omit<BppcWorkerJob, "id">): Promise<BppcWorkerAnswer> {
    const id = ++this.jobs;
    if (this.warming) Atomics.store(new Int32Array(this.warming), 0, 1);
    this.warming = null;
    this.worker.ref();
    return new Promise((resolve) => {
      const onError = (e: unknown) => {
        this.worker.off("message", onMessage);
        this.worker.unref();
        resolve({ id, error: String(e) });
      };
      const onMessage = (answer: BppcWorkerAnswer) => {
        if (answer.id !== id) return;
        this.worker.off("message", onMessage);
        this.worker.off("error", onError);
        this.worker.unref();
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
  const shared = newProgress(inst);
  const { stop, report } = sharedProgress(shared);
  const theirs = worker.run({
    instance: inst,
    // Another seed than this thread's: the worker's own local search (between its dives) then explores
    // other packings than this one's.
    seed: seed + 1,
    deadlineEpoch: performance.timeOrigin + t0 + timeLimitMs,
    shared,
    colgenFirst: true,
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

/**
 * `solveBppc` whole (the one-thread schedule, HiGHS included) in `worker`, this thread waiting: used where
 * the worker was started, and warmed up, while the command was still starting (`bppc-prestart.ts`). The
 * worker's packing is checked before it is returned; a worker that fails or does not answer makes this
 * reject. Same options as `solveBppc`; the time counts from this call.
 */
export async function solveBppcInWorker(
  inst: BppcInstance,
  worker: BppcWorker,
  options: { timeLimitMs?: number; seed?: number } = {},
): Promise<BppcSolution> {
  const t0 = performance.now();
  const timeLimitMs = options.timeLimitMs ?? 1000;
  const shared = newProgress(inst);
  const answer = await worker.run({
    instance: inst,
    seed: options.seed ?? 1,
    deadlineEpoch: performance.timeOrigin + t0 + timeLimitMs,
    shared,
    colgenFirst: false,
  });
  if ("error" in answer) throw new Error(`the solver's worker thread failed: ${answer.error}`);
  const errors = packingErrors(bppcCore(inst), answer.assignment);
  if (errors.length > 0) throw new Error(`the solver's worker thread returned no packing: ${errors[0]}`);
  const bins = new Set(answer.assignment).size;
  return {
    bins,
    lowerBound: answer.lowerBound,
    provenOptimal: bins <= answer.lowerBound,
    elapsedMs: performance.now() - t0,
    foundMs: answer.foundEpoch - performance.timeOrigin - t0,
    assignment: answer.assignment,
  };
}
