/**
 * The engine for plain bin packing with conflicts (one capacity, conflicts, nothing else) — the
 * literature instances. From a complete packing into m bins it looks for one into m − 1, again and
 * again down to the lower bound: close two light bins, their items form a pool that must end up
 * fitting in one bin (conflict-free, within capacity), and run a tabu search over partial solutions
 * whose bins are always consistent (no conflict, no overflow). A move inserts one or two pool items
 * into a bin and ejects what it must (the conflicting items, then the lightest items that free enough
 * room); the objective is the pool's weight plus a capacity's worth per conflicting pair in the pool;
 * every other iteration a "refill" shares two random bins' items and the pool between the two bins
 * as fully as possible (a small branch and bound) — the "Pack" descent of Buljubašić & Vasquez,
 * widened to two bins so that it also shifts room from one bin to the other. The items of
 * a maximum clique stay pinned in distinct bins. This is the consistent neighbourhood search
 * of Buljubašić & Vasquez (2016) with the ejection moves of PartialCol (Blöchliger & Zufferey 2008).
 * `searchBppc` first jumps straight to the lower bound with the overload search on complete
 * assignments (`bppc-overload.ts`), and gives that search a turn each time a partial-solution round
 * stalls. When the bound leaves (almost) no slack, `coverPacking` (bppc-cover.ts) is tried first.
 * Pure and deterministic for a given random source and iteration budget.
 */
import { overloadSearch } from "./bppc-overload.ts";
import { type Rng, randInt } from "./rng.ts";

export interface BppcCore {
  n: number;
  capacity: number;
  weight: readonly number[];
  /** n*n matrix: 1 when two items conflict. */
  conflict: Uint8Array;
  neighbors: readonly (readonly number[])[];
}

export interface SearchOptions {
  rng: Rng;
  lowerBound: number;
  deadline: number;
  clock: () => number;
  maxIterations?: number;
  /** Weight of one conflicting pair in the pool, in the objective (default: the capacity). */
  pairPenalty?: number;
  /** Refill two random bins every this many iterations (0: never; default 2). */
  refillEvery?: number;
}

export interface SearchResult {
  /** Bin 0..bins-1 of each item. */
  assignment: Int32Array;
  bins: number;
  /** Clock reading when the final solution was found. */
  foundAt: number;
  iterations: number;
}

interface Budget {
  iters: number;
  maxIters: number;
}

const EPS = 1e-9;

/**
 * Tabu search for a packing into k bins from a partial assignment on k − 1 of them (bins 0..k-2,
 * -1 = in the pool): the pool is the k-th bin, and the search succeeds once it fits in one bin
 * (conflict-free, within capacity) — then `assign` is a complete packing into k bins.
 */
