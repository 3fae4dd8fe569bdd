import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Highs } from "highs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lowerBounds } from "./bounds.ts";
import { type BppcInstance, bppcCore, bppcProblem, checkBppc, parseBppc, solveBppc } from "./bppc.ts";
import { colgenBppc, priceBins, priceFamily } from "./bppc-colgen.ts";
import { enumerateSets } from "./bppc-cover.ts";
import { BppcWorker, solveBppcInWorker, solveBppcParallel } from "./bppc-parallel.ts";
import { prestartBppcWorker, takePrestartedBppcWorker } from "./bppc-prestart.ts";
import { runPlanCommand } from "./cli.ts";
import { loadHighs } from "./highs-load.ts";
import { createRng } from "./rng.ts";

let highs: Highs;
beforeAll(async () => {
  highs = await loadHighs();
});

/** A random instance: n items of weight 15–64 in bins of 100, each pair in conflict with probability q. */
const randomInstance = (rng: () => number, n: number, q: number): BppcInstance => {
  const lines = [`${n} 100`];
  for (let i = 1; i <= n; i++) {
    const conf = Array.from({ length: n }, (_, j) => j + 1).filter((j) => j > i && rng() < q);
    lines.push(`${i} ${15 + Math.floor(rng() * 50)} ${conf.join(" ")}`);
  }
  return parseBppc(lines.join("\n"));
};

/** Fewest bins, by trying every placement (small n only): the oracle. */
function optimum(inst: BppcInstance): number {
  const { n, capacity, weights } = inst;
  const { conflict } = bppcProblem(inst);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => weights[b]! - weights[a]!);
  const bins: number[][] = [];
  const load: number[] = [];
  let best = n;
  const place = (k: number) => {
    if (bins.length >= best) return;
    if (k === n) {
      best = bins.length;
      return;
    }
    const i = order[k]!;
    for (let b = 0; b < bins.length; b++) {
      if (load[b]! + weights[i]! > capacity || bins[b]!.some((j) => conflict[i * n + j])) continue;
      bins[b]!.push(i);
      load[b]! += weights[i]!;
      place(k + 1);
      load[b]! -= weights[i]!;
      bins[b]!.pop();
    }
    bins.push([i]);
    load.push(weights[i]!);
    place(k + 1);
    bins.pop();
    load.pop();
  };
  place(0);
  return best;
}

const clock = () => performance.now();
/** Every item alone: the worst packing, to start a dive from. */
const alone = (n: number) => Int32Array.from({ length: n }, (_, i) => i);

// Five items in a cycle of conflicts, all fitting one bin: bin packing is colouring the 5-cycle. The
// clique bound says 2; the LP says 2.5, so 3, which is the optimum.
const FIVE_CYCLE = "5 100\n1 10 2 5\n2 10 3\n3 10 4\n4 10 5\n5 10\n";

/**
 * The Grötzsch graph as conflicts, all items fitting one bin: colouring it. Clique bound 2, LP bound
 * ⌈2.9⌉ = 3 (its fractional chromatic number is 29/10), optimum 4 — the dive can only fail.
 */
function grotzsch(extraFullItem = false): BppcInstance {
  const edges: [number, number][] = [];
  for (let i = 0; i < 5; i++) {
    edges.push([i, (i + 1) % 5]); // outer 5-cycle
    edges.push([5 + i, (i + 4) % 5], [5 + i, (i + 1) % 5]); // u_i to v_i's neighbours
    edges.push([10, 5 + i]); // the centre to every u_i
  }
  const n = extraFullItem ? 12 : 11;
  const lines = [`${n} 100`];
  for (let i = 0; i < 11; i++) {
    const conf = edges.filter(([a, b]) => a === i && b > i).map(([, b]) => b + 1);
    const back = edges.filter(([a, b]) => b === i && a > i).map(([a]) => a + 1);
    lines.push(`${i + 1} 5 ${[...conf, ...back].join(" ")}`);
  }
  if (extraFullItem) lines.push("12 100");
  return parseBppc(lines.join("\n"));
}

/** Three exactly full triples (50 + 30 + 20), nothing else fits three bins. */
const TRIPLES = "9 100\n1 50\n2 50\n3 50\n4 30\n5 30\n6 30\n7 20\n8 20\n9 20\n";

