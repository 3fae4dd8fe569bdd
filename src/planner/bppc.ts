/**
 * Literature instances of bin packing with conflicts (Muritiba, Iori, Malaguti & Toth 2010):
 * line 1 `n C`, then one line per item `i w j1 j2 …` (1-based items it conflicts with).
 */
import type { Highs } from "highs";
import { lowerBounds } from "./bounds.ts";
import { packingErrors } from "./bppc-check.ts";
import { colgenBppc } from "./bppc-colgen.ts";
import { coverPacking } from "./bppc-cover.ts";
import { type BppcCore, searchBppc } from "./bppc-search.ts";
import {
  bestFit,
  conflictsFromEdges,
  construct,
  firstFitDecreasing,
  type PackProblem,
  type PackState,
} from "./pack.ts";
import { createRng, randInt, shuffle } from "./rng.ts";

/**
 * Share of the time the exact cover may take when the bound leaves no slack (every bin exactly full,
 * few candidate bins: the triplet classes), and when it leaves a little (it rarely finishes there).
 */
const COVER_SHARE_FULL = 0.7;
const COVER_SHARE_SLACK = 0.2;
/**
 * The exact cover is tried only when there are at most this many candidate bins: past it, listing them
 * takes much of the second and the time is better left to the overload search. BPPC_8_2_8 (501 items,
 * 55,253 exactly full triplets) is packed by the cover in 0.3–0.6 s; the overload search did not pack it
 * within the second.
 */
const MAX_COVER_SETS = 100_000;
/**
 * With HiGHS at hand, the local search runs alone for this share of the time left first (it settles
 * most instances in a few milliseconds); column generation (a bound and a dive, `bppc-colgen.ts`) then
 * gets this share of what is left, and the search the rest.
 */
const SEARCH_FIRST_SHARE = 0.05;
/**
 * ...but that first search runs at least this many iterations (up to SEARCH_FIRST_MAX_SHARE of the time).
 * A share of the time alone buys several times less search in a new process, whose first tens of
 * milliseconds run on code V8 has not optimised yet: on BPPC_2_3_3 the first search did 46 iterations in
 * 45 ms in a new process, where warm code does the 51 that settle it in 9 ms. Column generation then
 * started on an instance the search settles warm, and the process took 850 ms instead of 40.
 */
const SEARCH_FIRST_MIN_ITERATIONS = 200;
const SEARCH_FIRST_MAX_SHARE = 0.25;
const COLGEN_SHARE = 0.8;
/**
 * When the bound leaves a little slack and the exact cover could not even list the nearly full bins
 * (BPPC_2_3_9: 519,629 sets loading a bin to 137 or more of 150, for a slack of 13 over 105 bins),
 * the local search stalls a bin over and column generation's dive is what packs: it then starts at
 * once, from the greedy packing, and keeps this share of the time. On BPPC_2_3_9 in a new process
 * (seeds 1–30, turn about) this took the runs at 105 from 10/30 to 30/30 (docs/BENCHMARKS.md).
 */
const COLGEN_SHARE_CROWDED = 0.95;
/** The local search's turn on each failed dive's packing (time; iterations when reproducible). */
const REPAIR_MS = 5;
const REPAIR_ITERATIONS = 2000;
/**
 * Column generation only up to this many items: on the 500- and 1000-item classes its LP did not
 * converge within the second here, and the search, which solves them in 40–500 ms, needs the time.
 */
const MAX_COLGEN_ITEMS = 300;

export interface BppcInstance {
  n: number;
  capacity: number;
  weights: number[];
  /** 0-based conflicting pairs, each once. */
  edges: [number, number][];
}

