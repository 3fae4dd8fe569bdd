import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { officer, type TestApp, testApp } from "../../test/app.ts";
import { buildCase, transition } from "../../test/factories.ts";
import type { Role } from "../auth/roles.ts";
import { verifySinceCheckpoint } from "./verify.ts";

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(() => t.close());

interface Item {
  seq: number;
  action: string;
  entity: string;
  entityId: string;
  actor: { id: string; name: string; party: string };
  valuesShown: boolean;
  changes: { field: string; before?: unknown; after?: unknown }[];
}
const events = async (query: Record<string, string>, role: Role = "auditor", party = "MX") =>
  t.app.inject({
    url: `/api/audit-events?${new URLSearchParams(query)}`,
    headers: await t.as(role, party),
  });
const items = async (query: Record<string, string>, role: Role = "auditor", party = "MX") => {
  const res = await events(query, role, party);
  expect(res.statusCode, res.body).toBe(200);
  return res.json().items as Item[];
};

describe("GET /api/audit-events", () => {
  it("lists a record's events newest first, with the fields each changed and their values", async () => {
    const c = await buildCase(t);
    const step = await transition(t, c.id, "secretariat", { transition: "begin-analysis" });
    expect(step.statusCode).toBe(201);
    const list = await items({ entity: "case", entityId: c.id });
    expect(list.map((e) => e.action)).toEqual(["case.transitioned", "case.created"]);
    expect(list[0]!.seq).toBeGreaterThan(list[1]!.seq);
    expect(list[0]).toMatchObject({
      entity: "case",
      entityId: c.id,
      actor: { name: "Test secretariat", party: "MX" },
      valuesShown: true,
    });
    expect(list[0]!.changes).toContainEqual({
      field: "state",
      before: "transfer-requested",
      after: "under-analysis",
    });
    // Only what changed: the person the case is about did not.
    expect(list[0]!.changes.map((x) => x.field)).not.toContain("personId");
  });

  it("finds a person's events through every row that names them, and no one else's", async () => {
    const c = await buildCase(t);
    const other = await buildCase(t);
    const list = await items({ personId: c.personId, limit: "500" });
    const entities = new Set(list.map((e) => e.entity));
    for (const entity of ["person", "request", "charge", "case"]) expect(entities).toContain(entity);
    const ids = new Set(list.map((e) => e.entityId));
    expect(ids).toContain(c.personId);
    expect(ids).toContain(c.id);
    expect(ids).not.toContain(other.id);
    expect(ids).not.toContain(other.personId);
  });

  it("filters by actor, kind and time, and pages with a cursor", async () => {
    await buildCase(t);
    const created = await items({ action: "case.created" });
    expect(created.length).toBeGreaterThan(0);
    expect(created.every((e) => e.action === "case.created")).toBe(true);
    const actorId = created[0]!.actor.id;
    expect((await items({ actorId })).every((e) => e.actor.id === actorId)).toBe(true);
    expect(await items({ to: "2000-01-01" })).toEqual([]);
    expect((await items({ from: "2000-01-01", limit: "3" })).length).toBe(3);

    const first = (await events({ limit: "2" })).json();
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).toBe(String(first.items[1].seq));
    const second = (await events({ limit: "2", cursor: first.nextCursor })).json();
    expect(second.items[0].seq).toBeLessThan(first.items[1].seq);
  });

  it("names the field of a bad filter", async () => {
    for (const [query, field] of [
      [{ limit: "0" }, "query.limit"],
      [{ from: "2026-02-30" }, "query.from"],
      [{ from: "2026-02-01", to: "2026-01-01" }, "query.to"],
      [{ entity: "nothing" }, "query.entity"],
      [{ cursor: "abc" }, "query.cursor"],
      [{ action: "drop table" }, "query.action"],
    ] as const) {
      const res = await events(query);
      expect(res.statusCode, JSON.stringify(query)).toBe(400);
      expect(res.json().error.issues.map((i: { field: string }) => i.field)).toContain(field);
    }
  });

  it("shows the names of what changed, without values, in records the reader's role may not read", async () => {
    // Tokens are managed by administrators: an auditor sees that one was created, not what it holds.
    const tokens = await items({ entity: "api_token" });
    expect(tokens.length).toBeGreaterThan(0);
    for (const e of tokens) {
      expect(e.valuesShown).toBe(false);
      expect(e.changes.length).toBeGreaterThan(0);
      for (const change of e.changes) expect(Object.keys(change)).toEqual(["field"]);
    }
  });

  it("shows another state's actor nothing of this party's events", async () => {
    const c = await buildCase(t);
    expect(await items({ entity: "case", entityId: c.id }, "auditor", "US")).toEqual([]);
    expect(await items({ personId: c.personId }, "auditor", "US")).toEqual([]);
    const theirs = await items({ limit: "500" }, "auditor", "US");
    expect(theirs.every((e) => e.actor.party === "US")).toBe(true);
  });

  it("refuses a role that may not read the chain with 403, naming the permission", async () => {
    for (const role of ["secretariat", "request-officer", "admin"] as const) {
      const res = await events({}, role);
      expect(res.statusCode, role).toBe(403);
      expect(res.json().error).toMatchObject({
        code: "ACTOR_NOT_PERMITTED",
        details: { permission: "audit:read" },
      });
    }
  });
});