describe("pricing (knapsack with conflicts)", () => {
  it("finds the true maximum, and only feasible bins worth entering", () => {
    const rng = createRng(7);
    for (let t = 0; t < 30; t++) {
      const inst = randomInstance(rng, 12, 0.25);
      const core = bppcCore(inst);
      const dual = Array.from({ length: inst.n }, () => rng() * 0.6);
      let brute = 0;
      for (let mask = 1; mask < 1 << inst.n; mask++) {
        const items = Array.from({ length: inst.n }, (_, i) => i).filter((i) => mask & (1 << i));
        const w = items.reduce((s, i) => s + inst.weights[i]!, 0);
        if (w > inst.capacity) continue;
        if (items.some((i) => items.some((j) => core.conflict[i * inst.n + j]))) continue;
        brute = Math.max(
          brute,
          items.reduce((s, i) => s + dual[i]!, 0),
        );
      }
      const p = priceBins(core, dual, () => true, 10);
      expect(p.exact).toBe(true);
      expect(p.best).toBeCloseTo(brute, 9);
      if (brute > 1 + 1e-6) expect(p.columns.length).toBeGreaterThan(0);
      for (const c of p.columns) {
        const items = Array.from(c);
        expect(items.reduce((s, i) => s + inst.weights[i]!, 0)).toBeLessThanOrEqual(inst.capacity);
        expect(items.some((i) => items.some((j) => core.conflict[i * inst.n + j]))).toBe(false);
        expect(items.reduce((s, i) => s + dual[i]!, 0)).toBeGreaterThan(1);
      }
    }
  });

  it("with a minimum load, offers only bins that heavy, counting items of no dual value", () => {
    // Capacity 100, weights 40, 40, 50. {1, 2} is worth 1.2 but loads 80.
    const core = bppcCore(parseBppc("3 100\n1 40\n2 40\n3 50\n"));
    const free = priceBins(core, [0.6, 0.6, 0], () => true, 10);
    expect(free.columns.map((c) => Array.from(c))).toEqual([[0, 1]]);
    const heavy = priceBins(core, [0.6, 0.6, 0], () => true, 10, undefined, undefined, 90);
    expect(heavy.columns).toEqual([]);
    expect(heavy.best).toBeCloseTo(0.6, 9); // {1, 3} or {2, 3}: load 90
  });

  it("over a listed family of heavy bins, agrees with the search", () => {
    const rng = createRng(17);
    let entering = 0;
    for (let t = 0; t < 20; t++) {
      const inst = randomInstance(rng, 14, 0.2);
      const core = bppcCore(inst);
      const dual = Array.from({ length: inst.n }, () => rng() * 0.6);
      const open = (i: number) => i % 5 !== 0;
      const fam = enumerateSets(core, 80, 100_000, 1_000_000, { clock: () => 0, deadline: 1 });
      expect(fam).not.toBeNull();
      const listed = priceFamily(fam!, dual, open, 1000);
      const searched = priceBins(core, dual, open, 1000, undefined, undefined, 80);
      expect(listed.best).toBeCloseTo(searched.best, 9);
      // The same bin comes first (random duals: no ties).
      expect(listed.columns.length > 0).toBe(searched.columns.length > 0);
      if (listed.columns.length > 0) {
        entering++;
        expect(Array.from(listed.columns[0]!)).toEqual(Array.from(searched.columns[0]!));
      }
    }
    expect(entering).toBeGreaterThan(5);
  });

  it("past its node budget says it is not exact", () => {
    const inst = randomInstance(createRng(4), 30, 0.1);
    const dual = Array.from({ length: inst.n }, (_, i) => 0.2 + (i % 7) / 20);
    expect(priceBins(bppcCore(inst), dual, () => true, 10).exact).toBe(true);
    expect(priceBins(bppcCore(inst), dual, () => true, 10, 5).exact).toBe(false);
  });

  it("skips items that are no longer open", () => {
    const inst = parseBppc("3 100\n1 30\n2 30\n3 30\n");
    const p = priceBins(bppcCore(inst), [0.5, 0.5, 0.5], (i) => i !== 1, 10);
    expect(p.best).toBeCloseTo(1, 9);
    expect(p.columns).toEqual([]); // {1, 3} is worth exactly 1: nothing enters
  });
});

