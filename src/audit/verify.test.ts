import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestDatabase, testDatabase } from "../../test/db.ts";
import { verifyAuditInMemory } from "../../test/verify-in-memory.ts";
import type { Actor } from "../auth/roles.ts";
import { organisations } from "../db/schema.ts";
import { verifyAudit } from "./verify.ts";
import { write } from "./write.ts";

const actor: Actor = { id: "t-1", name: "Test liaison", party: "MX", role: "admin" };
let database: TestDatabase;
const ids: string[] = [];

beforeAll(async () => {
  database = await testDatabase();
  for (let i = 0; i < 12; i++) {
    const org = await write(database.db, actor, (w) => w.insertOne(organisations, { name: `Cell ${i}` }));
    ids.push(org.id);
  }
  await write(database.db, actor, (w) =>
    w.update(organisations, ids[3]!, { notes: "seen" }, { expectedVersion: 1 }),
  );
  await write(database.db, actor, (w) => w.remove(organisations, ids[5]!, { expectedVersion: 1 }));
});
afterAll(() => database.close());

/** Both verifiers on the database as it is now: the streaming one must say exactly what the old one said. */
async function bothAgree(maxProblems?: number) {
  const { mode, checkpointsChecked, documentsChecked, chainEnd, ...streamed } = await verifyAudit(
    database.db,
    {
      maxProblems,
    },
  );
  const inMemory = await verifyAuditInMemory(database.db, { maxProblems });
  expect(streamed).toEqual(inMemory);
  // Documents are checked only when a store is given (`documents`), which the in-memory check never had.
  expect({ mode, checkpointsChecked, documentsChecked }).toEqual({
    mode: "full",
    checkpointsChecked: 0,
    documentsChecked: 0,
  });
  return streamed;
}

describe("audit verify, streaming", () => {
  it("passes an untouched chain with the same counts as the in-memory check", async () => {
    const report = await bothAgree();
    expect(report).toMatchObject({ ok: true, eventsChecked: 14, rowsChecked: 11, problems: [] });
  });

  it("reports rows edited, inserted, deleted and brought back behind the application's back, as before and in the same order", async () => {
    const { db } = database;
    await db.execute(sql`update organisations set notes = 'tampered' where id = ${ids[7]}`);
    // Deleted in the reverse of their order in the chain: the report still lists them in chain order.
    await db.execute(sql`delete from organisations where id in (${ids[9]}, ${ids[2]}, ${ids[3]})`);
    await db.execute(sql`insert into organisations (id, name, party, version, recorded_at)
      values ('00000000-0000-7000-8000-000000000001', 'Ghost', 'MX', 1, now())`);
    await db.execute(sql`insert into organisations (id, name, party, version, recorded_at)
      values (${ids[5]}, 'Cell 5', 'MX', 1, now())`);
    const report = await bothAgree();
    expect(report.ok).toBe(false);
    expect(report.problems.map((p) => p.message.replace(/ [0-9a-f-]{36}/, " <id>"))).toEqual([
      "organisation <id> has no audit event: it was inserted behind the application's back",
      "organisation <id> was deleted by the application but exists again",
      "organisation <id> differs from its last audited after-image: it was edited behind the application's back",
      "organisation <id> is missing: it was deleted behind the application's back",
      "organisation <id> is missing: it was deleted behind the application's back",
      "organisation <id> is missing: it was deleted behind the application's back",
    ]);
    // Rows in id order (ids are time-ordered: the ghost's is the smallest), then the missing ones.
    expect(report.problems.slice(0, 3).map((p) => p.entityId)).toEqual([
      "00000000-0000-7000-8000-000000000001",
      ids[5],
      ids[7],
    ]);
    expect(report.problems.slice(3).map((p) => p.entityId)).toEqual([ids[2], ids[3], ids[9]]);
    // Cut short: the first problems, as many as asked for, the same as before.
    await bothAgree(4);
    await bothAgree(1);
  });

  it("reports an event removed from the chain first, then the rows, as before", async () => {
    await database.db.execute(sql`delete from audit_events where seq = 4`);
    const report = await bothAgree();
    expect(report.problems[0]?.message).toMatch(/^event 4 is missing/);
  });
});
