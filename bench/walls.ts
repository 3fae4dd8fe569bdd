/**
 * `npm run bench:walls` — what the access walls cost (issue 10, "Cost"): the API benchmark of the code
 * before the walls and of the current code, side by side in one run, on the PostgreSQL server.
 *
 * The code before the walls is checked out from git (`--baseline`, by default the last commit of main
 * before them) into a temporary worktree that shares this checkout's node_modules. Then the two run turn
 * about, baseline first, `--rounds` times: each run is `npm run bench` of that code in a fresh process
 * (its own scratch database, its own ceiling measured just before its reads), so the load of the machine
 * at the moment weighs on both alike. The table gives the median of each figure over the rounds and the
 * ratio of the current code to the baseline. The baseline gets this checkout's harness (`bench/api.ts`,
 * `bench/args.ts` and `bench/api/`, the load and the seed), so that both run under one harness — both servers compiled, as
 * `npm start` runs the server — whatever the baseline's own did; only its `src/` differs.
 *
 *   npm run bench:walls -- --rounds 3 --duration 5 --cases 2000
 */
import { execFileSync, spawn } from "node:child_process";
import { copyFileSync, cpSync, existsSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { median } from "./api/load.ts";
import { benchArgs, integerArg } from "./args.ts";

/** main's last commit before the access walls (issue 10): the service checks and row-level security. */
const BEFORE_THE_WALLS = "80b7020";

const flags = benchArgs(import.meta.url, {
  baseline: { type: "string", default: BEFORE_THE_WALLS },
  rounds: { type: "string", default: "3" },
  duration: { type: "string", default: "5" },
  cases: { type: "string", default: "2000" },
  connections: { type: "string", default: "20" },
  "pg-url": { type: "string", default: "postgres://postgres@127.0.0.1:5432" },
});
const rounds = integerArg("rounds", flags.rounds);
integerArg("duration", flags.duration);
integerArg("cases", flags.cases);
integerArg("connections", flags.connections);

const root = new URL("..", import.meta.url).pathname;
const log = (line: string) => process.stdout.write(`${line}\n`);

/** The figures of one scenario in one run of `npm run bench`, read from its table. */
interface Row {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  cpuTotal: number;
}
type Run = Map<string, Row>;

/** Reads the rows of `npm run bench`'s closing table: `| backend | scenario | req/s | p50 | p99 | non-2xx | … | total |`. */
function parseTable(output: string): Run {
  const run: Run = new Map();
  for (const line of output.split("\n")) {
    const cells = line.split("|").map((c) => c.trim());
    if (cells.length < 8 || !/^\d+$/.test(cells[3] ?? "")) continue;
    const [, backend, scenario, rps, p50, p99, non2xx] = cells;
    run.set(`${backend} ${scenario}`, {
      rps: Number(rps),
      p50: Number(p50),
      p99: Number(p99),
      non2xx: Number(non2xx),
      cpuTotal: Number(cells[cells.length - 2]),
    });
  }
  return run;
}

/** One `npm run bench` of the code in `dir`, in a fresh process; its output is shown as it runs. */
function benchOnce(dir: string, label: string): Promise<Run> {
  const args = [
    "--import",
    "tsx",
    join(dir, "bench/api.ts"),
    "--backends",
    "postgres",
    "--scenarios",
    "ceiling,read,transition",
    "--repeats",
    "1",
    "--duration",
    flags.duration,
    "--cases",
    flags.cases,
    "--connections",
    flags.connections,
    "--pg-url",
    flags["pg-url"],
  ];
  log(`\n=== ${label}: node ${args.slice(2).join(" ")}`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: dir, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString("utf8");
      process.stdout.write(chunk);
    });
    child.once("error", reject);
    child.once("exit", (code) => {
      const run = parseTable(out);
      if (code !== 0 || run.size === 0) reject(new Error(`${label}: npm run bench exited with ${code}`));
      else resolve(run);
    });
  });
}

