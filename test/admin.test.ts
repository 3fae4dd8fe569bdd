/**
 * Administration over the API while the server runs (issue 10, part 7): an administrator manages the
 * agencies, users, roles, passwords, sessions and tokens of their own party only; another party's ids
 * answer 404 and change nothing. Tokens revoked stop working at once in this process.
 */
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyAudit } from "../src/audit/verify.ts";
import { consoleActor } from "../src/auth/tokens.ts";
import { auditEvents, users } from "../src/db/schema.ts";
import { type TestApp, testApp } from "./app.ts";

let t: TestApp;
let mx: { authorization: string };
let us: { authorization: string };

const api = async (method: string, url: string, headers: object, payload?: object) =>
  t.app.inject({
    method: method as "GET",
    url,
    headers: headers as Record<string, string>,
    ...(payload ? { payload } : {}),
  });

const signIn = (username: string, password: string) =>
  t.app.inject({ method: "POST", url: "/auth/sign-in", payload: { username, password } });

beforeAll(async () => {
  t = await testApp();
  mx = await t.as("admin", "MX");
  us = await t.as("admin", "US");
});
afterAll(() => t.close());

describe("administration", () => {
  it("creates an agency and a user with a generated password shown once; the user signs in with it", async () => {
    const agency = await api("POST", "/api/admin/agencies", mx, {
      name: "Secretaría de Relaciones Exteriores",
    });
    expect(agency.statusCode).toBe(201);
    expect(agency.json()).toMatchObject({ party: "MX", name: "Secretaría de Relaciones Exteriores" });
    const created = await api("POST", "/api/admin/users", mx, {
      username: "Ana.Lopez",
      displayName: "Ana López",
      agencyId: agency.json().id,
      roles: ["foreign-ministry"],
    });
    expect(created.statusCode).toBe(201);
    const { user, password } = created.json();
    expect(user).toMatchObject({
      username: "ana.lopez",
      party: "MX",
      roles: ["foreign-ministry"],
      disabledAt: null,
    });
    expect(password).toMatch(/^[A-Za-z0-9_-]{20}$/);
    const listed = await api("GET", "/api/admin/users", mx);
    expect(listed.json().items.map((u: { id: string }) => u.id)).toContain(user.id);
    expect(JSON.stringify(listed.json())).not.toContain(password);
    expect((await signIn("ana.lopez", password)).statusCode).toBe(200);
    // The chain has the user, never the password.
    const events = await t.database.db.select().from(auditEvents).where(eq(auditEvents.entityId, user.id));
    expect(events.map((e) => e.kind)).toContain("user.created");
    expect(JSON.stringify(events)).not.toContain(password);
    // A duplicate name is a conflict.
    const again = await api("POST", "/api/admin/users", mx, {
      username: "ana.lopez",
      displayName: "Another",
      agencyId: agency.json().id,
      roles: ["judge"],
    });
    expect(again.statusCode).toBe(409);
  });

  it("grants and revokes roles, resets a password (the old one stops working, sessions end) and disables a user", async () => {
    const agencyId = (await api("POST", "/api/admin/agencies", mx, { name: "FGR" })).json().id;
    const { user, password } = (
      await api("POST", "/api/admin/users", mx, {
        username: "fgr.one",
        displayName: "Prosecutor One",
        agencyId,
        roles: ["prosecutor"],
      })
    ).json();
    const granted = await api("POST", `/api/admin/users/${user.id}/roles`, mx, { role: "judge" });
    expect(granted.json().roles).toEqual(["prosecutor", "judge"]);
    const revoked = await api("DELETE", `/api/admin/users/${user.id}/roles/judge`, mx);
    expect(revoked.json().roles).toEqual(["prosecutor"]);
    const last = await api("DELETE", `/api/admin/users/${user.id}/roles/prosecutor`, mx);
    expect(last.statusCode).toBe(400);
    const signedIn = await signIn("fgr.one", password);
    const cookie = String(signedIn.headers["set-cookie"]).split(";")[0]!;
    const reset = await api("POST", `/api/admin/users/${user.id}/password`, mx);
    expect(reset.statusCode).toBe(200);
    const fresh = reset.json().password;
    expect(fresh).not.toBe(password);
    expect((await t.app.inject({ url: "/auth/session", headers: { cookie } })).statusCode).toBe(401);
    expect((await signIn("fgr.one", password)).statusCode).toBe(401);
    expect((await signIn("fgr.one", fresh)).statusCode).toBe(200);
    const disabled = await api("POST", `/api/admin/users/${user.id}/disable`, mx);
    expect(disabled.json().disabledAt).not.toBeNull();
    expect((await signIn("fgr.one", fresh)).statusCode).toBe(401);
    const kinds = (
      await t.database.db.select().from(auditEvents).where(eq(auditEvents.entityId, user.id))
    ).map((e) => e.kind);
    expect(kinds).toEqual(
      expect.arrayContaining([
        "user.role_granted",
        "user.role_revoked",
        "credential.password_reset",
        "user.disabled",
      ]),
    );
  });

  it("lists and revokes sessions: a revoked session's cookie is refused at once, and the revocation is in the chain", async () => {
    const agencyId = (await api("POST", "/api/admin/agencies", mx, { name: "SSPC" })).json().id;
    const { user, password } = (
      await api("POST", "/api/admin/users", mx, {
        username: "custody.one",
        displayName: "Custody One",
        agencyId,
        roles: ["custody-officer"],
      })
    ).json();
    const cookie = String((await signIn("custody.one", password)).headers["set-cookie"]).split(";")[0]!;
    const listed = await api("GET", `/api/admin/sessions?userId=${user.id}&active=true`, mx);
    expect(listed.statusCode).toBe(200);
    const [s] = listed.json().items;
    expect(s).toMatchObject({
      userId: user.id,
      username: "custody.one",
      role: "custody-officer",
      active: true,
    });
    expect(JSON.stringify(s)).not.toMatch(/hash/i);
    // Another party's administrator neither sees it nor ends it.
    expect((await api("GET", "/api/admin/sessions", us)).json().items).toEqual([]);
    expect((await api("DELETE", `/api/admin/sessions/${s.id}`, us)).statusCode).toBe(404);
    expect((await t.app.inject({ url: "/auth/session", headers: { cookie } })).statusCode).toBe(200);
    expect((await api("DELETE", `/api/admin/sessions/${s.id}`, mx)).statusCode).toBe(200);
    expect((await t.app.inject({ url: "/auth/session", headers: { cookie } })).statusCode).toBe(401);
    const [event] = await t.database.db.select().from(auditEvents).where(eq(auditEvents.entityId, s.id));
    expect(event).toMatchObject({ entity: "session", kind: "session.revoked", party: "MX" });
  });

  it("creates tokens for a system account and for a user; a revoked token stops working at once; an expired one too", async () => {
    const made = await api("POST", "/api/admin/tokens", mx, { name: "Case bridge", role: "auditor" });
    expect(made.statusCode).toBe(201);
    const { id, token } = made.json();
    const bearer = { authorization: `Bearer ${token}` };
    expect((await api("GET", "/api/holds", bearer)).statusCode).toBe(200);
    const listed = (await api("GET", "/api/admin/tokens", mx)).json().items;
    expect(listed.find((x: { id: string }) => x.id === id)).toMatchObject({
      name: "Case bridge",
      revokedAt: null,
    });
    expect(JSON.stringify(listed)).not.toContain(token);
    // Another party's administrator cannot revoke it.
    expect((await api("DELETE", `/api/admin/tokens/${id}`, us)).statusCode).toBe(404);
    expect((await api("GET", "/api/holds", bearer)).statusCode).toBe(200);
    const createdAt = listed.find((x: { id: string }) => x.id === id).createdAt as string;
    expect(Math.abs(Date.parse(createdAt) - Date.now())).toBeLessThan(60_000);
    await new Promise((r) => setTimeout(r, 5));
    const revoked = await api("DELETE", `/api/admin/tokens/${id}`, mx);
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json().revokedAt).not.toBeNull();
    // Revoking it does not move when it was made.
    expect(revoked.json().createdAt).toBe(createdAt);
    expect(revoked.json().revokedAt > createdAt).toBe(true);
    // Within the 30 s lookup cache: this process dropped its entry.
    const refused = await api("GET", "/api/holds", bearer);
    expect(refused.statusCode).toBe(401);
    const [event] = await t.database.db.select().from(auditEvents).where(eq(auditEvents.entityId, id));
    expect(event).toBeDefined();
    const kinds = (await t.database.db.select().from(auditEvents).where(eq(auditEvents.entityId, id))).map(
      (e) => e.kind,
    );
    expect(kinds).toContain("api_token.revoked");

    // A user's token acts as the user, in one of their roles, and stops when the user is disabled.
    const agencyId = (await api("POST", "/api/admin/agencies", mx, { name: "CSN" })).json().id;
    const { user } = (
      await api("POST", "/api/admin/users", mx, {
        username: "script.owner",
        displayName: "Script Owner",
        agencyId,
        roles: ["secretariat"],
      })
    ).json();
    const notHeld = await api("POST", "/api/admin/tokens", mx, { name: "s", role: "judge", userId: user.id });
    expect(notHeld.statusCode).toBe(400);
    const own = await api("POST", "/api/admin/tokens", mx, {
      name: "Analysis script",
      role: "secretariat",
      userId: user.id,
    });
    const ownBearer = { authorization: `Bearer ${own.json().token}` };
    const person = await api("POST", "/api/people", ownBearer, { givenNames: "Token", familyNames: "Owner" });
    expect(person.statusCode).toBe(201);
    const [created] = await t.database.db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.entityId, person.json().id));
    expect(created).toMatchObject({ actorId: user.id, actorName: "Script Owner" });
    await api("POST", `/api/admin/users/${user.id}/disable`, mx);
    expect((await api("GET", "/api/people", ownBearer)).statusCode).toBe(401);

    const soon = new Date(Date.now() + 60_000).toISOString();
    const expiring = await api("POST", "/api/admin/tokens", mx, {
      name: "Short",
      role: "auditor",
      expiresAt: soon,
    });
    const short = { authorization: `Bearer ${expiring.json().token}` };
    expect((await api("GET", "/api/holds", short)).statusCode).toBe(200);
    // Past its expiry (the cache keeps no entry beyond it).
    expect(await t.s.tokens.authenticate(expiring.json().token, Date.now() + 120_000)).toBeNull();
  });

  it("keeps each administrator to their own party: another party's users answer 404 and are not changed", async () => {
    const usAgency = (await api("POST", "/api/admin/agencies", us, { name: "US Marshals Service" })).json();
    const { user } = (
      await api("POST", "/api/admin/users", us, {
        username: "usms.one",
        displayName: "Deputy One",
        agencyId: usAgency.id,
        roles: ["receiving-officer"],
      })
    ).json();
    const [before] = await t.database.db.select().from(users).where(eq(users.id, user.id));
    for (const [method, url, body] of [
      ["GET", `/api/admin/users/${user.id}`],
      ["POST", `/api/admin/users/${user.id}/disable`],
      ["POST", `/api/admin/users/${user.id}/roles`, { role: "admin" }],
      ["DELETE", `/api/admin/users/${user.id}/roles/receiving-officer`],
      ["POST", `/api/admin/users/${user.id}/password`],
      ["DELETE", `/api/admin/users/${user.id}/totp`],
    ] as const) {
      const res = await api(method, url, mx, body);
      expect(res.statusCode, `${method} ${url}`).toBe(404);
      expect(res.json().error.code).toBe("NOT_FOUND");
    }
    const [after] = await t.database.db.select().from(users).where(eq(users.id, user.id));
    expect(after).toEqual(before);
    // Nor do lists show it, nor may an MX user be put in a US agency.
    expect(
      (await api("GET", "/api/admin/users", mx)).json().items.map((u: { id: string }) => u.id),
    ).not.toContain(user.id);
    expect(
      (await api("GET", "/api/admin/agencies", mx)).json().items.map((a: { id: string }) => a.id),
    ).not.toContain(usAgency.id);
    const planted = await api("POST", "/api/admin/users", mx, {
      username: "planted",
      displayName: "Planted",
      agencyId: usAgency.id,
      roles: ["judge"],
    });
    expect(planted.statusCode).toBe(422);
    expect(planted.json().error.issues[0].field).toBe("agencyId");
    // An MX token for a US user is refused.
    const crossed = await api("POST", "/api/admin/tokens", mx, {
      name: "x",
      role: "receiving-officer",
      userId: user.id,
    });
    expect(crossed.statusCode).toBe(404);
    // Only administrators administer.
    const judge = await api("GET", "/api/admin/users", await t.as("judge", "MX"));
    expect(judge.statusCode).toBe(403);
  });

  it("leaves the audit chain intact: users, agencies, tokens and the noted sign-ins and revocations verify", async () => {
    const report = await verifyAudit(t.database.db);
    expect(report.ok, JSON.stringify(report.problems.slice(0, 3))).toBe(true);
    expect(report.eventsChecked).toBeGreaterThan(20);
  });

  it("the console (CLI) acts as an administrator of the party it names", async () => {
    const actor = consoleActor("GT");
    const agency = await t.s.admin.createAgency({ actor, name: "Ministerio Público" });
    const made = await t.s.admin.createUser({
      actor,
      username: "gt.admin",
      displayName: "GT Admin",
      agencyId: agency.id,
      roles: ["admin"],
    });
    expect(made.user.party).toBe("GT");
    expect(made.password).toBeTruthy();
  });
});
