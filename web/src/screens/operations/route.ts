/**
 * An aircraft's route as the server's planner builds it (`src/planner/route.ts`, which the web app may not
 * import): from its staging airport through its destination stops, an open path, the shortest order whose
 * every leg is within the aircraft's range. The board rebuilds the routes a move changes with it, so the
 * range and stops it checks are the ones the server will find.
 */

export interface Point {
  code: string;
  lat: number;
  lon: number;
}

export interface Leg {
  from: string;
  to: string;
  distanceKm: number;
}

export interface Route {
  /** Airport codes in flying order, staging first. */
  order: string[];
  legs: Leg[];
  distanceKm: number;
}

const earthRadiusKm = 6371.0088;

/** Great-circle distance (haversine), in km. */
export function greatCircleKm(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * earthRadiusKm * Math.asin(Math.min(1, Math.sqrt(h)));
}

const round1 = (x: number) => Math.round(x * 10) / 10;

/**
 * Shortest open route from `staging` through every stop, each leg within `rangeKm` (when given); null when
 * no order respects the range. Exact (Held–Karp) up to 12 stops, nearest-neighbour beyond: the server's
 * method, so both find the same order.
 */
export function bestRoute(staging: Point, stops: readonly Point[], rangeKm?: number): Route | null {
  const k = stops.length;
  const pts = [staging, ...stops];
  const d = pts.map((a) => pts.map((b) => greatCircleKm(a, b)));
  const dist = (a: number, b: number) => d[a]?.[b] ?? Number.POSITIVE_INFINITY;
  const range = rangeKm ?? Number.POSITIVE_INFINITY;
  const ok = (a: number, b: number) => dist(a, b) <= range + 1e-9;
  let order: number[];
  if (k === 0) order = [];
  else if (k <= 12) {
    // best[mask * k + last]: the shortest path from staging through the stops in `mask`, ending at `last`.
    const full = (1 << k) - 1;
    const best = new Float64Array((full + 1) * k).fill(Number.POSITIVE_INFINITY);
    const parent = new Int32Array((full + 1) * k).fill(-1);
    const at = (mask: number, j: number) => best[mask * k + j] ?? Number.POSITIVE_INFINITY;
    for (let j = 0; j < k; j++) if (ok(0, j + 1)) best[(1 << j) * k + j] = dist(0, j + 1);
    for (let mask = 1; mask <= full; mask++)
      for (let j = 0; j < k; j++) {
        const cur = at(mask, j);
        if (!Number.isFinite(cur) || !(mask & (1 << j))) continue;
        for (let x = 0; x < k; x++) {
          if (mask & (1 << x) || !ok(j + 1, x + 1)) continue;
          const next = mask | (1 << x);
          const v = cur + dist(j + 1, x + 1);
          if (v < at(next, x)) {
            best[next * k + x] = v;
            parent[next * k + x] = j;
          }
        }
      }
    let last = -1;
    for (let j = 0; j < k; j++) if (last < 0 || at(full, j) < at(full, last)) last = j;
    if (!Number.isFinite(at(full, last))) return null;
    order = [];
    let mask = full;
    while (last >= 0) {
      order.unshift(last);
      const prev = parent[mask * k + last] ?? -1;
      mask &= ~(1 << last);
      last = prev;
    }
  } else {
    order = [];
    const left = new Set(stops.map((_, j) => j));
    let from = 0;
    while (left.size > 0) {
      let next = -1;
      for (const j of left)
        if (ok(from, j + 1) && (next < 0 || dist(from, j + 1) < dist(from, next + 1))) next = j;
      if (next < 0) return null;
      order.push(next);
      left.delete(next);
      from = next + 1;
    }
  }
  const seq = [0, ...order.map((j) => j + 1)];
  const code = (x: number | undefined) => pts[x ?? 0]?.code ?? "";
  const legs: Leg[] = [];
  let total = 0;
  for (let x = 1; x < seq.length; x++) {
    const km = dist(seq[x - 1] ?? 0, seq[x] ?? 0);
    total += km;
    legs.push({ from: code(seq[x - 1]), to: code(seq[x]), distanceKm: round1(km) });
  }
  return { order: seq.map(code), legs, distanceKm: round1(total) };
}
