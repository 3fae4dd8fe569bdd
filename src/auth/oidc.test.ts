/**
 * The OpenID Connect sign-in against a real provider (oidc-provider) run in this process on a random
 * 127.0.0.1 port. Its interaction logs in the account the test names, without a browser; the test follows
 * the provider's redirects with fetch, carrying its cookies, and hands the callback to the app with inject.
 */
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { createServer, type RequestListener, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from "fastify";
import { serializerCompiler, validatorCompiler } from "fastify-type-provider-zod";
import Provider from "oidc-provider";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../config.ts";
import { handleError } from "../http/errors.ts";
import { type OidcConfig, type OidcDeps, oidcConfigOf, oidcRoutes, type SignInEvent } from "./oidc.ts";

const REDIRECT_URI = "http://localhost:3000/auth/oidc/callback";
const CLIENT_ID = "traslado-test";
const CLIENT_SECRET = randomBytes(32).toString("base64url");

/** Traslado's users, by the provider's subject (users.oidc_subject). */
const users: Record<string, { id: string; roles: string[]; disabled: boolean }> = {
  "judge-7": { id: "00000000-0000-4000-8000-000000000007", roles: ["judge", "auditor"], disabled: false },
  "judge-gone": { id: "00000000-0000-4000-8000-000000000009", roles: ["judge"], disabled: true },
};
/** Accounts at the provider: the two above and one nobody linked to a Traslado user. */
const accounts = new Set(["judge-7", "judge-gone", "stranger"]);

/** Who the provider's interaction logs in next, and how. */
let nextLogin: { accountId: string; amr?: string[]; acr?: string } = { accountId: "judge-7" };

let server: Server;
let issuer: string;

beforeAll(async () => {
  let handle: RequestListener | undefined;
  server = createServer((req, res) => handle?.(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: [REDIRECT_URI],
        grant_types: ["authorization_code"],
        response_types: ["code"],
        token_endpoint_auth_method: "client_secret_basic",
      },
    ],
    jwks: { keys: [{ ...privateKey.export({ format: "jwk" }), kid: "test", use: "sig", alg: "RS256" }] },
    cookies: { keys: [randomBytes(32).toString("hex")] },
    findAccount: async (_ctx: unknown, sub: string) =>
      accounts.has(sub) ? { accountId: sub, claims: async () => ({ sub }) } : undefined,
    // The ID token says how the user signed in (amr, acr), as most providers' do; oidc-provider's does not by default.
    claims: {
      openid: ["sub", "amr", "acr", "auth_time"],
      acr: null,
      amr: null,
      auth_time: null,
      sid: null,
      iss: null,
    },
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
  });
  const providerHandler = provider.callback();
  // The interaction: log the named account in and grant the scopes asked for, as a user would by hand.
  handle = async (req, res) => {
    if (!req.url?.startsWith("/interaction/")) return providerHandler(req, res);
    const details = await provider.interactionDetails(req, res);
    const grant = new provider.Grant({
      accountId: nextLogin.accountId,
      clientId: String(details.params.client_id),
    });
    grant.addOIDCScope(String(details.params.scope));
    await provider.interactionFinished(
      req,
      res,
      {
        login: nextLogin,
        consent: { grantId: await grant.save() },
      },
      { mergeWithLastSubmission: false },
    );
  };
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
});

function settings(env: Record<string, string> = {}): OidcConfig {
  const config = oidcConfigOf(
    loadConfig({
      ...env,
      NODE_ENV: "test",
      OIDC_ISSUER: issuer,
      OIDC_CLIENT_ID: CLIENT_ID,
      OIDC_CLIENT_SECRET: CLIENT_SECRET,
      OIDC_REDIRECT_URI: REDIRECT_URI,
    }),
  );
  if (!config) throw new Error("OpenID Connect not configured");
  return config;
}