export function packIntoK(
  c: BppcCore,
  k: number,
  assign: Int32Array,
  o: SearchOptions,
  budget: Budget,
  stallLimit: number,
  pinned: Uint8Array | null = null,
): boolean {
  const { n, capacity: C, weight: w, conflict } = c;
  const rng = o.rng;
  const K = k;
  k = K - 1;
  const load = new Float64Array(k);
  const members: number[][] = Array.from({ length: k }, () => []);
  const conf = new Int32Array(n * k);
  const pool: number[] = [];
  const poolPos = new Int32Array(n).fill(-1);
  const tabu = new Int32Array(n * k);

  const addToBin = (i: number, b: number) => {
    assign[i] = b;
    members[b]!.push(i);
    load[b]! += w[i]!;
    for (const j of c.neighbors[i]!) conf[j * k + b]!++;
  };
  const removeFromBin = (i: number) => {
    const b = assign[i]!;
    const m = members[b]!;
    const x = m.indexOf(i);
    m[x] = m[m.length - 1]!;
    m.pop();
    load[b]! -= w[i]!;
    for (const j of c.neighbors[i]!) conf[j * k + b]!--;
    assign[i] = -1;
  };
  // The pool's weight, and its conflicting pairs (it must end up conflict-free to fit in one bin).
  let poolW = 0;
  let pairs = 0;

  const poolConf = new Int32Array(n);
  const toPool = (i: number) => {
    poolPos[i] = pool.length;
    pool.push(i);
    poolW += w[i]!;
    pairs += poolConf[i]!;
    for (const j of c.neighbors[i]!) poolConf[j]!++;
  };
  const fromPool = (i: number) => {
    poolW -= w[i]!;
    for (const j of c.neighbors[i]!) poolConf[j]!--;
    pairs -= poolConf[i]!;
    const x = poolPos[i]!;
    const last = pool.pop()!;
    if (last !== i) {
      pool[x] = last;
      poolPos[last] = x;
    }
    poolPos[i] = -1;
  };

  for (let i = 0; i < n; i++) {
    if (assign[i]! >= 0) addToBin(i, assign[i]!);
    else toPool(i);
  }
  // Clique items stay in distinct bins (any packing has them so): never ejected; those in the pool
  // first go to bins without one, and one stays in the pool when every bin has one.
  const pin = pinned ?? new Uint8Array(n);
  const hasPin = new Uint8Array(k);
  for (let i = 0; i < n; i++) if (pin[i] && assign[i]! >= 0) hasPin[assign[i]!] = 1;
  const forcePinned = () => {
    for (const i of pool.slice()) {
      if (!pin[i]) continue;
      let bb = -1;
      let bd = Number.POSITIVE_INFINITY;
      for (let b = 0; b < k; b++) {
        if (hasPin[b]) continue;
        const d = evaluate(i, -1, b);
        if (d < bd) {
          bd = d;
          bb = b;
        }
      }
      if (bb < 0) continue;
      evaluate(i, -1, bb);
      for (const j of ev.subarray(0, evLen).slice()) {
        removeFromBin(j);
        toPool(j);
      }
      fromPool(i);
      addToBin(i, bb);
      hasPin[bb] = 1;
    }
  };
  // Greedy first: every pool item that fits somewhere as things stand (best fit).
  for (const i of pool.slice().sort((a, b) => w[b]! - w[a]!)) {
    let best = -1;
    for (let b = 0; b < k; b++)
      if (conf[i * k + b] === 0 && load[b]! + w[i]! <= C + EPS && (best < 0 || load[b]! > load[best]!))
        best = b;
    if (best >= 0) {
      fromPool(i);
      addToBin(i, best);
    }
  }
  const M = o.pairPenalty ?? C;
  const objective = () => poolW + M * pairs;
  let bestW = objective();
  let sinceBest = 0;
  let iter = 0;

  // Scratch for move evaluation.
  const ev = new Int32Array(n);
  let evLen = 0;
  const rest = new Int32Array(n);
  let restLen = 0;
  let mi = -1;
  let mi2 = -1;
  let mb = -1;
  let mDelta = 0;
  const mEv = new Int32Array(n);
  let mEvLen = 0;
  let ties = 0;

  /** Evaluates inserting i (and i2 ≥ 0) into b; fills `ev`; returns the change in pool weight. */
  const evaluate = (i: number, i2: number, b: number): number => {
    evLen = 0;
    const wIn = w[i]! + (i2 >= 0 ? w[i2]! : 0);
    let out = 0;
    const m = members[b]!;
    restLen = 0;
    const hasConf = conf[i * k + b]! > 0 || (i2 >= 0 && conf[i2 * k + b]! > 0);
    if (hasConf) {
      for (const j of m) {
        if (conflict[i * n + j] || (i2 >= 0 && conflict[i2 * n + j])) {
          if (pin[j]) return Number.POSITIVE_INFINITY;
          ev[evLen++] = j;
          out += w[j]!;
        } else if (!pin[j]) rest[restLen++] = j;
      }
    } else for (const j of m) if (!pin[j]) rest[restLen++] = j;
    const over = load[b]! - out + wIn - C;
    if (over > EPS) {
      // Lightest single or pair of the remaining items freeing enough room; else heaviest first.
      let c1 = Number.POSITIVE_INFINITY;
      let s1 = -1;
      let c2 = Number.POSITIVE_INFINITY;
      let a2 = -1;
      let b2 = -1;
      for (let x = 0; x < restLen; x++) {
        const jx = rest[x]!;
        const wx = w[jx]!;
        if (wx >= over - EPS) {
          if (wx < c1) {
            c1 = wx;
            s1 = jx;
          }
          continue;
        }
        for (let y = x + 1; y < restLen; y++) {
          const jy = rest[y]!;
          const wy = w[jy]!;
          if (wy >= over - EPS) continue;
          const s = wx + wy;
          if (s >= over - EPS && s < c2) {
            c2 = s;
            a2 = jx;
            b2 = jy;
          }
        }
      }
      if (s1 >= 0 && c1 <= c2) {
        ev[evLen++] = s1;
        out += c1;
      } else if (a2 >= 0) {
        ev[evLen++] = a2;
        ev[evLen++] = b2;
        out += c2;
      } else {
        // The heaviest first, sorted in place (stable; a bin holds a few items): an array sorted per call
        // was most of this function's time on BPPC_2_3_8.
        for (let x = 1; x < restLen; x++) {
          const j = rest[x]!;
          let y = x;
          for (; y > 0 && w[rest[y - 1]!]! < w[j]!; y--) rest[y] = rest[y - 1]!;
          rest[y] = j;
        }
        let freed = 0;
        for (let x = 0; x < restLen && freed < over - EPS; x++) {
          ev[evLen++] = rest[x]!;
          freed += w[rest[x]!]!;
        }
        if (freed < over - EPS) return Number.POSITIVE_INFINITY;
        out += freed;
      }
    }
    let dp = -poolConf[i]! - (i2 >= 0 ? poolConf[i2]! : 0);
    let dw = -wIn;
    for (let x = 0; x < evLen; x++) {
      const e = ev[x]!;
      dw += w[e]!;
      dp += poolConf[e]! - conflict[e * n + i]! - (i2 >= 0 ? conflict[e * n + i2]! : 0);
    }
    return dw + M * dp;
  };

  const take = (i: number, i2: number, b: number, delta: number) => {
    mi = i;
    mi2 = i2;
    mb = b;
    mDelta = delta;
    mEvLen = evLen;
    mEv.set(ev.subarray(0, evLen));
  };
  const consider = (i: number, i2: number, b: number) => {
    const isTabu = tabu[i * k + b]! > iter || (i2 >= 0 && tabu[i2 * k + b]! > iter);
    const delta = evaluate(i, i2, b);
    if (delta === Number.POSITIVE_INFINITY) return;
    if (isTabu && objective() + delta >= bestW - EPS) return;
    if (mi < 0 || delta < mDelta - EPS) {
      take(i, i2, b, delta);
      ties = 1;
    } else if (delta <= mDelta + EPS && randInt(rng, ++ties) === 0) take(i, i2, b, delta);
  };

  // Refill two bins at once: the best split of (bin a ∪ bin b ∪ pool) between a, b and the pool,
  // maximising what a and b hold — it shifts room between two bins and fills it in one step.
  const two: number[] = [];
  const dest = new Int32Array(n);
  const bestDest = new Int32Array(n);
  const inA: number[] = [];
  const inB: number[] = [];
  const refill2 = (a: number, b: number) => {
    two.length = 0;
    inA.length = 0;
    inB.length = 0;
    let la = 0;
    let lb = 0;
    for (const j of members[a]!)
      if (pin[j]) {
        inA.push(j);
        la += w[j]!;
      } else two.push(j);
    for (const j of members[b]!)
      if (pin[j]) {
        inB.push(j);
        lb += w[j]!;
      } else two.push(j);
    for (let x = 0; x < pool.length && two.length < 22; x++) if (!pin[pool[x]!]) two.push(pool[x]!);
    two.sort((x, y) => w[y]! - w[x]!);
    const suf = new Float64Array(two.length + 1);
    for (let x = two.length - 1; x >= 0; x--) suf[x] = suf[x + 1]! + w[two[x]!]!;
    let best = load[a]! + load[b]! + EPS;
    let found = false;
    let nodes = 0;
    const ok = (i: number, list: number[]) => {
      for (const j of list) if (conflict[i * n + j]) return false;
      return true;
    };
    const dfs = (x: number, l1: number, l2: number) => {
      if (l1 + l2 > best) {
        best = l1 + l2;
        found = true;
        for (let y = 0; y < two.length; y++) bestDest[two[y]!] = y < x ? dest[two[y]!]! : -1;
      }
      if (x === two.length || l1 + l2 + suf[x]! <= best || ++nodes > 4000 || best >= 2 * C - EPS) return;
      const i = two[x]!;
      if (l1 + w[i]! <= C + EPS && ok(i, inA)) {
        dest[i] = a;
        inA.push(i);
        dfs(x + 1, l1 + w[i]!, l2);
        inA.pop();
      }
      if (l2 + w[i]! <= C + EPS && ok(i, inB)) {
        dest[i] = b;
        inB.push(i);
        dfs(x + 1, l1, l2 + w[i]!);
        inB.pop();
      }
      dest[i] = -1;
      dfs(x + 1, l1, l2);
    };
    dfs(0, la, lb);
    if (!found) return;
    const before = objective();
    const from = two.map((i) => assign[i]!);
    for (const i of two)
      if (assign[i]! >= 0 && assign[i] !== bestDest[i]) {
        removeFromBin(i);
        toPool(i);
      }
    for (const i of two)
      if (bestDest[i]! >= 0 && assign[i]! < 0) {
        fromPool(i);
        addToBin(i, bestDest[i]!);
      }
    if (objective() > before - EPS) {
      two.forEach((i, x) => {
        if (assign[i] === from[x]) return;
        if (assign[i]! >= 0) {
          removeFromBin(i);
          toPool(i);
        }
      });
      two.forEach((i, x) => {
        if (from[x]! >= 0 && assign[i]! < 0) {
          fromPool(i);
          addToBin(i, from[x]!);
        }
      });
    }
  };
  const refillEvery = o.refillEvery ?? 2;

  const poolFits = () => {
    return pairs === 0 && poolW <= C + EPS;
  };
  forcePinned();
  bestW = objective();
  while (!poolFits()) {
    if (k === 0) return false;
    if (budget.iters >= budget.maxIters || sinceBest > stallLimit) return false;
    // An iteration scans every (pool item, bin) pair: read the clock every time, it costs far less.
    if (o.clock() > o.deadline) return false;
    iter++;
    budget.iters++;
    sinceBest++;
    mi = -1;
    ties = 0;
    const P = pool.length;
    for (let x = 0; x < P; x++) {
      const i = pool[x]!;
      if (pin[i]) continue;
      for (let b = 0; b < k; b++) consider(i, -1, b);
    }
    // Two pool items into one bin at once: the fine fills a single insertion cannot reach.
    if (P <= 24)
      for (let x = 0; x < P; x++) {
        const i = pool[x]!;
        if (pin[i]) continue;
        for (let y = x + 1; y < P; y++) {
          const i2 = pool[y]!;
          if (pin[i2] || conflict[i * n + i2] || w[i]! + w[i2]! > C + EPS) continue;
          for (let b = 0; b < k; b++) consider(i, i2, b);
        }
      }
    if (mi < 0) {
      // Everything is tabu: a random move keeps the search going.
      const i = pool[randInt(rng, P)]!;
      const b = randInt(rng, k);
      const d = pin[i] ? Number.POSITIVE_INFINITY : evaluate(i, -1, b);
      if (d === Number.POSITIVE_INFINITY) continue;
      take(i, -1, b, d);
    }
    const i = mi;
    const i2 = mi2;
    const b = mb;
    const delta = mDelta;
    const evict = mEv.subarray(0, mEvLen);
    const tenure = Math.floor(0.6 * P) + randInt(rng, 10) + 1;
    for (const j of evict) {
      removeFromBin(j);
      toPool(j);
      tabu[j * k + b] = iter + tenure;
    }
    fromPool(i);
    addToBin(i, b);
    if (i2 >= 0) {
      fromPool(i2);
      addToBin(i2, b);
    }
    void delta;
    if (refillEvery > 0 && k > 1 && iter % refillEvery === 0) {
      const a = randInt(rng, k);
      refill2(a, (a + 1 + randInt(rng, k - 1)) % k);
    }
    if (objective() < bestW - EPS) {
      bestW = objective();
      sinceBest = 0;
    }
  }
  for (const i of pool) assign[i] = k;
  return true;
}

