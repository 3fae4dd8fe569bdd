import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadOrCreateSigningKey } from "../src/crypto/signing-key.ts";
import { openDatabase } from "../src/db/client.ts";
import { traslado } from "./cli-run.ts";
import { type TestDatabase, testDatabase } from "./db.ts";

let dataDir: string;
beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), "traslado-cli-"));
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe("the data directory lock", () => {
  it("refuses a second process on the same data directory, naming the directory and the holder", async () => {
    const held = await openDatabase({ kind: "pglite", dataDir });
    try {
      const second = await traslado(["migrate"], { DATA_DIR: dataDir });
      expect(second.code).toBe(1);
      expect(second.stderr).toContain(dataDir);
      expect(second.stderr).toContain(`process ${process.pid}`);
    } finally {
      await held.close();
    }
    const after = await traslado(["migrate"], { DATA_DIR: dataDir });
    expect(after.code).toBe(0);
    expect(after.stdout).toMatch(/migrations applied: (\d+) of \1/);
  });
});

describe("traslado audit verify", () => {
  // Against the PostgreSQL server when the suite runs there; on an embedded data directory otherwise.
  let server: TestDatabase | undefined;
  let env: Record<string, string>;
  beforeAll(async () => {
    if (process.env.TEST_DATABASE_URL) {
      server = await testDatabase();
      env = { DATABASE_URL: server.url! };
    } else {
      env = { DATA_DIR: dataDir };
    }
  });
  afterAll(() => server?.close());

  async function tamper(statement: string) {
    if (server) {
      await server.db.execute(statement);
      return;
    }
    const db = await openDatabase({ kind: "pglite", dataDir });
    try {
      await db.pglite!.exec(statement);
    } finally {
      await db.close();
    }
  }

  it("passes on an untouched record and fails, naming the first bad entry, after a row is changed behind its back", async () => {
    const created = await traslado(
      ["token", "create", "--name", "Auditor 1", "--party", "MX", "--role", "auditor"],
      env,
    );
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/^trs_/);
    const ok = await traslado(["audit", "verify"], env);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/intact: 1 events checked/);

    await tamper("update api_tokens set role = 'admin'");
    const bad = await traslado(["audit", "verify"], env);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/first bad entry: api_token .* edited behind the application's back/);
  });

  it("reports an audit event deleted from the chain", async () => {
    await tamper("update api_tokens set role = 'auditor'");
    await traslado(["token", "create", "--name", "Auditor 2", "--party", "MX", "--role", "auditor"], env);
    expect((await traslado(["audit", "verify"], env)).code).toBe(0);
    await tamper("delete from audit_events where seq = 1");
    const bad = await traslado(["audit", "verify"], env);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/first bad entry: event 1 is missing/);
  });
});

