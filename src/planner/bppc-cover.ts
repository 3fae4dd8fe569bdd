/**
 * Exact cover of the items by nearly full bins, for plain BPPC instances whose lower bound leaves
 * little slack (k·C − Σw). Every bin of a packing into k bins then has at most that slack, and the
 * slacks of its bins add up to at most it: the candidate bins are the conflict-free sets that fill at
 * least C − slack, and the question is whether some of them partition the items within that budget.
 * Knuth's Algorithm X (the item with fewest options first) where an item's options count only the
 * sets whose slack still fits the remaining budget — so once the budget is spent, only exactly full
 * bins are considered — with randomised restarts and growing node limits (the running time is
 * heavy-tailed). The restarts alternate two orders of an item's rows (see `search`): each settles within
 * the second instances the other rarely does (the scored order BPPC_8_2_8; the listed one BPPC_6_3_9 and
 * 6_3_10, which the scored order alone missed). Flat typed arrays: millions of sets fit.
 */
import type { BppcCore } from "./bppc-search.ts";
import { type Rng, randInt } from "./rng.ts";

/**
 * "unknown" says whether the candidate bins were listed: when they were not (more than `maxSets`, or
 * the time ran out listing them), the search never started.
 */
export type CoverResult =
  | { kind: "found"; assignment: Int32Array }
  | { kind: "none" }
  | { kind: "unknown"; listed: boolean };

export interface CoverOptions {
  deadline: number;
  clock: () => number;
  rng: Rng;
  /** Give up ("unknown") when there are more candidate sets than this. */
  maxSets?: number;
  /** Give up when listing the sets takes more than this many steps (items looked at). */
  maxSteps?: number;
  /** Give up after this many search nodes in total. */
  maxNodes?: number;
}

/** Candidate sets in flat arrays (items of set r: items[start[r] .. start[r+1]-1]). */
export interface SetFamily {
  count: number;
  start: Int32Array;
  items: Int32Array;
  slack: Int32Array;
}

/**
 * Every conflict-free set of items loading a bin to at least `minLoad`; null past `maxSets` sets,
 * `maxSteps` items looked at, or the deadline.
 */
export function enumerateSets(
  c: BppcCore,
  minLoad: number,
  maxSets: number,
  maxSteps: number,
  o: Pick<CoverOptions, "deadline" | "clock">,
): SetFamily | null {
  const { n, capacity: C, weight: w, conflict } = c;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => w[b]! - w[a]! || a - b);
  const suffix = new Float64Array(n + 1);
  for (let x = n - 1; x >= 0; x--) suffix[x] = suffix[x + 1]! + w[order[x]!]!;
  const lightest = n > 0 ? w[order[n - 1]!]! : 0;
  let cap = 1024;
  let start = new Int32Array(cap + 1);
  let items = new Int32Array(cap * 3);
  let slack = new Int32Array(cap);
  let count = 0;
  let used = 0;
  const cur = new Int32Array(n);
  let depth = 0;
  let aborted = false;
  let steps = 0;
  const push = (load: number) => {
    if (count >= maxSets) {
      aborted = true;
      return;
    }
    if (count === cap) {
      cap *= 2;
      const s2 = new Int32Array(cap + 1);
      s2.set(start);
      start = s2;
      const sl2 = new Int32Array(cap);
      sl2.set(slack);
      slack = sl2;
    }
    if (used + depth > items.length) {
      const it2 = new Int32Array(Math.max(items.length * 2, used + depth));
      it2.set(items);
      items = it2;
    }
    start[count] = used;
    for (let d = 0; d < depth; d++) items[used++] = cur[d]!;
    slack[count] = Math.round(C - load);
    count++;
    start[count] = used;
  };
  const rec = (x: number, load: number) => {
    if (depth > 0 && load >= minLoad - 1e-9) push(load);
    // Items come heaviest first: skip those too heavy for the room left (binary search).
    const room = C - load + 1e-9;
    // At most this many more items fit, none heavier than the next one looked at.
    const more = lightest > 0 ? Math.floor(room / lightest) : Number.POSITIVE_INFINITY;
    let lo = x;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (w[order[mid]!]! > room) lo = mid + 1;
      else hi = mid;
    }
    for (let y = lo; y < n && !aborted; y++) {
      if (++steps > maxSteps || ((steps & 16383) === 0 && o.clock() > o.deadline)) {
        aborted = true;
        return;
      }
      // What the items from y on can add: all of them, or `more` of them each at most as heavy as y. Both
      // shrink as y grows, so once short of minLoad, every later y is too (triplets: only the third item
      // of exactly the weight left is looked at, not every lighter one).
      const i = order[y]!;
      if (load + Math.min(suffix[y]!, more * w[i]!) < minLoad - 1e-9) return;
      let ok = true;
      for (let d = 0; d < depth; d++)
        if (conflict[i * n + cur[d]!]) {
          ok = false;
          break;
        }
      if (!ok) continue;
      cur[depth++] = i;
      rec(y + 1, load + w[i]!);
      depth--;
    }
  };
  rec(0, 0);
  if (aborted) return null;
  return { count, start, items, slack };
}

