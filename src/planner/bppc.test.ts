import { describe, expect, it } from "vitest";
import { lowerBounds } from "./bounds.ts";
import { bppcCore, bppcProblem, checkBppc, parseBppc, solveBppc, solveBppcFfd } from "./bppc.ts";
import { coverPacking, enumerateSets, ORDERS } from "./bppc-cover.ts";
import { overloadSearch } from "./bppc-overload.ts";
import { createRng } from "./rng.ts";

const core = (text: string) => {
  const inst = parseBppc(text);
  return { inst, c: bppcCore(inst) };
};
const noClock = { clock: () => 0, deadline: 1 };

/** A random instance: n items of weight 20–69 in bins of 100, each pair in conflict with probability q. */
const randomText = (rng: () => number, n: number, q: number) => {
  const lines = [`${n} 100`];
  for (let i = 1; i <= n; i++) {
    const conf = Array.from({ length: n }, (_, j) => j + 1).filter((j) => j > i && rng() < q);
    lines.push(`${i} ${20 + Math.floor(rng() * 50)} ${conf.join(" ")}`);
  }
  return lines.join("\n");
};

describe("BPPC overload search", () => {
  it("finds the packing into one bin fewer that conflicts force (6+4, 6+4, 5+5)", () => {
    // Weights 6, 6, 4, 4, 5, 5 in bins of 10; 1–2 and 3–4 conflict. Three bins need 6+4, 6+4, 5+5.
    const { inst, c } = core("6 10\n1 6 2\n2 6\n3 4 4\n4 4\n5 5\n6 5\n");
    const start = [0, 1, 2, 3, 2, 3]; // 6 | 6 | 4+5 | 4+5: 4 bins
    const r = overloadSearch(c, start, 3, { rng: createRng(1), ...noClock, maxIterations: 1000 });
    expect(r.assignment).not.toBeNull();
    const a = Array.from(r.assignment!);
    expect(checkBppc(inst, a)).toEqual([]);
    expect(new Set(a).size).toBe(3);
  });

  it("every packing it returns is valid, with the bins asked for", () => {
    const rng = createRng(11);
    let found = 0;
    for (let t = 0; t < 20; t++) {
      const { inst, c } = core(randomText(rng, 30, 0.15));
      const start = solveBppcFfd(inst);
      const clique = lowerBounds(bppcProblem(inst)).cliqueItems;
      const pinned = new Uint8Array(inst.n);
      for (const i of clique) pinned[i] = 1;
      const r = overloadSearch(
        c,
        start.assignment,
        start.bins - 1,
        { rng: createRng(t), ...noClock, maxIterations: 2000 },
        pinned,
      );
      if (!r.assignment) continue;
      found++;
      const a = Array.from(r.assignment);
      expect(checkBppc(inst, a)).toEqual([]);
      expect(Math.max(...a) + 1).toBeLessThanOrEqual(start.bins - 1);
    }
    expect(found).toBeGreaterThan(0);
  });
});

