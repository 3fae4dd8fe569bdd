/**
 * Exact cover of the items by nearly full bins, for plain BPPC instances whose lower bound leaves
 * little slack (k·C − Σw). Every bin of a packing into k bins then has at most that slack, and the
 * slacks of its bins add up to at most it: the candidate bins are the conflict-free sets that fill at
 * least C − slack, and the question is whether some of them partition the items within that budget.
 * Knuth's Algorithm X (the item with fewest options first) where an item's options count only the
 * sets whose slack still fits the remaining budget — so once the budget is spent, only exactly full
 * bins are considered — with randomised restarts and growing node limits (the running time is
 * heavy-tailed). The restarts take turns at four orders of an item's rows (`ORDERS`, see `search`):
 * each settles within the second instances the others rarely do, so that no one instance waits on one
 * order's bad luck. Flat typed arrays: millions of sets fit.
 */
import type { BppcCore } from "./bppc-search.ts";
import { type Rng, randInt } from "./rng.ts";

/**
 * The orders of an item's rows, one per restart in turn; every order tries the fullest rows first.
 * - listed: as listed (rotated at random once the node limit is large);
 * - scored: those whose other items have the fewest options left first (they cover the items hardest
 *   to cover);
 * - crowding: those that rule out the most other rows first;
 * - roomy: those that leave every other item at least ROOMY_OPTIONS options first (then those that
 *   leave it one fewer, and so on), and among equals the ones that rule out the fewest rows.
 * The last two look one row ahead, and skip a row that would leave an item with no option. Alone, on the
 * triplet instances, each order settles some within 0.1 s and misses others in 3 s (crowding BPPC_6_3_5,
 * 40 of 40 seeds; roomy 6_3_9 and 6_3_10; listed and scored BPPC_8_2_8); in turn, BPPC_6_3_9 went from 18
 * to 28 of 30 seeds within 650 ms, and 6_3_5 from 22 to 27 (docs/BENCHMARKS.md).
 */
export const ORDERS = ["listed", "scored", "crowding", "roomy"] as const;
export type CoverOrder = (typeof ORDERS)[number];
const ROOMY_OPTIONS = 3;
/**
 * Looking ahead costs a pass over every row a candidate rules out, at every node: past this many sets
 * (BPPC_8_2_8 has 55,253) it costs more than it saves, and the restarts take turns at the first two
 * orders only.
 */
const LOOKAHEAD_MAX_SETS = 5000;
/** Each restart's node limit: the first, and its growth from one restart to the next. */
const FIRST_RUN_NODES = 300;
const RUN_GROWTH = 1.1;

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
  /** The orders the restarts take turns at (default: ORDERS, the first two past LOOKAHEAD_MAX_SETS). */
  orders?: readonly CoverOrder[];
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
  /** Options of item i within a budget: its live rows whose slack fits it. */
  const options = (i: number, budget: number) => {
    let s = 0;
    const base = i * W;
    for (let t = 0; t <= budget; t++) s += cnt[base + t]!;
    return s;
  };
  // The one-row look-ahead's scratch: stamps tell this candidate's marks from the last one's.
  const lost = new Int32Array(n);
  const lostStamp = new Int32Array(n);
  const inRow = new Int32Array(n);
  const ruledOutStamp = new Int32Array(R);
  const touched: number[] = [];
  let stamp = 0;
  /**
   * Selecting row r with `budget` left: how many live rows it rules out, and the fewest options it leaves
   * any other item (0: the row cannot be part of a cover). Changes nothing.
   */
  const lookAhead = (r: number, budget: number) => {
    stamp++;
    const after = budget - slack[r]!;
    for (let x = start[r]!; x < start[r + 1]!; x++) inRow[items[x]!] = stamp;
    let ruledOut = 0;
    touched.length = 0;
    for (let x = start[r]!; x < start[r + 1]!; x++) {
      const i = items[x]!;
      for (let y = rowStart[i]!; y < rowStart[i + 1]!; y++) {
        const r2 = rows[y]!;
        if (!alive[r2] || ruledOutStamp[r2] === stamp) continue;
        ruledOutStamp[r2] = stamp;
        ruledOut++;
        if (slack[r2]! > after) continue;
        for (let z = start[r2]!; z < start[r2 + 1]!; z++) {
          const j = items[z]!;
          if (inRow[j] === stamp) continue;
          if (lostStamp[j] !== stamp) {
            lostStamp[j] = stamp;
            lost[j] = 0;
            touched.push(j);
          }
          lost[j]!++;
        }
      }
    }
    let fewest = Number.POSITIVE_INFINITY;
    for (const j of touched) fewest = Math.min(fewest, options(j, after) - lost[j]!);
    return { ruledOut, fewest };
  };
  // Tie-break among items with equally few options: a random order per restart.
  const tie = new Float64Array(n);
  const orders = o.orders ?? (R <= LOOKAHEAD_MAX_SETS ? ORDERS : ORDERS.slice(0, 2));
  /** This restart's order of an item's rows. */
  let order: CoverOrder = "listed";
  const search = (budget: number): boolean => {
    if (++nodes > limit || ((nodes & 63) === 0 && o.clock() > o.deadline)) {
      cut = true;
      return false;
    }
    let best = -1;
    let bestCount = Number.POSITIVE_INFINITY;
    for (let i = 0; i < n; i++) {
      if (covered[i]) continue;
      const s = options(i, budget);
      if (s < bestCount || (s === bestCount && tie[i]! > tie[best]!)) {
        best = i;
        bestCount = s;
        if (s === 0) return false;
      }
    }
    if (best < 0) return true;
    // The item's live rows that fit the budget, in this restart's order (ORDERS).
    const from = rowStart[best]!;
    const len = rowStart[best + 1]! - from;
    const rot = limit > 4000 ? randInt(o.rng, len) : 0;
    const cand: number[] = [];
    const score: number[] = [];
    for (let q = 0; q < len; q++) {
      const r = rows[from + ((q + rot) % len)]!;
      if (!alive[r] || slack[r]! > budget) continue;
      let key = 0;
      if (order === "scored")
        for (let x = start[r]!; x < start[r + 1]!; x++) key += options(items[x]!, budget);
      else if (order !== "listed") {
        const { ruledOut, fewest } = lookAhead(r, budget);
        if (fewest <= 0) continue;
        key =
          order === "crowding"
            ? R - ruledOut
            : (ROOMY_OPTIONS - Math.min(fewest, ROOMY_OPTIONS)) * R + ruledOut;
      }
      cand.push(r);
      // The listed order keeps the rows as they come: no key to sort by.
      if (order !== "listed") score.push(slack[r]! * 2 * (n + 1) * (R + 1) + key);
    }
    const ordered =
      order === "listed"
        ? cand
        : cand
            .map((_, q) => q)
            .sort((a, b) => score[a]! - score[b]! || a - b)
            .map((q) => cand[q]!);
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
  let runLimit = FIRST_RUN_NODES;
  let usedNodes = 0;
  for (let run = 0; usedNodes < maxNodes && o.clock() < o.deadline; run++) {
    for (let i = 0; i < n; i++) tie[i] = run === 0 ? w[i]! : o.rng();
    order = orders[run % orders.length]!;
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
    runLimit *= RUN_GROWTH;
  }
  return { kind: "unknown", listed: true };
}
