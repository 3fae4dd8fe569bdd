/**
 * The packing engine: bin packing with conflicts (BPPC), with the extras an operation needs —
 * bins of different sizes, items a bin may not take, and at most K groups (destinations) per bin
 * plus an optional check on each bin's group set (range on every leg of its route).
 *
 * Method: greedy construction (several orders, keep the best), then "fewer bins" rounds: close one bin,
 * put its items in a pool, and run a tabu search over partial solutions that are always consistent
 * (no conflict, no overflow) — each move inserts a pool item into a bin and ejects whatever it
 * must (conflicting items, items that free enough room, or a whole destination). This is the
 * PartialCol idea from graph colouring applied to packing, close to the consistent neighbourhood
 * search of Buljubašić & Vasquez (2016). Pure and deterministic for a given random source.
 */
import { type Rng, randInt, shuffle } from "./rng.ts";

export interface PackBin {
  capacity: number;
  /** Most distinct groups (destinations) the bin may serve; Infinity when unconstrained. */
  maxGroups: number;
}

export interface PackProblem {
  n: number;
  weight: readonly number[];
  /** Group of each item (its destination), 0..groupCount-1. */
  group: readonly number[];
  groupCount: number;
  /** n*n matrix: 1 when two items may never share a bin. */
  conflict: Uint8Array;
  neighbors: readonly (readonly number[])[];
  bins: readonly PackBin[];
  /** n*bins matrix: 1 when the item may go on that bin; absent means every item on every bin. */
  allowed?: Uint8Array | null;
  /** Extra check on the set of groups a bin serves (e.g. range on every leg of its best route). */
  groupsFeasible?: ((bin: number, groups: readonly number[]) => boolean) | null;
  /** Cost of leaving an item out during the search (default: its weight). */
  cost?: readonly number[];
}

export interface PackOptions {
  rng: Rng;
  /** Stop once this many bins are used (a proven lower bound). */
  lowerBound: number;
  /** Absolute deadline on `clock()`. */
  deadline: number;
  clock: () => number;
  /** Optional cap on tabu iterations in total, for strictly reproducible runs. */
  maxIterations?: number;
  /** Order in which bins are opened by the construction (default 0..B-1). */
  binOrder?: readonly number[];
  /** Scores a candidate bin for an item in the construction: lower is better (default best fit). */
  score?: (state: PackState, item: number, bin: number) => number;
  /** Receives the final state (for callers that keep improving it, e.g. on distance). */
  onState?: (state: PackState) => void;
}

export interface PackResult {
  /** Bin of each item, -1 if it could not be placed. */
  assignment: Int32Array;
  binsUsed: number;
  complete: boolean;
  iterations: number;
  /** Clock reading when the final solution was found. */
  foundAt: number;
}

/** Mutable packing state with incremental conflict counts. */
export class PackState {
  readonly n: number;
  readonly B: number;
  readonly G: number;
  assign: Int32Array;
  members: number[][];
  load: Float64Array;
  gcnt: Int32Array;
  ngroups: Int32Array;
  conf: Int32Array;
  open: Uint8Array;
  pool: number[];

  constructor(
    readonly p: PackProblem,
    copyFrom?: PackState,
  ) {
    this.n = p.n;
    this.B = p.bins.length;
    this.G = Math.max(1, p.groupCount);
    if (copyFrom) {
      this.assign = copyFrom.assign.slice();
      this.members = copyFrom.members.map((m) => m.slice());
      this.load = copyFrom.load.slice();
      this.gcnt = copyFrom.gcnt.slice();
      this.ngroups = copyFrom.ngroups.slice();
      this.conf = copyFrom.conf.slice();
      this.open = copyFrom.open.slice();
      this.pool = copyFrom.pool.slice();
    } else {
      this.assign = new Int32Array(this.n).fill(-1);
      this.members = Array.from({ length: this.B }, () => []);
      this.load = new Float64Array(this.B);
      this.gcnt = new Int32Array(this.B * this.G);
      this.ngroups = new Int32Array(this.B);
      this.conf = new Int32Array(this.n * this.B);
      this.open = new Uint8Array(this.B);
      this.pool = Array.from({ length: this.n }, (_, i) => i);
    }
  }

  clone(): PackState {
    return new PackState(this.p, this);
  }

