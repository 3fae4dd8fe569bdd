/**
 * Column generation for bin packing with conflicts: the set-covering master "fewest bins such that every
 * item is in one", over columns that are feasible bins, priced by a knapsack with conflicts (the most
 * dual value within the capacity, no two conflicting items). The master LP lives in one persistent HiGHS
 * model, re-solved warm by the primal simplex after each round of new columns.
 *
 * It gives two things the local searches cannot:
 * - a lower bound: the LP optimum rounded up (Gilmore–Gomory), often one above the clique and L2 bounds;
 *   it is proven at every round whose pricing was exact, as the Farley bound Σ duals / best price;
 * - a packing: a dive fixes the bins the LP already uses whole (or else the fullest of the nearly most
 *   used), re-prices the rest and repeats until the LP is integral, over the bins heavy enough to be in
 *   a better packing only (listed and scanned when they are few). When the LP says a dive can no longer
 *   beat the best packing, the local search gets a turn on it (`repair`), then the dive backtracks: the
 *   deepest fixed bin it may flip is banned instead (limited discrepancy: at most `maxDiscrepancy` bans
 *   on one path). On very full instances — under one unit of free room per bin — this finds packings
 *   the local searches stall one bin above.
 */
import type { Highs } from "highs";
import { packingErrors } from "./bppc-check.ts";
import { enumerateSets, type SetFamily } from "./bppc-cover.ts";
import type { BppcCore } from "./bppc-search.ts";

export interface ColgenOptions {
  clock: () => number;
  /** Stop here, with whatever is known (the bound of the root's exact pricing rounds so far). */
  deadline: number;
  /** Best lower bound known (the clique and L2 bounds). */
  lowerBound: number;
  /** Bins of the best packing known; the dive looks for fewer. */
  upper: number;
  /** The best packing known (bin of each item); its bins seed the master. */
  start: ArrayLike<number>;
  /**
   * More packings whose bins seed the master too (the greedy packings; bins already there are skipped):
   * more bins in the master from the start, fewer pricing rounds for the root.
   */
  more?: readonly ArrayLike<number>[];
  /** Backtracks allowed to the dive in all (default 300). */
  maxBacktracks?: number;
  /**
   * Bans allowed on one dive path (default 1: on BPPC_2_3_9 in a warm process, 26–29 of 30 seeds found
   * the packing within the second with 1, 15–23 with 2, 8–12 with 0).
   */
  maxDiscrepancy?: number;
  /** Node budget of one pricing search at the root (default 200,000); past it no bound is proven. */
  priceNodes?: number;
  /**
   * Called when a dive fails, with a complete packing built from the fixed bins and the LP's others:
   * returns a packing with fewer than `upper` bins if it finds one (the local search, briefly).
   */
  repair?: (assignment: Int32Array, upper: number, lowerBound: number) => Int32Array | null;
  /** Told the root's bound once proven, and the bins of each better packing the dive finds. */
  onProgress?: (bins: number, lowerBound: number) => void;
}

export interface ColgenResult {
  /** The input bound, raised to the LP's when that is proven. */
  lowerBound: number;
  /** The best packing found, with fewer bins than `upper` (null when none was). */
  assignment: Int32Array | null;
  /** Its bins (`upper` when none was found). */
  bins: number;
  /** Master LP solves, columns generated, dive backtracks (diagnostics; the tests read backtracks). */
  lpSolves: number;
  columns: number;
  backtracks: number;
  /** Bins listed for pricing at the last target (0 when they were too many and pricing searched). */
  listedBins: number;
}

const EPS = 1e-9;
/** Reduced cost a column must beat to enter: 1 − Σ duals < −PRICE_EPS. */
const PRICE_EPS = 1e-6;
/**
 * Slack taken off a bound before rounding it up: HiGHS's optimality tolerances (1e-7 per row) add up
 * over a few hundred rows, and an LP value of 49.00003 must round to 49, not 50.
 */
const BOUND_EPS = 1e-4;
/** Weight of the best-bound duals in the smoothed duals priced (Wentges smoothing). */
const SMOOTHING = 0.5;
/**
 * The dive fixes the fullest of the bins the LP uses within this much of the most used one (on the
 * very full instances a full bin wastes nothing the others need; it cut the time to a find by about a
 * sixth against the most used alone, over 18 runs of the six hardest).
 */
