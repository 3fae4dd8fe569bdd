/**
 * Lower bounds on the number of bins (aircraft), each with the evidence an officer can read:
 * - seats: total seats needed against the largest aircraft (L1), and Martello–Toth's L2;
 * - clique: people who pairwise cannot share an aircraft (rivals, keep-apart, or too many seats
 *   together) each need their own;
 * - clique + room: after the clique, the seats left over in the clique's aircraft can absorb at most
 *   a max-flow's worth of the other people; the rest need new aircraft.
 */
import type { PackProblem } from "./pack.ts";

export interface BoundResult {
  seats: number;
  l2: number;
  clique: number;
  cliqueItems: number[];
  cliqueRoom: number;
  best: number;
  /** Which bound gives `best`. */
  binding: "seats" | "clique" | "clique-room";
}

/** Fewest bins whose capacities (largest first) can hold `total`. */
export function binsForTotal(total: number, capacities: readonly number[]): number {
  if (total <= 0) return 0;
  const caps = capacities.slice().sort((a, b) => b - a);
  let sum = 0;
  for (let k = 0; k < caps.length; k++) {
    sum += caps[k]!;
    if (sum >= total) return k + 1;
  }
  // More than the whole fleet: extrapolate with the largest size (the bound then exceeds the fleet).
  const big = caps[0] ?? 1;
  return caps.length + Math.ceil((total - sum) / big);
}

/** Martello–Toth L2 for one capacity. */
export function martelloTothL2(weights: readonly number[], C: number): number {
  let best = 0;
  const ks = new Set<number>([0]);
  for (const w of weights) if (w <= C / 2) ks.add(w);
  for (const k of ks) {
    let n1 = 0;
    let n2 = 0;
    let w2 = 0;
    let w3 = 0;
    for (const w of weights) {
      if (w > C - k) n1++;
      else if (w > C / 2) {
        n2++;
        w2 += w;
      } else if (w >= k) w3 += w;
    }
    const l = n1 + n2 + Math.max(0, Math.ceil((w3 - (n2 * C - w2)) / C));
    if (l > best) best = l;
  }
  return best;
}

/** Whether two items can never share any bin. */
export function incompatible(
  p: PackProblem,
  maxCap: number,
  singleGroup: boolean,
  i: number,
  j: number,
): boolean {
  if (p.conflict[i * p.n + j]) return true;
  if (p.weight[i]! + p.weight[j]! > maxCap) return true;
  if (singleGroup && p.group[i] !== p.group[j]) return true;
  return false;
}

/**
 * Largest clique found in the incompatibility graph (exact when the node budget suffices). `adj` must be
 * symmetric: it is asked once per pair, into a matrix the search then reads (on the 250-item literature
 * instances the search asked it 340,000–440,000 times, and took 11–37 ms).
 */
export function maxClique(n: number, adj: (i: number, j: number) => boolean, nodeBudget = 200_000): number[] {
  const m = new Uint8Array(n * n);
  const deg = new Int32Array(n);
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++)
      if (adj(i, j)) {
        m[i * n + j] = 1;
        m[j * n + i] = 1;
        deg[i]! += 1;
        deg[j]! += 1;
      }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => deg[b]! - deg[a]!);
  // Greedy start from several vertices.
  let best: number[] = [];
  for (const start of order.slice(0, Math.min(n, 40))) {
    const c = [start];
    for (const v of order) {
      if (v === start) continue;
      let all = true;
      for (let k = 0; k < c.length && all; k++) all = m[c[k]! * n + v] === 1;
      if (all) c.push(v);
    }
    if (c.length > best.length) best = c;
  }
  // Branch and bound with greedy-colouring bounds (Tomita's MCQ).
  let nodes = 0;
  const expand = (clique: number[], cand: number[]) => {
    if (++nodes > nodeBudget) return;
    // Colour candidates greedily; colour classes give an upper bound. `sorted` lists them class by
    // class (each in candidate order), `colour[x]` is the class (from 1) of `sorted[x]`.
    const classes: number[][] = [];
    for (const v of cand) {
      let k = 0;
      for (; k < classes.length; k++) {
        const cls = classes[k]!;
        let free = true;
        for (let y = 0; y < cls.length && free; y++) free = m[cls[y]! * n + v] === 0;
        if (free) break;
      }
      if (k === classes.length) classes.push([]);
      classes[k]!.push(v);
    }
    const sorted: number[] = [];
    const colour = new Int32Array(cand.length);
    for (let k = 0; k < classes.length; k++)
      for (const v of classes[k]!) {
        colour[sorted.length] = k + 1;
        sorted.push(v);
      }
    for (let x = sorted.length - 1; x >= 0; x--) {
      if (clique.length + colour[x]! <= best.length) return;
      const v = sorted[x]!;
      const next = [...clique, v];
      const nc: number[] = [];
      for (let y = 0; y < x; y++) if (m[v * n + sorted[y]!] === 1) nc.push(sorted[y]!);
      if (nc.length === 0) {
        if (next.length > best.length) best = next;
      } else expand(next, nc);
      if (nodes > nodeBudget) return;
    }
  };
  expand([], order);
  return best;
}

