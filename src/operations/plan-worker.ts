/** Worker thread for the planner: its search is CPU-bound for up to its time limit, so the API's event loop stays free. */
import { parentPort } from "node:worker_threads";
import { movePerson, plan, replan } from "../planner/index.ts";
import type { PlanJob } from "./plan-runner.ts";

parentPort?.on("message", (job: PlanJob & { id: number }) => {
  try {
    const result =
      job.kind === "plan"
        ? plan(job.input, job.options)
        : job.kind === "replan"
          ? replan(job.previous, job.input, job.change, job.options)
          : movePerson(job.input, job.previous, job.personId, job.aircraftId);
    parentPort!.postMessage({ id: job.id, ok: true, result });
  } catch (err) {
    const e = err as { code?: string; message?: string; details?: unknown };
    parentPort!.postMessage({
      id: job.id,
      ok: false,
      error: { code: e.code, message: e.message, details: e.details },
    });
  }
});