const NEARLY_AS_USED = 0.2;
/** Columns added per pricing round, at most (20 to 200 measured alike; 40 was a little faster). */
const COLUMNS_PER_ROUND = 40;
/** Node budget of one pricing search; past it the round is not exact and proves no bound. */
const PRICE_NODES = 200_000;
/** In the dive, where pricing need not be exact (its bound is not used), a smaller one. */
const DIVE_PRICE_NODES = 20_000;

/** The dive lists the bins heavy enough for a better packing when there are at most this many. */
const FAMILY_MAX_SETS = 30_000;
const FAMILY_MAX_STEPS = 2_000_000;
/** Cost of a bin too light to be in a packing better than the best (see `minLoad`). */
const LIGHT_COST = 10;
/** A feasible bin: its items, ascending. */
type Column = Int32Array;

export interface Priced {
  /** Bins whose duals sum above 1 + PRICE_EPS, best first. */
  columns: Column[];
  /** The largest dual sum of any feasible bin (exact only when `exact`). */
  best: number;
  /** The search finished within its node budget. */
  exact: boolean;
}

/**
 * The pricing problem, a knapsack with conflicts, by depth-first branch and bound: items by dual per
 * unit of weight, bounded by the fractional knapsack of the items still compatible. It returns up to
 * `max` bins worth entering, and the maximum itself (for the Farley bound).
 */
export function priceBins(
  core: BppcCore,
  dual: ArrayLike<number>,
  open: (i: number) => boolean,
  max: number,
  nodeBudget = PRICE_NODES,
  /** Checked every 1024 nodes: true ends the search (not exact). */
  stop: () => boolean = () => false,
  /** Only bins loaded to at least this (then items of no dual value count too: they add load). */
  minLoad = 0,
): Priced {
  const { n, capacity: C, weight, neighbors } = core;
  const items: number[] = [];
  for (let i = 0; i < n; i++) if ((dual[i]! > EPS || minLoad > 0) && open(i)) items.push(i);
  items.sort((a, b) => dual[b]! / weight[b]! - dual[a]! / weight[a]! || a - b);
  const m = items.length;
  const position = new Int32Array(n).fill(-1);
  for (let t = 0; t < m; t++) position[items[t]!] = t;
  // Weights and duals by position, and the lightest weight from each position on: where even that one
  // does not fit the room left, the node is a leaf without a scan of the items left.
  const w = Float64Array.from(items, (i) => weight[i]!);
  const d = Float64Array.from(items, (i) => dual[i]!);
  const lightestFrom = new Float64Array(m + 1).fill(Number.POSITIVE_INFINITY);
  for (let t = m - 1; t >= 0; t--) lightestFrom[t] = Math.min(w[t]!, lightestFrom[t + 1]!);
  /**
   * The positions after t whose items conflict with items[t], listed on first use: taking items[t]
   * blocks only those, where a scan of every later position made the node's cost grow with the items
   * left (the pricing search was a sixth of a warm solve of BPPC_2_3_8, most of it in such scans).
   */
  const later: Int32Array[] = [];
  const conflictsAfter = (t: number): Int32Array => {
    let list = later[t];
    if (!list) {
      const found: number[] = [];
      for (const j of neighbors[items[t]!]!) if (position[j]! > t) found.push(position[j]!);
      later[t] = list = Int32Array.from(found);
    }
    return list;
  };
  const found: { value: number; items: number[] }[] = [];
  let threshold = 1 + PRICE_EPS;
  let best = 0;
  let nodes = 0;
  const chosen: number[] = [];
  // blocked[t] > 0: items[t] conflicts with a chosen item, or was left out on this path.
  const blocked = new Int32Array(m);
  const record = (value: number, load: number) => {
    if (load < minLoad) return;
    if (value > best) best = value;
    if (value <= threshold) return;
    found.push({ value, items: chosen.slice() });
    if (found.length >= 4 * max) {
      found.sort((a, b) => b.value - a.value);
      found.length = max;
      threshold = found[max - 1]!.value;
    }
  };
  const bound = (t0: number, room: number, value: number): number => {
    let v = value;
    let r = room;
    for (let t = t0; t < m; t++) {
      if (blocked[t]) continue;
      if (w[t]! <= r) {
        r -= w[t]!;
        v += d[t]!;
      } else return v + (d[t]! * r) / w[t]!;
    }
    return v;
  };
  const visit = (t0: number, room: number, value: number): boolean => {
    if (++nodes > nodeBudget || ((nodes & 1023) === 0 && stop())) return false;
    let t = t0;
    while (t < m && (blocked[t] || w[t]! > room)) t = lightestFrom[t]! > room ? m : t + 1;
    if (t === m) {
      record(value, C - room);
      return true;
    }
    if (minLoad > 0) {
      // The load this path can still reach: every compatible item left that fits.
      let reach = C - room;
      for (let u = t; u < m && reach < minLoad; u++) if (!blocked[u] && w[u]! <= room) reach += w[u]!;
      if (reach < minLoad) return true;
    }
    // Only a subtree that may hold a bin to record, or a larger maximum, is worth a visit.
    const b = bound(t, room, value);
    if (b <= threshold && b <= best + EPS) return true;
    const i = items[t]!;
    const after = conflictsAfter(t);
    chosen.push(i);
    for (let k = 0; k < after.length; k++) blocked[after[k]!]!++;
    const taken = visit(t + 1, room - w[t]!, value + d[t]!);
    for (let k = 0; k < after.length; k++) blocked[after[k]!]!--;
    chosen.pop();
    if (!taken) return false;
    blocked[t]!++;
    const left = visit(t + 1, room, value);
    blocked[t]!--;
    return left;
  };
  const exact = visit(0, C, 0);
  found.sort((a, b) => b.value - a.value);
  return {
    columns: found.slice(0, max).map((f) => Int32Array.from(f.items).sort()),
    best,
    exact,
  };
}

