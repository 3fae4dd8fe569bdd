/**
 * Tabu search over complete assignments into k bins that may overflow: conflicts are never broken,
 * the objective is the total overload Σ max(0, load − C), each bin's weighted by a factor that grows
 * while the bin stays overloaded (breakout), and a packing into k bins is found when the true
 * overload reaches 0. Moves take one or two items out of an overloaded bin: relocate them to another
 * bin, or swap them with one or two lighter items of another bin (1-1, 1-2, 2-1, 2-2), whenever both
 * bins stay conflict-free. An item may not return to the bin it left for 10–19 iterations
 * (aspiration when the move beats the best). The maximum clique stays pinned.
 * This complements the partial-solution search (`packIntoK`) on the tight instances, where there is
 * less than one unit of free capacity per bin and the pool there stalls one bin over. Pure and
 * deterministic for a given random source and iteration budget.
 */
import type { BppcCore } from "./bppc-search.ts";
import { type Rng, randInt } from "./rng.ts";

export interface OverloadOptions {
  rng: Rng;
  clock: () => number;
  deadline: number;
  maxIterations?: number;
  /** Give up after this many iterations without a lower overload than the best so far. */
  stallLimit?: number;
}

const EPS = 1e-9;
/** How much an overloaded bin's weight grows per iteration. */
const WSTEP = 0.1;

/**
 * From a complete packing into more than k bins, empties the lightest bins into the others (the
 * least added overload, no conflict) and searches for a packing into k bins. Returns it, or null.
 */
