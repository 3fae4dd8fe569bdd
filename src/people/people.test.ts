import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestApp, testApp } from "../../test/app.ts";
import { verifyAudit } from "../audit/verify.ts";
import { auditEvents, people } from "../db/schema.ts";

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(() => t.close());

const count = async (table: typeof people | typeof auditEvents) =>
  (await t.database.db.select().from(table)).length;

const org = async (name: string) => {
  const res = await t.app.inject({
    method: "POST",
    url: "/api/organisations",
    headers: await t.as("secretariat"),
    payload: { name },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id as string;
};
const addRival = async (id: string, payload: Record<string, unknown>) =>
  t.app.inject({
    method: "POST",
    url: `/api/organisations/${id}/rivalries`,
    headers: await t.as("secretariat"),
    payload,
  });

describe("people and organisations API", () => {
  it("refuses a request without a valid token", async () => {
    const res = await t.app.inject({ method: "GET", url: "/api/people" });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe("UNAUTHENTICATED");
  });

  it("creates an organisation with its rival and a person affiliated to it, audited", async () => {
    const headers = await t.as("secretariat");
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
    const headers = await t.as("secretariat");
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

    // A date of birth or a custody that has not begun yet: each named once, nothing written.
    const future = await t.app.inject({
      method: "POST",
      url: "/api/people",
      headers,
      payload: { givenNames: "X", familyNames: "Y", dateOfBirth: "2099-01-01", custodySince: "2099-02-30" },
    });
    expect(future.statusCode).toBe(400);
    expect(future.json().error.issues).toEqual([
      { field: "dateOfBirth", rule: "not after today" },
      { field: "custodySince", rule: "must be a real calendar date" },
    ]);
    expect([await count(people), await count(auditEvents)]).toEqual(before);
  });

  it("names a reference to a missing organisation and writes nothing", async () => {
    const headers = await t.as("secretariat");
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
    const headers = { ...(await t.as("secretariat")), "idempotency-key": "person-42" };
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

  it("records a rivalry after the fact, with its reason, audited; the same pair again is a 409", async () => {
    const [chapitos, mayos] = [await org("Los Chapitos"), await org("La Mayiza")];
    const before = await count(auditEvents);
    const res = await addRival(chapitos, {
      rivalId: mayos,
      reason: "Split of the Sinaloa cartel, September 2024",
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(await count(auditEvents)).toBe(before + 1);
    const read = (
      await t.app.inject({ url: `/api/organisations/${mayos}`, headers: await t.as("auditor") })
    ).json();
    expect(read.rivalIds).toEqual([chapitos]);
    expect(read.rivalries).toEqual([
      { organisationId: chapitos, reason: "Split of the Sinaloa cartel, September 2024" },
    ]);

    const again = await addRival(mayos, { rivalId: chapitos });
    expect(again.statusCode).toBe(409);
    expect(again.json().error).toMatchObject({ code: "DUPLICATE", issues: [{ field: "rivalId" }] });
    const self = await addRival(mayos, { rivalId: mayos });
    expect(self.statusCode).toBe(400);
    expect(self.json().error.issues).toEqual([{ field: "rivalId", rule: "must be another organisation" }]);
    // An id in capitals is the same id.
    const shouted = await addRival(mayos, { rivalId: mayos.toUpperCase() });
    expect(shouted.statusCode).toBe(400);
    const againShouted = await addRival(mayos.toUpperCase(), { rivalId: chapitos.toUpperCase() });
    expect(againShouted.statusCode).toBe(409);
    const unknown = await addRival(mayos, { rivalId: "01a22307-3402-734b-9ce5-83429786e4f1" });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().error.issues[0].field).toBe("rivalId");
    const missing = await addRival("01a22307-3402-734b-9ce5-83429786e4f1", { rivalId: mayos });
    expect(missing.statusCode).toBe(404);
    expect(await count(auditEvents)).toBe(before + 1);

    // A new rivalry given in capitals is stored as the chain recorded it: audit verify holds.
    const cell = await org("Los Cuinis (demo)");
    const upper = await addRival(cell.toUpperCase(), { rivalId: mayos.toUpperCase(), reason: "test" });
    expect(upper.statusCode, upper.body).toBe(201);
    expect(upper.json()).toMatchObject({ orgA: expect.stringMatching(/^[0-9a-f-]+$/) });
    const report = await verifyAudit(t.database.db);
    expect(report.problems).toEqual([]);
  });

  it("two people acting at once: one rivalry or one organisation is written, the other gets a 409 naming the field", async () => {
    const [a, b] = [await org("Cell A"), await org("Cell B")];
    const rivals = await Promise.all([addRival(a, { rivalId: b }), addRival(b, { rivalId: a })]);
    expect(rivals.map((r) => r.statusCode).sort()).toEqual([201, 409]);
    expect(rivals.find((r) => r.statusCode === 409)!.json().error).toMatchObject({
      code: "DUPLICATE",
      issues: [{ field: "rivalId", rule: "must be unique" }],
    });
    const headers = await t.as("secretariat");
    const twins = await Promise.all(
      [1, 2].map(() =>
        t.app.inject({
          method: "POST",
          url: "/api/organisations",
          headers,
          payload: { name: "Twin Cartel" },
        }),
      ),
    );
    expect(twins.map((r) => r.statusCode).sort()).toEqual([201, 409]);
    expect(twins.find((r) => r.statusCode === 409)!.json().error).toMatchObject({
      code: "DUPLICATE",
      issues: [{ field: "name", rule: "must be unique" }],
    });
    const named = await t.app.inject({ url: "/api/organisations?q=Twin", headers });
    expect(named.json().items).toHaveLength(1);
  });
});