/**
 * Pricing over a listed family of bins (all those heavy enough, when they are few: the triplet classes,
 * where every bin of a packing at the bound is exactly full): exact, by scanning them.
 */
export function priceFamily(
  fam: SetFamily,
  dual: ArrayLike<number>,
  open: (i: number) => boolean,
  max: number,
): Priced {
  const { count, start, items } = fam;
  let best = 0;
  const found: { value: number; r: number }[] = [];
  for (let r = 0; r < count; r++) {
    let v = 0;
    let ok = true;
    for (let x = start[r]!; x < start[r + 1]!; x++) {
      const i = items[x]!;
      if (!open(i)) {
        ok = false;
        break;
      }
      v += dual[i]!;
    }
    if (!ok) continue;
    if (v > best) best = v;
    if (v > 1 + PRICE_EPS) found.push({ value: v, r });
  }
  found.sort((a, b) => b.value - a.value || a.r - b.r);
  return {
    columns: found
      .slice(0, max)
      .map(({ r }) => Int32Array.from(items.subarray(start[r]!, start[r + 1]!)).sort()),
    best,
    exact: true,
  };
}

/** Column generation on HiGHS for the bound, then a dive for a packing with fewer than `upper` bins. */
export function colgenBppc(core: BppcCore, highs: Highs, options: ColgenOptions): ColgenResult {
  const { n } = core;
  const { clock, deadline } = options;
  const inf = highs.infinity;
  const model = highs.createModel();
  const isPacking = (assignment: ArrayLike<number>) => packingErrors(core, assignment).length === 0;
  const columns: Column[] = [];
  const known = new Set<string>();
  let lpSolves = 0;
  let backtracks = 0;
  let upper = options.upper;
  let best: Int32Array | null = null;
  /** In the dive: the bins heavy enough for a better packing, listed when there are few enough. */
  let family: SetFamily | null = null;
  const result = (lowerBound: number): ColgenResult => ({
    lowerBound,
    assignment: best,
    bins: upper,
    lpSolves,
    columns: columns.length,
    backtracks,
    listedBins: family?.count ?? 0,
  });
  try {
    model.options.set({ output_flag: false, presolve: "off", simplex_strategy: PRIMAL_SIMPLEX });
    // One row per item (covered at least once); columns are added as they are priced.
    model.passModel({
      numCols: 0,
      numRows: n,
      colCost: [],
      colLower: [],
      colUpper: [],
      rowLower: new Float64Array(n).fill(1),
      rowUpper: new Float64Array(n).fill(inf),
      matrix: { format: "csc", numRows: n, numCols: 0, starts: [0], indices: [], values: [] },
    });
    const loads: number[] = [];
    const load = (c: Column) => c.reduce((sum, i) => sum + core.weight[i]!, 0);
    /**
     * In the dive, a packing into fewer than `upper` bins leaves at most (upper − 1)·C − Σw free room
     * in all, so each of its bins is loaded to at least C minus that: lighter bins cannot be in it. They
     * stay in the master (the singletons keep it feasible) at a cost that makes any integral use of one
     * lose, and pricing makes no more of them.
     */
    let minLoad = 0;

    const costOf = (j: number) => (loads[j]! < minLoad ? LIGHT_COST : 1);
    /** Adds the columns not in the master yet; returns how many. */
    const add = (cols: readonly Column[]): number => {
      const fresh = cols.filter((c) => {
        const key = c.join(",");
        if (known.has(key)) return false;
        known.add(key);
        return true;
      });
      if (fresh.length === 0) return 0;
      const starts = new Int32Array(fresh.length + 1);
      for (let j = 0; j < fresh.length; j++) starts[j + 1] = starts[j]! + fresh[j]!.length;
      const nnz = starts[fresh.length]!;
      const indices = new Int32Array(nnz);
      let k = 0;
      for (const c of fresh) for (const i of c) indices[k++] = i;
      model.addCols({
        cost: Float64Array.from(fresh, (c) => (load(c) < minLoad ? LIGHT_COST : 1)),
        lower: new Float64Array(fresh.length),
        upper: new Float64Array(fresh.length).fill(inf),
        matrix: {
          format: "csc",
          numRows: n,
          numCols: fresh.length,
          starts,
          indices,
          values: new Float64Array(nnz).fill(1),
        },
      });
      columns.push(...fresh);
      for (const c of fresh) loads.push(load(c));
      return fresh.length;
    };
    // Seed with the packings' bins (those that are packings) and every item alone (the master starts
    // feasible).
    for (const packing of [options.start, ...(options.more ?? [])]) {
      if (!isPacking(packing)) continue;
      const byBin = new Map<number, number[]>();
      for (let i = 0; i < n; i++) {
        const bin = byBin.get(packing[i]!);
        if (bin) bin.push(i);
        else byBin.set(packing[i]!, [i]);
      }
      add([...byBin.values()].map((c) => Int32Array.from(c).sort()));
    }
    add(Array.from({ length: n }, (_, i) => Int32Array.of(i)));

    /** The master LP solved; "infeasible" when bans left an open item in no allowed bin; null: out of time. */
    const solve = (): { value: number; primal: Float64Array; dual: Float64Array } | "infeasible" | null => {
      const left = (deadline - clock()) / 1000;
      if (left <= 0) return null;
      model.zeroAllClocks();
      model.options.set("time_limit", Math.min(left, 1e6));
      const r = model.run();
      lpSolves++;
      const status = highs.constants.modelStatus;
      if (r.modelStatus === status.infeasible || r.modelStatus === status.unboundedOrInfeasible)
        return "infeasible";
      if (r.modelStatus !== status.optimal) return null;
      const s = model.getSolution();
      return { value: model.getObjectiveValue(), primal: s.colValue, dual: s.rowDual };
    };

    /** The dive's decisions: a bin fixed at 1, or banned (at 0). */
    const path: { j: number; fixed: boolean }[] = [];
    // Items in a fixed bin leave pricing, and their rows are relaxed to ≥ 0.
    const covered = new Uint8Array(n);
    const open = (i: number) => !covered[i];
    /**
     * Prices until no column enters, or until the LP value rounded up meets the bound or the best bound
     * known (`boundKnown`): the LP can then prove no more, and the dive wants a packing under `upper`,
     * not the LP's last decimals. Where the clique and L2 bounds already equal the LP's (BPPC_2_3_6,
     * 2_3_8, 2_4_3), this cut the root's LP solves by a tenth to a fifth and the time to the packing by
     * 60–120 ms (docs/BENCHMARKS.md).
     * Pricing uses duals smoothed towards those of the best bound so far (Wentges), which cuts
     * the rounds the degenerate covering LP needs; a smoothed round that finds nothing is re-priced with
     * the LP's own duals before the LP counts as solved.
     * `bound`: fixed bins + the best Farley bound of the rest, over the exact rounds (any duals ≥ 0 give
     * one). Only the root's is used as a bound: no decision taken, no minimum load; the best of it so far
     * is kept in `rootBound`, so a root cut short by the deadline still proves what it reached.
     * An infeasible master (bans left an item no bin) comes back as a node of infinite value.
     */
    let rootBound = 0;
    let boundKnown = options.lowerBound;
    const generate = (): { value: number; primal: Float64Array; bound: number } | null => {
      let bound = 0;
      let center: Float64Array | null = null;
      const fixedBins = path.filter((d) => d.fixed).length;
      const atRoot = path.length === 0 && minLoad === 0;
      const sep = new Float64Array(n);
      for (;;) {
        const lp = solve();
        if (!lp) return null;
        if (lp === "infeasible")
          return { value: Number.POSITIVE_INFINITY, primal: new Float64Array(columns.length), bound };
        let priced: Priced | null = null;
        for (const smooth of center ? [SMOOTHING, 0] : [0]) {
          for (let i = 0; i < n; i++)
            sep[i] = open(i)
              ? Math.max(0, (center ? smooth * center[i]! : 0) + (1 - smooth) * lp.dual[i]!)
              : 0;
          priced = family
            ? priceFamily(family, sep, open, COLUMNS_PER_ROUND)
            : priceBins(
                core,
                sep,
                open,
                COLUMNS_PER_ROUND,
                path.length === 0 ? (options.priceNodes ?? PRICE_NODES) : DIVE_PRICE_NODES,
                () => clock() >= deadline,
                minLoad,
              );
          if (priced.exact) {
            let duals = 0;
            for (let i = 0; i < n; i++) duals += sep[i]!;
            const b = fixedBins + duals / Math.max(1, priced.best);
            if (b > bound) {
              bound = b;
              center = Float64Array.from(sep);
              if (atRoot) rootBound = Math.max(rootBound, b);
            }
          }
          // Keep the new columns that enter at the LP's own duals (a banned one may be priced again).
          priced.columns = priced.columns.filter((c) => {
            if (known.has(c.join(","))) return false;
            let v = 0;
            for (const i of c) v += lp.dual[i]!;
            return v > 1 + PRICE_EPS;
          });
          if (priced.columns.length > 0) break;
        }
        const value = lp.value;
        const rounded = Math.ceil(value - BOUND_EPS);
        const done = Math.ceil(bound - BOUND_EPS) >= rounded || boundKnown >= rounded;
        if (done || add(priced!.columns) === 0) return { value, primal: lp.primal, bound };
        if (clock() >= deadline) return null;
      }
    };

    const root = generate();
    const lowerBound = Math.max(options.lowerBound, Math.ceil(rootBound - BOUND_EPS));
    boundKnown = lowerBound;
    options.onProgress?.(upper, lowerBound);
    if (!root || lowerBound >= upper) return result(lowerBound);
    const total = core.weight.reduce((a, b) => a + b, 0);
    /** Raises the minimum load to what a packing into upper − 1 bins needs, and re-costs the master. */
    const tighten = () => {
      minLoad = core.capacity - ((upper - 1) * core.capacity - total);
      // With no minimum load every conflict-free bin would be listed: far past the limit (on the
      // literature's instances every such listing gave up, after 2–20 ms in a warm process).
      family =
        minLoad > 0
          ? enumerateSets(core, minLoad, FAMILY_MAX_SETS, FAMILY_MAX_STEPS, { clock, deadline })
          : null;
      for (let j = 0; j < columns.length; j++)
        if (loads[j]! < minLoad && !onPath.has(j)) model.changeColCost(j, LIGHT_COST);
    };

    const onPath = new Set<number>();
    let bans = 0;
    const maxDiscrepancy = options.maxDiscrepancy ?? 1;
    const maxBacktracks = options.maxBacktracks ?? 300;
    const fix = (j: number) => {
      path.push({ j, fixed: true });
      onPath.add(j);
      model.changeColBounds(j, 1, 1);
      for (const i of columns[j]!) if (!covered[i]!++) model.changeRowBounds(i, 0, inf);
    };
    const ban = (j: number) => {
      path.push({ j, fixed: false });
      onPath.add(j);
      bans++;
      model.changeColBounds(j, 0, 0);
    };
    /** Undoes decisions up to the deepest fix that may become a ban, and bans it; false when none. */
    const backtrack = (): boolean => {
      for (;;) {
        const d = path.pop();
        if (!d) return false;
        onPath.delete(d.j);
        model.changeColBounds(d.j, 0, inf);
        model.changeColCost(d.j, costOf(d.j));
        if (!d.fixed) {
          bans--;
          continue;
        }
        for (const i of columns[d.j]!) if (!--covered[i]!) model.changeRowBounds(i, 1, inf);
        if (bans < maxDiscrepancy && backtracks < maxBacktracks) {
          backtracks++;
          ban(d.j);
          return true;
        }
      }
    };
    /** The fullest of the bins the LP uses nearly as much as the most used one. */
    const mostUsed = (cands: number[], primal: Float64Array): number => {
      const top = Math.max(...cands.map((j) => primal[j]!));
      let pick = -1;
      for (const j of cands)
        if (primal[j]! >= top - NEARLY_AS_USED && (pick < 0 || loads[j]! > loads[pick]!)) pick = j;
      return pick;
    };
    /** The fixed bins, then the LP's other bins by use, each taking its items not placed yet. */
    const packingOf = (primal: Float64Array): Int32Array => {
      const assignment = new Int32Array(n).fill(-1);
      const order = path.filter((d) => d.fixed).map((d) => d.j);
      const used: number[] = [];
      for (let j = 0; j < columns.length; j++) if (primal[j]! > 1e-6 && !onPath.has(j)) used.push(j);
      used.sort((a, b) => primal[b]! - primal[a]! || a - b);
      let b = 0;
      for (const j of [...order, ...used]) {
        let any = false;
        for (const i of columns[j]!)
          if (assignment[i] === -1) {
            assignment[i] = b;
            any = true;
          }
        if (any) b++;
      }
      for (let i = 0; i < n; i++) if (assignment[i] === -1) assignment[i] = b++;
      return assignment;
    };
    /** A packing better than `upper`: the best so far; true when it meets the bound (stop). */
    const improved = (assignment: Int32Array): boolean => {
      best = assignment;
      upper = new Set(assignment).size;
      options.onProgress?.(upper, lowerBound);
      if (upper <= lowerBound) return true;
      tighten();
      return false;
    };
    tighten();
    const first = generate();
    if (!first) return result(lowerBound);
    let lp = first;
    while (clock() < deadline) {
      let fractional = false;
      for (let j = 0; j < columns.length && !fractional; j++)
        fractional = lp.primal[j]! > 1e-6 && lp.primal[j]! < 1 - 1e-6;
      const bins = Math.ceil(lp.value - BOUND_EPS);
      if (!fractional && bins < upper && improved(packingOf(lp.primal))) break;
      if (!fractional || bins >= upper) {
        const repaired = options.repair?.(packingOf(lp.primal), upper, lowerBound);
        if (repaired && isPacking(repaired) && new Set(repaired).size < upper && improved(repaired)) break;
        if (!backtrack()) break;
      } else {
        // Fix every bin the LP uses whole; if none, the most used one.
        let fixedAny = false;
        const candidates: number[] = [];
        for (let j = 0; j < columns.length; j++) {
          const v = lp.primal[j]!;
          if (onPath.has(j)) continue;
          if (v >= 1 - 1e-6) {
            fix(j);
            fixedAny = true;
          } else if (v > 1e-6) candidates.push(j);
        }
        if (!fixedAny) fix(mostUsed(candidates, lp.primal));
      }
      const next = generate();
      if (!next) break;
      lp = next;
    }
    return result(lowerBound);
  } finally {
    model.dispose();
  }
}

/** HiGHS's `simplex_strategy` for the primal simplex: new columns keep the basis primal feasible. */
const PRIMAL_SIMPLEX = 4;
