/**
 * Outgoing webhooks: a receiver that fails twice gets the third attempt, signed as the Standard Webhooks
 * specification says (checked with the `standardwebhooks` library, as a receiver would), after the backoff
 * and not before; each attempt recorded and readable by the party's administrator; two senders ticking at
 * once never send one attempt twice.
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { eq, sql } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestApp, testApp } from "../../test/app.ts";
import { buildCase, transition } from "../../test/factories.ts";
import { consoleActor } from "../auth/tokens.ts";
import { addDays } from "../cases/calendar.ts";
import { loadConfig } from "../config.ts";
import { type Database, openDatabase } from "../db/client.ts";
import {
  auditEvents,
  webhookAttempts,
  webhookDeliveries,
  webhookEndpoints,
  webhookSecrets,
} from "../db/schema.ts";
import { type Services, services } from "../services.ts";

let t: TestApp;
let now = new Date();
const clock = () => now;
let second: { s: Services; database?: Database };
const settings = {
  DEATH_PENALTY_ASSURANCE_POLICY: "block",
  AMPARO_WINDOW: "ley-de-amparo",
  WEBHOOK_BACKOFF_BASE_S: 60,
  WEBHOOK_MAX_ATTEMPTS: 4,
  WEBHOOK_TIMEOUT_MS: 2000,
  NODE_ENV: "test",
} as const;

/** A receiver that answers 500 to its first `failures` requests, then 204; it keeps what it got. */
let receiver: Server;
let url = "";
const received: { url: string | undefined; headers: IncomingHttpHeaders; body: string }[] = [];
let failures = 2;
/**
 * The lease test's endpoint: the first request is answered 500 only once a second has arrived (the
 * delivery taken over by another sender), the second 204 a little later, so the first's outcome is
 * written while the second holds the lease.
 */
