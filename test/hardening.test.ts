import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.ts";
import { type TestApp, testApp } from "./app.ts";
import { buildPerson } from "./factories.ts";

/** Issue 10, part 8: security headers, body and rate limits, answers that tell nothing of the inside, logs. */

const lines: string[] = [];
let t: TestApp;
beforeAll(async () => {
  t = await testApp({
    logger: { level: "info", stream: { write: (line) => void lines.push(line) } },
    config: { BODY_LIMIT_BYTES: 64 * 1024 },
  });
});
afterAll(() => t.close());

const count = async (table: string) =>
  Number(
    (
      (await t.database.db.execute(sql.raw(`select count(*) as n from "${table}"`))) as {
        rows: { n: unknown }[];
      }
    ).rows[0]!.n,
  );

describe("configuration", () => {
  it("listens on this machine only unless HOST says otherwise; limits have defaults", () => {
    const config = loadConfig({});
    expect(config.HOST).toBe("127.0.0.1");
    expect(config.BODY_LIMIT_BYTES).toBe(1024 * 1024);
    expect(config.RATE_LIMIT_MAX).toBeGreaterThan(0);
    expect(loadConfig({ HOST: "0.0.0.0" }).HOST).toBe("0.0.0.0");
    expect(() => loadConfig({ RATE_LIMIT_MAX: "none" })).toThrow(/RATE_LIMIT_MAX/);
  });
});