  binsUsed(): number {
    let k = 0;
    for (let b = 0; b < this.B; b++) if (this.members[b]!.length > 0) k++;
    return k;
  }

  groupsOf(b: number): number[] {
    const out: number[] = [];
    for (let g = 0; g < this.G; g++) if (this.gcnt[b * this.G + g]! > 0) out.push(g);
    return out;
  }

  /** Puts pool item i into bin b (no checks). */
  add(i: number, b: number): void {
    const p = this.p;
    const k = this.pool.indexOf(i);
    if (k >= 0) {
      this.pool[k] = this.pool[this.pool.length - 1]!;
      this.pool.pop();
    }
    this.assign[i] = b;
    this.members[b]!.push(i);
    this.load[b]! += p.weight[i]!;
    const gi = b * this.G + (p.group[i] ?? 0);
    if (this.gcnt[gi]!++ === 0) this.ngroups[b]!++;
    for (const j of p.neighbors[i]!) this.conf[j * this.B + b]!++;
  }

  /** Takes item i out of its bin into the pool. */
  remove(i: number): void {
    const p = this.p;
    const b = this.assign[i]!;
    if (b < 0) return;
    const m = this.members[b]!;
    const k = m.indexOf(i);
    m[k] = m[m.length - 1]!;
    m.pop();
    this.assign[i] = -1;
    this.load[b]! -= p.weight[i]!;
    const gi = b * this.G + (p.group[i] ?? 0);
    if (--this.gcnt[gi]! === 0) this.ngroups[b]!--;
    for (const j of p.neighbors[i]!) this.conf[j * this.B + b]!--;
    this.pool.push(i);
  }

  /** Whether item i can join bin b as it stands. */
  fits(i: number, b: number): boolean {
    const p = this.p;
    if (p.allowed && p.allowed[i * this.B + b] === 0) return false;
    if (this.conf[i * this.B + b]! > 0) return false;
    if (this.load[b]! + p.weight[i]! > p.bins[b]!.capacity) return false;
    const g = p.group[i] ?? 0;
    if (this.gcnt[b * this.G + g]! > 0) return true;
    if (this.ngroups[b]! + 1 > p.bins[b]!.maxGroups) return false;
    if (p.groupsFeasible && this.ngroups[b]! > 0) {
      const gs = this.groupsOf(b);
      gs.push(g);
      if (!p.groupsFeasible(b, gs)) return false;
    }
    return true;
  }
}

function itemCost(p: PackProblem, i: number): number {
  return p.cost ? p.cost[i]! : p.weight[i]!;
}

/** Greedy construction: items in the given order, each to the best-scoring open bin, else a new one. */
export function construct(
  p: PackProblem,
  order: readonly number[],
  binOrder: readonly number[],
  score: (s: PackState, i: number, b: number) => number,
): PackState {
  const s = new PackState(p);
  const opened: number[] = [];
  for (const i of order) {
    let best = -1;
    let bestScore = Number.POSITIVE_INFINITY;
    for (const b of opened) {
      if (!s.fits(i, b)) continue;
      const sc = score(s, i, b);
      if (sc < bestScore) {
        bestScore = sc;
        best = b;
      }
    }
    if (best < 0) {
      for (const b of binOrder) {
        if (s.open[b] || !s.fits(i, b)) continue;
        best = b;
        s.open[b] = 1;
        opened.push(b);
        break;
      }
    }
    if (best >= 0) s.add(i, best);
  }
  return s;
}

export const bestFit = (s: PackState, i: number, b: number) =>
  s.p.bins[b]!.capacity - s.load[b]! - s.p.weight[i]!;

/** Plain first-fit decreasing (by weight), respecting every rule: the usual baseline. */
export function firstFitDecreasing(p: PackProblem): PackState {
  const order = Array.from({ length: p.n }, (_, i) => i).sort((a, b) => p.weight[b]! - p.weight[a]! || a - b);
  const binOrder = Array.from({ length: p.bins.length }, (_, b) => b);
  return construct(p, order, binOrder, (_s, _i, b) => b);
}

