import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestApp, testApp } from "../../test/app.ts";
import { auditEvents, people } from "../db/schema.ts";

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(() => t.close());

const count = async (table: typeof people | typeof auditEvents) =>
  (await t.database.db.select().from(table)).length;

describe("people and organisations API", () => {
  it("refuses a request without a valid token", async () => {
    const res = await t.app.inject({ method: "GET", url: "/api/people" });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe("UNAUTHENTICATED");
  });

  it("creates an organisation with its rival and a person affiliated to it, audited", async () => {
    const headers = await t.as("foreign-ministry");
    const cjng = await t.app.inject({
      method: "POST",
      url: "/api/organisations",
      headers,
      payload: { name: "CJNG" },
    });
    expect(cjng.statusCode).toBe(201);
    const sinaloa = await t.app.inject({
      method: "POST",
      url: "/api/organisations",
      headers,
      payload: { name: "Sinaloa", aliases: ["Cártel de Sinaloa"], rivalIds: [cjng.json().id] },
    });
    expect(sinaloa.statusCode).toBe(201);
    const read = await t.app.inject({ url: `/api/organisations/${cjng.json().id}`, headers });
    expect(read.json().rivalIds).toEqual([sinaloa.json().id]);

    const before = await count(auditEvents);
    const res = await t.app.inject({
      method: "POST",
      url: "/api/people",
      headers,
      payload: {
        givenNames: "Ramiro",
        familyNames: "Quintero Lira",
        riskFlags: ["escape-risk"],
        fictional: true,
        affiliations: [{ organisationId: sinaloa.json().id, role: "plaza chief" }],
      },
    });
    expect(res.statusCode).toBe(201);
    const person = res.json();
    expect(person).toMatchObject({ party: "MX", version: 1, familyNames: "Quintero Lira", fictional: true });
    expect(person.affiliations).toHaveLength(1);
    expect(await count(auditEvents)).toBe(before + 2);

    const list = await t.app.inject({ url: `/api/people?organisationId=${sinaloa.json().id}`, headers });
    expect(list.json().items.map((p: { id: string }) => p.id)).toEqual([person.id]);
  });

  it("names each bad field and writes nothing", async () => {
    const headers = await t.as("foreign-ministry");
    const before = [await count(people), await count(auditEvents)];
    const res = await t.app.inject({
      method: "POST",
      url: "/api/people",
      headers,
      payload: { givenNames: "X", dateOfBirth: "1980-02-31", riskFlags: ["sneaky"], nickname: "y" },
    });
    expect(res.statusCode).toBe(400);
    const fields = res
      .json()
      .error.issues.map((i: { field: string; rule: string }) => `${i.field}: ${i.rule}`);
    expect(fields).toContain("familyNames: required");
    expect(fields).toContain("nickname: unknown field");
    expect(fields.some((f: string) => f.startsWith("dateOfBirth:"))).toBe(true);
    expect(fields.some((f: string) => f.startsWith("riskFlags[0]:"))).toBe(true);
    expect([await count(people), await count(auditEvents)]).toEqual(before);
  });

  it("names a reference to a missing organisation and writes nothing", async () => {
    const headers = await t.as("foreign-ministry");
    const before = await count(people);
    const res = await t.app.inject({
      method: "POST",
      url: "/api/people",
      headers,
      payload: {
        givenNames: "A",
        familyNames: "B",
        affiliations: [{ organisationId: "0190a1e2-0000-7000-8000-000000000000" }],
      },
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.issues[0].field).toBe("affiliations[0].organisationId");
    expect(await count(people)).toBe(before);
  });

  it("replays an idempotent POST without writing again, and refuses the key for another body", async () => {
    const headers = { ...(await t.as("foreign-ministry")), "idempotency-key": "person-42" };
    const payload = { givenNames: "Elena", familyNames: "Ibarra Soto", fictional: true };
    const first = await t.app.inject({ method: "POST", url: "/api/people", headers, payload });
    const before = [await count(people), await count(auditEvents)];
    const again = await t.app.inject({ method: "POST", url: "/api/people", headers, payload });
    expect(again.statusCode).toBe(201);
    expect(again.headers["idempotent-replayed"]).toBe("true");
    expect(again.json().id).toBe(first.json().id);
    expect([await count(people), await count(auditEvents)]).toEqual(before);
    const other = await t.app.inject({
      method: "POST",
      url: "/api/people",
      headers,
      payload: { ...payload, givenNames: "Other" },
    });
    expect(other.statusCode).toBe(422);
    expect(other.json().error.code).toBe("IDEMPOTENCY_KEY_REUSED");
  });

  it("answers 404 for an unknown person and 400 for a malformed id", async () => {
    const headers = await t.as("auditor");
    const missing = await t.app.inject({ url: "/api/people/0190a1e2-0000-7000-8000-000000000000", headers });
    expect(missing.statusCode).toBe(404);
    const bad = await t.app.inject({ url: "/api/people/not-a-uuid", headers });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.issues[0].field).toBe("params.id");
  });
});