describe("security headers", () => {
  it("sends them on the API and on the docs, whose page may run swagger-ui's own scripts only", async () => {
    for (const url of ["/health/live", "/docs", "/api/people"]) {
      const res = await t.app.inject({ url });
      expect(res.headers["x-content-type-options"], url).toBe("nosniff");
      expect(res.headers["strict-transport-security"], url).toMatch(/max-age=/);
      expect(res.headers["x-frame-options"], url).toBe("SAMEORIGIN");
      const csp = String(res.headers["content-security-policy"]);
      expect(csp, url).toMatch(/default-src 'self'/);
      expect(csp, url).toMatch(/script-src 'self'(;| 'sha256-)/);
      expect(csp, url).toMatch(/frame-ancestors 'self'/);
      // Plain HTTP on 127.0.0.1: the docs' scripts must not be asked for over https.
      expect(csp, url).not.toMatch(/upgrade-insecure-requests/);
      expect(csp, url).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
    }
    // swagger-ui's page loads its scripts and styles from the server itself, which the policy allows.
    const docs = await t.app.inject({ url: "/docs" });
    expect(docs.statusCode).toBe(200);
    expect(docs.body).not.toMatch(/<script>|<style>|https?:\/\//);
  });
});

describe("body limits", () => {
  it("refuses a body larger than the route accepts with 413, unread, and writes nothing", async () => {
    const headers = await t.as("foreign-ministry");
    const people = await count("people");
    const res = await t.app.inject({
      method: "POST",
      url: "/api/people",
      headers: { ...headers, "content-type": "application/json" },
      payload: JSON.stringify({ givenNames: "A", familyNames: "x".repeat(70 * 1024) }),
    });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toEqual({
      error: {
        code: "PAYLOAD_TOO_LARGE",
        message: expect.stringMatching(/larger than this route accepts \(65536 bytes\)/),
        issues: [{ field: "(body)", rule: expect.any(String) }],
      },
    });
    expect(await count("people")).toBe(people);
  });

  it("a route that takes no body refuses one of more than a kilobyte", async () => {
    const res = await t.app.inject({
      method: "POST",
      url: "/health/live",
      headers: { "content-type": "application/json" },
      payload: JSON.stringify({ x: "y".repeat(2048) }),
    });
    // No such route for POST: 404 whatever the body, and never a 5xx.
    expect(res.statusCode).toBeLessThan(500);
  });
});

describe("media types", () => {
  it("refuses a body that is not JSON with 415, text/plain included, and writes nothing", async () => {
    const headers = await t.as("foreign-ministry");
    const people = await count("people");
    for (const type of ["text/plain", "application/xml", "application/x-www-form-urlencoded"]) {
      const res = await t.app.inject({
        method: "POST",
        url: "/api/people",
        headers: { ...headers, "content-type": type },
        payload: JSON.stringify({ givenNames: "A", familyNames: "B" }),
      });
      expect(res.statusCode, type).toBe(415);
      expect(res.json().error.code, type).toBe("UNSUPPORTED_MEDIA_TYPE");
    }
    expect(await count("people")).toBe(people);
  });
});

describe("hostile text", () => {
  it("refuses a NUL character or a lone surrogate in any text field with 400 naming it, writing nothing", async () => {
    const headers = await t.as("foreign-ministry");
    const people = await count("people");
    for (const [field, payload] of [
      ["givenNames", { givenNames: "Ana\u0000", familyNames: "Pérez" }],
      ["familyNames", { givenNames: "Ana", familyNames: "P\ud800" }],
      ["aliases[0]", { givenNames: "Ana", familyNames: "Pérez", aliases: ["\udc00x"] }],
      ["photoRef", { givenNames: "Ana", familyNames: "Pérez", photoRef: "a\u0000b" }],
    ] as const) {
      const res = await t.app.inject({ method: "POST", url: "/api/people", headers, payload });
      expect(res.statusCode, field).toBe(400);
      expect(res.json().error.code).toBe("VALIDATION_FAILED");
      expect(res.json().error.issues).toContainEqual({
        field,
        rule: expect.stringMatching(/NUL.*surrogate/),
      });
    }
    const query = await t.app.inject({ url: `/api/people?q=${encodeURIComponent("x\u0000")}`, headers });
    expect(query.statusCode).toBe(400);
    expect(query.json().error.issues[0].field).toBe("query.q");
    expect(await count("people")).toBe(people);
    // A well-formed pair (an emoji) is text like any other.
    const ok = await t.app.inject({
      method: "POST",
      url: "/api/people",
      headers,
      payload: { givenNames: "Ana 🙂", familyNames: "Pérez", fictional: true },
    });
    expect(ok.statusCode).toBe(201);
    expect(ok.json().givenNames).toBe("Ana 🙂");
  });
});

describe("answers and logs tell nothing of the inside", () => {
  it("a failed write answers 500 with the request id only, and its log carries no value sent", async () => {
    const headers = await t.as("foreign-ministry");
    // Make the database refuse every new person, as a fault of the system would (a constraint of its own).
    await t.database.db.execute(sql`alter table people add constraint hd_refuse_all check (false) not valid`);
    lines.length = 0;
    const person = {
      givenNames: "Zacarías Eulogio",
      familyNames: "Quintanilla-Barrón",
      dateOfBirth: "1961-07-23",
      aliases: ["El Zorro Gris"],
      fictional: true,
    };
    const people = await count("people");
    try {
      const res = await t.app.inject({
        method: "POST",
        url: "/api/people?q=Quintanilla",
        headers,
        payload: person,
      });
      expect(res.statusCode).toBe(500);
      expect(res.json()).toEqual({
        error: {
          code: "INTERNAL",
          message: expect.stringMatching(/^internal error; quote request id [0-9a-f-]{36}$/),
        },
      });
      expect(res.body).not.toMatch(/hd_refuse_all|people|insert|check|constraint|Zacar|1961/i);
    } finally {
      await t.database.db.execute(sql`alter table people drop constraint hd_refuse_all`);
    }
    expect(await count("people")).toBe(people);
    const log = lines.join("");
    const failure = lines.map((l) => JSON.parse(l)).find((l) => l.msg === "unhandled error");
    // The log says what failed: the SQLSTATE, the constraint and the statement.
    expect(failure.err).toMatchObject({ code: "23514", constraint: "hd_refuse_all" });
    expect(failure.err.statement).toMatch(/^insert into "people"/);
    expect(failure.reqId).toEqual(expect.any(String));
    for (const value of ["Zacarías", "Eulogio", "Quintanilla", "1961-07-23", "Zorro", "Barrón"])
      expect(log, value).not.toContain(value);
  });

  it("a duplicate the client cannot act on is a fault of the system: no constraint name or row in the answer", async () => {
    const headers = await t.as("foreign-ministry");
    await buildPerson(t, { familyNames: "Unique Zed" });
    await t.database.db.execute(sql`create unique index hd_family_uq on people (family_names)`);
    lines.length = 0;
    try {
      const res = await t.app.inject({
        method: "POST",
        url: "/api/people",
        headers,
        payload: { givenNames: "Otra", familyNames: "Unique Zed", fictional: true },
      });
      expect(res.statusCode).toBe(500);
      expect(res.body).not.toMatch(/hd_family_uq|Unique Zed|family_names|Key \(/);
      expect(lines.join("")).not.toMatch(/Unique Zed|Otra/);
    } finally {
      await t.database.db.execute(sql`drop index hd_family_uq`);
    }
  });

  it("a known duplicate answers 409 naming the field, not the constraint or the row", async () => {
    const headers = await t.as("secretariat");
    const body = { name: "Cártel Hd Duplicado" };
    const first = await t.app.inject({
      method: "POST",
      url: "/api/organisations",
      headers,
      payload: { name: body.name },
    });
    expect(first.statusCode).toBe(201);
    const again = await t.app.inject({
      method: "POST",
      url: "/api/organisations",
      headers,
      payload: { name: body.name },
    });
    expect(again.statusCode).toBe(409);
    // The field to change, and the record already there: never the constraint, the table or the statement.
    expect(again.json().error).toMatchObject({
      code: "DUPLICATE",
      issues: [{ field: "name", rule: "must be unique" }],
    });
    expect(again.body).not.toMatch(/_uq|organisations|constraint|insert|Key \(/);
  });
});

describe("rate limits", () => {
  let limited: TestApp;
  beforeAll(async () => {
    limited = await testApp({ config: { RATE_LIMIT_MAX: 5, RATE_LIMIT_WINDOW_MS: 60_000 } });
  });
  afterAll(() => limited.close());

  it("answers 429 with Retry-After and RateLimit headers past the limit, per token; health is never counted", async () => {
    const t = limited;
    const mine = await t.as("auditor");
    const other = await t.as("auditor", "US");
    const answers = [];
    for (let i = 0; i < 7; i++) answers.push(await t.app.inject({ url: "/api/stats", headers: mine }));
    expect(answers.slice(0, 5).map((r) => r.statusCode)).not.toContain(429);
    expect(answers[0]!.headers["ratelimit-limit"]).toBe("5");
    expect(answers[0]!.headers["ratelimit-remaining"]).toBe("4");
    const refused = answers[6]!;
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers["retry-after"])).toBeGreaterThan(0);
    expect(refused.headers["ratelimit-remaining"]).toBe("0");
    expect(refused.json()).toEqual({
      error: { code: "RATE_LIMITED", message: expect.stringMatching(/too many requests/) },
    });
    // Another client (its own token) is not held back by this one.
    expect((await t.app.inject({ url: "/api/stats", headers: other })).statusCode).not.toBe(429);
    for (let i = 0; i < 10; i++) {
      expect((await t.app.inject({ url: "/health/live" })).statusCode).toBe(200);
      expect((await t.app.inject({ url: "/metrics" })).statusCode).toBe(200);
    }
  });
});
