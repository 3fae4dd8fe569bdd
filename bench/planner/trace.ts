/**
 * Where one BPPC solve's time goes (`npm run bench:planner -- --only phases`): `solveBppc` with HiGHS,
 * its master LP's solves timed and their simplex iterations counted, and the moments its phases end read
 * from its progress reports. HiGHS is wrapped, not changed: the solver runs as `traslado plan --bppc` runs it.
 */
import type { Highs } from "highs";
import { type BppcInstance, solveBppc } from "../../src/planner/bppc.ts";

export interface SolveTrace {
  bins: number;
  lowerBound: number;
  elapsedMs: number;
  /** When the packing returned was found. */
  foundMs: number;
  /** When column generation's first LP solve started (NaN when it did not run). */
  colgenStartMs: number;
  /** When the root LP ended: column generation's first report (NaN when it did not run). */
  rootEndMs: number;
  /** The root's LP solves, the time inside HiGHS's `run()` over them, and their simplex iterations. */
  root: LpWork;
  /** The same over all the LP solves of the run. */
  all: LpWork;
}

export interface LpWork {
  solves: number;
  ms: number;
  iterations: number;
}

export function tracedSolve(inst: BppcInstance, highs: Highs, seed: number, timeLimitMs: number): SolveTrace {
  let t0 = 0;
  let colgenStartMs = Number.NaN;
  let rootEndMs = Number.NaN;
  const all: LpWork = { solves: 0, ms: 0, iterations: 0 };
  let root: LpWork | null = null;
  const traced: Highs = Object.create(highs);
  traced.createModel = (...args: Parameters<Highs["createModel"]>) => {
    const model = highs.createModel(...args);
    const run = model.run.bind(model);
    model.run = (...runArgs: Parameters<typeof model.run>) => {
      const start = performance.now();
      if (all.solves === 0) colgenStartMs = start - t0;
      try {
        return run(...runArgs);
      } finally {
        all.ms += performance.now() - start;
        all.solves++;
        const info = model.raw.getInfoValue("simplex_iteration_count");
        if (info.status !== -1) all.iterations += Number(info.value);
      }
    };
    return model;
  };
  t0 = performance.now();
  const s = solveBppc(inst, {
    seed,
    timeLimitMs,
    highs: traced,
    onProgress: () => {
      if (all.solves > 0 && !root) {
        rootEndMs = performance.now() - t0;
        root = { ...all };
      }
    },
  });
  return {
    bins: s.bins,
    lowerBound: s.lowerBound,
    elapsedMs: s.elapsedMs,
    foundMs: s.foundMs,
    colgenStartMs,
    rootEndMs,
    root: root ?? { solves: 0, ms: 0, iterations: 0 },
    all,
  };
}