describe("traslado audit checkpoint", () => {
  it("signs a checkpoint with a key made in DATA_DIR (owner only), printed by key show; verify then starts from it, --full checks it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "traslado-cli-"));
    const server = process.env.TEST_DATABASE_URL ? await testDatabase() : undefined;
    const env = { DATA_DIR: dir, ...(server ? { DATABASE_URL: server.url! } : {}) };
    try {
      await traslado(["token", "create", "--name", "Auditor 1", "--party", "MX", "--role", "auditor"], env);
      const signed = await traslado(["audit", "checkpoint"], env);
      expect(signed.code, signed.stderr).toBe(0);
      expect(signed.stdout).toMatch(/^checkpoint signed at event 1 /);
      expect(statSync(join(dir, "signing-key.pem")).mode & 0o777).toBe(0o600);
      const shown = await traslado(["key", "show"], env);
      const keyId = /key id: (ed25519:[0-9a-f]{64})/.exec(shown.stdout)?.[1];
      expect(signed.stdout).toContain(`key ${keyId}`);
      expect(shown.stdout).toContain("-----BEGIN PUBLIC KEY-----");

      await traslado(["token", "create", "--name", "Auditor 2", "--party", "MX", "--role", "auditor"], env);
      const since = await traslado(["audit", "verify"], env);
      expect(since.code).toBe(0);
      expect(since.stdout).toMatch(
        /^audit chain intact: since the checkpoint at event 1 .*: 1 events checked/,
      );
      const all = await traslado(["audit", "verify", "--full"], env);
      expect(all.stdout).toMatch(
        /^audit chain intact: 2 events checked, 2 rows match, 1 checkpoint\(s\) hold/,
      );

      // Verified with another key than the one that signed: named, exit code 1.
      const other = await traslado(["audit", "verify"], { ...env, SIGNING_KEY_FILE: join(dir, "other.pem") });
      expect(other.code).toBe(1);
      expect(other.stdout).toMatch(
        /first bad entry: checkpoint at event 1 cannot be checked: there is no signing key/,
      );
      loadOrCreateSigningKey(join(dir, "other.pem"));
      const wrong = await traslado(["audit", "verify", "--full"], {
        ...env,
        SIGNING_KEY_FILE: join(dir, "other.pem"),
      });
      expect(wrong.code).toBe(1);
      expect(wrong.stdout).toContain(
        `checkpoint at event 1 was signed by key ${keyId}, not by this deployment's key`,
      );
    } finally {
      await server?.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);
});

describe("traslado token create", () => {
  it("names a bad role and exits non-zero without writing", async () => {
    const res = await traslado(["token", "create", "--name", "X", "--party", "MX", "--role", "king"], {
      DATA_DIR: dataDir,
    });
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(/--role/);
  });
});

describe("traslado import", () => {
  it("leaves the query planner's statistics fresh: the tables it filled are analysed", async () => {
    // Against the server: a database of its own; embedded: a new data directory.
    const server = process.env.TEST_DATABASE_URL ? await testDatabase() : undefined;
    const dir = mkdtempSync(join(tmpdir(), "traslado-import-"));
    const env: Record<string, string> = server ? { DATABASE_URL: server.url! } : { DATA_DIR: dir };
    try {
      const res = await traslado(["import", join(import.meta.dirname, "../examples/requests.csv")], env);
      expect(res.code, res.stderr).toBe(0);
      const db = server ?? (await openDatabase({ kind: "pglite", dataDir: dir }));
      try {
        const stats = await db.db.execute(
          "select relname, reltuples from pg_class where relname in ('people', 'requests', 'charges', 'audit_events') order by relname",
        );
        const counts = await db.db.execute(
          "select (select count(*) from people) as people, (select count(*) from requests) as requests, (select count(*) from charges) as charges, (select count(*) from audit_events) as audit_events",
        );
        const count = (counts as unknown as { rows: Record<string, unknown>[] }).rows[0]!;
        // reltuples is -1 for a table never analysed; ANALYZE sets it to the rows it counted.
        for (const r of (stats as unknown as { rows: { relname: string; reltuples: unknown }[] }).rows)
          expect([r.relname, Number(r.reltuples)]).toEqual([r.relname, Number(count[r.relname])]);
      } finally {
        if (!server) await db.close();
      }
    } finally {
      await server?.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("traslado plan --bppc, in a new process", () => {
  // The 5-cycle: three bins, and the LP bound proves it.
  const file = join(mkdtempSync(join(tmpdir(), "traslado-bppc-")), "five-cycle.txt");
  writeFileSync(file, "5 100\n1 10 2 5\n2 10 3\n3 10 4\n4 10 5\n5 10\n");

  it("solves in the worker thread started as the process starts, and exits without waiting on it", async () => {
    const t0 = performance.now();
    const r = await traslado(["plan", "--bppc", file, "--format", "json"], {});
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ n: 5, bins: 3, lowerBound: 3, provenOptimal: true });
    expect(new Set(out.assignment).size).toBe(3);
    // Not the fallback: the worker answered (a build of dist/ first may have said so on stderr).
    expect(r.stderr).not.toContain("solving on the main thread");
    // The warming worker neither keeps the process alive nor holds its answer to the time limit.
    expect(performance.now() - t0).toBeLessThan(30_000);
    const cold = await traslado(["plan", "--bppc", file, "--format", "json", "--no-warm-up-thread"], {});
    expect(cold.code).toBe(0);
    expect(JSON.parse(cold.stdout)).toMatchObject({ bins: 3, provenOptimal: true });
  });

  it("a refused command exits 2 naming the option, the prestarted worker notwithstanding", async () => {
    const r = await traslado(["plan", "--bppc", file], {});
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--format json");
    expect(r.stdout).toBe("");
  });
});