/** A minimal app: the routes under test, the project's validation and error handling, fake sessions. */
async function buildApp(env: Record<string, string> = {}) {
  const sessions: Parameters<OidcDeps["openSession"]>[0][] = [];
  const events: SignInEvent[] = [];
  const app = Fastify();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(handleError);
  await oidcRoutes(app, {
    config: settings(env),
    findUser: async (subject) => users[subject] ?? null,
    openSession: async (args, reply) => {
      sessions.push(args);
      reply.header("set-cookie", "traslado_session=s1; Path=/; HttpOnly; SameSite=Strict");
      return { expiresAt: new Date(Date.now() + 3600_000) };
    },
    audit: async (event) => {
      events.push(event);
    },
  });
  await app.ready();
  return { app, sessions, events };
}

function setCookies(res: LightMyRequestResponse | Response): string[] {
  if (res instanceof Response) return res.headers.getSetCookie();
  const h = res.headers["set-cookie"];
  return h === undefined ? [] : Array.isArray(h) ? h : [String(h)];
}

/** The login, then the provider (followed with fetch, its cookies kept), up to the redirect back to the app. */
async function toProvider(app: FastifyInstance, query = "role=judge&returnTo=%2Fcases%3Fstatus%3Dopen") {
  const login = await app.inject({ method: "GET", url: `/auth/oidc/login?${query}` });
  expect(login.statusCode).toBe(302);
  const transaction = setCookies(login)
    .find((c) => c.startsWith("traslado_oidc="))
    ?.split(";")[0];
  const jar = new Map<string, string>();
  let url = new URL(String(login.headers.location));
  for (let hop = 0; hop < 10; hop++) {
    const res = await fetch(url, {
      redirect: "manual",
      headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join("; ") },
    });
    for (const c of setCookies(res)) {
      const pair = c.split(";")[0] ?? "";
      const [name, value] = [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)];
      if (value) jar.set(name, value);
      else jar.delete(name);
    }
    const location = res.headers.get("location");
    if (!location) throw new Error(`the provider answered ${res.status}: ${await res.text()}`);
    url = new URL(location, url);
    if (url.href.startsWith(REDIRECT_URI))
      return { callback: `${url.pathname}${url.search}`, cookie: transaction ?? "" };
  }
  throw new Error("the provider never redirected back");
}

function callback(app: FastifyInstance, path: string, cookie: string) {
  return app.inject({ method: "GET", url: path, headers: { cookie, "user-agent": "vitest" } });
}

