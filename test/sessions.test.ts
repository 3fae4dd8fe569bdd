/**
 * Sign-in, sessions and their cookie, CSRF, the sign-in rate limit and the TOTP second factor, as a person
 * in a browser meets them (issue 10, "Sessions"). The services run on a clock the test moves.
 */
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Role } from "../src/auth/roles.ts";
import { consoleActor } from "../src/auth/tokens.ts";
import { codeAt } from "../src/auth/totp.ts";
import { auditEvents, credentials, sessions, users } from "../src/db/schema.ts";
import { type TestApp, testApp } from "./app.ts";

let t: TestApp;
let now = new Date("2026-03-02T10:00:00.000Z");
const later = (ms: number) => {
  now = new Date(now.getTime() + ms);
};
const MIN = 60_000;

let agencyId: string;
let unique = 0;

/** A user of MX with these roles, and the generated password. */
async function buildUser(roles: Role[], party = "MX") {
  const actor = consoleActor(party);
  const agency =
    party === "MX"
      ? agencyId
      : (
          (await t.s.admin.agencyNamed({ actor, name: "Test agency" })) ??
          (await t.s.admin.createAgency({ actor, name: "Test agency" }))
        ).id;
  const made = await t.s.admin.createUser({
    actor,
    username: `user${++unique}.${party.toLowerCase()}`,
    displayName: `Officer ${unique}`,
    agencyId: agency,
    roles,
  });
  return { ...made.user, password: made.password! };
}

interface SignedIn {
  cookie: string;
  csrf: string;
  body: Record<string, unknown>;
}

async function signIn(
  body: Record<string, unknown>,
  o: { address?: string; cookie?: string } = {},
): Promise<SignedIn & { res: Awaited<ReturnType<TestApp["app"]["inject"]>> }> {
  const res = await t.app.inject({
    method: "POST",
    url: "/auth/sign-in",
    payload: body,
    remoteAddress: o.address ?? "10.0.0.1",
    headers: o.cookie ? { cookie: o.cookie } : {},
  });
  const set = res.headers["set-cookie"];
  const line = Array.isArray(set) ? set[0] : set;
  return {
    res,
    cookie: line ? line.split(";")[0]! : "",
    csrf: res.statusCode === 200 ? res.json().csrfToken : "",
    body: res.json(),
  };
}

const session = (cookie: string) => t.app.inject({ url: "/auth/session", headers: { cookie } });
const notes = (kind: string) => t.database.db.select().from(auditEvents).where(eq(auditEvents.kind, kind));

beforeAll(async () => {
  t = await testApp({}, { clock: () => now });
  agencyId = (await t.s.admin.createAgency({ actor: consoleActor("MX"), name: "SRE" })).id;
});
afterAll(() => t.close());

