/**
 * The kept case files (src/cases/document.ts, drizzle/0020_case_files_kept.sql): a read serves the file kept
 * for the reader's party while it is current, and every write to what the file shows — a step, a hold, an
 * assurance of the person or of an operation listing them, a listing — drops the kept file, so the next read
 * shows the write. While a write of the person is in flight, a read keeps nothing. Kept files are the party's
 * own under row-level security; the locks and the drop are the database functions' alone.
 */
import { randomUUID } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestApp, testApp } from "../../test/app.ts";
import { buildCase, buildOperation, giveAssurance, transition } from "../../test/factories.ts";
import { sqlStateOf } from "../db/errors.ts";
import { caseFiles, caseTransitions, charges } from "../db/schema.ts";
import { runDeadlineClock } from "./deadline-clock.ts";

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(() => t.close());

const read = async (caseId: string, role: "auditor" | "secretariat" = "auditor") => {
  const res = await t.app.inject({ url: `/api/cases/${caseId}`, headers: await t.as(role) });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};
/** The file kept for MX (read past row-level security, as the database's owner). */
const keptFor = async (caseId: string) =>
  (
    await t.database.db
      .select()
      .from(caseFiles)
      .where(and(eq(caseFiles.caseId, caseId), eq(caseFiles.party, "MX")))
  )[0];
/** Marks the kept file's text (a version no case reaches here), so a read served from it shows the mark. */
const marked = 999;
const mark = (caseId: string) =>
  t.database.db
    .update(caseFiles)
    .set({ doc: sql`jsonb_set(${caseFiles.doc}::jsonb, '{version}', ${String(marked)}::jsonb)::text` })
    .where(eq(caseFiles.caseId, caseId));
const isMarked = (file: { version: number }) => file.version === marked;
const rowsOf = <R>(result: unknown): R[] => (result as { rows: R[] }).rows;

