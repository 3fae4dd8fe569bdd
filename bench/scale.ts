/**
 * `npm run bench:scale` — the cost as the record grows (issue 9, item 5). Not a test.
 *
 * On the PostgreSQL server, in a database of its own (`--db`, created afresh, migrated by the project's
 * migrations), it grows the record to each of `--sizes` cases in turn. The first case is the template: a
 * person, a security-transfer request with its charge, and a case opened and moved through four steps
 * (begin-analysis, propose-to-council, defer-transfer, resume-analysis), all through the API. The other
 * cases are copies of it written straight into the tables (`bench/scale/generate.ts`): their rows, and
 * their audit events linked into the hash chain, so that `audit verify` holds on them. After each growth
 * step the tables are vacuumed and analysed (this server runs with autovacuum off), PostgreSQL checkpoints
 * (so that the growth's dirty pages are not left for the reads to write out), and a checkpoint is signed at the
 * chain's head with the project's `signCheckpoint` (key in a temporary SIGNING_KEY_FILE).
 *
 * Then, at that size, side by side (API and ceiling in child processes, autocannon in this one, as
 * `npm run bench`):
 *   ceiling     bare Fastify + pg, `select * from cases where id = $1` (bench/api/ceiling.ts)
 *   read        GET /api/cases/{id} through the application, as an auditor's API token (after each of the
 *               20,000 read cases was read once: the runs read the files it kept)
 *   transition  POST /api/cases/{id}/transitions (propose-to-council, as the secretariat), each case once
 * on ids drawn at random from the whole record, turn about, `--repeats` rounds; then the case list's first
 * page and a page near its end (keyset cursor), `--page-samples` sequential requests each; then
 * `traslado audit verify` (from the checkpoint: the events the transitions wrote) in a fresh process under
 * `/usr/bin/time`, `--verify-runs` times, and `audit verify --full` at sizes up to `--full-max`.
 *
 *   npm run bench:scale -- --sizes 10000,100000,1000000
 *
 * The table prints medians, and the ratio of the application's read to the ceiling's at the same size.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import pg from "pg";
import { signCheckpoint } from "../src/audit/checkpoint.ts";
import type { Role } from "../src/auth/roles.ts";
import { loadOrCreateSigningKey } from "../src/crypto/signing-key.ts";
import { openDatabase } from "../src/db/client.ts";
import { createApp } from "../src/http/app.ts";
import { services } from "../src/services.ts";
import { startChild } from "./api/child.ts";
import { buildTraslado, type Timed, timedTraslado } from "./api/command.ts";
import { type Load, type Measure, measure, measured, median, once, rotate } from "./api/load.ts";
import { bearer } from "./api/seed.ts";
import { benchArgs, integerArg } from "./args.ts";
import { checkCopy, grow, harvest, NAME_MARK, type Template } from "./scale/generate.ts";

const flags = benchArgs(import.meta.url, {
  sizes: { type: "string", default: "10000,100000,1000000" },
  duration: { type: "string", default: "10" },
  /** Seconds per transition run: each run uses up fresh cases, and the smallest record has few. */
  "tx-duration": { type: "string", default: "5" },
  connections: { type: "string", default: "20" },
  repeats: { type: "string", default: "3" },
  pool: { type: "string", default: "10" },
  "pg-url": { type: "string", default: "postgres://postgres@127.0.0.1:5432" },
  db: { type: "string", default: "traslado_scale" },
  /** Sequential requests for each list page measured. */
  "page-samples": { type: "string", default: "30" },
  "verify-runs": { type: "string", default: "3" },
  /** `audit verify --full` (once) at sizes up to this many cases. */
  "full-max": { type: "string", default: "100000" },
  /** Copies of the template per batch of INSERTs. */
  batch: { type: "string", default: "500" },
  /** Drop the database at the end (it is kept by default, to look at). */
  drop: { type: "boolean", default: false },
});
const sizes = flags.sizes.split(",").map((x) => integerArg("sizes", x.trim(), 2));
if (sizes.some((n, i) => i > 0 && n <= sizes[i - 1]!)) {
  process.stderr.write("bench: --sizes must grow\n");
  process.exit(2);
}
const duration = integerArg("duration", flags.duration);
const txDuration = integerArg("tx-duration", flags["tx-duration"]);
const connections = integerArg("connections", flags.connections);
const repeats = integerArg("repeats", flags.repeats);
const poolSize = integerArg("pool", flags.pool);
const pageSamples = integerArg("page-samples", flags["page-samples"]);
const verifyRuns = integerArg("verify-runs", flags["verify-runs"], 0);
const fullMax = integerArg("full-max", flags["full-max"], 0);
const batch = integerArg("batch", flags.batch);
if (!/^[a-z_][a-z0-9_]*$/.test(flags.db)) {
  process.stderr.write(`bench: --db must be a plain database name, not ${flags.db}\n`);
  process.exit(2);
}
const WARMUP_SECONDS = 2;
const WARMUP_TRANSITIONS = 200;
/**
 * Transitions a second a run is supplied for; a run that uses them all up is flagged. 600 capped the runs on
 * a quiet machine (599 req/s, supply used up, 2026-12-05). A record with fewer cases at `under-analysis`
 * than this asks for (10,000 cases) shares them equally between the runs (see `perRun`).
 */