function initialOrders(p: PackProblem, rng: Rng): number[][] {
  const idx = Array.from({ length: p.n }, (_, i) => i);
  const cap = Math.max(...p.bins.map((b) => b.capacity));
  const deg = p.neighbors.map((a) => a.length);
  const maxDeg = Math.max(1, ...deg);
  const byWeight = idx.slice().sort((a, b) => p.weight[b]! - p.weight[a]! || a - b);
  const byDegree = idx.slice().sort((a, b) => deg[b]! - deg[a]! || p.weight[b]! - p.weight[a]!);
  const mixed = idx
    .slice()
    .sort((a, b) => p.weight[b]! / cap + deg[b]! / maxDeg - (p.weight[a]! / cap + deg[a]! / maxDeg) || a - b);
  // Destination-major order keeps people for one city together on few aircraft.
  const byGroup = idx
    .slice()
    .sort(
      (a, b) => (p.group[a] ?? 0) - (p.group[b] ?? 0) || deg[b]! - deg[a]! || p.weight[b]! - p.weight[a]!,
    );
  const orders = [mixed, byWeight, byDegree];
  if (p.groupCount > 1) orders.unshift(byGroup);
  orders.push(shuffle(rng, mixed.slice()));
  return orders;
}

interface Move {
  item: number;
  item2: number;
  bin: number;
  evict: number[];
  delta: number;
}

/**
 * Tabu search over consistent partial solutions on the open bins: tries to empty the pool.
 * Returns true when every item is placed.
 */