describe("column generation", () => {
  it("raises the bound to the LP's where the clique bound falls short (a 5-cycle of conflicts)", () => {
    const inst = parseBppc(FIVE_CYCLE);
    const p = bppcProblem(inst);
    expect(lowerBounds(p).best).toBe(2);
    const cg = colgenBppc(bppcCore(inst, p), highs, {
      clock,
      deadline: clock() + 10_000,
      lowerBound: 2,
      upper: 5,
      start: alone(5),
    });
    expect(cg.lowerBound).toBe(3);
    expect(cg.assignment).not.toBeNull();
    expect(checkBppc(inst, Array.from(cg.assignment!))).toEqual([]);
    expect(cg.bins).toBe(3);
  });

  it("never bounds above the optimum, and dives to a valid packing from the worst start", () => {
    const rng = createRng(3);
    for (let t = 0; t < 12; t++) {
      const inst = randomInstance(rng, 11, 0.3);
      const opt = optimum(inst);
      const p = bppcProblem(inst);
      const cg = colgenBppc(bppcCore(inst, p), highs, {
        clock,
        deadline: clock() + 10_000,
        lowerBound: lowerBounds(p).best,
        upper: inst.n,
        start: alone(inst.n),
      });
      expect(cg.lowerBound).toBeLessThanOrEqual(opt);
      expect(cg.assignment).not.toBeNull();
      expect(checkBppc(inst, Array.from(cg.assignment!))).toEqual([]);
      expect(cg.bins).toBe(new Set(cg.assignment).size);
      expect(cg.bins).toBeGreaterThanOrEqual(opt);
    }
  });

  it("stops pricing once the LP value rounds to the bound already known: fewer LP solves, the same bound", () => {
    const inst = randomInstance(createRng(1), 60, 0.1);
    const core = bppcCore(inst);
    const run = (lowerBound: number, upper: number) =>
      colgenBppc(core, highs, { clock, deadline: clock() + 10_000, lowerBound, upper, start: alone(inst.n) });
    // The LP's own bound, from a root that knows none (the dive after it does not change the bound).
    const lp = run(0, inst.n).lowerBound;
    // With upper at that bound there is no dive either way: each run is its root alone.
    const blind = run(0, lp);
    const told = run(lp, lp);
    expect(blind.lowerBound).toBe(lp);
    expect(told.lowerBound).toBe(lp);
    expect(told.lpSolves).toBeLessThan(blind.lpSolves);
  });

  it("seeds the master with the bins of more packings: the same bound in fewer LP solves; a packing that is not one is left out", () => {
    const inst = randomInstance(createRng(3), 100, 0.1);
    const core = bppcCore(inst);
    const packings = [1, 2, 3].map((seed) => solveBppc(inst, { seed, maxIterations: 5 }).assignment);
    // upper 1: no packing to dive for, so each run is its root alone.
    const root = (more?: ArrayLike<number>[]) =>
      colgenBppc(core, highs, {
        clock,
        deadline: clock() + 10_000,
        lowerBound: 0,
        upper: 1,
        start: alone(inst.n),
        more,
      });
    const plain = root();
    const seeded = root(packings);
    // Everything in bin 0 overflows it: not a packing, so none of its "bins" may enter the master.
    const withBad = root([...packings, new Int32Array(inst.n)]);
    expect(seeded.lowerBound).toBe(plain.lowerBound);
    expect(seeded.lpSolves).toBeLessThan(plain.lpSolves);
    expect(withBad.lowerBound).toBe(plain.lowerBound);
    expect(withBad.columns).toBe(seeded.columns);
  });

  it("proves no bound when pricing is not exact", () => {
    const inst = parseBppc(FIVE_CYCLE);
    const cg = colgenBppc(bppcCore(inst), highs, {
      clock,
      deadline: clock() + 10_000,
      lowerBound: 2,
      upper: 3,
      start: Int32Array.of(0, 1, 0, 1, 2),
      priceNodes: 1,
    });
    expect(cg.lowerBound).toBe(2);
  });

  it("on the Grötzsch graph: bound 3, and a dive that backtracks and finds nothing below 4", () => {
    const inst = grotzsch();
    const opt = optimum(inst);
    expect(opt).toBe(4);
    const p = bppcProblem(inst);
    expect(lowerBounds(p).best).toBe(2);
    const start = Int32Array.from(solveBppc(inst, { timeLimitMs: 200 }).assignment);
    expect(new Set(start).size).toBe(4);
    const cg = colgenBppc(bppcCore(inst, p), highs, {
      clock,
      deadline: clock() + 10_000,
      lowerBound: 2,
      upper: 4,
      start,
    });
    expect(cg.lowerBound).toBe(3);
    expect(cg.assignment).toBeNull();
    expect(cg.bins).toBe(4);
    expect(cg.backtracks).toBeGreaterThan(0);
  });

  it("goes on past a ban that leaves an item no bin (the master infeasible): a failed node", () => {
    // An item as heavy as a bin: only its own bin holds it, and banning that bin empties its row.
    const inst = grotzsch(true);
    const p = bppcProblem(inst);
    const cg = colgenBppc(bppcCore(inst, p), highs, {
      clock,
      deadline: clock() + 10_000,
      lowerBound: 2,
      upper: 5,
      start: Int32Array.from(solveBppc(inst, { timeLimitMs: 200 }).assignment),
      maxDiscrepancy: 3,
    });
    expect(cg.lowerBound).toBe(4); // 3 for the graph, + the full item's bin
    expect(cg.lowerBound).toBeLessThanOrEqual(optimum(inst));
    expect(cg.backtracks).toBeGreaterThan(3);
    if (cg.assignment) expect(checkBppc(inst, Array.from(cg.assignment))).toEqual([]);
  });

  it("on exactly full bins lists them, and dives to the packing from one bin over", () => {
    const inst = parseBppc(TRIPLES);
    const start = Int32Array.of(0, 1, 2, 3, 3, 0, 1, 2, 3); // 50+30 | 50+20 | 50+20 | 30+30+20
    expect(checkBppc(inst, Array.from(start))).toEqual([]);
    const cg = colgenBppc(bppcCore(inst), highs, {
      clock,
      deadline: clock() + 10_000,
      lowerBound: 3,
      upper: 4,
      start,
    });
    // Every exactly full bin: 27 triples 50+30+20, 3 pairs 50+50, 9 of 30+30+20+20.
    expect(cg.listedBins).toBe(39);
    expect(cg.bins).toBe(3);
    expect(checkBppc(inst, Array.from(cg.assignment!))).toEqual([]);
  });

  it("a deadline part way through: valid answers, a bound no higher than the optimum", () => {
    const rng = createRng(13);
    for (let t = 0; t < 6; t++) {
      const inst = randomInstance(rng, 11, 0.35);
      const p = bppcProblem(inst);
      let now = 0;
      const ticking = () => now++; // one millisecond a read
      const cg = colgenBppc(bppcCore(inst, p), highs, {
        clock: ticking,
        deadline: 40 + 20 * t,
        lowerBound: lowerBounds(p).best,
        upper: inst.n,
        start: alone(inst.n),
      });
      expect(cg.lowerBound).toBeLessThanOrEqual(optimum(inst));
      if (cg.assignment) expect(checkBppc(inst, Array.from(cg.assignment))).toEqual([]);
    }
  });

  it("stops at its deadline with the bound it had", () => {
    const inst = randomInstance(createRng(9), 40, 0.2);
    const p = bppcProblem(inst);
    const lb = lowerBounds(p).best;
    const cg = colgenBppc(bppcCore(inst, p), highs, {
      clock,
      deadline: clock() - 1,
      lowerBound: lb,
      upper: inst.n,
      start: alone(inst.n),
    });
    expect(cg.lowerBound).toBe(lb);
    expect(cg.assignment).toBeNull();
    expect(cg.bins).toBe(inst.n);
  });
});