describe("kept case files", () => {
  it("serves the kept file while it is current, and builds it again after a step", async () => {
    const c = await buildCase(t);
    const first = await read(c.id);
    const kept = await keptFor(c.id);
    expect(kept).toMatchObject({ personId: c.personId, party: "MX" });
    expect(JSON.parse(kept!.doc)).toEqual(first);

    await mark(c.id);
    expect(isMarked(await read(c.id))).toBe(true);
    expect(isMarked(await read(c.id, "secretariat"))).toBe(true);

    const step = await transition(t, c.id, "secretariat", { transition: "begin-analysis" });
    expect(step.statusCode, step.body).toBe(201);
    expect(await keptFor(c.id)).toBeUndefined();
    const after = await read(c.id);
    expect(after).toMatchObject({ state: "under-analysis", version: 2 });
    expect(after.history).toHaveLength(1);
    expect(JSON.parse((await keptFor(c.id))!.doc)).toEqual(after);
  });

  it("builds the file again on another day, or when the code it was built by differs", async () => {
    const c = await buildCase(t);
    await read(c.id);
    for (const stale of [{ builtOn: "2020-01-01" }, { shape: "an earlier release" }]) {
      await mark(c.id);
      await t.database.db.update(caseFiles).set(stale).where(eq(caseFiles.caseId, c.id));
      expect(isMarked(await read(c.id)), JSON.stringify(stale)).toBe(false);
      expect((await keptFor(c.id))!.builtOn).not.toBe("2020-01-01");
    }
  });

  it("drops the files kept on earlier days at the deadline clock's first run of a day, and only those", async () => {
    const [old, current] = [await buildCase(t), await buildCase(t)];
    await read(old.id);
    await read(current.id);
    await t.database.db.update(caseFiles).set({ builtOn: "2020-01-01" }).where(eq(caseFiles.caseId, old.id));
    const clock = { ...t.s.deadlineClock, filesDroppedOn: null };
    await runDeadlineClock({ ...t.s, deadlineClock: clock });
    expect(clock.filesDroppedOn).toBe(new Date().toISOString().slice(0, 10));
    expect(await keptFor(old.id)).toBeUndefined();
    expect(await keptFor(current.id)).toBeDefined();
  });

  it("shows a hold, an assurance and a listing filed after the file was kept", async () => {
    const c = await buildCase(t);
    const other = await buildCase(t);
    await read(c.id);
    await read(other.id);

    const hold = await t.app.inject({
      method: "POST",
      url: "/api/holds",
      headers: await t.as("judge"),
      payload: { personId: c.personId, kind: "amparo", source: "Juzgado Primero", filedOn: "2026-01-20" },
    });
    expect(hold.statusCode, hold.body).toBe(201);
    expect((await read(c.id)).holds.map((h: { id: string }) => h.id)).toEqual([hold.json().id]);

    const given = await giveAssurance(t, c.personId, "2026-01-21");
    expect(given.statusCode, given.body).toBe(201);
    expect((await read(c.id)).assurances).toEqual([
      { id: given.json().id, kind: "no-death-penalty", status: "given" },
    ]);

    // An assurance of an operation covers everyone it lists: both files show it.
    await mark(other.id);
    const op = await buildOperation(t, {
      people: [
        { personId: c.personId, caseId: c.id },
        { personId: other.personId, caseId: other.id },
      ],
    });
    const released = await t.app.inject({
      method: "POST",
      url: `/api/operations/${op.id}/releases`,
      headers: await t.as("operations-planner"),
      payload: { toParty: "US" },
    });
    expect(released.statusCode, released.body).toBe(201);
    // Kept again before the assurance, so that only the assurance's write (through its operation) drops it.
    await read(other.id);
    await mark(other.id);
    expect(isMarked(await read(other.id))).toBe(true);
    const opAssurance = await giveAssurance(t, { operationId: op.id }, "2026-01-22");
    expect(opAssurance.statusCode, opAssurance.body).toBe(201);
    const otherFile = await read(other.id);
    expect(isMarked(otherFile)).toBe(false);
    expect(otherFile.assurances.map((a: { id: string }) => a.id)).toEqual([opAssurance.json().id]);
    expect((await read(c.id)).assurances.map((a: { id: string }) => a.id).sort()).toEqual(
      [given.json().id, opAssurance.json().id].sort(),
    );
    // The files of people the writes did not touch stay kept.
    const untouched = await buildCase(t);
    await read(untouched.id);
    await mark(untouched.id);
    await t.app.inject({
      method: "POST",
      url: "/api/holds",
      headers: await t.as("judge"),
      payload: { personId: c.personId, kind: "amparo", source: "Juzgado Segundo", filedOn: "2026-01-23" },
    });
    expect(isMarked(await read(untouched.id))).toBe(true);
  });

  it("drops the file at a write to a charge or a step, found through its request or its case", async () => {
    // Written past the API, as an administrator's correction would be: the database finds the person itself,
    // whichever the change (a row added, corrected or removed).
    const c = await buildCase(t);
    const step = await transition(t, c.id, "secretariat", { transition: "begin-analysis" });
    expect(step.statusCode, step.body).toBe(201);
    const other = await buildCase(t);
    const writes = {
      "charge added": () =>
        t.database.db.insert(charges).values({
          id: randomUUID(),
          party: "US",
          recordedAt: new Date(),
          requestId: c.request.id,
          statute: "Added statute",
          description: "Added charge",
        }),
      charge: () =>
        t.database.db
          .update(charges)
          .set({ description: "Corrected description" })
          .where(eq(charges.requestId, c.request.id)),
      step: () =>
        t.database.db
          .update(caseTransitions)
          .set({ reasons: "Corrected reasons" })
          .where(eq(caseTransitions.caseId, c.id)),
      "charge removed": () =>
        t.database.db
          .delete(charges)
          .where(and(eq(charges.requestId, c.request.id), eq(charges.statute, "Added statute"))),
    };
    for (const [name, write] of Object.entries(writes)) {
      for (const kept of [c, other]) {
        await read(kept.id);
        await mark(kept.id);
      }
      expect(isMarked(await read(c.id)), name).toBe(true);
      await write();
      expect(await keptFor(c.id), name).toBeUndefined();
      expect(isMarked(await read(c.id)), name).toBe(false);
      expect(isMarked(await read(other.id)), name).toBe(true);
    }
    expect((await read(c.id)).history[0]).toMatchObject({ reasons: "Corrected reasons" });
  });

  it("keeps a party's files to that party, and the locks and drops to the database", async () => {
    const c = await buildCase(t);
    await read(c.id);
    const as = <T>(party: string, fn: () => Promise<T>) =>
      t.database.scoped({ party, actorId: `case-files-test-${party}` }, fn);
    const seen = (party: string) =>
      as(party, async () =>
        rowsOf<{ n: unknown }>(
          await t.database.app.execute(sql`select count(*) as n from case_files where case_id = ${c.id}`),
        ),
      );
    expect(Number((await seen("MX"))[0]!.n)).toBe(1);
    expect(Number((await seen("US"))[0]!.n)).toBe(0);
    // Another party cannot plant a file for MX, nor read or move the stamps.
    const refused = async (party: string, statement: ReturnType<typeof sql>) => {
      try {
        await as(party, () => t.database.app.execute(statement));
      } catch (e) {
        return sqlStateOf(e);
      }
      return "none";
    };
    expect(
      await refused(
        "US",
        sql`insert into case_files (case_id, party, person_id, built_on, shape, doc) values (${c.id}, 'MX', ${c.personId}, current_date, 'x', '{}')`,
      ),
    ).toBe("42501");
    // Nor may the application drop files or hold back the readers of all but through a write.
    expect(await refused("MX", sql`select forget_case_files(array[${c.personId}::uuid])`)).toBe("42501");
    expect(await refused("MX", sql`do $$ begin lock table case_file_guard in share mode; end $$`)).toBe(
      "42501",
    );
    expect(await keptFor(c.id)).toBeDefined();
    expect((await read(c.id)).id).toBe(c.id);
  });

  // Two transactions at once need a server (PGlite runs one at a time).
  it.skipIf(!process.env.TEST_DATABASE_URL)(
    "keeps nothing while a write of the person is in flight, and shows the write once it commits",
    async () => {
      const c = await buildCase(t);
      const crowd = await Promise.all(Array.from({ length: 40 }, () => buildCase(t)));
      const writer = new pg.Client({ connectionString: t.database.url });
      await writer.connect();
      try {
        // One case's write takes its person's lock; a write of more than 32 people takes the guard.
        for (const [what, written] of [
          ["a write of the person", [c]],
          ["a write of many people", crowd],
        ] as const) {
          await writer.query("begin");
          await writer.query("update cases set duplicate_reason = $1 where id = any($2::uuid[])", [
            what,
            written.map((x) => x.id),
          ]);
          expect((await read(c.id)).duplicateReason, what).not.toBe(what);
          expect(await keptFor(c.id), what).toBeUndefined();
          await writer.query("commit");
          expect((await read(written[0]!.id)).duplicateReason, what).toBe(what);
          await read(c.id);
          expect(await keptFor(c.id), what).toBeDefined();
          await t.database.db.delete(caseFiles).where(eq(caseFiles.caseId, c.id));
        }
      } finally {
        await writer.end();
      }
    },
  );
});