export function emptyPool(
  s: PackState,
  o: PackOptions,
  budget: { iters: number; maxIters: number },
  goal: () => boolean = () => s.pool.length === 0,
  stallIters?: number,
): boolean {
  const p = s.p;
  const { n, B, G } = s;
  const rng = o.rng;
  const tabu = new Int32Array(n * B);
  const openBins: number[] = [];
  for (let b = 0; b < B; b++) if (s.open[b]) openBins.push(b);
  let poolCost = 0;
  for (const i of s.pool) poolCost += itemCost(p, i);
  let bestCost = poolCost;
  let sinceBest = 0;
  const stall = stallIters ?? 4000 + 40 * n;
  const inE = new Uint8Array(n);
  const tmpG = new Int32Array(G);
  const gcost = new Float64Array(G);
  let iter = 0;
  /** How many of `evict` are in group g. */
  const evictedOf = (evict: readonly number[], g: number): number => {
    let k = 0;
    for (const j of evict) if ((p.group[j] ?? 0) === g) k++;
    return k;
  };
  // Helpers live outside the hot loop: a closure created per call costs more than the call itself.
  /** The bin's groups per tmpG, plus gi, minus drop: does the route check accept them? */
  const routeOk = (b: number, gi: number, drop: number): boolean => {
    const gs: number[] = [];
    for (let g = 0; g < G; g++) if (g !== drop && (tmpG[g]! > 0 || g === gi)) gs.push(g);
    return p.groupsFeasible!(b, gs);
  };

  /** Inserting pool item i (and i2, a second item of the same group, when ≥ 0) into bin b. */
  const evaluate = (i: number, b: number, i2 = -1): Move | null => {
    if (p.allowed && p.allowed[i * B + b] === 0) return null;
    if (i2 >= 0 && p.allowed && p.allowed[i2 * B + b] === 0) return null;
    const cap = p.bins[b]!.capacity;
    const wIn = p.weight[i]! + (i2 >= 0 ? p.weight[i2]! : 0);
    if (wIn > cap) return null;
    const m = s.members[b]!;
    const evict: number[] = [];
    let cost = 0;
    let w = 0;
    if (s.conf[i * B + b]! > 0 || (i2 >= 0 && s.conf[i2 * B + b]! > 0)) {
      for (const j of m) {
        if (p.conflict[i * n + j] || (i2 >= 0 && p.conflict[i2 * n + j])) {
          evict.push(j);
          inE[j] = 1;
          cost += itemCost(p, j);
          w += p.weight[j]!;
        }
      }
    }
    let ok = true;
    if (
      (G > 1 || p.groupsFeasible) &&
      s.gcnt[b * G + (p.group[i] ?? 0)]! - evictedOf(evict, p.group[i] ?? 0) === 0
    ) {
      // The item brings a new destination to the bin.
      const gi = p.group[i] ?? 0;
      let count = s.ngroups[b]! + 1;
      if (evict.length > 0 || p.groupsFeasible) {
        // Group counts once the conflicting people are out (tmpG; the bin's own counts otherwise).
        for (let g = 0; g < G; g++) tmpG[g] = s.gcnt[b * G + g]!;
        for (const j of evict) if (--tmpG[p.group[j] ?? 0]! === 0) count--;
      }
      const cnt = evict.length > 0 || p.groupsFeasible ? tmpG : s.gcnt;
      const at = cnt === tmpG ? 0 : b * G;
      const maxG = p.bins[b]!.maxGroups;
      if (count > maxG || (p.groupsFeasible && count > 1 && !routeOk(b, gi, -1))) {
        // Eject one whole destination from the bin, the cheapest that makes the route work.
        let bestG = -1;
        let bestGC = Number.POSITIVE_INFINITY;
        if (count - 1 <= maxG) {
          gcost.fill(0, 0, G);
          for (const j of m) if (!inE[j]) gcost[p.group[j] ?? 0]! += itemCost(p, j);
          for (let g = 0; g < G; g++) {
            if (g === gi || cnt[at + g] === 0) continue;
            const c = gcost[g]!;
            if (c >= bestGC) continue;
            if (p.groupsFeasible && count > 2 && !routeOk(b, gi, g)) continue;
            bestGC = c;
            bestG = g;
          }
        }
        if (bestG < 0) ok = false;
        else
          for (const j of m)
            if (!inE[j] && (p.group[j] ?? 0) === bestG) {
              evict.push(j);
              inE[j] = 1;
              cost += itemCost(p, j);
              w += p.weight[j]!;
            }
      }
    }
    if (ok) {
      const overflow = s.load[b]! - w + wIn - cap;
      if (overflow > 0) {
        // Cheapest set of remaining items freeing enough room: best single, best pair, or greedy.
        let c1 = Number.POSITIVE_INFINITY;
        let s1 = -1;
        let c2 = Number.POSITIVE_INFINITY;
        let a2 = -1;
        let b2 = -1;
        for (let x = 0; x < m.length; x++) {
          const jx = m[x]!;
          if (inE[jx]) continue;
          const cx = itemCost(p, jx);
          if (p.weight[jx]! >= overflow) {
            if (cx < c1) {
              c1 = cx;
              s1 = jx;
            }
            continue;
          }
          for (let y = x + 1; y < m.length; y++) {
            const jy = m[y]!;
            if (inE[jy] || p.weight[jy]! >= overflow) continue;
            if (p.weight[jx]! + p.weight[jy]! >= overflow) {
              const c = cx + itemCost(p, jy);
              if (c < c2) {
                c2 = c;
                a2 = jx;
                b2 = jy;
              }
            }
          }
        }
        if (s1 >= 0 && c1 <= c2) {
          evict.push(s1);
          cost += c1;
        } else if (a2 >= 0) {
          evict.push(a2, b2);
          cost += c2;
        } else {
          const rest = m.filter((j) => !inE[j]).sort((a, b2_) => p.weight[b2_]! - p.weight[a]!);
          let freed = 0;
          for (const j of rest) {
            if (freed >= overflow) break;
            evict.push(j);
            cost += itemCost(p, j);
            freed += p.weight[j]!;
          }
          if (freed < overflow) ok = false;
        }
      }
    }
    for (const j of evict) inE[j] = 0;
    if (!ok) return null;
    return {
      item: i,
      item2: i2,
      bin: b,
      evict,
      delta: cost - itemCost(p, i) - (i2 >= 0 ? itemCost(p, i2) : 0),
    };
  };

  // Refill: pick the fullest conflict-free subset of (bin ∪ pool) for one bin — an exact subset-sum over
  // a handful of items, strong on tight instances where bins must be filled exactly (triplets).
  const refill = (b: number): boolean => {
    const cap = p.bins[b]!.capacity;
    const cand = s.members[b]!.concat(s.pool.length <= 16 ? s.pool : s.pool.slice(0, 16)).filter(
      (i) => !p.allowed || p.allowed[i * B + b] === 1,
    );
    if (cand.length > 26) return false;
    cand.sort((a, c) => p.weight[c]! - p.weight[a]!);
    const suffix = new Float64Array(cand.length + 1);
    for (let k = cand.length - 1; k >= 0; k--) suffix[k] = suffix[k + 1]! + p.weight[cand[k]!]!;
    const start = s.load[b]!;
    let bestLoad = start;
    let bestSet: number[] | null = null;
    const chosen: number[] = [];
    let nodes = 0;
    const dfs = (k: number, load: number) => {
      if (load > bestLoad + 1e-9) {
        bestLoad = load;
        bestSet = chosen.slice();
      }
      if (k === cand.length || load + suffix[k]! <= bestLoad + 1e-9 || ++nodes > 20000 || bestLoad >= cap)
        return;
      const i = cand[k]!;
      if (load + p.weight[i]! <= cap && chosen.every((j) => !p.conflict[i * n + j])) {
        chosen.push(i);
        dfs(k + 1, load + p.weight[i]!);
        chosen.pop();
      }
      dfs(k + 1, load);
    };
    dfs(0, 0);
    const set = bestSet as number[] | null;
    if (!set) return false;
    const keep = new Set(set);
    for (const j of s.members[b]!.slice()) if (!keep.has(j)) s.remove(j);
    for (const j of set) if (s.assign[j] !== b) s.add(j, b);
    return true;
  };
  const canRefill = G === 1 && !p.groupsFeasible;
  let best = null as Move | null;
  let ties = 0;
  const consider = (mv: Move | null) => {
    if (!mv) return;
    const isTabu =
      tabu[mv.item * B + mv.bin]! > iter || (mv.item2 >= 0 && tabu[mv.item2 * B + mv.bin]! > iter);
    if (isTabu && poolCost + mv.delta >= bestCost) return;
    if (!best || mv.delta < best.delta) {
      best = mv;
      ties = 1;
    } else if (mv.delta === best.delta && randInt(rng, ++ties) === 0) best = mv;
  };

  while (!goal()) {
    if (openBins.length === 0) return false;
    if (budget.iters >= budget.maxIters) return false;
    if ((iter & 127) === 0 && o.clock() > o.deadline) return false;
    if (sinceBest > stall) return false;
    iter++;
    budget.iters++;
    sinceBest++;
    best = null;
    ties = 0;
    const pool = s.pool;
    const sample = pool.length <= 12 ? pool.slice() : shuffle(rng, pool.slice()).slice(0, 12);
    for (let x = 0; x < sample.length; x++) {
      const i = sample[x]!;
      for (const b of openBins) consider(evaluate(i, b));
      // Pairs of pool items into one bin: the fine fills a single insertion cannot reach.
      for (let y = x + 1; y < sample.length; y++) {
        const i2 = sample[y]!;
        if (p.conflict[i * n + i2] || (p.group[i] ?? 0) !== (p.group[i2] ?? 0)) continue;
        for (const b of openBins) consider(evaluate(i, b, i2));
      }
    }
    if (!best) {
      // Everything is tabu: make a random legal move to keep going.
      const i = pool[randInt(rng, pool.length)]!;
      const b = openBins[randInt(rng, openBins.length)]!;
      best = evaluate(i, b);
      if (!best) continue;
    }
    const tenure = Math.floor(0.6 * pool.length) + randInt(rng, 10) + 1;
    for (const j of best.evict) {
      s.remove(j);
      tabu[j * B + best.bin] = iter + tenure;
    }
    s.add(best.item, best.bin);
    if (best.item2 >= 0) {
      s.add(best.item2, best.bin);
    }
    poolCost += best.delta;
    if (canRefill && best.delta >= 0 && iter % 4 === 0) {
      for (const b of shuffle(rng, openBins.slice())) if (refill(b) && goal()) break;
      poolCost = 0;
      for (const i of s.pool) poolCost += itemCost(p, i);
    }
    if (poolCost < bestCost - 1e-9) {
      bestCost = poolCost;
      sinceBest = 0;
    }
  }
  return true;
}