/** Max-flow (Dinic) on a small bipartite network: items → clique bins, capacities in seats. */
function bipartiteMaxFlow(
  supply: readonly number[],
  room: readonly number[],
  edges: readonly (readonly number[])[],
): number {
  // Nodes: 0 source, 1..U items, U+1..U+K bins, U+K+1 sink.
  const U = supply.length;
  const K = room.length;
  const N = U + K + 2;
  const head = new Int32Array(N).fill(-1);
  // Each edge and its reverse, side by side (e and e ^ 1), in arrays sized for all of them.
  let arcs = U + K;
  for (const e of edges) arcs += e.length;
  const to = new Int32Array(2 * arcs);
  const cap = new Float64Array(2 * arcs);
  const next = new Int32Array(2 * arcs);
  let used = 0;
  const arc = (a: number, b: number, c: number) => {
    to[used] = b;
    cap[used] = c;
    next[used] = head[a]!;
    head[a] = used++;
  };
  const addEdge = (a: number, b: number, c: number) => {
    arc(a, b, c);
    arc(b, a, 0);
  };
  const S = 0;
  const T = N - 1;
  const fromS = new Int32Array(U).fill(-1);
  const toT = new Int32Array(K).fill(-1);
  for (let u = 0; u < U; u++)
    if (supply[u]! > 0) {
      addEdge(S, 1 + u, supply[u]!);
      fromS[u] = used - 2;
    }
  const firstMiddle = used;
  for (let u = 0; u < U; u++) for (const k of edges[u]!) addEdge(1 + u, 1 + U + k, supply[u]!);
  const endMiddle = used;
  for (let k = 0; k < K; k++)
    if (room[k]! > 0) {
      addEdge(1 + U + k, T, room[k]!);
      toT[k] = used - 2;
    }
  let flow = 0;
  /** Sends d along edge e (and frees d on its reverse). */
  const push = (e: number, d: number) => {
    cap[e]! -= d;
    cap[e ^ 1]! += d;
  };
  // A greedy flow first, along the direct paths S → item → bin → T: Dinic then only reroutes. Without
  // it, on the 250-item literature instances, Dinic's phases took 9–19 ms; the maximum is the same.
  for (let e = firstMiddle; e < endMiddle; e += 2) {
    const u = to[e + 1]! - 1;
    const k = to[e]! - 1 - U;
    if (fromS[u]! < 0 || toT[k]! < 0) continue;
    const d = Math.min(cap[fromS[u]!]!, cap[e]!, cap[toT[k]!]!);
    if (d <= 0) continue;
    push(fromS[u]!, d);
    push(e, d);
    push(toT[k]!, d);
    flow += d;
  }
  const level = new Int32Array(N);
  const it = new Int32Array(N);
  const bfs = () => {
    level.fill(-1);
    level[S] = 0;
    const q = [S];
    for (let h = 0; h < q.length; h++) {
      const v = q[h]!;
      for (let e = head[v]!; e >= 0; e = next[e]!)
        if (cap[e]! > 0 && level[to[e]!]! < 0) {
          level[to[e]!] = level[v]! + 1;
          q.push(to[e]!);
        }
    }
    return level[T]! >= 0;
  };
  const dfs = (v: number, f: number): number => {
    if (v === T) return f;
    for (; it[v]! >= 0; it[v] = next[it[v]!]!) {
      const e = it[v]!;
      const w = to[e]!;
      if (cap[e]! > 0 && level[w] === level[v]! + 1) {
        const d = dfs(w, Math.min(f, cap[e]!));
        if (d > 0) {
          push(e, d);
          return d;
        }
      }
    }
    return 0;
  };
  while (bfs()) {
    it.set(head);
    for (let f = dfs(S, Number.POSITIVE_INFINITY); f > 0; f = dfs(S, Number.POSITIVE_INFINITY)) flow += f;
  }
  return flow;
}

