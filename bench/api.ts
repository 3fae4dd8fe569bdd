/**
 * `npm run bench` — the API under load (issue 2, "How it is checked").
 *
 * For each backend (embedded PGlite in a temporary data directory; a PostgreSQL server in a scratch
 * database created and dropped here) it seeds cases through the audited write path, starts the API as a
 * child process on 127.0.0.1 and drives it with autocannon: case reads by id, case lists (pages of 50)
 * and transitions, each on a fresh case, with the audit chain. A case read is served from the file kept for
 * the reader once one was built (src/cases/document.ts); `first-read` (not run by default) measures reads
 * that build it: the kept files are dropped before each run, and each case is read once. The API server and
 * the ceiling run compiled, as `npm start` runs the server (bench/api/child.ts). Beside it, the ceiling: a bare Fastify +
 * `pg` point lookup on the same `cases` table. Every scenario runs `--repeats` times; the table shows
 * medians. Afterwards the audit chain of each database is verified.
 *
 *   npm run bench -- --duration 10 --connections 20 --repeats 3 --cases 10000
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import { join } from "node:path";
import { eq, sql } from "drizzle-orm";
import pg from "pg";
import { verifyAudit } from "../src/audit/verify.ts";
import { type Database, type OpenOptions, openDatabase, toCount } from "../src/db/client.ts";
import { cases } from "../src/db/schema.ts";
import { services } from "../src/services.ts";
import { type Child, startChild } from "./api/child.ts";
import { type Load, type Measure, measure, measured, median, once, rotate } from "./api/load.ts";
import { bearer, openCases } from "./api/seed.ts";
import { benchArgs, integerArg } from "./args.ts";

const flags = benchArgs(import.meta.url, {
  duration: { type: "string", default: "10" },
  connections: { type: "string", default: "20" },
  repeats: { type: "string", default: "3" },
  cases: { type: "string", default: "10000" },
  /** Fresh cases per transition run; by default enough for 1,200/s (server) or 300/s (PGlite). */
  "tx-cases": { type: "string" },
  backends: { type: "string", default: "pglite,postgres" },
  "pg-url": { type: "string", default: "postgres://postgres@127.0.0.1:5432" },
  /** Connections in the API's and the ceiling's `pg` pools (the app's default is 10). */
  pool: { type: "string", default: "10" },
  /** A subset of: ceiling, read, first-read (server only), list, transition (e.g. to profile one). */
  scenarios: { type: "string", default: "ceiling,read,list,transition" },
  /** Write CPU profiles of the API server processes into this directory. */
  profile: { type: "string" },
});
const duration = integerArg("duration", flags.duration);
const connections = integerArg("connections", flags.connections);
const repeats = integerArg("repeats", flags.repeats);
const readCases = integerArg("cases", flags.cases);
const poolSize = integerArg("pool", flags.pool);
const backends = flags.backends.split(",").map((b) => b.trim());
for (const b of backends) {
  if (b !== "pglite" && b !== "postgres") {
    process.stderr.write(`bench: --backends takes pglite and/or postgres, not ${b}\n`);
    process.exit(2);
  }
}
const scenarios = new Set(flags.scenarios.split(",").map((x) => x.trim()));
for (const x of scenarios) {
  if (!["ceiling", "read", "first-read", "list", "transition"].includes(x)) {
    process.stderr.write(
      `bench: --scenarios takes ceiling, read, first-read, list and/or transition, not ${x}\n`,
    );
    process.exit(2);
  }
}
const txCasesFor = (backend: string) =>
  !scenarios.has("transition")
    ? 0
    : flags["tx-cases"]
      ? integerArg("tx-cases", flags["tx-cases"])
      : duration * (backend === "postgres" ? 1200 : 300);
const WARMUP_SECONDS = 2;
const WARMUP_TRANSITIONS = 200;

const serverScript = new URL("./api/server.ts", import.meta.url).pathname;
const ceilingScript = new URL("./api/ceiling.ts", import.meta.url).pathname;
const log = (line: string) => process.stdout.write(`${line}\n`);

