import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyAudit } from "../src/audit/verify.ts";
import { runDeadlineClock } from "../src/cases/deadline-clock.ts";
import { migrationsFolder } from "../src/db/client.ts";
import { type TestApp, testApp } from "./app.ts";

/** How many migrations the checkout has (drizzle's journal). */
const migrations = JSON.parse(readFileSync(join(migrationsFolder, "meta/_journal.json"), "utf8")).entries
  .length as number;

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/**
 * The Prometheus text format (0.0.4), strictly: HELP and TYPE lines, then samples
 * `name{label="value",…} number`. Any other line fails the parse. NaN and Inf in any case, as Prometheus
 * reads them (Go's ParseFloat; prom-client writes "Nan").
 */
function parsePrometheus(text: string) {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split("\n")) {
    if (line === "") continue;
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (meta) {
      if (meta[1] === "TYPE") {
        expect(["counter", "gauge", "histogram", "summary", "untyped"]).toContain(meta[3]);
        types.set(meta[2]!, meta[3]!);
      }
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (-?(?:[0-9.]+(?:e[+-]?[0-9]+)?|nan|[+-]inf))$/i.exec(
      line,
    );
    if (!m) throw new Error(`not Prometheus text: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/g))
      labels[l[1]!] = l[2]!;
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  const find = (name: string, labels: Record<string, string> = {}) =>
    samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return { types, samples, find };
}

describe("readiness and liveness", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp();
  });
  afterAll(async () => {
    await t.app.close();
    await t.database.close().catch(() => undefined);
  });

  it("is ready on a migrated database, and turns unready, naming the database, when the database goes away", async () => {
    const ready = await t.app.inject({ url: "/health/ready" });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({
      status: "ready",
      migrations: { applied: migrations, expected: migrations },
    });

    const url = t.database.url;
    if (url) {
      // The server refuses the database's connections, and the ones open are cut.
      const name = new URL(url).pathname.slice(1);
      const admin = new pg.Client({ connectionString: url.replace(`/${name}`, "/postgres") });
      await admin.connect();
      try {
        await admin.query(`alter database "${name}" with allow_connections false`);
        await admin.query("select pg_terminate_backend(pid) from pg_stat_activity where datname = $1", [
          name,
        ]);
        const gone = await t.app.inject({ url: "/health/ready" });
        expect(gone.statusCode).toBe(503);
        expect(gone.json()).toMatchObject({ status: "unready" });
        expect(gone.json().problems[0]).toMatch(/^database: /);
        // Liveness does not depend on the database: the process is fine, it need not be restarted.
        expect((await t.app.inject({ url: "/health/live" })).statusCode).toBe(200);
        await admin.query(`alter database "${name}" with allow_connections true`);
        expect((await t.app.inject({ url: "/health/ready" })).statusCode).toBe(200);
      } finally {
        await admin.query(`alter database "${name}" with allow_connections true`);
        await admin.end();
      }
    } else {
      await t.database.pglite!.close();
      const gone = await t.app.inject({ url: "/health/ready" });
      expect(gone.statusCode).toBe(503);
      expect(gone.json().problems[0]).toMatch(/^database: /);
      expect((await t.app.inject({ url: "/health/live" })).statusCode).toBe(200);
    }
  });
});

describe("readiness and the migration level", () => {
  it("answers 503 naming the migrations when one is not applied", async () => {
    const t = await testApp();
    try {
      await t.s.database.db.execute(
        sql`delete from drizzle.__drizzle_migrations where id = (select max(id) from drizzle.__drizzle_migrations)`,
      );
      const res = await t.app.inject({ url: "/health/ready" });
      expect(res.statusCode).toBe(503);
      expect(res.json().problems).toEqual([
        `migrations: ${migrations - 1} of ${migrations} applied (run \`traslado migrate\`)`,
      ]);
    } finally {
      await t.close();
    }
  });
});

