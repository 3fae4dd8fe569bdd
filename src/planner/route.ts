/**
 * Routing: each aircraft flies from its staging airport through its destination stops (an open path:
 * it does not return). With at most K stops (small), the best order is found exactly.
 */
import type { Airport, Leg } from "./model.ts";

const EARTH_RADIUS_KM = 6371.0088;

/** Great-circle distance (haversine), in km. */
export function greatCircleKm(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

export interface Route {
  /** Airport codes in flying order, staging first. */
  order: string[];
  legs: Leg[];
  distanceKm: number;
}

const round1 = (x: number) => Math.round(x * 10) / 10;

/**
 * Shortest open route from `staging` through every stop, each leg within `rangeKm` (when given);
 * null when no order respects the range. Exact (Held–Karp) up to 12 stops, nearest-neighbour beyond.
 */
export function bestRoute(staging: Airport, stops: readonly Airport[], rangeKm?: number): Route | null {
  const k = stops.length;
  const pts = [staging, ...stops];
  const d = pts.map((a) => pts.map((b) => greatCircleKm(a, b)));
  const R = rangeKm ?? Number.POSITIVE_INFINITY;
  const ok = (a: number, b: number) => d[a]![b]! <= R + 1e-9;
  let order: number[] | null = null;
  if (k === 0) order = [];
  else if (k <= 12) {
    // dp[mask][last]: shortest path from staging visiting `mask` (bits over stops) ending at stop `last`.
    const full = (1 << k) - 1;
    const dp = new Float64Array((full + 1) * k).fill(Number.POSITIVE_INFINITY);
    const parent = new Int32Array((full + 1) * k).fill(-1);
    for (let j = 0; j < k; j++) if (ok(0, j + 1)) dp[(1 << j) * k + j] = d[0]![j + 1]!;
    for (let mask = 1; mask <= full; mask++)
      for (let j = 0; j < k; j++) {
        const cur = dp[mask * k + j]!;
        if (!Number.isFinite(cur) || !(mask & (1 << j))) continue;
        for (let x = 0; x < k; x++) {
          if (mask & (1 << x) || !ok(j + 1, x + 1)) continue;
          const nm = mask | (1 << x);
          const v = cur + d[j + 1]![x + 1]!;
          if (v < dp[nm * k + x]!) {
            dp[nm * k + x] = v;
            parent[nm * k + x] = j;
          }
        }
      }
    let last = -1;
    for (let j = 0; j < k; j++) if (last < 0 || dp[full * k + j]! < dp[full * k + last]!) last = j;
    if (!Number.isFinite(dp[full * k + last]!)) return null;
    order = [];
    let mask = full;
    while (last >= 0) {
      order.unshift(last);
      const prev = parent[mask * k + last]!;
      mask &= ~(1 << last);
      last = prev;
    }
  } else {
    order = [];
    const left = new Set(stops.map((_, j) => j));
    let at = 0;
    while (left.size > 0) {
      let next = -1;
      for (const j of left) if (ok(at, j + 1) && (next < 0 || d[at]![j + 1]! < d[at]![next + 1]!)) next = j;
      if (next < 0) return null;
      order.push(next);
      left.delete(next);
      at = next + 1;
    }
  }
  const seq = [0, ...order.map((j) => j + 1)];
  const legs: Leg[] = [];
  let total = 0;
  for (let x = 1; x < seq.length; x++) {
    const dist = d[seq[x - 1]!]![seq[x]!]!;
    total += dist;
    legs.push({ from: pts[seq[x - 1]!]!.code, to: pts[seq[x]!]!.code, distanceKm: round1(dist) });
  }
  return { order: seq.map((x) => pts[x]!.code), legs, distanceKm: round1(total) };
}