/** Undone in reverse order on exit, also on Ctrl-C: children stopped, scratch database and data dir removed. */
const cleanups: (() => Promise<unknown>)[] = [];
async function cleanUp() {
  while (cleanups.length > 0) {
    try {
      await cleanups.pop()!();
    } catch (err) {
      process.stderr.write(`bench: clean-up: ${err instanceof Error ? err.message : String(err)}\n`);
    }
  }
}
process.once("SIGINT", () => void cleanUp().then(() => process.exit(130)));

interface Result {
  backend: string;
  scenario: string;
  runs: Measure[];
}
const results: Result[] = [];

function record(backend: string, scenario: string, m: Measure) {
  let r = results.find((x) => x.backend === backend && x.scenario === scenario);
  if (!r) {
    r = { backend, scenario, runs: [] };
    results.push(r);
  }
  r.runs.push(m);
  const fails = Object.entries(m.non2xx).map(([code, n]) => `${code}×${n}`);
  log(
    `  ${backend.padEnd(8)} ${scenario.padEnd(12)} ${m.rps.toFixed(0).padStart(6)} req/s  p50 ${m.p50} ms  p99 ${m.p99} ms` +
      (fails.length ? `  non-2xx ${fails.join(" ")}` : "") +
      (m.socketErrors ? `  socket errors ${m.socketErrors}` : "") +
      (m.exhausted
        ? scenario === "first read"
          ? `  (every read case read once, in ${m.seconds.toFixed(1)} s)`
          : "  SUPPLY OF FRESH CASES EXHAUSTED (raise --tx-cases)"
        : "") +
      (m.cpu
        ? `  CPU/req server ${m.cpu.server.toFixed(0)} µs, PostgreSQL ${m.cpu.postgres.toFixed(0)} µs, autocannon ${m.cpu.load.toFixed(0)} µs`
        : ""),
  );
  if (m.firstFailure) log(`    first failure: ${m.firstFailure}`);
}

