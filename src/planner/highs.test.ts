import { expect, it } from "vitest";
import { checkBppc, parseBppc } from "./bppc.ts";
import { solveBppcHighs } from "./highs.ts";

it("HiGHS solves a small BPPC instance in a worker thread, within its time limit", async () => {
  const inst = parseBppc("6 10\n1 8 2 3\n2 8 3\n3 8\n4 5\n5 5\n6 5\n");
  const r = await solveBppcHighs(inst, { timeLimitMs: 5000, binCount: 6 });
  expect(r.status).toBe("Optimal");
  expect(r.bins).toBe(5);
  expect(checkBppc(inst, r.assignment!)).toEqual([]);
}, 30_000);