describe("solveBppc with HiGHS", () => {
  it("proves the 5-cycle optimal, which it cannot without the LP bound", () => {
    const inst = parseBppc(FIVE_CYCLE);
    // Budgeted by iterations on a clock that barely moves: the answer does not depend on the machine's load.
    let now = 0;
    const clock = () => (now += 0.001);
    const without = solveBppc(inst, { maxIterations: 2000, timeLimitMs: 1e9, clock });
    expect(without.bins).toBe(3);
    expect(without.provenOptimal).toBe(false);
    const withLp = solveBppc(inst, { maxIterations: 2000, timeLimitMs: 1e9, clock, highs });
    expect(withLp).toMatchObject({ bins: 3, lowerBound: 3, provenOptimal: true });
    expect(checkBppc(inst, withLp.assignment)).toEqual([]);
  });

  it("with maxIterations, the same answer on a slow machine and a fast one (column generation included)", () => {
    const inst = grotzsch();
    const run = (msPerRead: number) => {
      let now = 0;
      return solveBppc(inst, {
        seed: 4,
        maxIterations: 500,
        timeLimitMs: 1e9,
        highs,
        clock: () => (now += msPerRead),
      });
    };
    const fast = run(0.001);
    const slow = run(5);
    expect(fast.lowerBound).toBe(3); // only the LP proves 3: column generation ran
    expect(slow.assignment).toEqual(fast.assignment);
    expect(slow.lowerBound).toBe(fast.lowerBound);
    expect(fast.bins).toBe(4);
  });

  it("reaches the optimum on small random instances, and is deterministic with maxIterations", () => {
    const rng = createRng(21);
    for (let t = 0; t < 8; t++) {
      const inst = randomInstance(rng, 11, 0.35);
      const opt = optimum(inst);
      const a = solveBppc(inst, { seed: 2, maxIterations: 2000, timeLimitMs: 60_000, highs });
      const b = solveBppc(inst, { seed: 2, maxIterations: 2000, timeLimitMs: 60_000, highs });
      expect(a.assignment).toEqual(b.assignment);
      expect(checkBppc(inst, a.assignment)).toEqual([]);
      expect(a.bins).toBe(opt);
      expect(a.lowerBound).toBeLessThanOrEqual(opt);
    }
  });

  it("`traslado plan --bppc --threads 2` proves it with column generation in a worker; --threads 3 is refused", async () => {
    const dir = mkdtempSync(join(tmpdir(), "traslado-bppc-"));
    const file = join(dir, "five-cycle.txt");
    writeFileSync(file, FIVE_CYCLE);
    let printed = "";
    const base = { bppc: file, timeLimitMs: "1000", seed: "1", format: "json" };
    const code = await runPlanCommand({ ...base, threads: "2" }, (s) => {
      printed += s;
    });
    expect(code).toBe(0);
    expect(JSON.parse(printed)).toMatchObject({ bins: 3, lowerBound: 3, provenOptimal: true });
    await expect(runPlanCommand({ ...base, threads: "3" }, () => {})).rejects.toThrow(/--threads/);
  });

  it("`traslado plan --bppc` uses it: the 5-cycle comes back proven optimal", async () => {
    const dir = mkdtempSync(join(tmpdir(), "traslado-bppc-"));
    const file = join(dir, "five-cycle.txt");
    writeFileSync(file, FIVE_CYCLE);
    let printed = "";
    const code = await runPlanCommand({ bppc: file, timeLimitMs: "1000", seed: "1", format: "json" }, (s) => {
      printed += s;
    });
    expect(code).toBe(0);
    const out = JSON.parse(printed);
    expect(out).toMatchObject({ bins: 3, lowerBound: 3, provenOptimal: true });
    expect(checkBppc(parseBppc(FIVE_CYCLE), out.assignment)).toEqual([]);
  });
});

