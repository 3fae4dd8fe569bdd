/**
 * Runtime benchmark (not a test): `npm run bench:runtime [-- --runs 5 --load-s 5 --connections 10
 * --bin bin/traslado.js --node PATH --pg-url postgres://…]`. Every figure is of a new process, and
 * each is the median of --runs runs:
 * - `traslado --help`: wall time of the whole command;
 * - time to serve: from spawning `traslado serve` on an existing database (migrated, with the demo
 *   data) until GET /health answers 200;
 * - server memory: resident set (VmRSS) 2 s after it is ready (at rest), the peak so far then (VmHWM:
 *   start-up included), and the largest VmRSS sampled every 100 ms during --load-s seconds of
 *   GET /api/cases?limit=50 from --connections clients (autocannon);
 * - shutdown: from SIGTERM until the process has exited.
 * The database is a temporary PGlite data directory, or, with --pg-url, a scratch database on that server
 * (created and dropped). --bin and --node run another checkout's CLI on another Node.js, to measure a
 * baseline the same way.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import pg from "pg";
import { benchArgs, integerArg } from "./args.ts";

const repoRoot = fileURLToPath(new URL("..", import.meta.url));
const flags = benchArgs(import.meta.url, {
  runs: { type: "string", default: "5" },
  "load-s": { type: "string", default: "5" },
  connections: { type: "string", default: "10" },
  bin: { type: "string", default: join(repoRoot, "bin/traslado.js") },
  node: { type: "string", default: process.execPath },
  "pg-url": { type: "string", default: "" },
  port: { type: "string", default: "3931" },
});
const runs = integerArg("runs", flags.runs);
const loadSeconds = integerArg("load-s", flags["load-s"]);
const connections = integerArg("connections", flags.connections);
const bin = flags.bin;
const node = flags.node;
const pgUrl = flags["pg-url"];
const port = integerArg("port", flags.port);

const median = (xs: number[]) => {
  const s = xs.slice().sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const out = (s = "") => process.stdout.write(`${s}\n`);

let dataDir: string | undefined;
let scratch: string | undefined;
let env: Record<string, string | undefined>;
if (pgUrl) {
  scratch = `traslado_runtime_bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  await admin.query(`create database "${scratch}"`);
  await admin.end();
  const u = new URL(pgUrl);
  u.pathname = `/${scratch}`;
  env = { ...process.env, DATABASE_URL: u.toString(), DATA_DIR: undefined };
} else {
  dataDir = mkdtempSync(join(tmpdir(), "traslado-runtime-bench-"));
  env = { ...process.env, DATA_DIR: dataDir, DATABASE_URL: undefined };
}
// One token sends the whole load: the rate limit must not be what is measured.
env = {
  ...env,
  LOG_LEVEL: "warn",
  PORT: String(port),
  HOST: "127.0.0.1",
  SEED_DEMO: "true",
  RATE_LIMIT_MAX: "1000000000",
};

function cli(cliArgs: string[]) {
  const r = spawnSync(node, [bin, ...cliArgs], { env, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`traslado ${cliArgs.join(" ")}: exit ${r.status}\n${r.stderr}`);
  return r.stdout.trim();
}

const kib = (pid: number, field: "VmRSS" | "VmHWM") => {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(m?.[1] ?? Number.NaN);
};

async function waitFor(url: string, child: ChildProcess, started: number) {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}) before answering`);
    const ok = await fetch(url).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return performance.now() - started;
    if (performance.now() - started > 120_000) throw new Error("the server did not answer within 120 s");
    await sleep(10);
  }
}

try {
  // The existing database: migrated, the demo loaded, a token for the load.
  cli(["seed", "--demo"]);
  const token = cli(["token", "create", "--name", "Runtime bench", "--party", "MX", "--role", "auditor"]);
  const version = spawnSync(node, [bin, "--version"], { encoding: "utf8" });
  out(
    `traslado: ${bin} on ${node} (${node === process.execPath ? process.version : spawnSync(node, ["-v"], { encoding: "utf8" }).stdout.trim()}${version.status === 0 ? `; ${version.stdout.trim()}` : ""}), ${pgUrl ? "PostgreSQL server" : "PGlite"}, ${runs} runs`,
  );

  const help: number[] = [];
  for (let i = 0; i <= runs; i++) {
    const t0 = performance.now();
    const r = spawnSync(node, [bin, "--help"], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`--help: exit ${r.status}\n${r.stderr}`);
    if (i > 0) help.push(performance.now() - t0); // the first run builds dist/ if it is stale: not counted
  }

  const serveMs: number[] = [];
  const restMiB: number[] = [];
  const loadMiB: number[] = [];
  const startPeakMiB: number[] = [];
  const stopMs: number[] = [];
  const reqs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const child = spawn(node, [bin, "serve"], { env, stdio: ["ignore", "ignore", "inherit"] });
    serveMs.push(await waitFor(`http://127.0.0.1:${port}/health`, child, started));
    await sleep(2000);
    restMiB.push(kib(child.pid!, "VmRSS") / 1024);
    startPeakMiB.push(kib(child.pid!, "VmHWM") / 1024);
    let peak = 0;
    const sampler = setInterval(() => {
      peak = Math.max(peak, kib(child.pid!, "VmRSS") / 1024);
    }, 100);
    const result = await autocannon({
      url: `http://127.0.0.1:${port}/api/cases?limit=50`,
      headers: { authorization: `Bearer ${token}` },
      connections,
      duration: loadSeconds,
    });
    if (result.non2xx > 0) throw new Error(`${result.non2xx} non-2xx answers under load`);
    clearInterval(sampler);
    reqs.push(result.requests.average);
    loadMiB.push(peak);
    const exited = new Promise((r) => child.once("exit", r));
    const t0 = performance.now();
    child.kill("SIGTERM");
    await exited;
    stopMs.push(performance.now() - t0);
  }
  const f = (xs: number[]) =>
    `${median(xs).toFixed(0)} (${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)})`;
  out();
  out("| figure | median (min–max) |");
  out("|---|---:|");
  out(`| \`traslado --help\`, ms | ${f(help)} |`);
  out(`| serve on an existing database, spawn to /health 200, ms | ${f(serveMs)} |`);
  out(`| server memory at rest (VmRSS 2 s after ready), MiB | ${f(restMiB)} |`);
  out(
    `| server memory, peak since start when at rest (VmHWM: start-up included), MiB | ${f(startPeakMiB)} |`,
  );
  out(
    `| server memory under load (largest VmRSS over ${loadSeconds} s of ${connections} clients on /api/cases?limit=50), MiB | ${f(loadMiB)} |`,
  );
  out(`| requests/s during that load | ${f(reqs)} |`);
  out(`| SIGTERM to exit, ms | ${f(stopMs)} |`);
} finally {
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  if (scratch) {
    const admin = new pg.Client({ connectionString: pgUrl });
    await admin.connect();
    await admin.query(`drop database if exists "${scratch}" with (force)`);
    await admin.end();
  }
}