/**
 * Whether the items fit in exactly k bins, decided by an exact cover of nearly full bins. "none" is a
 * proof that k bins do not suffice; "unknown" when there are too many sets or the time runs out.
 * Only for integer weights and capacity (the literature instances); otherwise "unknown".
 */
export function coverPacking(c: BppcCore, k: number, o: CoverOptions): CoverResult {
  const { n, capacity: C, weight: w } = c;
  if (!Number.isInteger(C) || w.some((x) => !Number.isInteger(x))) return { kind: "unknown", listed: false };
  let total = 0;
  for (let i = 0; i < n; i++) total += w[i]!;
  const S = k * C - total;
  if (S < 0) return { kind: "none" };
  if (n === 0) return { kind: "found", assignment: new Int32Array(0) };
  const fam = enumerateSets(c, C - S, o.maxSets ?? 3_000_000, o.maxSteps ?? 20_000_000, o);
  if (!fam) return { kind: "unknown", listed: false };
  const { count: R, start, items, slack } = fam;
  // Rows of each item (CSR), each item's rows in order of slack (fullest first).
  const deg = new Int32Array(n + 1);
  for (let x = 0; x < start[R]!; x++) deg[items[x]!]!++;
  const rowStart = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) rowStart[i + 1] = rowStart[i]! + deg[i]!;
  const rows = new Int32Array(rowStart[n]!);
  const fill = rowStart.slice(0, n);
  const bySlack = Array.from({ length: R }, (_, r) => r).sort((a, b) => slack[a]! - slack[b]! || a - b);
  for (const r of bySlack) for (let x = start[r]!; x < start[r + 1]!; x++) rows[fill[items[x]!]!++] = r;
  for (let i = 0; i < n; i++) if (deg[i] === 0) return { kind: "none" };
  // cnt[i*(S+1)+s]: live sets of slack s holding item i.
  const W = S + 1;
  const cnt = new Int32Array(n * W);
  for (let r = 0; r < R; r++)
    for (let x = start[r]!; x < start[r + 1]!; x++) cnt[items[x]! * W + slack[r]!]!++;
  const alive = new Uint8Array(R).fill(1);
  const covered = new Uint8Array(n);
  const trail: number[] = [];
  const chosen: number[] = [];
  const maxNodes = o.maxNodes ?? 50_000_000;
  let nodes = 0;
  let limit = 0;
  let cut = false;

  const kill = (r: number) => {
    alive[r] = 0;
    trail.push(r);
    const s = slack[r]!;
    for (let x = start[r]!; x < start[r + 1]!; x++) cnt[items[x]! * W + s]!--;
  };
  const select = (r: number) => {
    for (let x = start[r]!; x < start[r + 1]!; x++) {
      const i = items[x]!;
      covered[i] = 1;
      for (let y = rowStart[i]!; y < rowStart[i + 1]!; y++) {
        const r2 = rows[y]!;
        if (alive[r2]) kill(r2);
      }
    }
  };
  const undo = (mark: number, r: number) => {
    while (trail.length > mark) {
      const r2 = trail.pop()!;
      alive[r2] = 1;
      const s = slack[r2]!;
      for (let x = start[r2]!; x < start[r2 + 1]!; x++) cnt[items[x]! * W + s]!++;
    }
    for (let x = start[r]!; x < start[r + 1]!; x++) covered[items[x]!] = 0;
  };
  // Tie-break among items with equally few options: a random order per restart.
  const tie = new Float64Array(n);
  /** Whether this restart orders an item's rows by how few options their other items have left. */
  let scored = false;
  const search = (budget: number): boolean => {
    if (++nodes > limit || ((nodes & 63) === 0 && o.clock() > o.deadline)) {
      cut = true;
      return false;
    }
    let best = -1;
    let bestCount = Number.POSITIVE_INFINITY;
    for (let i = 0; i < n; i++) {
      if (covered[i]) continue;
      let s = 0;
      const base = i * W;
      for (let t = 0; t <= budget; t++) s += cnt[base + t]!;
      if (s < bestCount || (s === bestCount && tie[i]! > tie[best]!)) {
        best = i;
        bestCount = s;
        if (s === 0) return false;
      }
    }
    if (best < 0) return true;
    // The item's live rows, fullest first: in the order listed (rotated at random once the limit is
    // large), or on alternate restarts, among equally full ones, those whose other items have the fewest
    // options left first (they cover the items hardest to cover, and rule out the fewest other rows).
    const from = rowStart[best]!;
    const len = rowStart[best + 1]! - from;
    const rot = limit > 4000 ? randInt(o.rng, len) : 0;
    const cand: number[] = [];
    const score: number[] = [];
    for (let q = 0; q < len; q++) {
      const r = rows[from + ((q + rot) % len)]!;
      if (!alive[r] || slack[r]! > budget) continue;
      cand.push(r);
      if (!scored) continue;
      let options = 0;
      for (let x = start[r]!; x < start[r + 1]!; x++) {
        const base = items[x]! * W;
        for (let t = 0; t <= budget; t++) options += cnt[base + t]!;
      }
      score.push(slack[r]! * n * (R + 1) + options);
    }
    const ordered = scored
      ? cand
          .map((_, q) => q)
          .sort((a, b) => score[a]! - score[b]! || a - b)
          .map((q) => cand[q]!)
      : cand;
    for (const r of ordered) {
      const mark = trail.length;
      select(r);
      chosen.push(r);
      if (search(budget - slack[r]!)) return true;
      chosen.pop();
      undo(mark, r);
      if (cut) return false;
    }
    return false;
  };
  let runLimit = 300;
  let usedNodes = 0;
  for (let run = 0; usedNodes < maxNodes && o.clock() < o.deadline; run++) {
    for (let i = 0; i < n; i++) tie[i] = run === 0 ? w[i]! : o.rng();
    scored = run % 2 === 1;
    nodes = 0;
    limit = Math.min(runLimit, maxNodes - usedNodes);
    cut = false;
    const ok = search(S);
    usedNodes += nodes;
    if (ok) {
      const assignment = new Int32Array(n).fill(-1);
      chosen.forEach((r, b) => {
        for (let x = start[r]!; x < start[r + 1]!; x++) assignment[items[x]!] = b;
      });
      return { kind: "found", assignment };
    }
    if (!cut) return { kind: "none" };
    while (chosen.length > 0) {
      const r = chosen.pop()!;
      for (let x = start[r]!; x < start[r + 1]!; x++) covered[items[x]!] = 0;
    }
    while (trail.length > 0) {
      const r2 = trail.pop()!;
      alive[r2] = 1;
      const s = slack[r2]!;
      for (let x = start[r2]!; x < start[r2 + 1]!; x++) cnt[items[x]! * W + s]!++;
    }
    runLimit *= 1.2;
  }
  return { kind: "unknown", listed: true };
}