/** Seeds a migrated database: read cases (half on each track), then fresh security cases for transitions. */
async function seed(database: Database, txPerRun: number) {
  const s = services(database, { DEATH_PENALTY_ASSURANCE_POLICY: "block", AMPARO_WINDOW: "ley-de-amparo" });
  const started = performance.now();
  const readIds = await openCases(s, readCases, (i) => (i % 2 ? "treaty" : "security"));
  const txIds = await openCases(s, txPerRun && WARMUP_TRANSITIONS + repeats * txPerRun, () => "security");
  const reader = await bearer(s, "auditor");
  const secretariat = await bearer(s, "secretariat");
  log(
    `  seeded ${readIds.length + txIds.length} cases (and as many people) with their audit events in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  return { readIds, txIds, reader, secretariat };
}

async function bench(backend: "pglite" | "postgres") {
  log(`\n${backend}`);
  const txPerRun = txCasesFor(backend);
  let open: OpenOptions;
  let scratchUrl: string | undefined;
  if (backend === "pglite") {
    const dataDir = await mkdtemp(join(os.tmpdir(), "traslado-bench-"));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    open = { kind: "pglite", dataDir };
  } else {
    const name = `traslado_bench_${process.pid}`;
    const admin = new pg.Client({ connectionString: `${flags["pg-url"]}/postgres` });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    cleanups.push(async () => {
      const c = new pg.Client({ connectionString: `${flags["pg-url"]}/postgres` });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    });
    scratchUrl = `${flags["pg-url"]}/${name}`;
    open = { kind: "postgres", url: scratchUrl, poolSize };
  }

  // Seed in this process, then close: PGlite's data directory takes one process at a time.
  const database = await openDatabase(open);
  await database.migrate();
  const data = await seed(database, txPerRun);
  // Settle: statistics for the planner, and no autovacuum of the seeded rows during the first runs; on the
  // server, a checkpoint, so that the seed's dirty pages are not written out during the first runs (they
  // slowed the first round of every scenario, the ceiling's too, by a third to a half).
  await database.db.execute(sql`vacuum analyze`);
  if (scratchUrl) await database.db.execute(sql`checkpoint`);
  await database.close();

  const nodeArgs = flags.profile ? ["--cpu-prof", "--cpu-prof-dir", flags.profile] : [];
  const api: Child = await startChild(serverScript, open, nodeArgs);
  cleanups.push(() => api.stop());
  let ceiling: Child | undefined;
  if (scratchUrl && scenarios.has("ceiling")) {
    ceiling = await startChild(ceilingScript, { url: scratchUrl, poolSize });
    cleanups.push(() => ceiling!.stop());
  }

  const common = { connections, duration };
  const read: Omit<Load, "duration"> = {
    url: api.url,
    connections,
    headers: { authorization: data.reader },
    next: rotate(data.readIds, (id) => `/api/cases/${id}`),
  };
  const list: Omit<Load, "duration"> = {
    ...read,
    next: rotate(data.readIds, (id) => `/api/cases?limit=50&cursor=${id}`),
  };
  const ceilingLoad = ceiling && {
    url: ceiling.url,
    connections,
    next: rotate(data.readIds, (id) => `/cases/${id}`),
  };
  const transitions = (ids: string[]): Omit<Load, "duration"> => ({
    url: api.url,
    connections,
    method: "POST",
    headers: { authorization: data.secretariat, "content-type": "application/json" },
    body: JSON.stringify({
      transition: "begin-analysis",
      legalBasis: "Ley de Seguridad Nacional arts. 12–13",
      reasons: "Benchmark: the secretariat opens its analysis",
    }),
    next: once(ids, (id) => `/api/cases/${id}/transitions`),
  });

  // Warm-up (not recorded): JIT, connection pools, the token cache.
  let transitioned = 0;
  if (ceilingLoad) await measure({ ...ceilingLoad, duration: WARMUP_SECONDS });
  if (scenarios.has("read")) {
    // Every read case once (each builds and keeps its file), then as the runs read.
    await measure({ ...read, next: once(data.readIds, (id) => `/api/cases/${id}`), duration: 60 });
    await measure({ ...read, duration: WARMUP_SECONDS });
  }
  if (scenarios.has("list")) await measure({ ...list, duration: WARMUP_SECONDS });
  if (scenarios.has("transition")) {
    const warm = transitions(data.txIds.slice(0, WARMUP_TRANSITIONS));
    transitioned += (await measure({ ...warm, duration: WARMUP_SECONDS })).ok;
  }

  // Every read run comes before the first transition run. Read runs that followed transition runs showed
  // up to 50% more PostgreSQL CPU per read, most likely autovacuum of the rows the transitions wrote.
  // Ceiling and reads alternate, so each read has its ceiling beside it.
  for (let r = 0; r < repeats; r++) {
    log(` run ${r + 1}/${repeats}: reads`);
    if (ceilingLoad) record("pg-bare", "ceiling", await measured(ceiling!, { ...ceilingLoad, ...common }));
    if (scenarios.has("read")) record(backend, "case read", await measured(api, { ...read, ...common }));
    if (scenarios.has("list")) record(backend, "case list", await measured(api, { ...list, ...common }));
    if (scenarios.has("first-read") && scratchUrl) {
      // As the database's owner: the kept files are the application's to read, not to drop wholesale.
      const owner = new pg.Client({ connectionString: scratchUrl });
      await owner.connect();
      await owner.query("delete from case_files");
      await owner.end();
      const firstRead = { ...read, next: once(data.readIds, (id) => `/api/cases/${id}`) };
      record(backend, "first read", await measured(api, { ...firstRead, ...common }));
    }
  }
  for (let r = 0; r < repeats && scenarios.has("transition"); r++) {
    log(` run ${r + 1}/${repeats}: transitions`);
    const start = WARMUP_TRANSITIONS + r * txPerRun;
    const m = await measured(api, { ...transitions(data.txIds.slice(start, start + txPerRun)), ...common });
    transitioned += m.ok;
    record(backend, "transition", m);
  }

  // Stop the servers (PGlite's directory is then free), and check the record held under the load.
  await ceiling?.stop();
  await api.stop();
  cleanups.splice(cleanups.length - (ceiling ? 2 : 1));
  const after = await openDatabase(open);
  try {
    const [row] = await after.db
      .select({ n: sql`count(*)` })
      .from(cases)
      .where(eq(cases.state, "under-analysis"));
    const moved = toCount(row?.n);
    // A request in flight when a run's time is up still commits, but autocannon no longer counts its
    // response: at most one per connection per run.
    const inFlight = connections * (repeats + 1);
    const agree = moved >= transitioned && moved <= transitioned + inFlight;
    log(
      `  cases moved to under-analysis: ${moved}; 2xx responses counted: ${transitioned} (+ up to ${inFlight} in flight at the ends of runs) — ${agree ? "consistent" : "MISMATCH"}`,
    );
    const started = performance.now();
    const report = await verifyAudit(after.db);
    log(
      `  audit verify: ${report.ok ? "ok" : "FAILED"} — ${report.eventsChecked} events, ${report.rowsChecked} rows checked in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    for (const p of report.problems.slice(0, 5)) log(`    ${p.message}`);
    verifications.push({ backend, ok: report.ok && agree, events: report.eventsChecked });
  } finally {
    await after.close();
  }
}
const verifications: { backend: string; ok: boolean; events: number }[] = [];

