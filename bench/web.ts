/**
 * `npm run bench:web`: the web app's budgets. (1) The JavaScript and CSS the first page load needs,
 * gzipped, from web/dist/index.html (its script, the chunks it preloads, its styles). (2) The first load
 * of the dashboard, as an official meets it: a new browser (empty cache) signed in, from navigation to
 * the running total drawn, in Debian's Chromium against the server on the PostgreSQL server; the median
 * of `--runs` loads, at the demo data's size (the baseline, measured in the same run) and again after
 * `--cases` more cases are added.
 *
 *   npm run bench:web -- --cases 10000 --runs 7 --pg-url postgres://postgres@127.0.0.1:5432
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { sql } from "drizzle-orm";
import pg from "pg";
import { chromium } from "playwright-core";
import { ensureWebBuilt, webDist } from "../bin/build-web.js";
import { createDemoAccounts } from "../src/auth/demo-accounts.ts";
import { openDatabase } from "../src/db/client.ts";
import { seedDemo } from "../src/seed/demo.ts";
import { services } from "../src/services.ts";
import { startChild } from "./api/child.ts";
import { openCases } from "./api/seed.ts";
import { benchArgs } from "./args.ts";

const flags = benchArgs(import.meta.url, {
  cases: { type: "string", default: "10000" },
  runs: { type: "string", default: "7" },
  "pg-url": { type: "string", default: "postgres://postgres@127.0.0.1:5432" },
});
const extraCases = Number(flags.cases);
const runs = Number(flags.runs);
const log = (s: string) => process.stdout.write(`${s}\n`);

// (1) What the first load downloads.
await ensureWebBuilt({ quiet: true });
const html = readFileSync(join(webDist, "index.html"), "utf8");
const linked = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1] as string);
const gz = (files: string[]) =>
  files.reduce((n, f) => n + gzipSync(readFileSync(join(webDist, f))).length, 0);
const js = linked.filter((f) => f.endsWith(".js"));
const css = linked.filter((f) => f.endsWith(".css"));
log(
  `initial JavaScript: ${(gz(js) / 1024).toFixed(0)} KB gzip (${js.length} files); CSS ${(gz(css) / 1024).toFixed(0)} KB gzip; budget 350 KB of JavaScript`,
);

// (2) The first load of the dashboard.
const name = `traslado_bench_web_${process.pid}`;
const admin = new pg.Client({ connectionString: `${flags["pg-url"]}/postgres` });
await admin.connect();
await admin.query(`create database ${name}`);
const url = `${flags["pg-url"]}/${name}`;
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});
try {
  const database = await openDatabase({ kind: "postgres", url });
  await database.migrate();
  const s = services(database, { DEATH_PENALTY_ASSURANCE_POLICY: "block", AMPARO_WINDOW: "ley-de-amparo" });
  await seedDemo(s);
  const dir = mkdtempSync(join(tmpdir(), "traslado-bench-web-"));
  const official = (await createDemoAccounts(s, dir)).accounts.find((a) => a.username === "mx.secretariat");
  rmSync(dir, { recursive: true, force: true });
  if (!official) throw new Error("no demo account mx.secretariat");
  const count = async () =>
    Number(
      (
        (await database.db.execute(sql`select count(*)::int as n from cases`)) as unknown as {
          rows: { n: number }[];
        }
      ).rows[0]?.n,
    );

  async function firstLoads(): Promise<number[]> {
    await database.db.execute(sql`analyze`);
    const server = await startChild(join(import.meta.dirname, "web/server.ts"), { kind: "postgres", url });
    const times: number[] = [];
    try {
      for (let i = 0; i < runs + 1; i++) {
        const context = await browser.newContext({ baseURL: server.url, locale: "es-MX" });
        const signIn = await context.request.post("/auth/sign-in", {
          data: { username: official!.username, password: official!.password },
        });
        if (!signIn.ok()) throw new Error(`sign-in: ${signIn.status()}`);
        const page = await context.newPage();
        const started = performance.now();
        await page.goto("/");
        await page.getByTestId("total-sent").waitFor();
        // The first run warms the server (its statements prepared); it is not counted.
        if (i > 0) times.push(performance.now() - started);
        await context.close();
      }
    } finally {
      await server.stop();
    }
    return times.sort((a, b) => a - b);
  }
  const median = (xs: number[]) => xs[Math.floor(xs.length / 2)] ?? Number.NaN;
  const before = await count();
  const small = await firstLoads();
  await openCases(s, extraCases, (i) => (i % 2 ? "treaty" : "security"));
  const after = await count();
  const large = await firstLoads();
  await database.close();
  const row = (label: string, n: number, xs: number[]) =>
    `| ${label} | ${n.toLocaleString("en")} | ${median(xs).toFixed(0)} | ${xs[0]?.toFixed(0)}–${xs.at(-1)?.toFixed(0)} |`;
  log(
    `\nfirst load of the dashboard, signed in, empty cache, ms (median of ${runs}, min–max); budget 1,000 ms at 10,000 cases`,
  );
  log("| data | cases | median | range |");
  log("|---|---:|---:|---:|");
  log(row("demo data (baseline)", before, small));
  log(row(`demo + ${extraCases.toLocaleString("en")} cases`, after, large));
  log(`ratio: ${(median(large) / median(small)).toFixed(2)}`);
} finally {
  await browser.close();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.end();
}