const TX_SUPPLY_PER_SECOND = 1500;
const READ_IDS = 20_000;

const log = (line: string) => process.stdout.write(`${line}\n`);
const url = (name: string) => {
  const u = new URL(flags["pg-url"]);
  u.pathname = `/${name}`;
  return u.toString();
};
const dbUrl = url(flags.db);
const serverScript = new URL("./api/server.ts", import.meta.url).pathname;
const ceilingScript = new URL("./api/ceiling.ts", import.meta.url).pathname;

interface SizeResult {
  cases: number;
  events: number;
  growSeconds: number;
  ceiling: Measure[];
  read: Measure[];
  transition: Measure[];
  firstPageMs: number;
  deepPageMs: number;
  verify: Timed[];
  full?: Timed;
  /** 1-minute load averages when the measurements at this size began and ended. */
  load: [number, number];
}
const results: SizeResult[] = [];

async function adminQuery(text: string) {
  const admin = new pg.Client({ connectionString: url("postgres") });
  await admin.connect();
  try {
    await admin.query(text);
  } finally {
    await admin.end();
  }
}

/** The steps of the two template cases: every other case has the long history, the others the short one. */
const HISTORIES: [Role, string][][] = [
  [["secretariat", "begin-analysis"]],
  [
    ["secretariat", "begin-analysis"],
    ["secretariat", "propose-to-council"],
    ["decision-authority", "defer-transfer"],
    ["secretariat", "resume-analysis"],
  ],
];

/** The template cases, made through the API by the roles that do it, and harvested. */
async function makeTemplates(tokens: Record<Role, string>): Promise<Template[]> {
  const database = await openDatabase({ kind: "postgres", url: dbUrl, poolSize: 2 });
  const s = services(database, { DEATH_PENALTY_ASSURANCE_POLICY: "block", AMPARO_WINDOW: "ley-de-amparo" });
  for (const role of ["foreign-ministry", "secretariat", "decision-authority", "auditor"] as const)
    tokens[role] = await bearer(s, role);
  const app = await createApp(s, { logger: false, config: { RATE_LIMIT_MAX: 1_000_000_000 } });
  const headSeq = async () =>
    Number(
      (
        (await database.db.execute(sql`select seq from audit_head`)) as unknown as {
          rows: { seq: unknown }[];
        }
      ).rows[0]!.seq,
    );
  const call = async (role: Role, path: string, payload: object) => {
    const res = await app.inject({
      method: "POST",
      url: path,
      headers: { authorization: tokens[role] },
      payload,
    });
    if (res.statusCode !== 201 && res.statusCode !== 200)
      throw new Error(`template: POST ${path}: ${res.statusCode} ${res.body}`);
    return res.json() as { id: string };
  };
  const templates: Template[] = [];
  try {
    for (const history of HISTORIES) {
      const fromSeq = await headSeq();
      const person = await call("foreign-ministry", "/api/people", {
        givenNames: "Escala",
        familyNames: `Persona ${NAME_MARK}`,
        fictional: true,
      });
      const request = await call("foreign-ministry", "/api/requests", {
        personId: person.id,
        requestingState: "US",
        requestingAgency: "US Department of Justice",
        type: "security-transfer",
        channel: "written-request",
        receivedOn: "2026-01-05",
        district: "EDNY",
        charges: [{ statute: "21 U.S.C. § 846", description: "Conspiracy to distribute cocaine" }],
      });
      const opened = await call("foreign-ministry", "/api/cases", {
        track: "security",
        personId: person.id,
        requestId: request.id,
      });
      for (const [role, transition] of history)
        await call(role, `/api/cases/${opened.id}/transitions`, {
          transition,
          legalBasis: "Ley de Seguridad Nacional arts. 5, 12–13",
          reasons: "Benchmark: a template case's history",
        });
      const { template, events } = await harvest(database.db, fromSeq, await headSeq());
      checkCopy(template, events);
      templates.push(template);
    }
  } finally {
    await app.close();
    await database.close();
  }
  return templates;
}

