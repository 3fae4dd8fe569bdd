import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { linkLag } from "../src/audit/link.ts";
import { verifyAudit } from "../src/audit/verify.ts";
import { consoleActor } from "../src/auth/tokens.ts";
import { type Database, openDatabase } from "../src/db/client.ts";
import { people } from "../src/db/schema.ts";
import { services } from "../src/services.ts";
import { type TestDatabase, testDatabase } from "./db.ts";

const bin = join(import.meta.dirname, "../bin/traslado.js");

const freePort = () =>
  new Promise<number>((resolve) => {
    const srv = createServer().listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });

/** The database the server will run on: a new embedded data directory, or a database on the server. */
let server: TestDatabase | undefined;
let dataDir: string | undefined;
let env: Record<string, string>;
const open = (): Promise<Database> =>
  server
    ? openDatabase({ kind: "postgres", url: server.url! })
    : openDatabase({ kind: "pglite", dataDir: dataDir! });

beforeAll(async () => {
  if (process.env.TEST_DATABASE_URL) {
    server = await testDatabase();
    // As in production: the application connects as its own role, under row-level security; the schema's
    // owner applies migrations.
    const app = new URL(server.url!);
    app.username = "traslado_app";
    env = { DATABASE_URL: app.toString(), MIGRATION_DATABASE_URL: server.url! };
  } else {
    dataDir = mkdtempSync(join(tmpdir(), "traslado-shutdown-"));
    env = { DATA_DIR: dataDir };
  }
});
afterAll(async () => {
  await server?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe("serve, stopped by SIGTERM under load", () => {
  it("finishes the requests in flight, loses no acknowledged write, leaves the audit chain linked and exits 0", async () => {
    const setup = await open();
    await setup.migrate();
    const s = services(setup, { DEATH_PENALTY_ASSURANCE_POLICY: "block", AMPARO_WINDOW: "ley-de-amparo" });
    const { token } = await s.tokens.create({
      actor: consoleActor("MX"),
      name: "Liaison 1",
      party: "MX",
      role: "foreign-ministry",
    });
    await setup.close();

    const port = await freePort();
    const child: ChildProcess = spawn(process.execPath, [bin, "serve"], {
      env: {
        ...process.env,
        ...env,
        PORT: String(port),
        HOST: "127.0.0.1",
        // Eight clients on one token, as fast as answered: the load this test needs, not a rate limit's.
        RATE_LIMIT_MAX: "1000000",
        SEED_DEMO: "false",
        LOG_LEVEL: "info",
        SHUTDOWN_TIMEOUT_MS: "20000",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let log = "";
    child.stdout!.on("data", (d) => {
      log += d;
    });
    child.stderr!.on("data", (d) => {
      log += d;
    });
    const exited = new Promise<{ code: number | null; at: number }>((resolve) =>
      child.on("exit", (code) => resolve({ code, at: Date.now() })),
    );
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      const ok = await fetch(`${base}/health/ready`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) break;
      if (i > 300) throw new Error(`the server did not get ready:\n${log}`);
      await new Promise((r) => setTimeout(r, 100));
    }

    // Eight clients create people as fast as they are answered, until the server stops answering.
    const acknowledged: string[] = [];
    const refused: number[] = [];
    let sentAt = 0;
    let ackedAfterSignal = 0;
    let done = false;
    const client = async (c: number) => {
      for (let i = 0; !done; i++) {
        try {
          const res = await fetch(`${base}/api/people`, {
            method: "POST",
            headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
            body: JSON.stringify({ givenNames: `Client ${c}`, familyNames: `Person ${i}`, fictional: true }),
          });
          if (res.status === 201) {
            acknowledged.push(((await res.json()) as { id: string }).id);
            if (sentAt > 0) ackedAfterSignal++;
          } else {
            refused.push(res.status);
            await res.arrayBuffer();
          }
        } catch {
          // Connection refused or closed: the server has stopped taking requests.
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    };
    const clients = Array.from({ length: 8 }, (_, c) => client(c));
    // Under load, until a dozen writes are acknowledged (on a loaded machine that takes longer than 1.5 s).
    for (let waited = 0; acknowledged.length <= 10 && waited < 45_000; waited += 100)
      await new Promise((r) => setTimeout(r, 100));
    expect(acknowledged.length, log).toBeGreaterThan(10);
    sentAt = Date.now();
    child.kill("SIGTERM");
    const { code, at } = await exited;
    done = true;
    await Promise.all(clients);

    expect(code, log).toBe(0);
    expect(at - sentAt).toBeLessThan(20_000);
    expect(log).toMatch(/stopped: requests finished, audit chain linked/);
    // Anything refused was refused as the server closed (503), never a failed write.
    expect(refused.filter((status) => status !== 503)).toEqual([]);

    const after = await open();
    try {
      const found = await after.db
        .select({ id: people.id })
        .from(people)
        .where(inArray(people.id, acknowledged));
      expect(found.length).toBe(acknowledged.length);
      // Linked as the server left it (audit verify would link what was left: look before it does).
      expect((await linkLag(after.db)).unlinked).toBe(0);
      const report = await verifyAudit(after.db);
      expect(report.problems).toEqual([]);
      expect(report.rowsChecked).toBeGreaterThanOrEqual(acknowledged.length);
    } finally {
      await after.close();
    }
    process.stdout.write(
      `SIGTERM under load: ${acknowledged.length} writes acknowledged (${ackedAfterSignal} after the signal), ${refused.length} refused with 503, exit in ${at - sentAt} ms\n`,
    );
  }, 150_000); // a server start, a load until a dozen writes are acknowledged, a bounded shutdown

  it.skipIf(!process.env.TEST_DATABASE_URL)(
    "refuses to start connected as a superuser, naming the role, unless told so for maintenance",
    async () => {
      const start = (extra: Record<string, string>) =>
        new Promise<{ code: number | null; log: string }>((resolve) => {
          const child = spawn(process.execPath, [bin, "serve"], {
            env: { ...process.env, DATABASE_URL: server!.url!, PORT: "0", SEED_DEMO: "false", ...extra },
            stdio: ["ignore", "pipe", "pipe"],
          });
          let log = "";
          child.stdout!.on("data", (d) => {
            log += d;
          });
          child.stderr!.on("data", (d) => {
            log += d;
            // Started: the maintenance case stops here.
            if (/API on http/.test(log)) child.kill("SIGTERM");
          });
          child.on("exit", (code) => resolve({ code, log }));
        });
      const refused = await start({});
      expect(refused.code).toBe(1);
      expect(refused.log).toMatch(/DATABASE_URL: the application connects as postgres, a superuser/);
      const allowed = await start({ ALLOW_PRIVILEGED_DATABASE_ROLE: "true" });
      expect(allowed.log).toMatch(/API on http/);
    },
    60_000,
  );
});

describe("serve, signalled twice", () => {
  it("a second signal while stopping (Ctrl-C reaches npm and the relaunch too) still ends in a clean stop", async () => {
    const setup = await open();
    await setup.migrate();
    await setup.close();
    const port = await freePort();
    const child = spawn(process.execPath, [bin, "serve"], {
      env: { ...process.env, ...env, PORT: String(port), SEED_DEMO: "false" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let log = "";
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    let sent = 0;
    const collect = (d: Buffer) => {
      log += d;
      // Ctrl-C, then the same signal again once the shutdown has begun.
      if (sent === 0 && /API on http/.test(log)) sent = child.kill("SIGINT") ? 1 : 0;
      if (sent === 1 && /shutting down/.test(log)) sent = child.kill("SIGINT") ? 2 : 1;
    };
    child.stdout!.on("data", collect);
    child.stderr!.on("data", collect);
    expect(await exited).toBe(0);
    expect(sent).toBe(2);
    expect(log).toMatch(/stopped: requests finished, audit chain linked/);
  }, 120_000);
});