export function overloadSearch(
  c: BppcCore,
  start: ArrayLike<number>,
  k: number,
  o: OverloadOptions,
  pinned: Uint8Array | null = null,
): { assignment: Int32Array | null; iterations: number } {
  const { n, capacity: C, weight: w, conflict } = c;
  const pin = pinned ?? new Uint8Array(n);
  let m = 0;
  for (let i = 0; i < n; i++) m = Math.max(m, start[i]! + 1);
  if (m <= k) return { assignment: Int32Array.from(start), iterations: 0 };
  // Empty the lightest bins (those without a pinned item first) into the others; when an item of
  // theirs fits nowhere without a conflict, try emptying the next lightest instead.
  const load0 = new Float64Array(m);
  const hasPin = new Uint8Array(m);
  for (let i = 0; i < n; i++) {
    load0[start[i]!]! += w[i]!;
    if (pin[i]) hasPin[start[i]!] = 1;
  }
  const order = Array.from({ length: m }, (_, b) => b).sort(
    (a, b) => hasPin[b]! - hasPin[a]! || load0[b]! - load0[a]! || a - b,
  );
  const assign = new Int32Array(n).fill(-1);
  const load = new Float64Array(k);
  const conf = new Int32Array(n * k);
  const members: number[][] = Array.from({ length: k }, () => []);
  const pos = new Int32Array(n);
  const put = (i: number, b: number) => {
    assign[i] = b;
    pos[i] = members[b]!.length;
    members[b]!.push(i);
    load[b]! += w[i]!;
    for (const j of c.neighbors[i]!) conf[j * k + b]!++;
  };
  const take = (i: number) => {
    const b = assign[i]!;
    const mb = members[b]!;
    const last = mb.pop()!;
    if (last !== i) {
      mb[pos[i]!] = last;
      pos[last] = pos[i]!;
    }
    load[b]! -= w[i]!;
    for (const j of c.neighbors[i]!) conf[j * k + b]!--;
    assign[i] = -1;
  };
  const init = (dropped: readonly number[]): boolean => {
    assign.fill(-1);
    load.fill(0);
    conf.fill(0);
    for (const mb of members) mb.length = 0;
    const map = new Int32Array(m).fill(-1);
    let next = 0;
    for (const b of order) if (!dropped.includes(b)) map[b] = next++;
    const loose: number[] = [];
    for (let i = 0; i < n; i++) {
      const b = map[start[i]!]!;
      if (b >= 0) put(i, b);
      else loose.push(i);
    }
    loose.sort((a, b) => w[b]! - w[a]! || a - b);
    for (const i of loose) {
      let best = -1;
      for (let b = 0; b < k; b++)
        if (conf[i * k + b] === 0 && !(pin[i] && members[b]!.some((j) => pin[j])))
          if (best < 0 || load[b]! < load[best]!) best = b;
      if (best < 0) return false;
      put(i, best);
    }
    return true;
  };
  const drop = m - k;
  let ok = false;
  // Each try costs O(n·k): on 1000 items it took a third of a second on a busy machine, past the deadline.
  for (let x = m - drop; x >= 0 && !ok && o.clock() <= o.deadline; x--) ok = init(order.slice(x, x + drop));
  if (!ok) return { assignment: null, iterations: 0 };
  const over = (l: number) => (l > C + EPS ? l - C : 0);
  // A bin's overload counts with a weight that grows while it stays overloaded (breakout): the
  // search then leaves bins that keep overflowing. Aspiration and success use the true overload.
  const alpha = new Float64Array(k).fill(1);
  const wd = (a: number, na: number, b: number, nb: number) =>
    alpha[a]! * (over(na) - over(load[a]!)) + alpha[b]! * (over(nb) - over(load[b]!));
  let f = 0;
  for (let b = 0; b < k; b++) f += over(load[b]!);
  let bestF = f;
  const tabu = new Int32Array(n * k);
  const maxIt = o.maxIterations ?? Number.POSITIVE_INFINITY;
  const stallLimit = o.stallLimit ?? Number.POSITIVE_INFINITY;
  let lastBest = 0;
  let iter = 0;
  const overBins: number[] = [];
  // The clock every 16 iterations, or every one where an iteration is long (hundreds of bins: 16 of
  // them took 0.3 s on 1000 items on a busy machine).
  const clockEvery = n * k > 20_000 ? 0 : 15;
  while (f > EPS) {
    if (iter >= maxIt || ((iter & clockEvery) === 0 && o.clock() > o.deadline))
      return { assignment: null, iterations: iter };
    iter++;
    overBins.length = 0;
    for (let b = 0; b < k; b++) if (load[b]! > C + EPS) overBins.push(b);
    const nOver = overBins.length;
    // Many overloaded bins (right after emptying several bins): moves out of one of them, at random.
    if (nOver > 3) {
      overBins[0] = overBins[randInt(o.rng, nOver)]!;
      overBins.length = 1;
    }
    let bd = Number.POSITIVE_INFINITY;
    let bi = -1;
    let bi2 = -1;
    let bj = -1;
    let bj2 = -1;
    let bb = -1;
    let ties = 0;
    const consider = (d: number, i: number, i2: number, j: number, j2: number, b: number) => {
      if (d < bd - EPS) {
        bd = d;
        ties = 1;
      } else if (!(d <= bd + EPS && randInt(o.rng, ++ties) === 0)) return;
      bi = i;
      bi2 = i2;
      bj = j;
      bj2 = j2;
      bb = b;
    };
    for (const a of overBins) {
      const la = load[a]!;
      const oa = over(la);
      for (const i of members[a]!) {
        if (pin[i]) continue;
        const wi = w[i]!;
        const gainA = over(la - wi) - oa;
        for (let b = 0; b < k; b++) {
          if (b === a) continue;
          const lb = load[b]!;
          const ob = over(lb);
          const tabuI = tabu[i * k + b]! > iter;
          // Relocate i to b.
          if (conf[i * k + b] === 0) {
            const d = gainA + over(lb + wi) - ob;
            if (!tabuI || f + d < bestF - EPS) consider(wd(a, la - wi, b, lb + wi), i, -1, -1, -1, b);
          }
          // Swap i with j of b.
          for (const j of members[b]!) {
            if (pin[j]) continue;
            const wj = w[j]!;
            if (wj >= wi - EPS) continue;
            const cij = conflict[i * n + j]!;
            if (conf[i * k + b]! - cij !== 0 || conf[j * k + a]! - cij !== 0) continue;
            const d = over(la - wi + wj) - oa + over(lb + wi - wj) - ob;
            if ((tabuI || tabu[j * k + a]! > iter) && f + d >= bestF - EPS) continue;
            consider(wd(a, la - wi + wj, b, lb + wi - wj), i, -1, j, -1, b);
          }
          // Swap i with a pair j, j2 of b (lighter together).
          const mb = members[b]!;
          for (let y = 0; y < mb.length; y++) {
            const j = mb[y]!;
            if (pin[j]) continue;
            for (let z = y + 1; z < mb.length; z++) {
              const j2 = mb[z]!;
              if (pin[j2]) continue;
              const wj = w[j]! + w[j2]!;
              if (wj >= wi - EPS) continue;
              if (conf[i * k + b]! - conflict[i * n + j]! - conflict[i * n + j2]! !== 0) continue;
              if (
                conf[j * k + a]! - conflict[j * n + i]! !== 0 ||
                conf[j2 * k + a]! - conflict[j2 * n + i]! !== 0
              )
                continue;
              if (conflict[j * n + j2]) continue;
              const d = over(la - wi + wj) - oa + over(lb + wi - wj) - ob;
              if ((tabuI || tabu[j * k + a]! > iter || tabu[j2 * k + a]! > iter) && f + d >= bestF - EPS)
                continue;
              consider(wd(a, la - wi + wj, b, lb + wi - wj), i, -1, j, j2, b);
            }
          }
        }
      }
      // Swap a pair i, i2 of a with one item j of b (lighter), or move the pair.
      const ma = members[a]!;
      for (let x = 0; x < ma.length; x++) {
        const i = ma[x]!;
        if (pin[i]) continue;
        for (let x2 = x + 1; x2 < ma.length; x2++) {
          const i2 = ma[x2]!;
          if (pin[i2]) continue;
          const wi = w[i]! + w[i2]!;
          const gainA = over(la - wi) - oa;
          for (let b = 0; b < k; b++) {
            if (b === a) continue;
            const lb = load[b]!;
            const ob = over(lb);
            const tabuI = tabu[i * k + b]! > iter || tabu[i2 * k + b]! > iter;
            const okI = conf[i * k + b]! === 0 && conf[i2 * k + b]! === 0;
            // Move the pair.
            if (okI) {
              const d = gainA + over(lb + wi) - ob;
              if (!tabuI || f + d < bestF - EPS) consider(wd(a, la - wi, b, lb + wi), i, i2, -1, -1, b);
            }
            // Swap the pair with a lighter pair of b.
            const mb = members[b]!;
            for (let y = 0; y < mb.length; y++) {
              const j = mb[y]!;
              if (pin[j]) continue;
              for (let z = y + 1; z < mb.length; z++) {
                const j2 = mb[z]!;
                if (pin[j2]) continue;
                const wj = w[j]! + w[j2]!;
                if (wj >= wi - EPS) continue;
                if (
                  conf[i * k + b]! - conflict[i * n + j]! - conflict[i * n + j2]! !== 0 ||
                  conf[i2 * k + b]! - conflict[i2 * n + j]! - conflict[i2 * n + j2]! !== 0 ||
                  conf[j * k + a]! - conflict[j * n + i]! - conflict[j * n + i2]! !== 0 ||
                  conf[j2 * k + a]! - conflict[j2 * n + i]! - conflict[j2 * n + i2]! !== 0
                )
                  continue;
                const d = over(la - wi + wj) - oa + over(lb + wi - wj) - ob;
                if ((tabuI || tabu[j * k + a]! > iter || tabu[j2 * k + a]! > iter) && f + d >= bestF - EPS)
                  continue;
                consider(wd(a, la - wi + wj, b, lb + wi - wj), i, i2, j, j2, b);
              }
            }
            for (const j of members[b]!) {
              if (pin[j]) continue;
              const wj = w[j]!;
              if (wj >= wi - EPS) continue;
              if (
                conf[i * k + b]! - conflict[i * n + j]! !== 0 ||
                conf[i2 * k + b]! - conflict[i2 * n + j]! !== 0
              )
                continue;
              if (conf[j * k + a]! - conflict[j * n + i]! - conflict[j * n + i2]! !== 0) continue;
              const d = gainA + over(la - wi + wj) - over(la - wi) + over(lb + wi - wj) - ob;
              if ((tabuI || tabu[j * k + a]! > iter) && f + d >= bestF - EPS) continue;
              consider(wd(a, la - wi + wj, b, lb + wi - wj), i, i2, j, -1, b);
            }
          }
        }
      }
    }
    if (bi < 0) {
      // Everything is tabu: a random relocation out of an overloaded bin keeps the search going.
      const a = overBins[randInt(o.rng, overBins.length)]!;
      const ms = members[a]!.filter((i) => !pin[i]);
      if (ms.length === 0) return { assignment: null, iterations: iter };
      const i = ms[randInt(o.rng, ms.length)]!;
      const b = randInt(o.rng, k);
      if (b === a || conf[i * k + b] !== 0) continue;
      bi = i;
      bi2 = -1;
      bb = b;
      bj = -1;
      bj2 = -1;
    }
    const a = assign[bi]!;
    const tenure = 10 + randInt(o.rng, 10) + nOver;
    const outA = bi2 >= 0 ? [bi, bi2] : [bi];
    const outB = bj < 0 ? [] : bj2 >= 0 ? [bj, bj2] : [bj];
    for (const x of outA) take(x);
    for (const x of outB) take(x);
    for (const x of outB) {
      put(x, a);
      tabu[x * k + bb] = iter + tenure;
    }
    for (const x of outA) {
      put(x, bb);
      tabu[x * k + a] = iter + tenure;
    }
    f = 0;
    for (let b = 0; b < k; b++) {
      const ob = over(load[b]!);
      f += ob;
      if (ob > 0) alpha[b]! += WSTEP;
    }
    if (f < bestF - EPS) {
      bestF = f;
      lastBest = iter;
    } else if (iter - lastBest > stallLimit) return { assignment: null, iterations: iter };
  }
  return { assignment: assign, iterations: iter };
}
