/**
 * `traslado plan --bppc`'s solver thread, started as the process starts (bin/traslado.js calls
 * `prestartBppcWorker` before it loads the CLI) and warming up on a built-in instance while the CLI's
 * modules load, the instance is read and the clock has not started: that start-up takes a few hundred
 * milliseconds of one core, and the warm-up runs on the other. The solve then runs in this worker
 * (`solveBppcInWorker`) on code V8 has already optimised: the solver's JavaScript in the worker's own
 * isolate, and HiGHS's WebAssembly. A new process otherwise runs its first few hundred milliseconds of
 * solving on unoptimised code, about twice as slowly (docs/BENCHMARKS.md).
 *
 * On a machine with one core the warm-up would take the start-up's time, so nothing is started there and
 * the solve runs on the CLI's thread as before.
 */
import { availableParallelism } from "node:os";
import { BppcWorker } from "./bppc-parallel.ts";

let started: Promise<BppcWorker | null> | null = null;

/** Starts the worker and its warm-up, once per process; does nothing on a machine with one core. */
export function prestartBppcWorker(): void {
  if (started || availableParallelism() < 2) return;
  started = BppcWorker.start({ warmUp: true }).catch(() => null);
}

/**
 * The worker `prestartBppcWorker` started, once HiGHS is loaded in it (it keeps warming up until given a
 * job), and no longer held here: the caller closes it. Null when none was started or it could not start.
 */
export async function takePrestartedBppcWorker(): Promise<BppcWorker | null> {
  const worker = started;
  started = null;
  return worker ?? null;
}