describe("sign-in through OpenID Connect", () => {
  let ctx: Awaited<ReturnType<typeof buildApp>>;
  beforeEach(async () => {
    nextLogin = { accountId: "judge-7" };
    ctx = await buildApp();
  });

  it("sends the browser to the provider with PKCE (S256), state and nonce, and keeps them in a sealed cookie", async () => {
    const res = await ctx.app.inject({ method: "GET", url: "/auth/oidc/login?role=judge" });
    expect(res.statusCode).toBe(302);
    const location = new URL(String(res.headers.location));
    expect(location.origin).toBe(issuer);
    const q = location.searchParams;
    expect(q.get("response_type")).toBe("code");
    expect(q.get("client_id")).toBe(CLIENT_ID);
    expect(q.get("redirect_uri")).toBe(REDIRECT_URI);
    expect(q.get("scope")).toBe("openid profile email");
    expect(q.get("code_challenge_method")).toBe("S256");
    expect(q.get("code_challenge")).toMatch(/^[\w-]{43}$/);
    expect(q.get("state")).toMatch(/^[\w-]{20,}$/);
    expect(q.get("nonce")).toMatch(/^[\w-]{20,}$/);
    const cookie = setCookies(res).find((c) => c.startsWith("traslado_oidc="));
    expect(cookie).toMatch(/; Path=\/auth\/oidc\/callback; HttpOnly; SameSite=Lax; Secure$/);
    // Nothing of the flow readable in the cookie: the verifier, state and nonce are encrypted.
    expect(cookie).not.toContain(q.get("state"));
    expect(res.headers["cache-control"]).toBe("no-store");
  });

  it("opens a session for the mapped user in the role asked for and returns to returnTo", async () => {
    const { callback: path, cookie } = await toProvider(ctx.app);
    const res = await callback(ctx.app, path, cookie);
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe("/cases?status=open");
    expect(ctx.sessions).toEqual([
      {
        userId: users["judge-7"]!.id,
        role: "judge",
        secondFactor: false,
        address: "127.0.0.1",
        userAgent: "vitest",
      },
    ]);
    const cookies = setCookies(res);
    expect(cookies).toContain("traslado_session=s1; Path=/; HttpOnly; SameSite=Strict");
    expect(cookies.some((c) => c.startsWith("traslado_oidc=; Max-Age=0"))).toBe(true);
    expect(ctx.events).toEqual([{ kind: "sign_in.succeeded", userId: users["judge-7"]!.id, reason: "oidc" }]);
  });

  it("returns to / by default and counts the provider's one-time password as the second factor", async () => {
    nextLogin = { accountId: "judge-7", amr: ["pwd", "otp"] };
    const { callback: path, cookie } = await toProvider(ctx.app, "role=auditor");
    const res = await callback(ctx.app, path, cookie);
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe("/");
    expect(ctx.sessions).toMatchObject([{ role: "auditor", secondFactor: true }]);
  });

  it("counts an acr named in OIDC_SECOND_FACTOR_ACR as the second factor, and no other", async () => {
    const app = await buildApp({ OIDC_SECOND_FACTOR_ACR: "urn:example:loa:3, urn:example:mfa" });
    for (const acr of ["urn:example:mfa", "urn:example:loa:1"]) {
      nextLogin = { accountId: "judge-7", acr };
      const { callback: path, cookie } = await toProvider(app.app);
      expect((await callback(app.app, path, cookie)).statusCode).toBe(302);
    }
    expect(app.sessions.map((s) => s.secondFactor)).toEqual([true, false]);
  });

  it("refuses an identity linked to no user, or to a disabled one, with the same 401 and no session", async () => {
    const answers = [];
    for (const accountId of ["stranger", "judge-gone"]) {
      nextLogin = { accountId };
      const { callback: path, cookie } = await toProvider(ctx.app);
      const res = await callback(ctx.app, path, cookie);
      expect(res.statusCode).toBe(401);
      // The sign-in in progress is spent, refused or not.
      expect(setCookies(res).some((c) => c.startsWith("traslado_oidc=; Max-Age=0"))).toBe(true);
      answers.push(res.json());
    }
    expect(answers[0]).toEqual(answers[1]);
    expect(answers[0]).toEqual({ error: { code: "UNAUTHENTICATED", message: expect.any(String) } });
    expect(ctx.sessions).toEqual([]);
    expect(ctx.events).toEqual([
      { kind: "sign_in.failed", reason: "unknown_subject" },
      { kind: "sign_in.failed", reason: "disabled", userId: users["judge-gone"]!.id },
    ]);
  });

  it("refuses a role the user does not hold: 401, no session", async () => {
    const { callback: path, cookie } = await toProvider(ctx.app, "role=decision-authority");
    const res = await callback(ctx.app, path, cookie);
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe("UNAUTHENTICATED");
    expect(ctx.sessions).toEqual([]);
    expect(ctx.events).toMatchObject([{ kind: "sign_in.failed", reason: "role_not_held" }]);
  });

  it("refuses a callback whose state is not the one sent", async () => {
    const { callback: path, cookie } = await toProvider(ctx.app);
    const forged = new URL(path, REDIRECT_URI);
    forged.searchParams.set("state", "x".repeat(43));
    const res = await callback(ctx.app, `${forged.pathname}${forged.search}`, cookie);
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe("UNAUTHENTICATED");
    expect(ctx.sessions).toEqual([]);
    expect(ctx.events).toEqual([
      { kind: "sign_in.failed", reason: "invalid_response:OAUTH_INVALID_RESPONSE" },
    ]);
  });

  it("refuses a callback without its cookie, with a cookie changed, or from another sign-in", async () => {
    const first = await toProvider(ctx.app);
    const second = await toProvider(ctx.app);
    const value = first.cookie.slice("traslado_oidc=".length);
    const flipped = `traslado_oidc=${value.slice(0, 20)}${value[20] === "A" ? "B" : "A"}${value.slice(21)}`;
    for (const cookie of ["", flipped, second.cookie]) {
      const res = await callback(ctx.app, first.callback, cookie);
      expect(res.statusCode).toBe(401);
    }
    expect(ctx.sessions).toEqual([]);
    expect(ctx.events.map((e) => e.reason)).toEqual([
      "no_transaction",
      "no_transaction",
      "invalid_response:OAUTH_INVALID_RESPONSE",
    ]);
  });

  it("refuses the same callback twice, in this process and in another one (the provider's code is spent)", async () => {
    const { callback: path, cookie } = await toProvider(ctx.app);
    expect((await callback(ctx.app, path, cookie)).statusCode).toBe(302);
    const again = await callback(ctx.app, path, cookie);
    expect(again.statusCode).toBe(401);
    expect(ctx.events.at(-1)).toEqual({ kind: "sign_in.failed", reason: "replayed" });
    // Another app process does not share the memory of used states; the provider refuses the spent code.
    const other = await buildApp();
    const elsewhere = await callback(other.app, path, cookie);
    expect(elsewhere.statusCode).toBe(401);
    expect(other.events).toEqual([{ kind: "sign_in.failed", reason: "token_error:invalid_grant" }]);
    expect([...ctx.sessions, ...other.sessions]).toHaveLength(1);
  });

  it("refuses a returnTo that leaves the site: 400 naming returnTo", async () => {
    for (const returnTo of [
      "https://evil.example",
      "//evil.example/x",
      "/\\evil.example",
      "javascript:alert(1)",
    ]) {
      const res = await ctx.app.inject({
        method: "GET",
        url: `/auth/oidc/login?role=judge&returnTo=${encodeURIComponent(returnTo)}`,
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.issues).toEqual([{ field: "query.returnTo", rule: expect.any(String) }]);
      expect(res.headers.location).toBeUndefined();
    }
  });

  it("names an unknown role, and a missing one", async () => {
    const res = await ctx.app.inject({ method: "GET", url: "/auth/oidc/login?role=emperor" });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.issues).toMatchObject([{ field: "query.role" }]);
    const none = await ctx.app.inject({ method: "GET", url: "/auth/oidc/login" });
    expect(none.statusCode).toBe(400);
    expect(none.json().error.issues).toMatchObject([{ field: "query.role" }]);
  });
});