/** Moves a whole bin's load to a larger unused bin when it fits, so open bins are the roomiest. */
function preferLargerBins(s: PackState): void {
  const p = s.p;
  for (let b = 0; b < s.B; b++) {
    if (s.members[b]!.length === 0) continue;
    for (let c = 0; c < s.B; c++) {
      if (c === b || s.members[c]!.length > 0 || p.bins[c]!.capacity <= p.bins[b]!.capacity) continue;
      const items = s.members[b]!.slice();
      for (const i of items) s.remove(i);
      let ok = true;
      const moved: number[] = [];
      for (const i of items) {
        if (!s.fits(i, c)) {
          ok = false;
          break;
        }
        s.add(i, c);
        moved.push(i);
      }
      if (ok) {
        s.open[c] = 1;
        s.open[b] = 0;
        break;
      }
      for (const i of moved) s.remove(i);
      for (const i of items) s.add(i, b);
    }
  }
}

/** Packs the items into as few bins as it can before the deadline. */
export function packMin(p: PackProblem, o: PackOptions): PackResult {
  const binOrder = o.binOrder ?? Array.from({ length: p.bins.length }, (_, b) => b);
  const score = o.score ?? bestFit;
  const budget = { iters: 0, maxIters: o.maxIterations ?? Number.POSITIVE_INFINITY };

  let best: PackState | null = null;
  for (const order of initialOrders(p, o.rng)) {
    const s = construct(p, order, binOrder, score);
    if (
      !best ||
      s.pool.length < best.pool.length ||
      (s.pool.length === best.pool.length && s.binsUsed() < best.binsUsed())
    )
      best = s;
  }
  let cur = best!;
  let foundAt = o.clock();
  if (cur.pool.length > 0) {
    // Not everything fits greedily: search with every bin open.
    for (let b = 0; b < cur.B; b++) cur.open[b] = 1;
    // People no aircraft may take stay out of the search (the caller reports them).
    const placeable = (i: number) =>
      p.bins.some((bin, b) => p.weight[i]! <= bin.capacity && (!p.allowed || p.allowed[i * cur.B + b] === 1));
    const stuck = cur.pool.filter((i) => !placeable(i));
    cur.pool = cur.pool.filter(placeable);
    while (cur.pool.length > 0 && o.clock() < o.deadline && budget.iters < budget.maxIters) {
      if (emptyPool(cur, o, budget)) break;
    }
    cur.pool.push(...stuck);
    for (let b = 0; b < cur.B; b++) cur.open[b] = cur.members[b]!.length > 0 ? 1 : 0;
    foundAt = o.clock();
    if (cur.pool.length > 0) {
      o.onState?.(cur);
      return {
        assignment: cur.assign,
        binsUsed: cur.binsUsed(),
        complete: false,
        iterations: budget.iters,
        foundAt,
      };
    }
  }
  preferLargerBins(cur);

  let attempt = 0;
  while (cur.binsUsed() > o.lowerBound && o.clock() < o.deadline && budget.iters < budget.maxIters) {
    const s = cur.clone();
    const used: number[] = [];
    for (let b = 0; b < s.B; b++) if (s.members[b]!.length > 0) used.push(b);
    used.sort((a, b) => s.load[a]! - s.load[b]! || s.members[a]!.length - s.members[b]!.length);
    // Close the lightest bin in seats (one of the few lightest on repeated attempts) and put its people
    // in the pool; the round succeeds once the other bins take them all. (Closing two bins and asking
    // the pool to fit one of them, as for plain BPPC, stalls on operations: the pool gets light but
    // keeps more destinations than a bin may serve, or rival people.)
    const closing = used[attempt === 0 ? 0 : randInt(o.rng, Math.min(used.length, 2 + attempt))]!;
    for (const i of s.members[closing]!.slice()) s.remove(i);
    for (let b = 0; b < s.B; b++) s.open[b] = s.members[b]!.length > 0 ? 1 : 0;
    // A round that stops improving gives up early: another bin closed is often the way out.
    if (emptyPool(s, o, budget, undefined, 1000 + 2 * p.n)) {
      cur = s;
      foundAt = o.clock();
      attempt = 0;
      preferLargerBins(cur);
    } else attempt++;
  }
  o.onState?.(cur);
  return {
    assignment: cur.assign,
    binsUsed: cur.binsUsed(),
    complete: true,
    iterations: budget.iters,
    foundAt,
  };
}

/** Builds the conflict matrix and neighbour lists from an edge list. */
export function conflictsFromEdges(
  n: number,
  edges: Iterable<readonly [number, number]>,
): { conflict: Uint8Array; neighbors: number[][] } {
  const conflict = new Uint8Array(n * n);
  const neighbors: number[][] = Array.from({ length: n }, () => []);
  for (const [a, b] of edges) {
    if (a === b || conflict[a * n + b]) continue;
    conflict[a * n + b] = 1;
    conflict[b * n + a] = 1;
    neighbors[a]!.push(b);
    neighbors[b]!.push(a);
  }
  return { conflict, neighbors };
}