async function main() {
  const cpus = os.cpus();
  log(
    `Traslado scale benchmark — ${new Date().toISOString()}\n` +
      `machine: ${cpus.length} × ${cpus[0]?.model.trim()}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, load average ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")}\n` +
      `settings: sizes ${sizes.join(", ")}; reads ${duration} s × ${repeats} rounds, transitions ${txDuration} s × ${repeats}, ${connections} connections, pool ${poolSize}; database ${flags.db}`,
  );
  await adminQuery(`drop database if exists ${flags.db} with (force)`);
  await adminQuery(`create database ${flags.db}`);
  const migrated = await openDatabase({ kind: "postgres", url: dbUrl, poolSize: 1 });
  await migrated.migrate();
  await migrated.close();

  const tokens = {} as Record<Role, string>;
  const templates = await makeTemplates(tokens);
  for (const [i, t] of templates.entries())
    log(
      `template case ${i + 1} (${HISTORIES[i]!.map(([, x]) => x).join(", ")}): ${t.events.length} audit events, ${t.rowsPerCopy} rows (${t.tables.map((x) => `${x.table} ${x.rows.length}`).join(", ")})`,
    );

  const keyDir = mkdtempSync(join(os.tmpdir(), "traslado-bench-scale-"));
  const keyFile = join(keyDir, "signing-key.pem");
  const { key } = loadOrCreateSigningKey(keyFile);
  const env = { ...process.env, DATABASE_URL: dbUrl, SIGNING_KEY_FILE: keyFile, LOG_LEVEL: "silent" };
  buildTraslado(env);

  const client = () => new pg.Client({ connectionString: dbUrl });
  const rowsClients = [client(), client()];
  const eventsClients = [client(), client()];
  for (const c of [...rowsClients, ...eventsClients]) await c.connect();
  let rowsClient = rowsClients[0]!;
  const fulls: Promise<void>[] = [];
  const q = async <R = Record<string, unknown>>(text: string, params: unknown[] = []) =>
    (await rowsClient.query(text, params)).rows as R[];
  try {
    let have = templates.length;
    for (const size of sizes) {
      log(`\n${size.toLocaleString("en")} cases`);
      const started = performance.now();
      let lastReport = started;
      const grown = await grow(rowsClients, eventsClients, templates, size - have, have + 1, {
        batch,
        onProgress: (n) => {
          if (performance.now() - lastReport < 30_000) return;
          lastReport = performance.now();
          const rate = n / ((lastReport - started) / 1000);
          log(`  ${(have + n).toLocaleString("en")} cases (${rate.toFixed(0)} a second)`);
        },
      });
      log(
        `  this process: ${(grown.time.build / 1000).toFixed(1)} s building and hashing, ${(grown.time.waitRows / 1000).toFixed(1)} s waiting for rows, ${(grown.time.waitEvents / 1000).toFixed(1)} s for events`,
      );
      // What a server that has run for years has done by now, and a fresh bulk load has not: its tables
      // vacuumed (hint bits set and pages marked all-visible, so that readers do not dirty them; autovacuum
      // is off on this server, so an operator's VACUUM stands in for it) and analysed, and the growth's
      // dirty pages written out by a checkpoint rather than by the reading backends.
      const analyzing = performance.now();
      await q("vacuum (analyze)");
      const vacuumed = performance.now();
      await q("checkpoint");
      log(
        `  VACUUM (ANALYZE): ${((vacuumed - analyzing) / 1000).toFixed(1)} s, CHECKPOINT: ${((performance.now() - vacuumed) / 1000).toFixed(1)} s`,
      );
      const growSeconds = (performance.now() - started) / 1000;
      have = size;
      const [counts] = await q<{ cases: string; events: string }>(
        "select (select count(*) from cases) as cases, (select count(*) from audit_events) as events",
      );
      log(
        `  grown by ${(size - (results.at(-1)?.cases ?? templates.length)).toLocaleString("en")} cases in ${growSeconds.toFixed(1)} s (VACUUM and CHECKPOINT included): ${Number(counts!.cases).toLocaleString("en")} cases, ${Number(counts!.events).toLocaleString("en")} audit events`,
      );

      // A checkpoint at the head: what the deployment's checkpoint clock would have signed by now.
      const [head] = await q<{ seq: string; hash: string }>("select seq::int8 as seq, hash from audit_head");
      const [latest] = await q<{ seq: string }>("select max(seq)::int8 as seq from audit_checkpoints");
      const c = signCheckpoint(
        key,
        { seq: Number(head!.seq), hash: head!.hash, fromSeq: Number(latest?.seq ?? 0) },
        new Date(),
      );
      await q(
        "insert into audit_checkpoints (seq, hash, from_seq, events, created_at, key_id, signature) values ($1, $2, $3, $4, $5, $6, $7)",
        [c.seq, c.hash, c.fromSeq, c.events, c.createdAt, c.keyId, c.signature],
      );

      const readIds = (
        await q<{ id: string }>(`select id from cases order by random() limit ${READ_IDS}`)
      ).map((r) => r.id);
      const txNeed = WARMUP_TRANSITIONS + repeats * txDuration * TX_SUPPLY_PER_SECOND;
      const txIds = (
        await q<{ id: string }>(
          `select id from cases where track = 'security' and state = 'under-analysis' order by random() limit ${txNeed}`,
        )
      ).map((r) => r.id);
      const [deep] = await q<{ id: string }>(`select id from cases order by id offset ${size - 51} limit 1`);

      const api = await startChild(serverScript, { kind: "postgres", url: dbUrl, poolSize });
      const ceiling = await startChild(ceilingScript, { url: dbUrl, poolSize });
      const result: SizeResult = {
        cases: Number(counts!.cases),
        events: Number(counts!.events),
        growSeconds,
        ceiling: [],
        read: [],
        transition: [],
        firstPageMs: 0,
        deepPageMs: 0,
        verify: [],
        load: [os.loadavg()[0]!, 0],
      };
      try {
        const ceilingLoad: Omit<Load, "duration"> = {
          url: ceiling.url,
          connections,
          next: rotate(readIds, (id) => `/cases/${id}`),
        };
        const read: Omit<Load, "duration"> = {
          url: api.url,
          connections,
          headers: { authorization: tokens.auditor },
          next: rotate(readIds, (id) => `/api/cases/${id}`),
        };
        const transitions = (ids: string[]): Load => ({
          url: api.url,
          connections,
          duration: txDuration,
          method: "POST",
          headers: { authorization: tokens.secretariat, "content-type": "application/json" },
          body: JSON.stringify({
            transition: "propose-to-council",
            legalBasis: "Ley de Seguridad Nacional arts. 12–13",
            reasons: "Benchmark: the secretariat proposes the transfer to the council",
          }),
          next: once(ids, (id) => `/api/cases/${id}/transitions`),
        });
        await measure({ ...ceilingLoad, duration: WARMUP_SECONDS });
        // Every read case once (each read keeps the case's file: src/cases/document.ts), then as the runs read.
        await measure({ ...read, next: once(readIds, (id) => `/api/cases/${id}`), duration: 120 });
        await measure({ ...read, duration: WARMUP_SECONDS });
        for (let r = 0; r < repeats; r++) {
          result.ceiling.push(report("ceiling", await measured(ceiling, { ...ceilingLoad, duration })));
          result.read.push(report("read", await measured(api, { ...read, duration })));
        }
        // Pages: the first, and one near the end of the list (cursor = the 51st case from the end).
        const page = async (path: string) => {
          const t = performance.now();
          const res = await fetch(`${api.url}${path}`, { headers: { authorization: tokens.auditor } });
          const body = (await res.json()) as { items?: unknown[] };
          if (res.status !== 200 || body.items?.length !== 50)
            throw new Error(`list ${path}: ${res.status} with ${body.items?.length} items`);
          return performance.now() - t;
        };
        const first: number[] = [];
        const last: number[] = [];
        for (let i = 0; i < pageSamples; i++) {
          first.push(await page("/api/cases?limit=50"));
          last.push(await page(`/api/cases?limit=50&cursor=${deep!.id}`));
        }
        result.firstPageMs = median(first);
        result.deepPageMs = median(last);
        log(
          `  case list, page of 50: first ${result.firstPageMs.toFixed(1)} ms, at case ${(size - 50).toLocaleString("en")} ${result.deepPageMs.toFixed(1)} ms (medians of ${pageSamples})`,
        );

        const warm = txIds.slice(0, WARMUP_TRANSITIONS);
        await measure({ ...transitions(warm), duration: WARMUP_SECONDS });
        // A small record has fewer cases to move than the supply asks for: each run gets an equal share
        // (it then ends when its share is used up, and says so).
        const perRun = Math.min(
          txDuration * TX_SUPPLY_PER_SECOND,
          Math.floor((txIds.length - WARMUP_TRANSITIONS) / repeats),
        );
        for (let r = 0; r < repeats; r++) {
          const ids = txIds.slice(WARMUP_TRANSITIONS + r * perRun, WARMUP_TRANSITIONS + (r + 1) * perRun);
          result.transition.push(report("transition", await measured(api, transitions(ids))));
        }
      } finally {
        await ceiling.stop();
        await api.stop();
      }

      for (let r = 0; r < verifyRuns; r++) {
        const t = await timedTraslado(["audit", "verify"], env);
        log(`  audit verify (from the checkpoint): ${t.s} s, ${t.mib.toFixed(0)} MiB — ${t.out}`);
        result.verify.push(t);
      }
      result.load[1] = os.loadavg()[0]!;
      results.push(result);
      if (size <= fullMax) {
        // The full verify runs on a copy of the database at this size, beside the next growth step when
        // there is one (a copy needs no one connected to the original for a moment).
        const copy = `${flags.db}_full_${size}`;
        for (const c of [...rowsClients, ...eventsClients]) await c.end();
        await adminQuery(`drop database if exists ${copy} with (force)`);
        await adminQuery(`create database ${copy} template ${flags.db}`);
        rowsClients.splice(0, rowsClients.length, client(), client());
        eventsClients.splice(0, eventsClients.length, client(), client());
        for (const c of [...rowsClients, ...eventsClients]) await c.connect();
        rowsClient = rowsClients[0]!;
        const started = new Date().toISOString();
        fulls.push(
          timedTraslado(["audit", "verify", "--full"], { ...env, DATABASE_URL: url(copy) })
            .then((t) => {
              result.full = t;
              log(
                `  audit verify --full at ${size.toLocaleString("en")} cases (started ${started}, on a copy): ${t.s} s, ${t.mib.toFixed(0)} MiB — ${t.out}`,
              );
            })
            .finally(() => adminQuery(`drop database if exists ${copy} with (force)`)),
        );
      }
    }
    await Promise.all(fulls);
  } finally {
    for (const c of [...rowsClients, ...eventsClients]) await c.end().catch(() => undefined);
    rmSync(keyDir, { recursive: true, force: true });
    const [size] = (
      await (async () => {
        const c = new pg.Client({ connectionString: url("postgres") });
        await c.connect();
        const r = await c.query("select pg_size_pretty(pg_database_size($1)) as size", [flags.db]);
        await c.end();
        return r.rows as { size: string }[];
      })()
    ).map((r) => r.size);
    if (flags.drop) {
      await adminQuery(`drop database if exists ${flags.db} with (force)`);
      log(`\ndatabase ${flags.db} (${size}) dropped`);
    } else log(`\ndatabase ${flags.db} kept: ${size}`);
  }
  table();
}