/** Median CPU per request of each side; PGlite runs inside the server process, so it has no PostgreSQL cell. */
function cpuCells(runs: Measure[], embedded: boolean): string[] {
  const of = (k: "server" | "postgres" | "load") => median(runs.map((m) => m.cpu?.[k] ?? Number.NaN));
  const cell = (x: number) => (Number.isFinite(x) ? x.toFixed(0) : "—");
  const server = of("server");
  const postgres = embedded ? 0 : of("postgres");
  const load = of("load");
  return [
    cell(server),
    embedded ? "(in server)" : cell(postgres),
    cell(load),
    cell(server + postgres + load),
  ];
}

function table() {
  const ceiling = results.find((r) => r.scenario === "ceiling");
  const ceilingRps = ceiling ? median(ceiling.runs.map((m) => m.rps)) : undefined;
  const head = [
    "backend",
    "scenario",
    "req/s (2xx)",
    "p50 ms",
    "p99 ms",
    "non-2xx",
    "socket errors",
    "vs ceiling",
    "CPU µs/req: server",
    "PostgreSQL",
    "autocannon",
    "total",
  ];
  const rows = results.map((r) => {
    const rps = median(r.runs.map((m) => m.rps));
    const non2xx = r.runs.reduce((n, m) => n + Object.values(m.non2xx).reduce((a, b) => a + b, 0), 0);
    return [
      r.backend,
      r.scenario,
      rps.toFixed(0),
      median(r.runs.map((m) => m.p50)).toString(),
      median(r.runs.map((m) => m.p99)).toString(),
      non2xx.toString(),
      r.runs.reduce((n, m) => n + m.socketErrors, 0).toString(),
      ceilingRps ? `${((100 * rps) / ceilingRps).toFixed(0)}%` : "—",
      ...cpuCells(r.runs, r.backend === "pglite"),
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" | ")} |`;
  log(line(head));
  log(`|${widths.map((w, i) => (i < 2 ? `${"-".repeat(w + 1)}-` : `${"-".repeat(w + 1)}:`)).join("|")}|`);
  for (const r of rows) log(line(r));
}

async function main() {
  const cpus = os.cpus();
  log(
    `Traslado API benchmark — ${new Date().toISOString()}\n` +
      `machine: ${cpus.length} × ${cpus[0]?.model.trim()}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}\n` +
      `settings: ${duration} s per run, ${connections} connections, ${repeats} runs per scenario (medians), ` +
      `${readCases} read cases, pool ${poolSize}; API and ceiling in child processes, autocannon in this one`,
  );
  try {
    // The server first: its run also measures the ceiling.
    for (const b of ["postgres", "pglite"] as const) if (backends.includes(b)) await bench(b);
  } finally {
    await cleanUp();
  }
  log(`\nMedians of ${repeats} runs of ${duration} s, ${connections} connections:\n`);
  table();
  for (const v of verifications)
    log(`audit chain after the load (${v.backend}): ${v.ok ? "intact" : "BROKEN"} (${v.events} events)`);
  if (verifications.some((v) => !v.ok)) process.exitCode = 1;
}

await main();
