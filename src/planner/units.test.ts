import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { binsForTotal, lowerBounds, martelloTothL2, maxClique } from "./bounds.ts";
import { bppcCore, bppcProblem, checkBppc, parseBppc, solveBppc, solveBppcFfd } from "./bppc.ts";
import { coverPacking } from "./bppc-cover.ts";
import { searchBppc } from "./bppc-search.ts";
import { createRng } from "./rng.ts";
import { bestRoute, greatCircleKm } from "./route.ts";

describe("bounds", () => {
  it("seats: fewest aircraft whose seats cover the total", () => {
    expect(binsForTotal(41, [20, 20, 20])).toBe(3);
    expect(binsForTotal(40, [20, 20, 20])).toBe(2);
    expect(binsForTotal(30, [25, 10, 5])).toBe(2);
    expect(binsForTotal(100, [20, 20])).toBe(5); // beyond the fleet: extrapolated
  });

  it("Martello–Toth L2 counts items that cannot pair", () => {
    expect(martelloTothL2([60, 60, 60], 100)).toBe(3); // L1 would say 2
  });

  it("finds the largest clique", () => {
    const edges = new Set(["0-1", "0-2", "1-2", "2-3", "3-4"]);
    const adj = (i: number, j: number) => edges.has(`${Math.min(i, j)}-${Math.max(i, j)}`);
    expect(maxClique(5, adj).sort()).toEqual([0, 1, 2]);
  });

  it("clique + room: spare seats in the clique's aircraft cannot take everyone", () => {
    // Three mutually conflicting items of 8 (capacity 10), and one 5 (too big to join an 8), form a
    // clique of 4; their spare room takes one more 5 at most, so the last 5 needs a fifth bin.
    const inst = parseBppc("6 10\n1 8 2 3\n2 8 3\n3 8\n4 5\n5 5\n6 5\n");
    const b = lowerBounds(bppcProblem(inst, 6));
    expect(b.clique).toBe(4);
    expect(b.seats).toBe(4);
    expect(b.cliqueRoom).toBe(5);
    expect(solveBppc(inst).bins).toBe(5);
  });
});

describe("routing", () => {
  const a = (code: string, lat: number, lon: number) => ({ code, lat, lon });
  const TLC = a("TLC", 19.34, -99.57);
  const SAT = a("SAT", 29.53, -98.47);
  const IAD = a("IAD", 38.95, -77.46);
  const JFK = a("JFK", 40.64, -73.78);

  it("great-circle distance is about right", () => {
    expect(greatCircleKm(IAD, JFK)).toBeGreaterThan(340);
    expect(greatCircleKm(IAD, JFK)).toBeLessThan(260 + 150);
  });

  it("flies the shortest order through the stops", () => {
    const r = bestRoute(TLC, [JFK, SAT, IAD])!;
    expect(r.order).toEqual(["TLC", "SAT", "IAD", "JFK"]);
    expect(r.legs).toHaveLength(3);
    expect(r.distanceKm).toBeCloseTo(
      r.legs.reduce((s, l) => s + l.distanceKm, 0),
      0,
    );
  });

  it("respects range on every leg, or reports none", () => {
    expect(bestRoute(TLC, [JFK], 2000)).toBeNull();
    const viaSat = bestRoute(TLC, [SAT, IAD], 2400)!;
    expect(viaSat.order).toEqual(["TLC", "SAT", "IAD"]);
  });
});

describe("BPPC literature format", () => {
  it("parses `n C` then `i w j…`, conflicts listed once", () => {
    const inst = parseBppc("3 11\n1 4 2 3\n2 6\n3 5\n");
    expect(inst).toMatchObject({ n: 3, capacity: 11, weights: [4, 6, 5] });
    expect(inst.edges).toEqual([
      [0, 1],
      [0, 2],
    ]);
    const s = solveBppc(inst);
    expect(s.bins).toBe(2);
    expect(s.provenOptimal).toBe(true);
    expect(checkBppc(inst, s.assignment)).toEqual([]);
  });

  it("rejects malformed input with the line", () => {
    expect(() => parseBppc("2 10\n1 4\n")).toThrow(/expected 2 item lines/);
    expect(() => parseBppc("2 10\n1 4 9\n2 3\n")).toThrow(/line 2: conflict 9 out of range/);
  });

  const dir =
    process.env.TRASLADO_BPPC_DIR ?? new URL("../../../shared/bench/bppc/", import.meta.url).pathname;
  it.skipIf(!existsSync(`${dir}/instances/BPPC_1_2_1.txt`))(
    "reaches the best known value on a literature instance",
    () => {
      const inst = parseBppc(readFileSync(`${dir}/instances/BPPC_1_2_1.txt`, "utf8"));
      const s = solveBppc(inst, { timeLimitMs: 1000 });
      expect(checkBppc(inst, s.assignment)).toEqual([]);
      expect(s.bins).toBeLessThanOrEqual(48);
      expect(solveBppcFfd(inst).bins).toBeGreaterThanOrEqual(s.bins);
    },
  );
});

describe("BPPC engine", () => {
  const core = (text: string) => {
    const inst = parseBppc(text);
    return { inst, c: bppcCore(inst) };
  };
  const opts = { rng: createRng(1), clock: () => 0, deadline: 1 };

  it("exact cover: packs full bins when the bound leaves no slack", () => {
    // Two triplets fill two bins of 10 exactly; 1-2 conflict, so {1,2,x} is not a bin.
    const { inst, c } = core("6 10\n1 4 2\n2 3\n3 3\n4 4\n5 3\n6 3\n");
    const r = coverPacking(c, 2, opts);
    expect(r.kind).toBe("found");
    if (r.kind === "found") expect(checkBppc(inst, Array.from(r.assignment))).toEqual([]);
  });

  it("exact cover: proves the bound infeasible when conflicts break every full bin", () => {
    // The only full bins are {4,3,3}; the two 4s conflict with all four 3s: two bins are impossible.
    const { c } = core("6 10\n1 4 3 4 5 6\n2 4 3 4 5 6\n3 3\n4 3\n5 3\n6 3\n");
    expect(coverPacking(c, 2, opts).kind).toBe("none");
    const s = solveBppc(parseBppc("6 10\n1 4 3 4 5 6\n2 4 3 4 5 6\n3 3\n4 3\n5 3\n6 3\n"));
    expect(s.bins).toBe(3);
    expect(s.lowerBound).toBe(3);
    expect(s.provenOptimal).toBe(true);
  });

  it("tabu search: every packing it returns is valid and never worse than its start", () => {
    const rng = createRng(7);
    for (let t = 0; t < 20; t++) {
      const n = 30;
      const lines = [`${n} 100`];
      for (let i = 1; i <= n; i++) {
        const conf = Array.from({ length: n }, (_, j) => j + 1).filter((j) => j > i && rng() < 0.15);
        lines.push(`${i} ${20 + Math.floor(rng() * 50)} ${conf.join(" ")}`);
      }
      const { inst, c } = core(lines.join("\n"));
      const start = solveBppcFfd(inst);
      const r = searchBppc(
        c,
        start.assignment,
        { rng: createRng(t), lowerBound: 1, clock: () => 0, deadline: 1, maxIterations: 3000 },
        lowerBounds(bppcProblem(inst)).cliqueItems,
      );
      expect(checkBppc(inst, Array.from(r.assignment))).toEqual([]);
      expect(r.bins).toBeLessThanOrEqual(start.bins);
    }
  });
});