describe("solveBppc asked to stop", () => {
  it("returns its first packing at once, valid, with what it reported", () => {
    // The Grötzsch graph: no bound proves its optimum (4), so only the stop ends the run before its limit.
    const inst = grotzsch();
    const reports: [number, number][] = [];
    const s = solveBppc(inst, {
      timeLimitMs: 60_000,
      highs,
      stop: () => true,
      onProgress: (bins, lowerBound) => reports.push([bins, lowerBound]),
    });
    expect(s.elapsedMs).toBeLessThan(10_000);
    expect(checkBppc(inst, s.assignment)).toEqual([]);
    expect(reports.at(-1)).toEqual([s.bins, s.lowerBound]);
  });
});

describe("solveBppcParallel (the search here, column generation in a worker thread)", () => {
  let worker: BppcWorker;
  beforeAll(async () => {
    worker = await BppcWorker.start();
  }, 60_000);
  afterAll(() => worker.close());

  it("proves the 5-cycle optimal before its limit: the bound comes from the worker's LP", async () => {
    const inst = parseBppc(FIVE_CYCLE);
    const s = await solveBppcParallel(inst, worker, { timeLimitMs: 20_000 });
    expect(s).toMatchObject({ bins: 3, lowerBound: 3, provenOptimal: true });
    expect(checkBppc(inst, s.assignment)).toEqual([]);
    // Settled, so both threads stopped: this thread's search alone would run to the limit (bound 2).
    expect(s.elapsedMs).toBeLessThan(10_000);
  });

  it("valid packings at the optimum, and bounds no higher, on small random instances", async () => {
    const rng = createRng(33);
    for (let t = 0; t < 6; t++) {
      const inst = randomInstance(rng, 11, 0.35);
      const opt = optimum(inst);
      const s = await solveBppcParallel(inst, worker, { timeLimitMs: 2000, seed: t + 1 });
      expect(checkBppc(inst, s.assignment)).toEqual([]);
      expect(new Set(s.assignment).size).toBe(s.bins);
      expect(s.bins).toBe(opt);
      expect(s.lowerBound).toBeLessThanOrEqual(opt);
    }
  });
});