describe("sign-in", () => {
  it("opens a session: a Secure, HttpOnly, SameSite=Strict cookie on Path=/ and the session's answer, written to the audit chain", async () => {
    const u = await buildUser(["foreign-ministry"]);
    const { res, cookie, body } = await signIn({ username: u.username, password: u.password });
    expect(res.statusCode).toBe(200);
    const line = String(res.headers["set-cookie"]);
    expect(line).toMatch(/^__Host-traslado_session=/);
    expect(line).toMatch(/; HttpOnly/);
    expect(line).toMatch(/; SameSite=Strict/);
    expect(line).toMatch(/; Path=\//);
    expect(line).toMatch(/; Secure/);
    expect(line).not.toMatch(/Domain=/);
    expect(body).toMatchObject({
      user: { id: u.id, username: u.username, party: "MX" },
      role: "foreign-ministry",
      party: "MX",
      secondFactor: true,
    });
    expect(String(body.csrfToken).length).toBeGreaterThan(20);
    expect(new Date(String(body.expiresAt)).getTime()).toBe(now.getTime() + 12 * 60 * MIN);
    // The session answers who I am, with my role's permissions and the same CSRF token.
    const me = await session(cookie);
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({
      user: { id: u.id },
      role: "foreign-ministry",
      csrfToken: body.csrfToken,
    });
    expect(me.json().permissions).toContain("request:create");
    // The API takes the cookie; the actor is the user, in the session's role.
    const list = await t.app.inject({ url: "/api/people", headers: { cookie } });
    expect(list.statusCode).toBe(200);
    const [event] = (await notes("sign_in.succeeded")).filter((e) => e.entityId === u.id);
    expect(event).toMatchObject({ entity: "sign_in", actorId: u.id, party: "MX" });
    expect(JSON.stringify(event!.after)).not.toContain(u.password);
    // Only hashes are stored.
    const stored = await t.database.db.select().from(sessions).where(eq(sessions.userId, u.id));
    expect(stored[0]!.tokenHash).not.toBe(cookie.split("=")[1]);
  });

  it("answers an unknown account as a wrong password: same status, same body; both written to the audit chain, without the name or password typed", async () => {
    const u = await buildUser(["prosecutor"]);
    const before = (await notes("sign_in.failed")).length;
    const wrong = await signIn(
      { username: u.username, password: "not-the-password" },
      { address: "10.0.1.1" },
    );
    const unknown = await signIn(
      { username: "nobody.here", password: "not-the-password" },
      { address: "10.0.1.2" },
    );
    const disabled = await buildUser(["prosecutor"]);
    await t.s.admin.disableUser({ actor: consoleActor("MX"), userId: disabled.id });
    const off = await signIn(
      { username: disabled.username, password: disabled.password },
      { address: "10.0.1.3" },
    );
    for (const r of [wrong, unknown, off]) {
      expect(r.res.statusCode).toBe(401);
      expect(r.res.headers["set-cookie"]).toBeUndefined();
    }
    expect(unknown.body).toEqual(wrong.body);
    expect(off.body).toEqual(wrong.body);
    expect(wrong.body).toMatchObject({ error: { code: "SIGN_IN_FAILED" } });
    const failed = await notes("sign_in.failed");
    expect(failed.length).toBe(before + 3);
    const [ofUser] = failed.filter((e) => e.entityId === u.id);
    expect(ofUser).toMatchObject({ party: "MX", after: { reason: "password" } });
    const [ofNobody] = failed.filter((e) => (e.after as { reason: string }).reason === "unknown-account");
    expect(ofNobody!.party).toBe("ZZ");
    const text = JSON.stringify(failed);
    expect(text).not.toContain("nobody.here");
    expect(text).not.toContain("not-the-password");
  });

  it("takes about as long for an unknown account as for a wrong password (a dummy hash is checked)", async () => {
    const u = await buildUser(["prosecutor"]);
    const timed = async (username: string, i: number) => {
      const started = performance.now();
      await signIn({ username, password: "wrong password" }, { address: `10.0.3.${i}` });
      return performance.now() - started;
    };
    const known: number[] = [];
    const unknown: number[] = [];
    // Interleaved, so that the machine's load falls on both alike; 4 tries stay under the account limit.
    for (let i = 0; i < 4; i++) {
      known.push(await timed(u.username, i));
      unknown.push(await timed(`nobody.${i}`, i + 10));
    }
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    // Without the dummy hash an unknown account answers in a fraction of the time (no argon2 at all).
    const ratio = median(unknown) / median(known);
    expect(ratio, `unknown ${median(unknown)} ms, known ${median(known)} ms`).toBeGreaterThan(0.4);
    expect(ratio).toBeLessThan(2.5);
  });

  it("opens a new session at every sign-in and revokes the one presented", async () => {
    const u = await buildUser(["secretariat"]);
    const first = await signIn({ username: u.username, password: u.password });
    const second = await signIn({ username: u.username, password: u.password }, { cookie: first.cookie });
    expect(second.res.statusCode).toBe(200);
    expect(second.cookie).not.toBe(first.cookie);
    expect(second.csrf).not.toBe(first.csrf);
    expect((await session(first.cookie)).statusCode).toBe(401);
    expect((await session(second.cookie)).statusCode).toBe(200);
  });

  it("refuses a name with a NUL byte or a lone surrogate as bad input naming the field, not as a failure of the server", async () => {
    for (const username of ["ana\u0000", "ana\ud800"]) {
      const r = await signIn({ username, password: "x" }, { address: "10.0.2.1" });
      expect(r.res.statusCode).toBe(400);
      expect(r.body).toMatchObject({ error: { code: "VALIDATION_FAILED", issues: [{ field: "username" }] } });
    }
  });

  it("asks for the role when the account holds several, and refuses one it does not hold", async () => {
    const u = await buildUser(["custody-officer", "operations-planner"]);
    const none = await signIn({ username: u.username, password: u.password });
    expect(none.res.statusCode).toBe(400);
    expect(none.body).toMatchObject({ error: { issues: [{ field: "role" }] } });
    const other = await signIn({ username: u.username, password: u.password, role: "judge" });
    expect(other.res.statusCode).toBe(401);
    const ok = await signIn({ username: u.username, password: u.password, role: "operations-planner" });
    expect(ok.body).toMatchObject({ role: "operations-planner" });
  });
});

describe("session expiry and sign-out", () => {
  it("ends a session idle for longer than SESSION_IDLE_MINUTES, and keeps a busy one alive", async () => {
    const u = await buildUser(["judge"]);
    const { cookie } = await signIn({ username: u.username, password: u.password });
    later(29 * MIN);
    expect((await session(cookie)).statusCode).toBe(200);
    later(29 * MIN);
    expect((await session(cookie)).statusCode).toBe(200);
    later(31 * MIN);
    const idle = await session(cookie);
    expect(idle.statusCode).toBe(401);
    expect(idle.json().error.code).toBe("UNAUTHENTICATED");
  });

  it("ends a session at SESSION_ABSOLUTE_HOURS however busy", async () => {
    const u = await buildUser(["judge"]);
    const { cookie } = await signIn({ username: u.username, password: u.password });
    for (let i = 0; i < 35; i++) {
      later(20 * MIN);
      expect((await session(cookie)).statusCode, `after ${(i + 1) * 20} min`).toBe(200);
    }
    later(20 * MIN); // 12 h
    expect((await session(cookie)).statusCode).toBe(401);
  });

  it("writes the last-seen time at most once a minute", async () => {
    const u = await buildUser(["judge"]);
    const { cookie } = await signIn({ username: u.username, password: u.password });
    const seen = async () =>
      (await t.database.db.select().from(sessions).where(eq(sessions.userId, u.id)))[0]!.lastSeenAt.getTime();
    const opened = await seen();
    later(30_000);
    await session(cookie);
    expect(await seen()).toBe(opened);
    later(31_000);
    await session(cookie);
    expect(await seen()).toBe(now.getTime());
  });

  it("signs out on the server: the cookie is refused afterwards, and the sign-out is in the audit chain", async () => {
    const u = await buildUser(["foreign-ministry"]);
    const { cookie, csrf } = await signIn({ username: u.username, password: u.password });
    const out = await t.app.inject({
      method: "POST",
      url: "/auth/sign-out",
      headers: { cookie, "x-csrf-token": csrf },
    });
    expect(out.statusCode).toBe(200);
    expect(String(out.headers["set-cookie"])).toMatch(/__Host-traslado_session=;/);
    // A browser that kept the cookie anyway is refused.
    expect((await session(cookie)).statusCode).toBe(401);
    const api = await t.app.inject({ url: "/api/people", headers: { cookie } });
    expect(api.statusCode).toBe(401);
    const [row] = await t.database.db.select().from(sessions).where(eq(sessions.userId, u.id));
    expect(row!.revokedAt).not.toBeNull();
    const [event] = (await notes("session.signed_out")).filter((e) => e.entityId === row!.id);
    expect(event).toMatchObject({ entity: "session", actorId: u.id });
  });
});

describe("CSRF", () => {
  it("refuses a cookie-authenticated write without the session's X-CSRF-Token or with a wrong one; accepts it with the token; bearer needs none", async () => {
    const u = await buildUser(["foreign-ministry"]);
    const { cookie, csrf } = await signIn({ username: u.username, password: u.password });
    const person = { givenNames: "Csrf", familyNames: "Test", fictional: true };
    const count = async () =>
      (await t.app.inject({ url: "/api/people?limit=500", headers: { cookie } })).json().items.length;
    const before = await count();
    for (const headers of [
      { cookie },
      { cookie, "x-csrf-token": "wrong" },
      { cookie, "x-csrf-token": `${csrf}x` },
    ]) {
      const res = await t.app.inject({ method: "POST", url: "/api/people", headers, payload: person });
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe("CSRF_REFUSED");
    }
    expect(await count()).toBe(before);
    // Another session's token is not this one's.
    const other = await signIn({ username: u.username, password: u.password });
    const crossed = await t.app.inject({
      method: "POST",
      url: "/api/people",
      headers: { cookie: other.cookie, "x-csrf-token": csrf },
      payload: person,
    });
    expect(crossed.statusCode).toBe(403);
    const ok = await t.app.inject({
      method: "POST",
      url: "/api/people",
      headers: { cookie: other.cookie, "x-csrf-token": other.csrf },
      payload: person,
    });
    expect(ok.statusCode).toBe(201);
    expect(ok.json().party).toBe("MX");
    // Sign-out is a write too.
    const out = await t.app.inject({ method: "POST", url: "/auth/sign-out", headers: { cookie } });
    expect(out.statusCode).toBe(403);
    expect((await session(cookie)).statusCode).toBe(200);
    // A bearer token writes without it.
    const bearer = await t.app.inject({
      method: "POST",
      url: "/api/people",
      headers: await t.as("foreign-ministry"),
      payload: person,
    });
    expect(bearer.statusCode).toBe(201);
  });
});

describe("the sign-in rate limit", () => {
  it("answers 429 with Retry-After after 5 failures for one account name, existing or not, even to the right password", async () => {
    const u = await buildUser(["judge"]);
    for (const username of [u.username, "ghost.account"]) {
      for (let i = 0; i < 5; i++) {
        const r = await signIn({ username, password: "wrong" }, { address: `10.1.${i}.${unique}` });
        expect(r.res.statusCode).toBe(401);
      }
    }
    const limited = await signIn({ username: u.username, password: u.password }, { address: "10.1.9.9" });
    const ghost = await signIn({ username: "ghost.account", password: "wrong" }, { address: "10.1.9.8" });
    for (const r of [limited, ghost]) {
      expect(r.res.statusCode).toBe(429);
      expect(r.body).toMatchObject({ error: { code: "SIGN_IN_RATE_LIMITED" } });
      const retry = Number(r.res.headers["retry-after"]);
      expect(retry).toBeGreaterThan(0);
      expect(retry).toBeLessThanOrEqual(15 * 60);
    }
    expect(ghost.body.error).toMatchObject({ code: (limited.body.error as { code: string }).code });
    // After the window the right password works again.
    later(15 * MIN);
    expect(
      (await signIn({ username: u.username, password: u.password }, { address: "10.1.9.9" })).res.statusCode,
    ).toBe(200);
  });

  it("answers 429 after 20 failures from one address, whatever the names; a success does not clear the address", async () => {
    later(15 * MIN);
    const address = "10.2.0.1";
    const u = await buildUser(["judge"]);
    for (let i = 0; i < 19; i++) {
      expect((await signIn({ username: `guess${i}`, password: "x" }, { address })).res.statusCode).toBe(401);
    }
    expect((await signIn({ username: u.username, password: u.password }, { address })).res.statusCode).toBe(
      200,
    );
    expect((await signIn({ username: "guess19", password: "x" }, { address })).res.statusCode).toBe(401);
    const limited = await signIn({ username: u.username, password: u.password }, { address });
    expect(limited.res.statusCode).toBe(429);
    expect(Number(limited.res.headers["retry-after"])).toBeGreaterThan(0);
    // Another address is not limited.
    expect(
      (await signIn({ username: u.username, password: u.password }, { address: "10.2.0.2" })).res.statusCode,
    ).toBe(200);
  });
});

describe("TOTP", () => {
  it("limits a decision authority without a TOTP to enrolling one; once confirmed the session works, and sign-in then needs a fresh code", async () => {
    later(15 * MIN);
    const u = await buildUser(["decision-authority"]);
    const first = await signIn({ username: u.username, password: u.password });
    expect(first.res.statusCode).toBe(200);
    expect(first.body).toMatchObject({ secondFactor: false, permissions: [] });
    const blocked = await t.app.inject({ url: "/api/cases", headers: { cookie: first.cookie } });
    expect(blocked.statusCode).toBe(403);
    expect(blocked.json().error.code).toBe("SECOND_FACTOR_REQUIRED");
    const csrf = { cookie: first.cookie, "x-csrf-token": first.csrf };
    const enrol = await t.app.inject({ method: "POST", url: "/auth/totp", headers: csrf });
    expect(enrol.statusCode).toBe(200);
    const { uri, secret } = enrol.json();
    expect(uri).toMatch(/^otpauth:\/\/totp\/Traslado:/);
    const wrong = await t.app.inject({
      method: "POST",
      url: "/auth/totp/confirm",
      headers: csrf,
      payload: { code: codeAt(secret, new Date(now.getTime() + 10 * MIN)) },
    });
    expect(wrong.statusCode).toBe(422);
    expect(wrong.json().error.issues[0].field).toBe("code");
    const confirm = await t.app.inject({
      method: "POST",
      url: "/auth/totp/confirm",
      headers: csrf,
      payload: { code: codeAt(secret, now) },
    });
    expect(confirm.statusCode).toBe(200);
    expect((await t.app.inject({ url: "/api/cases", headers: { cookie: first.cookie } })).statusCode).toBe(
      200,
    );
    expect((await notes("credential.totp_enrolled")).some((e) => e.entityId === u.id)).toBe(true);
    const [cred] = await t.database.db.select().from(credentials).where(eq(credentials.userId, u.id));
    expect(cred!.totpConfirmedAt).not.toBeNull();

    // Sign-in now needs the code: without it 401 TOTP_REQUIRED; the code just used is a replay.
    const without = await signIn({ username: u.username, password: u.password });
    expect(without.res.statusCode).toBe(401);
    expect(without.body).toMatchObject({ error: { code: "TOTP_REQUIRED" } });
    const replay = await signIn({ username: u.username, password: u.password, totp: codeAt(secret, now) });
    expect(replay.res.statusCode).toBe(401);
    expect(replay.body).toMatchObject({ error: { code: "SIGN_IN_FAILED" } });
    later(30_000);
    const fresh = await signIn({ username: u.username, password: u.password, totp: codeAt(secret, now) });
    expect(fresh.res.statusCode).toBe(200);
    expect(fresh.body).toMatchObject({ secondFactor: true });
    const again = await signIn({ username: u.username, password: u.password, totp: codeAt(secret, now) });
    expect(again.res.statusCode).toBe(401);
    expect((await t.app.inject({ url: "/api/cases", headers: { cookie: fresh.cookie } })).statusCode).toBe(
      200,
    );
  });

  it("asks no second factor of a role outside the policy", async () => {
    const u = await buildUser(["custody-officer"]);
    const r = await signIn({ username: u.username, password: u.password });
    expect(r.body).toMatchObject({ secondFactor: true });
  });
});

describe("passwords", () => {
  it("lets a user change their own password with the old one; their other sessions end", async () => {
    const u = await buildUser(["judge"]);
    const a = await signIn({ username: u.username, password: u.password }, { address: "10.3.0.1" });
    const b = await signIn({ username: u.username, password: u.password }, { address: "10.3.0.1" });
    const change = (payload: object) =>
      t.app.inject({
        method: "POST",
        url: "/auth/password",
        headers: { cookie: a.cookie, "x-csrf-token": a.csrf },
        payload,
        remoteAddress: "10.3.0.1",
      });
    const wrong = await change({ currentPassword: "nope", newPassword: "a long new password" });
    expect(wrong.statusCode).toBe(422);
    expect(wrong.json().error.issues[0].field).toBe("currentPassword");
    const short = await change({ currentPassword: u.password, newPassword: "short" });
    expect(short.json().error.issues[0].field).toBe("newPassword");
    expect(
      (await change({ currentPassword: u.password, newPassword: "a long new password" })).statusCode,
    ).toBe(200);
    expect((await session(a.cookie)).statusCode).toBe(200);
    expect((await session(b.cookie)).statusCode).toBe(401);
    expect(
      (await signIn({ username: u.username, password: u.password }, { address: "10.3.0.2" })).res.statusCode,
    ).toBe(401);
    expect(
      (await signIn({ username: u.username, password: "a long new password" }, { address: "10.3.0.2" })).res
        .statusCode,
    ).toBe(200);
  });
});

describe("sessions end with their user's access", () => {
  it("a disabled user's session, and a session in a revoked role, are refused at once", async () => {
    const u = await buildUser(["judge", "prosecutor"]);
    const judge = await signIn({ username: u.username, password: u.password, role: "judge" });
    const prosecutor = await signIn({ username: u.username, password: u.password, role: "prosecutor" });
    await t.s.admin.revokeRole({ actor: consoleActor("MX"), userId: u.id, role: "judge" });
    expect((await session(judge.cookie)).statusCode).toBe(401);
    expect((await session(prosecutor.cookie)).statusCode).toBe(200);
    await t.s.admin.disableUser({ actor: consoleActor("MX"), userId: u.id });
    expect((await session(prosecutor.cookie)).statusCode).toBe(401);
    const [row] = await t.database.db
      .select()
      .from(users)
      .where(and(eq(users.id, u.id)));
    expect(row!.disabledAt).not.toBeNull();
  });
});