describe("/metrics", () => {
  let t: TestApp;
  const lines: string[] = [];
  beforeAll(async () => {
    t = await testApp({ logger: { level: "info", stream: { write: (l: string) => void lines.push(l) } } });
  });
  afterAll(() => t.close());

  it("parses as Prometheus text, with requests per route and status, the pool, the audit lag and the deadline clock", async () => {
    const auth = await t.as("auditor");
    for (let i = 0; i < 3; i++)
      expect((await t.app.inject({ url: `/api/cases/${randomUUID()}`, headers: auth })).statusCode).toBe(404);
    await t.app.inject({ url: "/nowhere" });
    // A URL Fastify itself refuses (malformed): answered 400, and counted like any other answer.
    expect((await t.app.inject({ url: "/api/people/abc%zz", headers: auth })).statusCode).toBe(400);
    // An event committed but never linked: its process stopped between commit and link.
    await t.s.database.db.execute(sql`insert into audit_events
      (id, actor_id, actor_name, party, occurred_at, recorded_at, entity, entity_id, kind, before, after)
      values (${randomUUID()}, 't', 'Test', 'MX', now(), now() - interval '90 seconds', 'organisation',
        ${randomUUID()}, 'organisation.created', null, '{}'::jsonb)`);

    const res = await t.app.inject({ url: "/metrics" });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^text\/plain; version=0\.0\.4/);
    const m = parsePrometheus(res.body);
    expect(m.types.get("http_requests_total")).toBe("counter");
    expect(m.types.get("http_request_duration_seconds")).toBe("histogram");
    const route = { method: "GET", route: "/api/cases/:id", status_code: "404" };
    expect(m.find("http_requests_total", route)?.value).toBe(3);
    expect(m.find("http_request_duration_seconds_count", route)?.value).toBe(3);
    expect(m.find("http_request_duration_seconds_bucket", { ...route, le: "+Inf" })?.value).toBe(3);
    expect(m.find("http_requests_total", { route: "unmatched", status_code: "404" })?.value).toBe(1);
    expect(m.find("http_requests_total", { route: "unmatched", status_code: "400" })?.value).toBe(1);
    expect(m.find("traslado_db_pool_connections", { state: "total" })?.value).toBeGreaterThanOrEqual(1);
    if (t.database.kind === "postgres")
      expect(m.find("traslado_db_pool_connections", { state: "waiting" })?.value).toBe(0);
    expect(m.find("traslado_audit_unlinked_events")?.value).toBe(1);
    expect(m.find("traslado_audit_oldest_unlinked_age_seconds")?.value).toBeGreaterThanOrEqual(89);
    expect(m.find("traslado_deadline_clock_last_run_timestamp_seconds")?.value).toBe(0);
    expect(m.find("process_resident_memory_bytes")?.value).toBeGreaterThan(0);

    // The chain is linked (audit verify links what was left), and the clock runs: both show.
    await verifyAudit(t.s.database.db);
    await runDeadlineClock(t.s);
    const after = parsePrometheus((await t.app.inject({ url: "/metrics" })).body);
    expect(after.find("traslado_audit_unlinked_events")?.value).toBe(0);
    expect(after.find("traslado_audit_oldest_unlinked_age_seconds")?.value).toBe(0);
    const ranAt = after.find("traslado_deadline_clock_last_run_timestamp_seconds")!.value;
    expect(Math.abs(ranAt - Date.now() / 1000)).toBeLessThan(60);
  });

  it("logs each API request's lines with its request id and the actor's id", async () => {
    const auth = await t.as("secretariat");
    const actor = await t.s.tokens.authenticate(auth.authorization.slice(7));
    lines.length = 0;
    const res = await t.app.inject({ url: `/api/cases/${randomUUID()}`, headers: auth });
    const logged = lines.map((l) => JSON.parse(l) as { reqId?: string; actorId?: string; msg: string });
    const completed = logged.find((l) => l.msg === "request completed");
    expect(completed).toMatchObject({
      reqId: res.headers["request-id"] ?? expect.any(String),
      actorId: actor!.id,
    });
    expect(new Set(logged.map((l) => l.reqId)).size).toBe(1);

    // A malformed URL, refused by Fastify before any route: its answer is logged with its request id too.
    lines.length = 0;
    const bad = await t.app.inject({ url: "/api/people/abc%zz", headers: auth });
    expect(bad.statusCode).toBe(400);
    const refused = lines
      .map((l) => JSON.parse(l) as { reqId?: string; msg: string; res?: { statusCode: number } })
      .find((l) => l.msg === "request completed");
    expect(refused).toMatchObject({ reqId: expect.any(String), res: { statusCode: 400 } });
  });
});