export function parseBppc(text: string): BppcInstance {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  const head = lines[0]?.split(/\s+/).map(Number) ?? [];
  const [n, capacity] = head;
  if (
    n === undefined ||
    capacity === undefined ||
    !Number.isInteger(n) ||
    !Number.isInteger(capacity) ||
    n < 0
  )
    throw new Error("BPPC line 1: expected `n C` (two integers)");
  if (lines.length - 1 < n) throw new Error(`BPPC: expected ${n} item lines, found ${lines.length - 1}`);
  const weights: number[] = new Array(n).fill(0);
  const seen = new Set<string>();
  const edges: [number, number][] = [];
  for (let k = 1; k <= n; k++) {
    const nums = lines[k]!.split(/\s+/).map(Number);
    const [id, w, ...rest] = nums;
    if (id === undefined || w === undefined || !Number.isInteger(id) || id < 1 || id > n || !(w >= 0))
      throw new Error(`BPPC line ${k + 1}: expected \`i w j1 j2 …\` with 1 ≤ i ≤ ${n}`);
    weights[id - 1] = w;
    for (const j of rest) {
      if (!Number.isInteger(j) || j < 1 || j > n)
        throw new Error(`BPPC line ${k + 1}: conflict ${j} out of range`);
      if (j === id) continue;
      const a = Math.min(id, j) - 1;
      const b = Math.max(id, j) - 1;
      const key = `${a},${b}`;
      if (!seen.has(key)) {
        seen.add(key);
        edges.push([a, b]);
      }
    }
  }
  return { n, capacity, weights, edges };
}

export function bppcProblem(inst: BppcInstance, binCount = inst.n): PackProblem {
  const { conflict, neighbors } = conflictsFromEdges(inst.n, inst.edges);
  return {
    n: inst.n,
    weight: inst.weights,
    group: new Array(inst.n).fill(0),
    groupCount: 1,
    conflict,
    neighbors,
    bins: Array.from({ length: Math.max(1, binCount) }, () => ({
      capacity: inst.capacity,
      maxGroups: Number.POSITIVE_INFINITY,
    })),
  };
}

export interface BppcSolution {
  bins: number;
  lowerBound: number;
  provenOptimal: boolean;
  elapsedMs: number;
  /** Milliseconds until the final solution was found. */
  foundMs: number;
  /** 0-based bin of each item, in input order. */
  assignment: number[];
}

export interface BppcOptions {
  timeLimitMs?: number;
  seed?: number;
  maxIterations?: number;
  clock?: () => number;
  /**
   * HiGHS, loaded (`loadHighs()` in `highs-load.ts`): with it, column generation proves the LP bound
   * and dives for a packing when the search stalls above the bound. It runs on the caller's thread.
   */
  highs?: Highs;
  /**
   * With HiGHS, column generation at once, without the exact cover and the local search's turn first:
   * another thread runs those (`solveBppcParallel` in `bppc-parallel.ts`). Not with maxIterations.
   */
  colgenFirst?: boolean;
  /** Read with the clock: true ends the run with what it has (another thread settled the instance). */
  stop?: () => boolean;
  /** Told the bins of each better packing and each higher proven bound, as the run finds them. */
  onProgress?: (bins: number, lowerBound: number) => void;
}

/** What the search engines (`bppc-search.ts`, `bppc-cover.ts`, `bppc-overload.ts`) work on. */
export function bppcCore(inst: BppcInstance, p: PackProblem = bppcProblem(inst)): BppcCore {
  return {
    n: inst.n,
    capacity: inst.capacity,
    weight: inst.weights,
    conflict: p.conflict,
    neighbors: p.neighbors,
  };
}

/** Renumbers used bins 0..k-1 in order of first appearance. */
function compact(assign: ArrayLike<number>): number[] {
  const map = new Map<number, number>();
  return Array.from(assign, (b) => {
    if (b < 0) return -1;
    if (!map.has(b)) map.set(b, map.size);
    return map.get(b)!;
  });
}

