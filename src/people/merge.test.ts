import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestApp, testApp } from "../../test/app.ts";
import { verifyAudit } from "../audit/verify.ts";
import { write } from "../audit/write.ts";
import type { Actor } from "../auth/roles.ts";
import { auditEvents, people, personMerges, requests } from "../db/schema.ts";
import { seedDemoIfEmpty } from "../seed/demo.ts";
import { personReferences } from "./merge.ts";

const now = new Date("2026-03-02T12:00:00Z");
const officer: Actor = {
  id: "merge-test",
  name: "Merge test officer",
  party: "MX",
  role: "foreign-ministry",
};

/** The table of each entity that names a person. */
const tableOf: Record<(typeof personReferences)[number], string> = {
  affiliation: "affiliations",
  request: "requests",
  assurance: "assurances",
  legal_hold: "legal_holds",
  decision: "decisions",
  operation_person: "operation_people",
  case: "cases",
  handover: "handovers",
};

describe("merging two records of one person", () => {
  let t: TestApp;
  let merged: string;
  let survivor: string;

  const rows = async <T>(query: ReturnType<typeof sql>) =>
    ((await t.database.db.execute(query)) as unknown as { rows: T[] }).rows;

  /** Every row that names either person (by person_id or in a keep-apart list), with what a merge changes. */
  async function snapshot() {
    const out: Record<string, unknown[]> = {};
    for (const entity of personReferences) {
      const table = sql.identifier(tableOf[entity]);
      out[entity] = await rows(
        sql`select id, person_id, ${entity === "affiliation" ? sql`"primary"` : sql`null`} as "primary",
          ${entity === "operation_person" ? sql`keep_apart_from` : sql`null`} as apart
          from ${table} where person_id in (${merged}, ${survivor})
          ${entity === "operation_person" ? sql`or keep_apart_from ?| array[${merged}::text, ${survivor}::text]` : sql``}
          order by id`,
      );
    }
    return out;
  }
  const headers = () => t.as("foreign-ministry");
  const get = async (url: string) => t.app.inject({ url, headers: await headers() });
  const post = async (url: string, payload: object) =>
    t.app.inject({ method: "POST", url, headers: await headers(), payload });

  beforeAll(async () => {
    t = await testApp();
    await seedDemoIfEmpty(t.s, { now });
    // The merged record: the MX person named by the most kinds of rows; the survivor: one on no operation
    // of the merged one's (one person is listed once per operation).
    const [m] = await rows<{ id: string }>(sql`
      select p.id from people p where p.party = 'MX' order by (
        (select count(*) > 0 from affiliations x where x.person_id = p.id)::int + (select count(*) > 0 from requests x where x.person_id = p.id)::int
        + (select count(*) > 0 from assurances x where x.person_id = p.id)::int + (select count(*) > 0 from legal_holds x where x.person_id = p.id)::int
        + (select count(*) > 0 from decisions x where x.person_id = p.id)::int + (select count(*) > 0 from operation_people x where x.person_id = p.id)::int
        + (select count(*) > 0 from cases x where x.person_id = p.id)::int + (select count(*) > 0 from handovers x where x.person_id = p.id)::int
      ) desc, p.id limit 1`);
    merged = m!.id;
    const [s] = await rows<{ id: string }>(sql`
      select p.id from people p where p.party = 'MX' and p.id <> ${merged}
        and exists (select 1 from affiliations a where a.person_id = p.id and a.primary)
        and not exists (select 1 from operation_people a join operation_people b on a.operation_id = b.operation_id
                        where a.person_id = p.id and b.person_id = ${merged})
      order by p.id limit 1`);
    survivor = s!.id;
  }, 180_000);
  afterAll(() => t?.close());

  it("moves every reference to the survivor and back again, both audited, the chain intact", async () => {
    const before = await snapshot();
    const mergedPerson = (await get(`/api/people/${merged}`)).json();
    const survivorBefore = (await get(`/api/people/${survivor}`)).json();
    const kinds = Object.entries(before).filter(([, r]) => r.length > 0).length;
    expect(kinds).toBeGreaterThanOrEqual(6);

    // What was decided or signed: a merge changes only the person a decision or a handover names.
    const content = async () => {
      const out: Record<string, unknown>[] = [];
      for (const table of ["decisions", "handovers"])
        for (const r of await rows<Record<string, unknown>>(
          sql`select * from ${sql.identifier(table)} where person_id in (${merged}, ${survivor}) order by id`,
        )) {
          const { person_id: _p, version: _v, recorded_at: _r, ...kept } = r;
          out.push(kept);
        }
      return out;
    };
    const contentBefore = await content();
    expect(contentBefore.length).toBeGreaterThan(0);
    const res = await post(`/api/people/${merged}/merge`, {
      into: survivor,
      reason: "Same fingerprints (demo)",
    });
    expect(res.statusCode, res.body).toBe(201);
    const merge = res.json();
    expect(await content()).toEqual(contentBefore);
    expect(merge).toMatchObject({ mergedId: merged, survivorId: survivor, status: "active" });

    // Every row that named the merged record names the survivor; nothing else changed but a demoted primary.
    const after = await snapshot();
    for (const entity of personReferences) {
      const expected = (
        before[entity] as { id: string; person_id: string; primary: boolean | null; apart: string[] | null }[]
      ).map((r) => ({
        ...r,
        person_id: survivor,
        primary: entity === "affiliation" && r.person_id === merged ? false : r.primary,
        apart: r.apart && [...new Set(r.apart.map((p) => (p === merged ? survivor : p)))],
      }));
      // The survivor keeps its primary affiliation.
      if (entity === "affiliation") {
        for (const e of expected) {
          const was = (before.affiliation as { id: string; primary: boolean }[]).find((b) => b.id === e.id)!;
          if (
            (before.affiliation as { id: string; person_id: string }[]).find((b) => b.id === e.id)!
              .person_id === survivor
          )
            e.primary = was.primary;
        }
      }
      expect(after[entity], entity).toEqual(expected);
    }
    // The merged id resolves to the survivor, which has the other name as an alias and is found by it.
    const resolved = (await get(`/api/people/${merged}`)).json();
    expect(resolved.id).toBe(survivor);
    expect(resolved.aliases).toContain(`${mergedPerson.givenNames} ${mergedPerson.familyNames}`);
    const found = (
      await get(
        `/api/people?q=${encodeURIComponent(`${mergedPerson.givenNames} ${mergedPerson.familyNames}`)}&limit=3`,
      )
    ).json();
    expect(found.items.map((p: { id: string }) => p.id)).toContain(survivor);
    expect(found.items.map((p: { id: string }) => p.id)).not.toContain(merged);
    expect((await get(`/api/people/merges/${merge.id}`)).json().id).toBe(merge.id);
    const events = await t.database.db.select().from(auditEvents).where(eq(auditEvents.entityId, merged));
    expect(events.map((e) => e.kind)).toContain("person.merged");
    let report = await verifyAudit(t.database.db);
    expect(report.problems).toEqual([]);

    const undo = await post(`/api/people/merges/${merge.id}/undo`, {
      reason: "Two brothers after all (demo)",
    });
    expect(undo.statusCode, undo.body).toBe(200);
    expect(undo.json()).toMatchObject({ status: "undone", undoneReason: "Two brothers after all (demo)" });
    expect(await snapshot()).toEqual(before);
    expect((await get(`/api/people/${merged}`)).json().id).toBe(merged);
    const survivorAfter = (await get(`/api/people/${survivor}`)).json();
    expect([survivorAfter.aliases, survivorAfter.identifiers]).toEqual([
      survivorBefore.aliases,
      survivorBefore.identifiers,
    ]);
    report = await verifyAudit(t.database.db);
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);

    // Once undone, not again.
    const twice = await post(`/api/people/merges/${merge.id}/undo`, { reason: "again" });
    expect(twice.statusCode).toBe(409);
    expect(twice.json().error.code).toBe("MERGE_REFUSED");
  }, 120_000);

  it("is not undone once something was written on the merged record or a row it moved", async () => {
    const merge = (
      await post(`/api/people/${merged}/merge`, { into: survivor, reason: "Same person (demo)" })
    ).json();
    // A row the merge moved is changed since.
    const moved = (merge.moved.rows as { entity: string; id: string }[]).find((r) => r.entity === "request")!;
    await write(t.database.app, officer, (w) =>
      w.update(requests, moved.id, { court: "Another court (demo)" }),
    );
    const before = await snapshot();
    const res = await post(`/api/people/merges/${merge.id}/undo`, { reason: "undo" });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe("MERGE_REFUSED");
    expect(res.json().error.message).toContain(`request ${moved.id} was written since the merge`);
    expect(await snapshot()).toEqual(before);
    expect((await get(`/api/people/merges/${merge.id}`)).json().status).toBe("active");
  });

  // Review H2: the rows to move were read FOR UPDATE as the actor, and row-level security drops another
  // party's rows from such a read silently (even when shared): the merge left them naming the merged id.
  it("refuses (409 RECORD_OF_ANOTHER_PARTY) a merge while another party's request names the merged record, naming the party, not the row; nothing changes", async () => {
    const person = async (familyNames: string) => {
      const res = await post("/api/people", { givenNames: "Hilario", familyNames, fictional: true });
      expect(res.statusCode, res.body).toBe(201);
      return res.json().id as string;
    };
    const a = await person(`Quintanar ${Math.random().toString(36).slice(2, 8)}`);
    const b = await person(`Ybarra ${Math.random().toString(36).slice(2, 8)}`);
    await write(t.database.app, officer, (w) => w.update(people, a, { sharedWith: ["US"] }));
    const filed = await t.app.inject({
      method: "POST",
      url: "/api/requests",
      headers: await t.as("request-officer", "US"),
      payload: {
        personId: a,
        requestingState: "US",
        requestingAgency: "US Department of Justice",
        type: "security-transfer",
        channel: "written-request",
        receivedOn: "2026-01-05",
        district: "EDNY",
        charges: [{ statute: "21 U.S.C. § 846", description: "Conspiracy to distribute cocaine" }],
      },
    });
    expect(filed.statusCode, filed.body).toBe(201);
    const usRequest = filed.json().id as string;
    const [events] = await rows<{ n: number }>(sql`select count(*)::int as n from audit_events`);

    const res = await post(`/api/people/${a}/merge`, { into: b, reason: "Same person (demo)" });
    expect(res.statusCode, res.body).toBe(409);
    expect(res.json().error).toMatchObject({
      code: "RECORD_OF_ANOTHER_PARTY",
      details: { entity: "request", owner: "US", others: [{ entity: "request", party: "US", rows: 1 }] },
    });
    expect(res.body).not.toContain(usRequest);
    // Nothing moved: the US request names the person still, who is not merged; no merge recorded.
    const [req] = await t.database.db.select().from(requests).where(eq(requests.id, usRequest));
    expect(req?.personId).toBe(a);
    const [p] = await t.database.db.select().from(people).where(eq(people.id, a));
    expect(p?.mergedInto).toBeNull();
    expect(await t.database.db.select().from(personMerges).where(eq(personMerges.mergedId, a))).toEqual([]);
    const [after] = await rows<{ n: number }>(sql`select count(*)::int as n from audit_events`);
    expect(after?.n).toBe(events?.n);
  });

  it("refuses a person merged into themselves, one already merged, and a reader who may not merge", async () => {
    const self = await post(`/api/people/${survivor}/merge`, { into: survivor, reason: "x" });
    expect(self.statusCode).toBe(400);
    expect(self.json().error.issues).toEqual([{ field: "into", rule: "must be another person" }]);
    const again = await post(`/api/people/${merged}/merge`, { into: survivor, reason: "x" });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe("MERGE_REFUSED");
    // A survivor that does not exist (or that the reader may not see) is named as the body's reference.
    const nobody = await post(`/api/people/${survivor}/merge`, {
      into: "0190a1e2-0000-7000-8000-000000000000",
      reason: "x",
    });
    expect(nobody.statusCode).toBe(422);
    expect(nobody.json().error).toMatchObject({
      code: "REFERENCE_INVALID",
      issues: [{ field: "into" }],
    });
    const missing = await post(`/api/people/0190a1e2-0000-7000-8000-000000000000/merge`, {
      into: survivor,
      reason: "x",
    });
    expect(missing.statusCode).toBe(404);
    const judge = await t.app.inject({
      method: "POST",
      url: `/api/people/${survivor}/merge`,
      headers: await t.as("judge"),
      payload: { into: merged, reason: "x" },
    });
    expect(judge.statusCode).toBe(403);
  });
});