function report(what: string, m: Measure): Measure {
  const fails = Object.entries(m.non2xx).map(([code, n]) => `${code}×${n}`);
  log(
    `  ${what.padEnd(10)} ${m.rps.toFixed(0).padStart(6)} req/s  p50 ${m.p50} ms  p99 ${m.p99} ms` +
      (fails.length ? `  non-2xx ${fails.join(" ")}` : "") +
      (m.socketErrors ? `  socket errors ${m.socketErrors}` : "") +
      (m.exhausted ? "  SUPPLY OF CASES USED UP (the run stopped early)" : "") +
      (m.cpu
        ? `  CPU/req server ${m.cpu.server.toFixed(0)} µs, PostgreSQL ${m.cpu.postgres.toFixed(0)} µs`
        : ""),
  );
  if (m.firstFailure) log(`    first failure: ${m.firstFailure}`);
  return m;
}

function table() {
  const med = (ms: Measure[], k: "rps" | "p99") => median(ms.map((m) => m[k]));
  /** CPU per 2xx response, server process and PostgreSQL together: steadier than req/s on a shared machine. */
  const cpu = (ms: Measure[]) => median(ms.map((m) => (m.cpu ? m.cpu.server + m.cpu.postgres : Number.NaN)));
  const base = results[0];
  const head = [
    "cases",
    "audit events",
    "grow s",
    "app read req/s",
    "p99 ms",
    "ceiling read req/s",
    "p99 ms",
    "app/ceiling",
    "CPU µs/read app / ceiling",
    "read vs first size (req/s, p99)",
    "transition req/s",
    "p99 ms",
    "list page 1 ms",
    "deep page ms",
    "verify s / MiB",
    "verify --full s / MiB",
    "load avg",
  ];
  const rows = results.map((r) => {
    const rps = med(r.read, "rps");
    const p99 = med(r.read, "p99");
    const crps = med(r.ceiling, "rps");
    const vs = base
      ? `${((100 * rps) / med(base.read, "rps")).toFixed(0)}%, ${((100 * p99) / med(base.read, "p99")).toFixed(0)}%`
      : "—";
    const v = r.verify.length
      ? `${median(r.verify.map((t) => t.s)).toFixed(2)} / ${median(r.verify.map((t) => t.mib)).toFixed(0)}`
      : "—";
    return [
      r.cases.toLocaleString("en"),
      r.events.toLocaleString("en"),
      r.growSeconds.toFixed(0),
      rps.toFixed(0),
      p99.toString(),
      crps.toFixed(0),
      med(r.ceiling, "p99").toString(),
      `${((100 * rps) / crps).toFixed(0)}%`,
      `${cpu(r.read).toFixed(0)} / ${cpu(r.ceiling).toFixed(0)}`,
      vs,
      med(r.transition, "rps").toFixed(0),
      med(r.transition, "p99").toString(),
      r.firstPageMs.toFixed(1),
      r.deepPageMs.toFixed(1),
      v,
      r.full ? `${r.full.s.toFixed(1)} / ${r.full.mib.toFixed(0)}` : "—",
      `${r.load[0].toFixed(0)}–${r.load[1].toFixed(0)}`,
    ];
  });
  log(
    `\nMedians of ${repeats} rounds (reads ${duration} s, transitions ${txDuration} s, ${connections} connections); load average now ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}\n`,
  );
  log(`| ${head.join(" | ")} |`);
  log(`|${head.map(() => "---:").join("|")}|`);
  for (const r of rows) log(`| ${r.join(" | ")} |`);

  // The targets of issue 9 at the largest size against the first.
  const end = results.at(-1);
  if (!base || !end || end === base) return;
  const rpsRatio = med(end.read, "rps") / med(base.read, "rps");
  const p99Ratio = med(end.read, "p99") / med(base.read, "p99");
  const met = (ok: boolean) => (ok ? "met" : "NOT met");
  log(
    `\ntargets at ${end.cases.toLocaleString("en")} cases against ${base.cases.toLocaleString("en")}:\n` +
      `  case read throughput within 20%: ${(100 * rpsRatio).toFixed(0)}% of it — ${met(rpsRatio >= 0.8)}\n` +
      `  case read p99 within 20%: ${(100 * p99Ratio).toFixed(0)}% of it — ${met(p99Ratio <= 1.2)}`,
  );
  if (end.verify.length) {
    const vs = median(end.verify.map((t) => t.s));
    const vm = median(end.verify.map((t) => t.mib));
    log(
      `  audit verify (from the checkpoint) of ${end.events.toLocaleString("en")} events under 2 min and 500 MB: ${vs.toFixed(1)} s, ${vm.toFixed(0)} MiB — ${met(vs < 120 && vm * 1.048576 < 500)}`,
    );
  }
}

await main();