/** Renumbers the bins of a complete assignment 0..m-1; returns m. */
function compactInPlace(assign: Int32Array): number {
  const map = new Map<number, number>();
  for (let i = 0; i < assign.length; i++) {
    const b = assign[i]!;
    if (!map.has(b)) map.set(b, map.size);
    assign[i] = map.get(b)!;
  }
  return map.size;
}

/** From a complete packing, packs into one bin fewer, repeatedly, until the lower bound or the deadline. */
export function searchBppc(
  c: BppcCore,
  start: ArrayLike<number>,
  o: SearchOptions,
  clique: readonly number[] = [],
): SearchResult {
  const pinned = new Uint8Array(c.n);
  for (const i of clique) pinned[i] = 1;
  const budget: Budget = { iters: 0, maxIters: o.maxIterations ?? Number.POSITIVE_INFINITY };
  const best = Int32Array.from(start);
  let bins = compactInPlace(best);
  let foundAt = o.clock();
  let attempt = 0;
  const w = c.weight;
  /** A turn of the overload search for a packing into `k` bins; true when it found one. */
  const overload = (k: number, deadline: number, stallLimit?: number): boolean => {
    const r = overloadSearch(
      c,
      best,
      k,
      {
        rng: o.rng,
        clock: o.clock,
        deadline,
        maxIterations: Math.min(budget.maxIters - budget.iters, 2000 + 100 * c.n),
        ...(stallLimit !== undefined ? { stallLimit } : {}),
      },
      pinned,
    );
    budget.iters += r.iterations;
    if (!r.assignment) return false;
    best.set(r.assignment);
    bins = compactInPlace(best);
    foundAt = o.clock();
    return true;
  };
  // First a jump straight to the lower bound: empty the lightest bins and let the overload search
  // repair the overflow (up to half the time, or until 3000 iterations bring no lower overload: the
  // bound may be below the optimum). It saves the bin-by-bin descent on large instances.
  const now = o.clock();
  // (A clock past the deadline — or stopped, reading +∞ — leaves no time for it.)
  if (bins > o.lowerBound + 1 && now < o.deadline) {
    overload(o.lowerBound, Math.min(o.deadline, now + 0.5 * (o.deadline - now)), 3000);
  }
  while (bins > o.lowerBound && o.clock() < o.deadline && budget.iters < budget.maxIters) {
    const k = bins - 1;
    const loads = new Float64Array(bins);
    for (let i = 0; i < c.n; i++) loads[best[i]!]! += w[i]!;
    const order = Array.from({ length: bins }, (_, b) => b).sort((a, b) => loads[a]! - loads[b]! || a - b);
    // Close two light bins (the two lightest first, then random among the lightest): their items
    // form the pool, which must end up fitting in one bin.
    let x1 = 0;
    let x2 = 1;
    if (attempt > 0) {
      const span = Math.min(bins, 3 + attempt);
      x1 = randInt(o.rng, span);
      x2 = randInt(o.rng, span - 1);
      if (x2 >= x1) x2++;
    }
    const closed = new Set([order[x1]!, order[x2]!]);
    const map = new Int32Array(bins).fill(-1);
    let next = 0;
    for (let b = 0; b < bins; b++) if (!closed.has(b)) map[b] = next++;
    const assign = best.slice();
    for (let i = 0; i < c.n; i++) assign[i] = map[assign[i]!]!;
    const stall = (2000 + 20 * c.n) * (1 + Math.min(attempt, 8));
    if (packIntoK(c, k, assign, o, budget, stall, pinned)) {
      best.set(assign);
      bins = k;
      foundAt = o.clock();
      attempt = 0;
      continue;
    }
    attempt++;
    // The partial-solution search stalled: run the overload search on complete assignments for
    // 2000 + 100n iterations (or until the deadline), then go back.
    if (o.clock() >= o.deadline || budget.iters >= budget.maxIters) break;
    if (overload(k, o.deadline)) attempt = 0;
  }
  return { assignment: best, bins, foundAt, iterations: budget.iters };
}