describe("OpenID Connect configuration", () => {
  it("is all or none: a partial set names what is missing", () => {
    expect(() => loadConfig({ OIDC_ISSUER: "https://id.example.org", OIDC_CLIENT_ID: "traslado" })).toThrow(
      /OIDC_CLIENT_SECRET: required.*OIDC_REDIRECT_URI: required/,
    );
    expect(oidcConfigOf(loadConfig({}))).toBeUndefined();
  });

  it("allows plain http for a provider on this machine only", () => {
    const env = {
      OIDC_ISSUER: "http://id.example.org",
      OIDC_CLIENT_ID: "traslado",
      OIDC_CLIENT_SECRET: CLIENT_SECRET,
      OIDC_REDIRECT_URI: "https://traslado.example.org/auth/oidc/callback",
    };
    expect(() => loadConfig(env)).toThrow(/OIDC_ISSUER: must use https/);
    expect(oidcConfigOf(loadConfig({ ...env, OIDC_ISSUER: "https://id.example.org" }))?.issuer.href).toBe(
      "https://id.example.org/",
    );
  });
});

describe("OpenID Connect wired to the session store (createApp with `oidc`)", () => {
  it("opens a real session for the user linked to the subject: the cookie works on /api; a policy role without the provider's second factor is limited until a TOTP code", async () => {
    const { testApp } = await import("../../test/app.ts");
    const { consoleActor } = await import("./tokens.ts");
    const { codeAt } = await import("./totp.ts");
    const t = await testApp({ oidc: settings() });
    try {
      const actor = consoleActor("MX");
      const agency = await t.s.admin.createAgency({ actor, name: "Poder Judicial" });
      const { user } = await t.s.admin.createUser({
        actor,
        username: "judge.seven",
        displayName: "Judge Seven",
        agencyId: agency.id,
        roles: ["judge", "auditor"],
        oidcSubject: "judge-7",
        noPassword: true,
      });
      const signIn = async (role: string) => {
        const { callback: path, cookie } = await toProvider(t.app, `role=${role}`);
        const res = await callback(t.app, path, cookie);
        expect(res.statusCode, res.body).toBe(302);
        const session = setCookies(res).find((c) => c.startsWith("__Host-traslado_session="));
        expect(session).toMatch(/; HttpOnly; Secure; SameSite=Strict/);
        return session!.split(";")[0]!;
      };
      nextLogin = { accountId: "judge-7" };
      const judge = await signIn("judge");
      const me = await t.app.inject({ url: "/auth/session", headers: { cookie: judge } });
      expect(me.json()).toMatchObject({ user: { id: user.id }, role: "judge", secondFactor: true });
      expect((await t.app.inject({ url: "/api/holds", headers: { cookie: judge } })).statusCode).toBe(200);

      const auditor = await signIn("auditor");
      const limited = await t.app.inject({ url: "/api/holds", headers: { cookie: auditor } });
      expect(limited.json().error.code).toBe("SECOND_FACTOR_REQUIRED");
      const csrf = (await t.app.inject({ url: "/auth/session", headers: { cookie: auditor } })).json()
        .csrfToken;
      const headers = { cookie: auditor, "x-csrf-token": csrf };
      const { secret } = (await t.app.inject({ method: "POST", url: "/auth/totp", headers })).json();
      const now = Date.now();
      const confirm = await t.app.inject({
        method: "POST",
        url: "/auth/totp/confirm",
        headers,
        payload: { code: codeAt(secret, new Date(now)) },
      });
      expect(confirm.statusCode).toBe(200);
      // The next sign-in through the provider gives the code in its own session.
      const again = await signIn("auditor");
      const againCsrf = (await t.app.inject({ url: "/auth/session", headers: { cookie: again } })).json()
        .csrfToken;
      const verify = (code: string) =>
        t.app.inject({
          method: "POST",
          url: "/auth/totp/verify",
          headers: { cookie: again, "x-csrf-token": againCsrf },
          payload: { code },
        });
      expect((await verify(codeAt(secret, new Date(now)))).statusCode).toBe(422); // already used
      expect((await verify(codeAt(secret, new Date(now + 30_000)))).statusCode).toBe(200);
      expect((await t.app.inject({ url: "/api/holds", headers: { cookie: again } })).statusCode).toBe(200);

      const { auditEvents } = await import("../db/schema.ts");
      const { eq } = await import("drizzle-orm");
      const events = await t.database.db.select().from(auditEvents).where(eq(auditEvents.entityId, user.id));
      expect(events.filter((e) => e.kind === "sign_in.succeeded").map((e) => e.after)).toContainEqual(
        expect.objectContaining({ method: "oidc", role: "judge" }),
      );
      // A subject linked to nobody: one 401, noted under ZZ.
      nextLogin = { accountId: "stranger" };
      const { callback: path, cookie } = await toProvider(t.app, "role=judge");
      expect((await callback(t.app, path, cookie)).statusCode).toBe(401);
    } finally {
      await t.close();
    }
  });
});