export function solveBppc(inst: BppcInstance, options: BppcOptions = {}): BppcSolution {
  const time = options.clock ?? (() => performance.now());
  // Every engine stops when its clock passes its deadline: a stop request makes that clock run out.
  const { stop, onProgress } = options;
  const clock = stop ? () => (stop() ? Number.POSITIVE_INFINITY : time()) : time;
  const start = time();
  // Stop a little before the limit: the result still has to be compacted and returned in time.
  const limit = options.timeLimitMs ?? 1000;
  const deadline = start + Math.max(limit * 0.5, limit - 25);
  if (inst.weights.some((w) => w > inst.capacity))
    throw new Error("BPPC: an item is larger than the capacity");
  const p = bppcProblem(inst);
  const bounds = lowerBounds(p);
  const rng = createRng(options.seed ?? 1);
  const core = bppcCore(inst, p);
  const reproducible = options.maxIterations !== undefined;
  let lowerBound = bounds.best;
  const greedy = greedyPackings(p, rng);
  const start0 = greedy.reduce((a, b) => (b.binsUsed() < a.binsUsed() ? b : a));
  let res: { bins: number; assignment: ArrayLike<number>; foundAt: number };
  res = { bins: start0.binsUsed(), assignment: start0.assign, foundAt: time() };
  onProgress?.(res.bins, lowerBound);
  // Little slack at the bound: every bin nearly full, an exact cover decides (triplet classes).
  const total = inst.weights.reduce((a, b) => a + b, 0);
  const minW = Math.min(...inst.weights);
  // With HiGHS and colgenFirst the other thread runs the exact cover (and reports what it proves).
  const highs = inst.n <= MAX_COLGEN_ITEMS ? options.highs : undefined;
  const colgenNow = !!highs && !!options.colgenFirst && !reproducible;
  let crowded = false;
  if (res.bins > lowerBound && !colgenNow && lowerBound * inst.capacity - total < Math.max(1, minW)) {
    // With maxIterations the run must not depend on the clock: a node budget instead of a deadline.
    const ec = coverPacking(core, lowerBound, {
      rng,
      clock,
      deadline: reproducible
        ? Number.POSITIVE_INFINITY
        : start +
          (lowerBound * inst.capacity - total < 1 ? COVER_SHARE_FULL : COVER_SHARE_SLACK) *
            (deadline - start),
      maxSets: MAX_COVER_SETS,
      maxNodes: reproducible ? 50 * options.maxIterations! : undefined,
    });
    if (ec.kind === "found") res = { bins: lowerBound, assignment: ec.assignment, foundAt: time() };
    else if (ec.kind === "none") lowerBound++;
    else crowded = !ec.listed && !!highs && !reproducible;
    onProgress?.(res.bins, lowerBound);
  }
  /** The local search from a packing, aiming at `bound`, until a time or an iteration budget. */
  const runSearch = (from: ArrayLike<number>, bound: number, until: number, iterations?: number) =>
    searchBppc(
      core,
      from,
      { rng, lowerBound: bound, deadline: until, clock, maxIterations: iterations },
      bounds.cliqueItems,
    );
  const search = (until: number) => {
    const heur = runSearch(res.assignment, lowerBound, until, options.maxIterations);
    if (heur.bins < res.bins) res = heur;
    onProgress?.(res.bins, lowerBound);
  };
  // With HiGHS: the search alone first, then column generation (up to a share of what is left, and only
  // on instances small enough for its LP to converge in time), then the search again. With
  // maxIterations every phase runs on its budget of iterations or backtracks instead of a share of the
  // time, and the time limit is only a safety net: the run is then the same on any machine unless the
  // limit is reached.
  const share = (f: number) => {
    if (reproducible) return deadline;
    // The time's own clock: a stopped run's reads +∞, and its shares would not be numbers.
    const now = time();
    return Math.min(deadline, now + f * (deadline - now));
  };
  if (crowded) {
    // Column generation at once (COLGEN_SHARE_CROWDED).
  } else if (res.bins > lowerBound && highs && !reproducible && !colgenNow) {
    const cap = share(SEARCH_FIRST_MAX_SHARE);
    const first = runSearch(res.assignment, lowerBound, share(SEARCH_FIRST_SHARE));
    if (first.bins < res.bins) res = first;
    if (res.bins > lowerBound && first.iterations < SEARCH_FIRST_MIN_ITERATIONS) {
      const more = runSearch(res.assignment, lowerBound, cap, SEARCH_FIRST_MIN_ITERATIONS - first.iterations);
      if (more.bins < res.bins) res = more;
    }
    onProgress?.(res.bins, lowerBound);
  } else if (res.bins > lowerBound && !colgenNow) search(highs ? share(SEARCH_FIRST_SHARE) : deadline);
  if (highs && res.bins > lowerBound && clock() < deadline) {
    const cg = colgenBppc(core, highs, {
      clock,
      deadline: share(crowded ? COLGEN_SHARE_CROWDED : COLGEN_SHARE),
      lowerBound,
      upper: res.bins,
      start: res.assignment,
      // The greedy packings' bins seed the master too (those already in it are skipped): over the 30
      // instances of classes 1 and 2 that reach column generation this cut the root's simplex iterations
      // by 29 % and the time to the packing by 11 % (docs/BENCHMARKS.md). Not on a crowded instance, whose dive starts from the root
      // at once: on BPPC_2_3_9 the root was shorter but the dive that followed slower (15 seeds: median
      // 460 against 432 ms, the slowest 899 against 661).
      more: crowded ? [] : greedy.map((g) => g.assign),
      onProgress,
      repair: (assignment, upper, bound) => {
        const r = reproducible
          ? runSearch(assignment, bound, deadline, REPAIR_ITERATIONS)
          : runSearch(assignment, bound, Math.min(deadline, clock() + REPAIR_MS));
        return r.bins < upper ? Int32Array.from(r.assignment) : null;
      },
    });
    lowerBound = cg.lowerBound;
    if (cg.assignment) res = { bins: cg.bins, assignment: cg.assignment, foundAt: time() };
    onProgress?.(res.bins, lowerBound);
    if (res.bins > lowerBound && clock() < deadline) search(deadline);
  }
  const end = time();
  return {
    bins: res.bins,
    lowerBound,
    provenOptimal: res.bins <= lowerBound,
    elapsedMs: end - start,
    foundMs: Math.min(res.foundAt, end) - start,
    assignment: compact(res.assignment),
  };
}

