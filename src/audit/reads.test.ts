/**
 * The reads log's batching, against a database whose inserts are slow: reads noted while a batch is being
 * written wait for a full batch (or the timer) instead of each write being followed at once by another of
 * the few rows that came in meanwhile.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { Param } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { Actor } from "../auth/roles.ts";
import type { Db } from "../db/client.ts";
import { readLog } from "./reads.ts";

/** A stand-in database: each insert takes `ms` and records how many rows it carried. */
function slowDb(ms: number) {
  const inserts: number[] = [];
  const db = {
    async execute(query: { queryChunks: unknown[] }) {
      // Each column of the batch is one array parameter: the first one's length is the batch's.
      const param = query.queryChunks.find((c) => c instanceof Param && Array.isArray(c.value)) as Param;
      inserts.push((param.value as unknown[]).length);
      await sleep(ms);
    },
  } as unknown as Db;
  return { db, inserts };
}

const actor = { id: "u1", name: "Ana", party: "MX" } as Actor;

describe("the reads log", () => {
  it("writes full batches under a steady stream of reads, and everything at the flush", async () => {
    const { db, inserts } = slowDb(5);
    const log = readLog(db, { batch: 100, flushMs: 60_000 });
    // 1,000 reads, 10 every millisecond or so: far more arrive during one insert than a few.
    for (let i = 0; i < 1000; i++) {
      log.record(
        actor,
        "case",
        `00000000-0000-7000-8000-${String(i).padStart(12, "0")}`,
        "GET /api/cases/:id",
      );
      if (i % 10 === 9) await sleep(1);
    }
    await log.flush();
    expect(inserts.reduce((a, b) => a + b, 0)).toBe(1000);
    expect(log.pending).toEqual({ queued: 0, dropped: 0 });
    // Ten batches of 100 (and the flush's rest), not an insert of the few reads that came in during the
    // one before, again and again (23 inserts here before this was fixed).
    expect(inserts.length).toBeLessThanOrEqual(12);
    expect(inserts.filter((n) => n === 100).length).toBeGreaterThanOrEqual(9);
  });

  it("writes a lone read when its timer fires", async () => {
    const { db, inserts } = slowDb(1);
    const log = readLog(db, { batch: 100, flushMs: 20 });
    log.record(actor, "case", "00000000-0000-7000-8000-000000000001", "GET /api/cases/:id");
    await sleep(80);
    expect(inserts).toEqual([1]);
  });
});