function checkout(ref: string): { dir: string; remove: () => void } {
  if (!existsSync(join(root, ".git"))) {
    process.stderr.write("bench:walls: needs a git checkout (the baseline is checked out from git)\n");
    process.exit(2);
  }
  const commit = execFileSync("git", ["rev-parse", "--verify", `${ref}^{commit}`], { cwd: root })
    .toString()
    .trim();
  const dir = mkdtempSync(join(os.tmpdir(), "traslado-baseline-"));
  execFileSync("git", ["worktree", "add", "--detach", "--force", dir, commit], {
    cwd: root,
    stdio: "ignore",
  });
  symlinkSync(join(root, "node_modules"), join(dir, "node_modules"), "dir");
  for (const file of ["bench/api.ts", "bench/args.ts"]) copyFileSync(join(root, file), join(dir, file));
  cpSync(join(root, "bench/api"), join(dir, "bench/api"), { recursive: true });
  return {
    dir,
    remove() {
      execFileSync("git", ["worktree", "remove", "--force", dir], { cwd: root, stdio: "ignore" });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function main() {
  const head = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: root }).toString().trim();
  const baseline = checkout(flags.baseline);
  process.once("SIGINT", () => {
    baseline.remove();
    process.exit(130);
  });
  const runs: { before: Run[]; after: Run[] } = { before: [], after: [] };
  try {
    for (let r = 1; r <= rounds; r++) {
      runs.before.push(
        await benchOnce(baseline.dir, `round ${r}/${rounds}: before the walls (${flags.baseline})`),
      );
      runs.after.push(await benchOnce(root, `round ${r}/${rounds}: with the walls (${head})`));
    }
  } finally {
    baseline.remove();
  }

  const pick = (side: Run[], key: string, f: (row: Row) => number) =>
    median(side.map((run) => run.get(key)).flatMap((row) => (row ? [f(row)] : [])));
  /** Each run's read against the ceiling measured just before it, in that run. */
  const ofCeiling = (side: Run[]) =>
    median(
      side.flatMap((run) => {
        const read = run.get("postgres case read");
        const ceiling = run.get("pg-bare ceiling");
        return read && ceiling ? [(100 * read.rps) / ceiling.rps] : [];
      }),
    );
  log(
    `\nWhat the walls cost — medians of ${rounds} rounds (before, after in turn), ${flags.duration} s per run, ${flags.connections} connections, ${flags.cases} read cases, PostgreSQL server\n`,
  );
  const lines: string[][] = [["figure", `before (${flags.baseline})`, `after (${head})`, "after ÷ before"]];
  const figure = (name: string, key: string, f: (row: Row) => number, unit = "") => {
    const before = pick(runs.before, key, f);
    const after = pick(runs.after, key, f);
    lines.push([
      name,
      `${before.toFixed(0)}${unit}`,
      `${after.toFixed(0)}${unit}`,
      (after / before).toFixed(2),
    ]);
  };
  figure("ceiling req/s (bare Fastify + pg)", "pg-bare ceiling", (r) => r.rps);
  figure("case read req/s", "postgres case read", (r) => r.rps);
  {
    const before = ofCeiling(runs.before);
    const after = ofCeiling(runs.after);
    lines.push([
      "case read, % of its run's ceiling",
      `${before.toFixed(0)}%`,
      `${after.toFixed(0)}%`,
      (after / before).toFixed(2),
    ]);
  }
  figure("case read p99 ms", "postgres case read", (r) => r.p99);
  figure("case read CPU µs/req (all processes)", "postgres case read", (r) => r.cpuTotal);
  figure("transitions/s (with the audit chain)", "postgres transition", (r) => r.rps);
  figure("transition p99 ms", "postgres transition", (r) => r.p99);
  figure("transition CPU µs/req (all processes)", "postgres transition", (r) => r.cpuTotal);
  const failures = [...runs.before, ...runs.after].reduce(
    (n, run) => n + [...run.values()].reduce((m, row) => m + row.non2xx, 0),
    0,
  );
  const widths = lines[0]!.map((_, i) => Math.max(...lines.map((l) => l[i]!.length)));
  for (const [k, l] of lines.entries()) {
    log(`| ${l.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" | ")} |`);
    if (k === 0)
      log(`|${widths.map((w, i) => (i === 0 ? "-".repeat(w + 2) : `${"-".repeat(w + 1)}:`)).join("|")}|`);
  }
  log(`\nnon-2xx answers over all runs: ${failures}`);
  if (failures > 0) process.exitCode = 1;
}

await main();