/** A few greedy packings: best fit in orders of weight, conflict degree, both, and at random. */
function greedyPackings(p: PackProblem, rng: () => number): PackState[] {
  const idx = Array.from({ length: p.n }, (_, i) => i);
  const cap = p.bins[0]!.capacity;
  const deg = p.neighbors.map((a) => a.length);
  const maxDeg = Math.max(1, ...deg);
  const key = (i: number) => p.weight[i]! / cap + deg[i]! / maxDeg;
  const orders = [
    idx.slice().sort((a, b) => key(b) - key(a) || a - b),
    idx.slice().sort((a, b) => p.weight[b]! - p.weight[a]! || a - b),
    idx.slice().sort((a, b) => deg[b]! - deg[a]! || p.weight[b]! - p.weight[a]!),
    shuffle(rng, idx.slice()),
  ];
  return orders.map((order) => construct(p, order, idx, bestFit));
}

/**
 * A built-in instance to run the solver's code on before a real one (`bppc-prestart.ts`, `plan --bppc
 * --warm-up-ms`): 150 items of weight 20–99 in bins of 150, a conflict between 30 % of the pairs. The
 * searches stall above the bound on it, so column generation and HiGHS run too.
 */
export function warmUpInstance(): BppcInstance {
  const rng = createRng(12345);
  const n = 150;
  const weights = Array.from({ length: n }, () => 20 + randInt(rng, 80));
  const edges: [number, number][] = [];
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if (rng() < 0.3) edges.push([i, j]);
  return { n, capacity: 150, weights, edges };
}

/** First-fit decreasing alone (the baseline in the benchmark). */
export function solveBppcFfd(inst: BppcInstance): { bins: number; assignment: number[] } {
  const s = firstFitDecreasing(bppcProblem(inst));
  return { bins: s.binsUsed(), assignment: compact(s.assign) };
}

/** Checks a BPPC assignment: returns a list of broken rules (empty when valid). */
export function checkBppc(inst: BppcInstance, assignment: readonly number[]): string[] {
  return packingErrors(bppcCore(inst), assignment);
}