describe("POST /api/audit-verifications", () => {
  it("verifies the chain for an auditor and an administrator, and refuses other roles", async () => {
    await buildCase(t);
    for (const role of ["auditor", "admin"] as const) {
      const res = await t.app.inject({
        method: "POST",
        url: "/api/audit-verifications",
        headers: await t.as(role),
      });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ ok: true, problems: [] });
      expect(res.json().eventsChecked).toBeGreaterThan(10);
    }
    const refused = await t.app.inject({
      method: "POST",
      url: "/api/audit-verifications",
      headers: await t.as("secretariat"),
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.details.permission).toBe("audit:verify");
  });

  it("tells how far a verification has got while it runs, and that none runs when idle", async () => {
    const auditor = await t.as("auditor");
    const idle = await t.app.inject({ url: "/api/audit-verifications/current", headers: auditor });
    expect(idle.statusCode, idle.body).toBe(200);
    expect(idle.json()).toEqual({ running: false, eventsChecked: 0, eventsTotal: 0 });
    // Asked once one has started, it is under way; once it has answered, none is.
    const auditorActor = officer("auditor");
    const report = t.s.audit.verify(auditorActor);
    expect(t.s.audit.progress(auditorActor).running).toBe(true);
    expect((await report).ok).toBe(true);
    expect(
      (await t.app.inject({ url: "/api/audit-verifications/current", headers: auditor })).json().running,
    ).toBe(false);
    const refused = await t.app.inject({
      url: "/api/audit-verifications/current",
      headers: await t.as("secretariat"),
    });
    expect(refused.statusCode).toBe(403);
  });

  it("counts the events to walk first, then each page checked, up to the report's count", async () => {
    await buildCase(t);
    const seen: { eventsChecked: number; eventsTotal: number }[] = [];
    const report = await t.database.scoped("system", () =>
      verifySinceCheckpoint(t.database.app, { onProgress: (p) => seen.push(p) }),
    );
    expect(report.ok).toBe(true);
    expect(seen[0]).toEqual({ eventsChecked: 0, eventsTotal: report.eventsChecked });
    expect(seen.at(-1)).toEqual({ eventsChecked: report.eventsChecked, eventsTotal: report.eventsChecked });
    for (const [i, p] of seen.entries())
      if (i > 0) expect(p.eventsChecked).toBeGreaterThanOrEqual(seen[i - 1]!.eventsChecked);
  });

  it("reports a row edited behind the application's back", async () => {
    const c = await buildCase(t);
    await t.database.db.execute(sql`update cases set state = 'handed-over' where id = ${c.id}`);
    const res = await t.app.inject({
      method: "POST",
      url: "/api/audit-verifications",
      headers: await t.as("auditor"),
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().ok).toBe(false);
    expect(res.json().problems[0]).toMatchObject({ where: "row", entity: "case", entityId: c.id });
    // Put back, so the other tests' chain verifies.
    await t.database.db.execute(sql`update cases set state = 'transfer-requested' where id = ${c.id}`);
  });

  it("is described in the OpenAPI document by named components", async () => {
    const doc = (await t.app.inject({ url: "/openapi.json" })).json();
    expect(doc.paths["/api/audit-events"].get.responses["200"].content["application/json"].schema).toEqual({
      $ref: "#/components/schemas/AuditEventPage",
    });
    expect(
      doc.paths["/api/audit-verifications"].post.responses["200"].content["application/json"].schema,
    ).toEqual({ $ref: "#/components/schemas/AuditVerification" });
    expect(doc.components.schemas.AuditEvent).toBeDefined();
  });
});
