import type { Worker } from "node:worker_threads";
import { AppError, type ErrorCode } from "../errors.ts";
import type { Plan, PlanChange, PlanInput, PlanOptions, ReplanResult, Violation } from "../planner/index.ts";
import { startWorker } from "../runtime.ts";

export type PlanJob =
  | { kind: "plan"; input: PlanInput; options: PlanOptions }
  | { kind: "replan"; previous: Plan; input: PlanInput; change: PlanChange; options: PlanOptions }
  | { kind: "move"; previous: Plan; input: PlanInput; personId: string; aircraftId: string };

type Answer<J extends PlanJob> = J extends { kind: "plan" }
  ? Plan
  : J extends { kind: "replan" }
    ? ReplanResult
    : { plan: Plan; violations: Violation[] };

/**
 * Runs planner jobs on one worker thread, kept alive between jobs (starting one costs about a second) and
 * replaced if a job overruns its time limit by far. Jobs run one at a time.
 */
export class PlanRunner {
  private worker: Worker | null = null;
  private next = 1;
  private queue: Promise<unknown> = Promise.resolve();

  run<J extends PlanJob>(job: J, hardLimitMs = 60_000): Promise<Answer<J>> {
    const result = this.queue.then(() => this.send(job, hardLimitMs));
    this.queue = result.catch(() => undefined);
    return result as Promise<Answer<J>>;
  }

  private spawn(): Worker {
    const worker = startWorker("operations/plan-worker");
    worker.unref();
    return worker;
  }

  private send(job: PlanJob, hardLimitMs: number): Promise<unknown> {
    const worker = this.worker ?? this.spawn();
    this.worker = worker;
    const id = this.next++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        this.worker = null;
        void worker.terminate();
        reject(new AppError("PLAN_INFEASIBLE", `the planner did not answer within ${hardLimitMs} ms`));
      }, hardLimitMs);
      const onMessage = (m: {
        id: number;
        ok: boolean;
        result?: unknown;
        error?: { code?: string; message?: string; details?: Record<string, unknown> };
      }) => {
        if (m.id !== id) return;
        cleanup();
        if (m.ok) resolve(m.result);
        else
          reject(
            new AppError(
              (m.error?.code as ErrorCode) ?? "PLAN_INFEASIBLE",
              m.error?.message ?? "planner failed",
              m.error?.details ?? {},
            ),
          );
      };
      const onError = (err: Error) => {
        cleanup();
        this.worker = null;
        reject(err);
      };
      const cleanup = () => {
        clearTimeout(timer);
        worker.off("message", onMessage);
        worker.off("error", onError);
      };
      worker.on("message", onMessage);
      worker.on("error", onError);
      worker.postMessage({ ...job, id });
    });
  }

  async close() {
    await this.worker?.terminate();
    this.worker = null;
  }
}