const leaseWaiters: ((v: unknown) => void)[] = [];
let leaseRequests = 0;
const secondArrived: Promise<unknown> = new Promise((r) => leaseWaiters.push(r));
const firstArrived: Promise<unknown> = new Promise((r) => leaseWaiters.push(r));
function leased(res: import("node:http").ServerResponse) {
  leaseRequests++;
  if (leaseRequests === 1) {
    leaseWaiters[1]!(null);
    void secondArrived.then(() => {
      res.statusCode = 500;
      res.end();
    });
  } else {
    leaseWaiters[0]!(null);
    setTimeout(() => {
      res.statusCode = 204;
      res.end();
    }, 300);
  }
}

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => {
      body += c.toString("utf8");
    });
    req.on("end", () => {
      received.push({ url: req.url, headers: req.headers, body });
      if (req.url?.includes("lease=")) return leased(res);
      res.statusCode = received.length <= failures ? 500 : 204;
      res.end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/traslado-events?desk=ops`;
  t = await testApp({}, { clock, services: settings });
  if (t.database.url) {
    const database = await openDatabase({ kind: "postgres", url: t.database.url, poolSize: 4 });
    second = { s: services(database, settings, { clock }), database };
  } else {
    second = { s: services(t.database, settings, { clock }) };
  }
}, 120_000);
afterAll(async () => {
  await second?.database?.close();
  await t?.close();
  receiver?.close();
});

/** Both senders at once, at `at`; answers the attempts made. */
async function tick(at: Date) {
  now = at;
  return (await Promise.all([t.s.webhooks.deliverDue(at), second.s.webhooks.deliverDue(at)])).flat();
}

describe("outgoing webhooks", () => {
  it("refuses an endpoint not on https (but for localhost), naming the field; another role is refused", async () => {
    const bad = await t.app.inject({
      method: "POST",
      url: "/api/webhooks",
      headers: await t.as("admin"),
      payload: { url: "http://receiver.example/hook" },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.issues).toEqual([expect.objectContaining({ field: "url" })]);
    // Another scheme is named as such, not as "not a URL".
    const ftp = await t.app.inject({
      method: "POST",
      url: "/api/webhooks",
      headers: await t.as("admin"),
      payload: { url: "ftp://receiver.example/hook" },
    });
    expect(ftp.json().error.issues).toEqual([
      { field: "url", rule: "must be https:// (http:// to localhost outside production)" },
    ]);
    const judge = await t.app.inject({
      method: "POST",
      url: "/api/webhooks",
      headers: await t.as("judge"),
      payload: { url },
    });
    expect(judge.statusCode).toBe(403);
    expect((await t.app.inject({ url: "/api/webhooks", headers: await t.as("admin") })).json().items).toEqual(
      [],
    );
  });

  it("retries a receiver that fails twice with backoff; the third attempt arrives, signed; every attempt recorded", async () => {
    const created = await t.app.inject({
      method: "POST",
      url: "/api/webhooks",
      headers: await t.as("admin"),
      payload: { url, description: "Operations desk" },
    });
    expect(created.statusCode, created.body).toBe(201);
    const hook = created.json() as { id: string; secret: string; url: string };
    expect(hook.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    // The secret is shown once: not in the list, not in the audit chain.
    const listed = await t.app.inject({ url: "/api/webhooks", headers: await t.as("admin") });
    expect(listed.json().items).toEqual([expect.not.objectContaining({ secret: expect.anything() })]);
    const audited = await t.database.db.select().from(auditEvents).where(eq(auditEvents.entityId, hook.id));
    expect(audited).toHaveLength(1);
    expect(JSON.stringify(audited)).not.toContain(hook.secret.slice(6));
    // Another party's administrator does not see it.
    expect(
      (await t.app.inject({ url: "/api/webhooks", headers: await t.as("admin", "US") })).json().items,
    ).toEqual([]);

    // A provisional detention whose formal-request deadline is 3 days away.
    const c = await buildCase(t, { track: "treaty" });
    const today = new Date().toISOString().slice(0, 10);
    const day0 = addDays(today, -57);
    for (const [step, role, at] of [
      ["request-provisional-arrest", "foreign-ministry", "08"],
      ["detain-provisionally", "judge", "09"],
    ] as const) {
      const res = await transition(t, c.id, role, {
        transition: step,
        legalBasis: "Treaty art. 11",
        occurredAt: `${day0}T${at}:00:00.000Z`,
      });
      expect(res.statusCode, res.body).toBe(201);
    }
    const t0 = new Date();
    now = t0;
    const raised = await t.s.notifications.raise(t0);
    expect(raised.raised).toEqual([expect.objectContaining({ kind: "reminder", leadDays: 3 })]);

    const first = await tick(t0);
    expect(first.map((a) => [a.attempt, a.statusCode, a.error])).toEqual([[1, 500, "HTTP 500"]]);
    // Not due before its backoff (60 s), whoever asks.
    expect(await tick(new Date(t0.getTime() + 59_000))).toEqual([]);
    const secondAttempt = await tick(new Date(t0.getTime() + 60_000));
    expect(secondAttempt.map((a) => [a.attempt, a.statusCode])).toEqual([[2, 500]]);
    // Then 120 s (doubled).
    expect(await tick(new Date(t0.getTime() + 179_000))).toEqual([]);
    const third = await tick(new Date(t0.getTime() + 180_000));
    expect(third.map((a) => [a.attempt, a.statusCode, a.delivered])).toEqual([[3, 204, true]]);
    expect(await tick(new Date(t0.getTime() + 3_600_000))).toEqual([]);

    // The receiver got three requests, one per attempt, of one message (one webhook-id).
    expect(received).toHaveLength(3);
    expect(new Set(received.map((r) => r.headers["webhook-id"])).size).toBe(1);
    const last = received[2]!;
    const headers = {
      "webhook-id": String(last.headers["webhook-id"]),
      "webhook-timestamp": String(last.headers["webhook-timestamp"]),
      "webhook-signature": String(last.headers["webhook-signature"]),
    };
    expect(headers["webhook-timestamp"]).toBe(String(Math.floor((t0.getTime() + 180_000) / 1000)));
    const event = new Webhook(hook.secret).verify(last.body, headers) as {
      type: string;
      data: Record<string, unknown>;
    };
    expect(event).toMatchObject({
      type: "deadline.reminder",
      data: { caseId: c.id, deadlineKind: "formal-request", leadDays: 3, rolesToAct: ["foreign-ministry"] },
    });
    // No person's name leaves in the event.
    expect(last.body).not.toMatch(/Test Person/);
    // A byte changed, or another secret: the receiver refuses it.
    expect(() => new Webhook(hook.secret).verify(last.body.replace("formal", "Formal"), headers)).toThrow();
    const otherSecret = `whsec_${Buffer.alloc(32, 7).toString("base64")}`;
    expect(() => new Webhook(otherSecret).verify(last.body, headers)).toThrow();

    // The administrator reads every attempt.
    const deliveries = await t.app.inject({
      url: `/api/webhooks/${hook.id}/deliveries`,
      headers: await t.as("admin"),
    });
    expect(deliveries.statusCode, deliveries.body).toBe(200);
    const [delivery] = deliveries.json().items;
    expect(delivery).toMatchObject({
      status: "delivered",
      eventType: "deadline.reminder",
      deliveredAt: new Date(t0.getTime() + 180_000).toISOString(),
      nextAttemptAt: null,
    });
    expect(
      delivery.attempts.map(
        (a: { attempt: number; statusCode: number; error: string; nextAttemptAt: string }) => [
          a.attempt,
          a.statusCode,
          a.error,
          a.nextAttemptAt,
        ],
      ),
    ).toEqual([
      [1, 500, "HTTP 500", new Date(t0.getTime() + 60_000).toISOString()],
      [2, 500, "HTTP 500", new Date(t0.getTime() + 180_000).toISOString()],
      [3, 204, null, null],
    ]);
    for (const a of delivery.attempts) expect(a.durationMs).toBeGreaterThanOrEqual(0);
    // Another party's administrator: 404.
    const foreign = await t.app.inject({
      url: `/api/webhooks/${hook.id}/deliveries`,
      headers: await t.as("admin", "US"),
    });
    expect(foreign.statusCode).toBe(404);
  }, 60_000);

  it("gives up after WEBHOOK_MAX_ATTEMPTS; a removed endpoint is listed no more; its secret stays unreadable", async () => {
    failures = 1000;
    received.length = 0;
    const made = await t.s.webhooks.create({
      actor: consoleActor("MX"),
      url: `${url}&second=1`,
      description: "",
    });
    await detainedDaysAgo(59);
    const t0 = new Date();
    await t.s.notifications.raise(t0);
    const outcomes = [];
    for (let minute = 0; minute <= 60; minute++)
      outcomes.push(...(await tick(new Date(t0.getTime() + minute * 60_000))));
    const mine = outcomes.filter((o) => o.endpointId === made.id);
    expect(mine.map((o) => o.attempt)).toEqual([1, 2, 3, 4]);
    expect(mine.at(-1)).toMatchObject({ exhausted: true });
    // The application's role cannot read a secret outside the system context.
    const secrets = await t.database.scoped({ party: "MX", actorId: "someone" }, () =>
      t.database.app.select().from(webhookSecrets),
    );
    expect(secrets).toEqual([]);
    // Removed: listed no more.
    const removed = await t.app.inject({
      method: "DELETE",
      url: `/api/webhooks/${made.id}`,
      headers: await t.as("admin"),
    });
    expect(removed.statusCode, removed.body).toBe(200);
    const list = (await t.app.inject({ url: "/api/webhooks", headers: await t.as("admin") })).json();
    expect(list.items.map((e: { id: string }) => e.id)).not.toContain(made.id);
    const again = await t.app.inject({
      method: "DELETE",
      url: `/api/webhooks/${made.id}`,
      headers: await t.as("admin"),
    });
    expect(again.statusCode).toBe(404);
  }, 60_000);
});

/** A case whose formal-request deadline is 3 days away, its reminder raised now: one delivery per endpoint. */
async function raiseOne() {
  await detainedDaysAgo(57);
  const at = new Date();
  now = at;
  expect((await t.s.notifications.raise(at)).raised).toHaveLength(1);
  return at;
}

describe("where a webhook may go, in production (against server-side request forgery)", () => {
  /** Resolves the tests' names: receiver.test to this machine, public.test to a public address. */
  const resolve = async (host: string) =>
    ({ "receiver.test": ["127.0.0.1"], "public.test": ["93.184.215.14"] })[host] ?? [];
  const production = (allow: string[] = []) =>
    services(
      t.database,
      { ...settings, NODE_ENV: "production", WEBHOOK_ALLOW_HOSTS: allow },
      { clock, webhookResolve: resolve },
    );

  it("refuses at creation http, localhost and loopback, private or link-local addresses; writes nothing", async () => {
    const prod = production();
    const before = await t.database.db.select().from(webhookEndpoints);
    for (const bad of [
      `http://localhost:${new URL(url).port}/hook`,
      "https://localhost/hook",
      "https://api.localhost/hook",
      "https://127.0.0.1/hook",
      "https://[::1]/hook",
      "https://[::ffff:127.0.0.1]/hook",
      "https://10.1.2.3/hook",
      "https://192.168.0.10/hook",
      "https://169.254.169.254/latest/meta-data",
      "https://[fe80::1]/hook",
      "http://public.test/hook",
    ]) {
      const refused = await prod.webhooks
        .create({ actor: consoleActor("MX"), url: bad, description: "" })
        .then(
          () => null,
          (err: unknown) => err,
        );
      expect(refused, bad).toMatchObject({
        code: "VALIDATION_FAILED",
        details: { issues: [expect.objectContaining({ field: "url" })] },
      });
    }
    expect(await t.database.db.select().from(webhookEndpoints)).toHaveLength(before.length);
  });

  it("refuses at delivery a host resolving to 127.0.0.1, recorded as such and not sent; an allowed host is sent to", async () => {
    failures = 0;
    received.length = 0;
    // A sender of production that allows 127.0.0.1 by name (WEBHOOK_ALLOW_HOSTS), not receiver.test.
    const prod = production(["127.0.0.1"]);
    const port = new URL(url).port;
    const internal = await prod.webhooks.create({
      actor: consoleActor("MX"),
      url: `https://receiver.test:${port}/hook`,
      description: "resolves to this machine",
    });
    const allowed = await prod.webhooks.create({
      actor: consoleActor("MX"),
      url: `http://127.0.0.1:${port}/allowed`,
      description: "on the allow list",
    });
    const at = await raiseOne();
    const outcomes = await prod.webhooks.deliverDue(at);
    expect(outcomes.find((o) => o.endpointId === internal.id)).toMatchObject({
      statusCode: null,
      error: "refused: the host resolves to a loopback, private or link-local address",
      delivered: false,
      exhausted: true,
    });
    expect(outcomes.find((o) => o.endpointId === allowed.id)).toMatchObject({ statusCode: 204, error: null });
    // Nothing reached receiver.test's address; the allowed endpoints (this one, the first test's) were sent to.
    expect(received.map((r) => r.url).sort()).toEqual(["/allowed", "/traslado-events?desk=ops"]);
    const [attempt] = await t.database.db
      .select()
      .from(webhookAttempts)
      .innerJoin(webhookDeliveries, eq(webhookAttempts.deliveryId, webhookDeliveries.id))
      .where(eq(webhookDeliveries.endpointId, internal.id));
    expect(attempt?.webhook_attempts.error).toMatch(/^refused: the host resolves/);
    expect(attempt?.webhook_deliveries).toMatchObject({ status: "failed", nextAttemptAt: null });
    // Without the allow list, the http endpoint is refused too, for http.
    const prodStrict = production();
    const at2 = await raiseOne();
    const strict = await prodStrict.webhooks.deliverDue(at2);
    expect(strict.find((o) => o.endpointId === allowed.id)).toMatchObject({
      error: "refused: must use https",
      exhausted: true,
    });
    expect(received).toHaveLength(2);
  });

  it("reads WEBHOOK_ALLOW_HOSTS as host names, lower case, without brackets", () => {
    expect(
      loadConfig({ WEBHOOK_ALLOW_HOSTS: " Hooks.Ministry.Internal , [::1]" }).WEBHOOK_ALLOW_HOSTS,
    ).toEqual(["hooks.ministry.internal", "::1"]);
    expect(loadConfig({}).WEBHOOK_ALLOW_HOSTS).toEqual([]);
  });
});