describe("BPPC exact cover", () => {
  it("uses the slack budget: a packing into k bins whose bins together leave the slack free", () => {
    // Σw = 27, k = 3, C = 10: slack 3 in all. Conflicts rule out the exactly full bins {6,4}.
    const { inst, c } = core("6 10\n1 6 3 4\n2 6 3 4\n3 4\n4 4\n5 4\n6 3\n");
    const r = coverPacking(c, 3, { rng: createRng(1), ...noClock });
    expect(r.kind).toBe("found");
    if (r.kind === "found") {
      expect(checkBppc(inst, Array.from(r.assignment))).toEqual([]);
      expect(new Set(r.assignment).size).toBe(3);
    }
    // Two bins cannot hold 27.
    expect(coverPacking(c, 2, { rng: createRng(1), ...noClock }).kind).toBe("none");
  });

  it("decides alike in each order of the rows, looking ahead or not, and every cover it finds packs", () => {
    // Five planted triplets filling bins of 100 exactly, then conflicts between any two items: some
    // instances keep a packing into five bins, others lose every one.
    const rng = createRng(9);
    const kinds = new Set<string>();
    for (let t = 0; t < 40; t++) {
      const lines = ["15 100"];
      const weights: number[] = [];
      for (let b = 0; b < 5; b++) {
        const a = 34 + Math.floor(rng() * 17);
        const second = 20 + Math.floor(rng() * 14);
        weights.push(a, second, 100 - a - second);
      }
      for (let i = 1; i <= 15; i++) {
        const conf = Array.from({ length: 15 }, (_, j) => j + 1).filter((j) => j > i && rng() < 0.12);
        lines.push(`${i} ${weights[i - 1]} ${conf.join(" ")}`);
      }
      const { inst, c } = core(lines.join("\n"));
      const decided = ORDERS.map((order) => {
        const r = coverPacking(c, 5, { rng: createRng(t), ...noClock, orders: [order], maxNodes: 1e6 });
        if (r.kind === "found") {
          expect(checkBppc(inst, Array.from(r.assignment))).toEqual([]);
          expect(new Set(r.assignment).size).toBe(5);
        }
        return r.kind;
      });
      expect(new Set(decided).size).toBe(1);
      kinds.add(decided[0]!);
    }
    expect([...kinds].sort()).toEqual(["found", "none"]);
  });

  it("says whether it listed the candidate bins before it gave up", () => {
    const { c } = core("6 10\n1 6 3 4\n2 6 3 4\n3 4\n4 4\n5 4\n6 3\n");
    // Too many candidate bins to list: the search never started.
    expect(coverPacking(c, 3, { rng: createRng(1), ...noClock, maxSets: 2 })).toEqual({
      kind: "unknown",
      listed: false,
    });
    // Listed, then out of search nodes.
    expect(coverPacking(c, 3, { rng: createRng(1), ...noClock, maxNodes: 0 })).toEqual({
      kind: "unknown",
      listed: true,
    });
  });
});

describe("solveBppc", () => {
  it("is deterministic for a seed with maxIterations, and every packing is valid", () => {
    const rng = createRng(5);
    for (let t = 0; t < 5; t++) {
      const inst = parseBppc(randomText(rng, 40, 0.1));
      const a = solveBppc(inst, { seed: 3, maxIterations: 3000, timeLimitMs: 60_000 });
      const b = solveBppc(inst, { seed: 3, maxIterations: 3000, timeLimitMs: 60_000 });
      expect(a.assignment).toEqual(b.assignment);
      expect(checkBppc(inst, a.assignment)).toEqual([]);
      expect(a.bins).toBeGreaterThanOrEqual(a.lowerBound);
    }
  });
});

describe("checkBppc", () => {
  it("names each broken rule, and nothing for a packing", () => {
    const inst = parseBppc("3 10\n1 6 2\n2 5\n3 5\n");
    expect(checkBppc(inst, [0, 0, -1])).toEqual([
      "item 3 unassigned",
      "bin 0 holds 11 > 10",
      "items 1 and 2 conflict in bin 0",
    ]);
    expect(checkBppc(inst, [0, 1])).toEqual(["assignment has 2 entries, expected 3"]);
    expect(checkBppc(inst, [0, 1, 1])).toEqual([]);
  });
});

describe("BPPC candidate bins", () => {
  it("lists every conflict-free set that fills a bin to the minimum load, and nothing else", () => {
    const rng = createRng(5);
    for (let t = 0; t < 30; t++) {
      const n = 12;
      const { c } = core(randomText(rng, n, 0.2));
      const minLoad = 60 + Math.floor(rng() * 41); // 60–100: from a little slack to exactly full
      const expected: string[] = [];
      for (let mask = 1; mask < 1 << n; mask++) {
        const members = Array.from({ length: n }, (_, i) => i).filter((i) => mask & (1 << i));
        const load = members.reduce((sum, i) => sum + c.weight[i]!, 0);
        const free = members.every((i) => members.every((j) => !c.conflict[i * n + j]));
        if (free && load >= minLoad && load <= c.capacity) expected.push(members.join(","));
      }
      const fam = enumerateSets(c, minLoad, 100_000, 10_000_000, noClock);
      expect(fam).not.toBeNull();
      const listed: string[] = [];
      for (let r = 0; r < fam!.count; r++) {
        const members = Array.from(fam!.items.subarray(fam!.start[r]!, fam!.start[r + 1]!)).sort(
          (a, b) => a - b,
        );
        const load = members.reduce((sum, i) => sum + c.weight[i]!, 0);
        expect(fam!.slack[r]).toBe(c.capacity - load);
        listed.push(members.join(","));
      }
      expect(listed.sort()).toEqual(expected.sort());
    }
  });
});
