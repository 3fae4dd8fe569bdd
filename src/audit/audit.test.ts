import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestDatabase, testDatabase } from "../../test/db.ts";
import type { Actor } from "../auth/roles.ts";
import { openDatabase } from "../db/client.ts";
import { auditEvents, organisations } from "../db/schema.ts";
import { verifyAudit } from "./verify.ts";
import { write } from "./write.ts";

const actor: Actor = { id: "t-1", name: "Test liaison", party: "MX", role: "admin" };
let database: TestDatabase;

beforeAll(async () => {
  database = await testDatabase();
});
afterAll(async () => {
  await database.close();
});

const db = () => database.db;

describe("audit chain", () => {
  it("records every write and verifies an untouched chain", async () => {
    const { db } = database;
    const org = await write(db, actor, (w) =>
      w.insertOne(organisations, { name: "Sinaloa", aliases: ["CDS"] }),
    );
    await write(db, actor, (w) =>
      w.update(organisations, org.id, { notes: "checked" }, { expectedVersion: 1 }),
    );
    const events = await db.select().from(auditEvents);
    expect(events.map((e) => e.kind)).toEqual(["organisation.created", "organisation.updated"]);
    expect(events[1]?.before).toMatchObject({ version: 1 });
    expect(events[1]?.after).toMatchObject({ version: 2, notes: "checked" });
    const report = await verifyAudit(db);
    expect(report).toMatchObject({ ok: true, eventsChecked: 2, rowsChecked: 1 });
  });

  it("refuses a stale version and writes nothing", async () => {
    const { db } = database;
    const [org] = await db.select().from(organisations);
    await expect(
      write(db, actor, (w) => w.update(organisations, org!.id, { notes: "stale" }, { expectedVersion: 1 })),
    ).rejects.toMatchObject({ code: "VERSION_CONFLICT" });
    expect((await db.select().from(auditEvents)).length).toBe(2);
  });

  it("links the events of two processes writing at once: one position each, the chain intact", async () => {
    // A second handle on the same database has its own linker, as another process would.
    const other = database.url
      ? await openDatabase({ kind: "postgres", url: database.url })
      : await openDatabase({ kind: "pglite", pglite: database.pglite! });
    try {
      const before = (await db().select().from(auditEvents)).length;
      const writes = Array.from({ length: 40 }, (_, i) =>
        write(i % 2 ? other.db : db(), actor, (w) => w.insertOne(organisations, { name: `Cell ${i}` })),
      );
      await Promise.all(writes);
      const events = await db().select().from(auditEvents).orderBy(auditEvents.seq);
      expect(events.length).toBe(before + 40);
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
      const report = await verifyAudit(db());
      expect(report.problems).toEqual([]);
      expect(report.ok).toBe(true);
    } finally {
      // The PGlite instance is shared: only the first handle closes it.
      if (database.url) await other.close();
    }
  });

  it("reports a row edited behind the application's back", async () => {
    const { db } = database;
    await db.execute(sql`update organisations set notes = 'tampered'`);
    const report = await verifyAudit(db);
    expect(report.ok).toBe(false);
    expect(report.problems[0]).toMatchObject({ where: "row", entity: "organisation" });
    expect(report.problems[0]?.message).toMatch(/edited/);
  });
});