describe("adding and removing an endpoint is all-or-nothing", () => {
  /** Makes every statement of `event` on `table` fail (as a crash between two writes would), then runs `fn`. */
  async function failing<T>(table: string, event: string, fn: () => Promise<T>) {
    const run = (q: string) => t.database.db.execute(sql.raw(q));
    await run(
      "CREATE FUNCTION notifix_fail() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'cut short'; END $$",
    );
    await run(
      `CREATE TRIGGER notifix_fail BEFORE ${event} ON ${table} FOR EACH ROW EXECUTE FUNCTION notifix_fail()`,
    );
    try {
      return await fn().then(
        () => null,
        (err: unknown) => err,
      );
    } finally {
      await run(`DROP TRIGGER notifix_fail ON ${table}`);
      await run("DROP FUNCTION notifix_fail()");
    }
  }

  it("an endpoint whose secret cannot be written is not added, nor audited", async () => {
    const endpoints = (await t.database.db.select().from(webhookEndpoints)).length;
    const events = (await t.database.db.select().from(auditEvents)).length;
    const err = await failing("webhook_secrets", "INSERT", () =>
      t.s.webhooks.create({ actor: consoleActor("MX"), url: `${url}&atomic=1`, description: "" }),
    );
    expect(err).toBeInstanceOf(Error);
    expect(await t.database.db.select().from(webhookEndpoints)).toHaveLength(endpoints);
    expect(await t.database.db.select().from(auditEvents)).toHaveLength(events);
    // Without the failure: the endpoint and its secret, together.
    const made = await t.s.webhooks.create({
      actor: consoleActor("MX"),
      url: `${url}&atomic=2`,
      description: "",
    });
    expect(
      await t.database.db.select().from(webhookSecrets).where(eq(webhookSecrets.endpointId, made.id)),
    ).toHaveLength(1);
  });

  it("a removal whose deliveries cannot be given up removes nothing; one that can gives them up", async () => {
    const made = await t.s.webhooks.create({
      actor: consoleActor("MX"),
      url: `${url}&atomic=3`,
      description: "",
    });
    await raiseOne();
    const pending = () =>
      t.database.db
        .select({ status: webhookDeliveries.status })
        .from(webhookDeliveries)
        .where(eq(webhookDeliveries.endpointId, made.id));
    expect(await pending()).toEqual([{ status: "pending" }]);
    const err = await failing("webhook_deliveries", "UPDATE", () =>
      t.s.webhooks.remove({ actor: consoleActor("MX"), id: made.id }),
    );
    expect(err).toBeInstanceOf(Error);
    const [still] = await t.database.db
      .select()
      .from(webhookEndpoints)
      .where(eq(webhookEndpoints.id, made.id));
    expect(still).toMatchObject({ removedAt: null, version: 1 });
    expect(await pending()).toEqual([{ status: "pending" }]);
    await t.s.webhooks.remove({ actor: consoleActor("MX"), id: made.id });
    expect(await pending()).toEqual([{ status: "failed" }]);
    const audited = await t.database.db.select().from(auditEvents).where(eq(auditEvents.entityId, made.id));
    expect(audited.map((e) => e.kind)).toEqual(["webhook_endpoint.created", "webhook_endpoint.removed"]);
  });
});