describe("solveBppcInWorker (the whole solve in a worker that warmed up first)", () => {
  let worker: BppcWorker;
  beforeAll(async () => {
    worker = await BppcWorker.start({ warmUp: true });
  }, 60_000);
  afterAll(() => worker.close());

  it("the warm-up runs until the first job, which stops it and is answered: the 5-cycle proven optimal", async () => {
    await worker.warmedFor(300);
    // As root (CI) the worker may lower its priority for the warm-up and take it back; an unprivileged one
    // declines the warm-up and the job runs cold.
    if (process.getuid?.() === 0) expect(worker.warmUpDeclined()).toBe(false);
    if (worker.warmUpDeclined()) expect(worker.warmingMs()).toBe(0);
    else expect(worker.warmingMs()).toBeGreaterThanOrEqual(300);
    const inst = parseBppc(FIVE_CYCLE);
    const s = await solveBppcInWorker(inst, worker, { timeLimitMs: 20_000 });
    expect(s).toMatchObject({ bins: 3, lowerBound: 3, provenOptimal: true });
    expect(checkBppc(inst, s.assignment)).toEqual([]);
    // Proven, so it stopped well before its limit; a warm-up that did not stop would keep the job waiting.
    expect(s.elapsedMs).toBeLessThan(10_000);
    expect(s.foundMs).toBeLessThanOrEqual(s.elapsedMs);
    // No longer warming: asking for more warm-up returns at once.
    expect(worker.warmingMs()).toBe(0);
    const t1 = performance.now();
    await worker.warmedFor(60_000);
    expect(performance.now() - t1).toBeLessThan(1000);
  });

  it("valid packings at the optimum, and bounds no higher, on small random instances", async () => {
    const rng = createRng(44);
    for (let t = 0; t < 6; t++) {
      const inst = randomInstance(rng, 11, 0.35);
      const opt = optimum(inst);
      const s = await solveBppcInWorker(inst, worker, { timeLimitMs: 2000, seed: t + 1 });
      expect(checkBppc(inst, s.assignment)).toEqual([]);
      expect(new Set(s.assignment).size).toBe(s.bins);
      expect(s.bins).toBe(opt);
      expect(s.lowerBound).toBeLessThanOrEqual(opt);
      expect(s.provenOptimal).toBe(s.bins <= s.lowerBound);
    }
  });
});

describe("`traslado plan --bppc` with the worker bin/traslado.js prestarts", () => {
  const file = join(mkdtempSync(join(tmpdir(), "traslado-bppc-")), "five-cycle.txt");
  writeFileSync(file, FIVE_CYCLE);
  const base = { bppc: file, timeLimitMs: "1000", seed: "1", format: "json" };

  it("solves in that worker, and takes it: none is left prestarted", async () => {
    prestartBppcWorker();
    let printed = "";
    const code = await runPlanCommand(base, (s) => {
      printed += s;
    });
    expect(code).toBe(0);
    const out = JSON.parse(printed);
    expect(out).toMatchObject({ bins: 3, lowerBound: 3, provenOptimal: true });
    expect(checkBppc(parseBppc(FIVE_CYCLE), out.assignment)).toEqual([]);
    expect(await takePrestartedBppcWorker()).toBeNull();
  });

  it("a refused command still takes (and closes) it; --no-warm-up-thread solves on this thread", async () => {
    prestartBppcWorker();
    await expect(runPlanCommand({ ...base, threads: "3" }, () => {})).rejects.toThrow(
      /--threads: expected 1 or 2/,
    );
    expect(await takePrestartedBppcWorker()).toBeNull();
    let printed = "";
    const code = await runPlanCommand({ ...base, warmUpThread: false }, (s) => {
      printed += s;
    });
    expect(code).toBe(0);
    expect(JSON.parse(printed)).toMatchObject({ bins: 3, lowerBound: 3, provenOptimal: true });
  });
});
