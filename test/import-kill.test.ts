/**
 * An import killed part way (`kill -9` of a real `traslado import` process, once it has written some
 * batches) leaves nothing: no people, requests, charges, import record or audit events of it. The same file
 * then imports in full. On the server when TEST_DATABASE_URL is set, else on embedded PGlite, whose data
 * directory lock the killed process leaves behind and the next process takes over.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { verifyAudit } from "../src/audit/verify.ts";
import { openDatabase } from "../src/db/client.ts";
import { csvColumns } from "../src/requests/import.ts";
import { traslado } from "./cli-run.ts";
import { testDatabase } from "./db.ts";

const bin = join(import.meta.dirname, "../bin/traslado.js");
const tmp = mkdtempSync(join(tmpdir(), "traslado-import-kill-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A CSV of `n` requests, one new person and one charge each: several batches of 2,000. */
function csvFile(n: number): string {
  const file = join(tmp, "requests.csv");
  const row = (i: number) =>
    csvColumns.map(
      (c) =>
        (
          ({
            request_ref: `R-${i}`,
            given_names: "Killed",
            family_names: `Import ${i}`,
            requesting_state: "US",
            requesting_agency: "DOJ",
            type: "formal-extradition",
            channel: "written-request",
            statute: "18 USC 1",
            description: "fictional",
          }) as Record<string, string>
        )[c] ?? "",
    );
  writeFileSync(
    file,
    [csvColumns, ...Array.from({ length: n }, (_, i) => row(i))].map((r) => r.join(",")).join("\n"),
  );
  return file;
}

const tables = ["people", "requests", "charges", "imports", "audit_events"] as const;

describe("traslado import, killed part way", () => {
  it("leaves nothing of the import, and the same file then imports", async () => {
    const n = 6_000;
    const file = csvFile(n);
    const server = process.env.TEST_DATABASE_URL ? await testDatabase() : undefined;
    const dataDir = join(tmp, "data");
    const env: Record<string, string> = server ? { DATABASE_URL: server.url! } : { DATA_DIR: dataDir };
    const open = async () => server ?? (await openDatabase({ kind: "pglite", dataDir }));
    const counts = async () => {
      const database = await open();
      try {
        const rows = (await database.db.execute(
          `select ${tables.map((t) => `(select count(*) from ${t})::int as ${t}`).join(", ")}`,
        )) as unknown as { rows: Record<(typeof tables)[number], number>[] };
        return rows.rows[0]!;
      } finally {
        if (!server) await database.close();
      }
    };
    try {
      // Migrated (PGlite: the data directory made) by a first command, so that the import only imports.
      expect((await traslado(["migrate"], env)).code).toBe(0);
      const before = await counts();

      // Its own process group, so that the kill reaches `traslado` however it was started.
      const child = spawn(process.execPath, [bin, "import", file, "--allow-duplicates"], {
        env: { ...process.env, SEED_DEMO: "false", LOG_LEVEL: "silent", ...env },
        stdio: ["ignore", "pipe", "pipe"],
        detached: true,
      });
      let stderr = "";
      let stdout = "";
      child.stdout.on("data", (d) => {
        stdout += d;
      });
      const exited = once(child, "close");
      // Killed once it reports requests written (its progress line on a non-terminal stderr, after a batch).
      await new Promise<void>((resolve, reject) => {
        child.stderr.on("data", (d) => {
          stderr += d;
          const written = /(\d+) request\(s\) written/.exec(stderr);
          if (written && Number(written[1]) > 0) {
            process.kill(-child.pid!, "SIGKILL");
            resolve();
          }
        });
        child.on("close", () =>
          reject(new Error(`the import ended before it was killed: ${stdout}${stderr}`)),
        );
      });
      const [code, signal] = await exited;
      expect([code, signal]).toEqual([null, "SIGKILL"]);
      expect(stdout).not.toContain("imported");
      const written = Number(/(\d+) request\(s\) written/.exec(stderr)![1]);
      expect(written).toBeGreaterThan(0);
      expect(written).toBeLessThan(n);

      if (!server) {
        // The killed process could not remove its lock: the next one finds it, sees its process gone, and
        // takes the directory over.
        const lock = join(dataDir, "traslado.lock");
        expect(existsSync(lock)).toBe(true);
        expect(JSON.parse(readFileSync(lock, "utf8")).pid).toBe(child.pid);
      }
      expect(await counts()).toEqual(before);

      // The file's people are all new (numbered, fictional): the duplicate check, import.test.ts's subject,
      // is skipped here, where what is tested is that a killed import leaves nothing.
      const again = await traslado(["import", file, "--allow-duplicates"], env);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout).toContain(`imported ${n} request(s): ${n} new people, ${n} charge(s)`);
      const after = await counts();
      expect(after).toEqual({
        people: before.people + n,
        requests: before.requests + n,
        charges: before.charges + n,
        imports: before.imports + 1,
        // One event per row written, and one for the record of the import.
        audit_events: before.audit_events + 3 * n + 1,
      });
      const database = await open();
      try {
        expect((await verifyAudit(database.db)).ok).toBe(true);
      } finally {
        if (!server) await database.close();
      }
    } finally {
      await server?.close();
    }
  }, 300_000);
});