describe("a sender whose lease ran out", () => {
  it("does not overwrite the sender that took the delivery over", async () => {
    failures = 0;
    const made = await t.s.webhooks.create({
      actor: consoleActor("MX"),
      url: `${url}&lease=1`,
      description: "",
    });
    const t0 = await raiseOne();
    // The first sender claims it at t0 and waits for the receiver; its lease (timeout + 30 s) runs out.
    const first = t.s.webhooks.deliverDue(t0);
    await firstArrived;
    const taken = await second.s.webhooks.deliverDue(
      new Date(t0.getTime() + settings.WEBHOOK_TIMEOUT_MS + 31_000),
    );
    const late = await first;
    expect(late.find((o) => o.endpointId === made.id)).toMatchObject({ attempt: 1, statusCode: 500 });
    expect(taken.find((o) => o.endpointId === made.id)).toMatchObject({ attempt: 2, statusCode: 204 });
    // The late sender's failure did not put it back to pending: the taker's success stands.
    const [delivery] = await t.database.db
      .select()
      .from(webhookDeliveries)
      .where(eq(webhookDeliveries.endpointId, made.id));
    expect(delivery).toMatchObject({ status: "delivered", lockedUntil: null, nextAttemptAt: null });
  }, 60_000);
});

/** A treaty case whose person was provisionally detained `days` ago: its 60-day deadline runs from then. */
async function detainedDaysAgo(days: number) {
  const c = await buildCase(t, { track: "treaty" });
  const day0 = addDays(new Date().toISOString().slice(0, 10), -days);
  for (const [step, role] of [
    ["request-provisional-arrest", "foreign-ministry"],
    ["detain-provisionally", "judge"],
  ] as const)
    await transition(t, c.id, role, {
      transition: step,
      legalBasis: "Treaty art. 11",
      occurredAt: `${day0}T09:00:00.000Z`,
    });
  return c;
}