/** Clique bins keep their own aircraft; the rest fill their spare seats at most up to a max-flow. */
export function cliqueRoomBound(p: PackProblem, clique: readonly number[], maxCap: number): number {
  const inK = new Uint8Array(p.n);
  for (const c of clique) inK[c] = 1;
  const others: number[] = [];
  for (let i = 0; i < p.n; i++) if (!inK[i]) others.push(i);
  const room = clique.map((c) => maxCap - p.weight[c]!);
  const singleGroup = p.bins.every((b) => b.maxGroups <= 1);
  const edges = others.map((u) => {
    const e: number[] = [];
    clique.forEach((c, k) => {
      if (p.weight[u]! <= room[k]! && !incompatible(p, maxCap, singleGroup, u, c)) e.push(k);
    });
    return e;
  });
  const rest = others.reduce((s, u) => s + p.weight[u]!, 0);
  const absorbed = bipartiteMaxFlow(
    others.map((u) => p.weight[u]!),
    room,
    edges,
  );
  return clique.length + Math.max(0, Math.ceil((rest - absorbed) / maxCap - 1e-9));
}

export function lowerBounds(p: PackProblem, opts: { cliqueNodeBudget?: number } = {}): BoundResult {
  const caps = p.bins.map((b) => b.capacity);
  const maxCap = Math.max(...caps);
  const total = p.weight.reduce((a, b) => a + b, 0);
  const seats = binsForTotal(total, caps);
  const uniform = caps.every((c) => c === maxCap);
  const l2 = uniform ? martelloTothL2(p.weight, maxCap) : 0;
  const singleGroup = p.bins.every((b) => b.maxGroups <= 1);
  const cliqueItems = maxClique(
    p.n,
    (i, j) => incompatible(p, maxCap, singleGroup, i, j),
    opts.cliqueNodeBudget,
  );
  const clique = cliqueItems.length;
  const cliqueRoom = p.n > 0 ? cliqueRoomBound(p, cliqueItems, maxCap) : 0;
  let best = Math.max(seats, l2);
  let binding: BoundResult["binding"] = "seats";
  if (clique > best) {
    best = clique;
    binding = "clique";
  }
  if (cliqueRoom > best) {
    best = cliqueRoom;
    binding = "clique-room";
  }
  return { seats, l2, clique, cliqueItems, cliqueRoom, best, binding };
}

/** Fewest aircraft whose stop allowances (largest first) cover `destinations` distinct stops. */
export function binsForStops(destinations: number, maxStops: readonly number[]): number {
  return binsForTotal(destinations, maxStops);
}

/** All maximal cliques (Bron–Kerbosch) of a small graph given by an adjacency predicate. */
export function maximalCliques(n: number, adj: (i: number, j: number) => boolean): number[][] {
  const out: number[][] = [];
  const bk = (r: number[], p: number[], x: number[]) => {
    if (p.length === 0 && x.length === 0) {
      out.push(r);
      return;
    }
    for (const v of p.slice()) {
      bk(
        [...r, v],
        p.filter((u) => adj(u, v)),
        x.filter((u) => adj(u, v)),
      );
      p.splice(p.indexOf(v), 1);
      x.push(v);
      if (out.length > 5000) return;
    }
  };
  bk(
    [],
    Array.from({ length: n }, (_, i) => i),
    [],
  );
  return out;
}
