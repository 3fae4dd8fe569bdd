/**
 * Planner benchmark (not a test): `npm run bench:planner [-- --limit N --filter STR --time-limit-ms N
 * --highs-time-limit-ms N --no-highs --seeds N --bppc-seeds N]`.
 * 1. Literature BPPC instances (Muritiba et al. 2010) from ../shared/bench/bppc (override with
 *    TRASLADO_BPPC_DIR): per instance bins found / best known / gap / time for the planner, for
 *    first-fit decreasing and for HiGHS alone, in the same run.
 *    Beside them, each instance in a fresh process, as a user runs it: `traslado plan --bppc FILE
 *    --format json` (the compiled CLI), `--fresh-runs N` times (default 1; 0 skips it); its figures are
 *    the solver's own time and the whole process's wall time. `--fresh-bin PATH` and `--fresh-node PATH`
 *    run another checkout's CLI on another Node.js (to measure a baseline); `--fresh-args="..."` adds
 *    arguments (`--fresh-args="--warm-up-ms 0"`: a value that starts with a dash needs the `=`).
 *    `--fresh-vs-bin PATH` (with `--fresh-vs-node`, `--fresh-vs-args`) runs a baseline CLI beside it,
 *    turn about on each instance, in its own columns.
 *    `--fresh-seeds` gives fresh run k the seed k (`--seed k`), so that `--fresh-runs 40 --fresh-seeds` is
 *    seeds 1..40, each in a new process (without it every fresh run is the CLI's default seed, 1).
 * 2. Random operations of 500 people, 60 aircraft, 20 destinations: aircraft against the lower bound
 *    (seeds 1..5, `--seeds N` for more).
 * 3. The January 2026 example: time to a proven-optimal plan.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { checkBppc, parseBppc, solveBppc, solveBppcFfd } from "../src/planner/bppc.ts";
import { HighsRunner, solveBppcHighs } from "../src/planner/highs.ts";
import { loadHighs } from "../src/planner/highs-load.ts";
import type { PlanInputData } from "../src/planner/model.ts";
import { createRng, randInt } from "../src/planner/rng.ts";
import { plan } from "../src/planner/solve.ts";
import { benchArgs, integerArg } from "./args.ts";
import { type SolveTrace, tracedSolve } from "./planner/trace.ts";

const repoRoot = fileURLToPath(new URL("..", import.meta.url));
const flags = benchArgs(import.meta.url, {
  limit: { type: "string", default: "100000" },
  filter: { type: "string", default: "" },
  "time-limit-ms": { type: "string", default: "1000" },
  /** HiGHS alone's time limit (default: --time-limit-ms). */
  "highs-time-limit-ms": { type: "string" },
  "no-highs": { type: "boolean", default: false },
  /** The planner without its own use of HiGHS (column generation on this thread). */
  "no-colgen": { type: "boolean", default: false },
  /** BPPC: also run seeds 2..N of the planner and count, per instance, the seeds at best known. */
  "bppc-seeds": { type: "string", default: "1" },
  /** all, bppc, random, january, or phases (not part of all). */
  only: { type: "string", default: "all" },
  /** With --only phases: seeds 1..N, each in a new process and in one warm process. */
  "phase-runs": { type: "string", default: "10" },
  /** Random operations: seeds 1..N. */
  seeds: { type: "string", default: "5" },
  "fresh-runs": { type: "string", default: "1" },
  "fresh-bin": { type: "string", default: `${repoRoot}bin/traslado.js` },
  "fresh-node": { type: "string", default: process.execPath },
  /** More arguments for the fresh process, e.g. --fresh-args="--warm-up-ms 0". */
  "fresh-args": { type: "string", default: "" },
  /** Fresh run k (from 1) with --seed k, the baseline's too. */
  "fresh-seeds": { type: "boolean", default: false },
  /**
   * A second CLI run beside it, turn about on each instance (a baseline: another checkout, another
   * Node.js): the machine's load then weighs on both alike.
   */
  "fresh-vs-bin": { type: "string", default: "" },
  "fresh-vs-node": { type: "string", default: process.execPath },
  "fresh-vs-args": { type: "string", default: "" },
});
if (!["all", "bppc", "random", "january", "phases"].includes(flags.only)) {
  process.stderr.write(
    `bench:planner: --only takes all, bppc, random, january or phases, not ${flags.only}\n`,
  );
  process.exit(2);
}
const limit = integerArg("limit", flags.limit);
const filter = flags.filter;
const timeLimitMs = integerArg("time-limit-ms", flags["time-limit-ms"]);
const highsLimitMs = integerArg("highs-time-limit-ms", flags["highs-time-limit-ms"] ?? String(timeLimitMs));
const withHighs = !flags["no-highs"];
const withColgen = !flags["no-colgen"];
const bppcSeeds = integerArg("bppc-seeds", flags["bppc-seeds"]);
const only = flags.only;
const seeds = integerArg("seeds", flags.seeds, 0);
const phaseRuns = integerArg("phase-runs", flags["phase-runs"]);
const freshRuns = integerArg("fresh-runs", flags["fresh-runs"], 0);
const freshBin = flags["fresh-bin"];
const freshNode = flags["fresh-node"];
const freshArgs = flags["fresh-args"].split(" ").filter(Boolean);
const freshSeeds = flags["fresh-seeds"];
const vsBin = flags["fresh-vs-bin"];
const vsNode = flags["fresh-vs-node"];
const vsArgs = flags["fresh-vs-args"].split(" ").filter(Boolean);

/** One run of `traslado plan --bppc` in a new process: its answer, and the process's wall time. */
function freshRun(file: string, run: number, nodePath = freshNode, binPath = freshBin, extra = freshArgs) {
  const seed = freshSeeds ? ["--seed", String(run)] : [];
  const t0 = performance.now();
  const r = spawnSync(
    nodePath,
    [
      binPath,
      "plan",
      "--bppc",
      file,
      "--format",
      "json",
      "--time-limit-ms",
      String(timeLimitMs),
      ...seed,
      ...extra,
    ],
    { encoding: "utf8", maxBuffer: 64 << 20 },
  );
  const wallMs = performance.now() - t0;
  if (r.status !== 0) throw new Error(`traslado plan --bppc ${file}: exit ${r.status}\n${r.stderr}`);
  const answer = JSON.parse(r.stdout) as {
    bins: number;
    elapsedMs: number;
    assignment: number[];
    lowerBound: number;
  };
  return { ...answer, wallMs };
}
const dir = process.env.TRASLADO_BPPC_DIR ?? `${repoRoot}../shared/bench/bppc`;

const median = (xs: number[]) => {
  if (xs.length === 0) return Number.NaN;
  const s = xs.slice().sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : "—");
const out = (s = "") => process.stdout.write(`${s}\n`);

/** The literature's instances the run picks (--filter, --limit): rows of best_known.csv (name first). */
function pickedInstances(): string[][] {
  return readFileSync(`${dir}/best_known.csv`, "utf8")
    .trim()
    .split("\n")
    .slice(1)
    .map((l) => l.split(","))
    .filter((r) => r[0]!.includes(filter))
    .slice(0, limit);
}

async function literature() {
  const picked = pickedInstances();
  const runner = withHighs ? new HighsRunner() : null;
  await runner?.warmUp();
  const t0 = performance.now();
  const highs = withColgen ? await loadHighs() : undefined;
  const loadMs = performance.now() - t0;
  out(
    `## BPPC literature instances (${picked.length}), time limit ${timeLimitMs} ms (HiGHS alone ${withHighs ? `${highsLimitMs} ms` : "off"})`,
  );
  out();
  out(
    withColgen
      ? `planner with column generation on HiGHS (loaded once in ${f1(loadMs)} ms, not counted per instance)`
      : "planner without column generation (--no-colgen)",
  );
  out();
  if (freshRuns > 0) {
    const v = spawnSync(freshNode, [freshBin, "--version"], { encoding: "utf8" });
    out(
      `fresh process: ${freshRuns} run(s) of \`${freshBin} plan --bppc FILE --format json${freshSeeds ? " --seed RUN" : ""} ${freshArgs.join(" ")}\` per instance on ${freshNode} (${(v.stdout || v.stderr).trim().split("\n")[0]}); bins of the run(s) at best known / runs, median solver ms, median wall ms`,
    );
    if (vsBin) {
      const w = spawnSync(vsNode, [vsBin, "--version"], { encoding: "utf8" });
      out(
        `baseline beside it, turn about: \`${vsBin} plan --bppc FILE --format json${freshSeeds ? " --seed RUN" : ""} ${vsArgs.join(" ")}\` on ${vsNode} (${(w.stdout || w.stderr).trim().split("\n")[0]})`,
      );
    }
    out();
  }
  out(
    `| instance | n | best known | planner bins | gap | ms | fresh at best | fresh ms | fresh wall ms |${vsBin ? " baseline at best | baseline ms | baseline wall ms |" : ""} FFD bins | gap | ms | HiGHS bins | gap | ms |`,
  );
  out(
    `|---|---:|---:|---:|---:|---:|---:|---:|---:|${vsBin ? "---:|---:|---:|" : ""}---:|---:|---:|---:|---:|---:|`,
  );
  type Side = { bins: number[]; gaps: number[]; ms: number[]; hits: number };
  const side = (): Side => ({ bins: [], gaps: [], ms: [], hits: 0 });
  const ours = side();
  const ffd = side();
  const hi = side();
  let bkTotal = 0;
  let highsNone = 0;
  let proven = 0;
  const seedHits: number[] = [];
  const seedMs: number[] = [];
  const seedMisses: string[] = [];
  const wrong: string[] = [];
  const freshSide = () => ({
    runs: 0,
    hits: 0,
    ms: [] as number[],
    wallMs: [] as number[],
    misses: [] as string[],
  });
  const fresh = freshSide();
  const baseline = freshSide();
  for (const r of picked) {
    const name = r[0]!;
    const bk = Number(r[11]);
    bkTotal += bk;
    const inst = parseBppc(readFileSync(`${dir}/instances/${name}.txt`, "utf8"));
    const s = solveBppc(inst, { timeLimitMs, highs });
    if (s.provenOptimal) proven++;
    // Every answer is checked: a valid packing with the bins it states, and a bound no higher than the
    // best known (proven optimal) value.
    const problems = [...checkBppc(inst, s.assignment)];
    if (new Set(s.assignment).size !== s.bins) problems.push(`states ${s.bins} bins`);
    if (s.lowerBound > bk) problems.push(`bound ${s.lowerBound} above the optimum ${bk}`);
    if (problems.length > 0) wrong.push(`${name}: ${problems.slice(0, 3).join("; ")}`);
    if (bppcSeeds > 1) {
      let hits = s.bins <= bk ? 1 : 0;
      for (let seed = 2; seed <= bppcSeeds; seed++) {
        const x = solveBppc(inst, { timeLimitMs, seed, highs });
        if (x.bins <= bk) hits++;
        if (checkBppc(inst, x.assignment).length > 0 || x.lowerBound > bk)
          wrong.push(`${name} seed ${seed}: invalid packing or bound above the optimum`);
        seedMs.push(x.elapsedMs);
      }
      seedHits.push(hits);
      if (hits < bppcSeeds) seedMisses.push(`${name} (${hits}/${bppcSeeds})`);
    }
    const t0 = performance.now();
    const f = solveBppcFfd(inst);
    const fMs = performance.now() - t0;
    const freshCells: string[] = [];
    if (freshRuns > 0) {
      const file = `${dir}/instances/${name}.txt`;
      const mine: ReturnType<typeof freshRun>[] = [];
      const theirs: ReturnType<typeof freshRun>[] = [];
      for (let k = 1; k <= freshRuns; k++) {
        mine.push(freshRun(file, k));
        if (vsBin) theirs.push(freshRun(file, k, vsNode, vsBin, vsArgs));
      }
      for (const [side, runs, label] of [
        [fresh, mine, "fresh process"],
        [baseline, theirs, "baseline"],
      ] as const) {
        if (runs.length === 0) continue;
        const hits = runs.filter((x) => x.bins <= bk).length;
        for (const x of runs) {
          if (checkBppc(inst, x.assignment).length > 0 || new Set(x.assignment).size !== x.bins)
            wrong.push(`${name} ${label}: invalid packing or wrong bin count`);
          side.ms.push(x.elapsedMs);
          side.wallMs.push(x.wallMs);
        }
        side.runs += runs.length;
        side.hits += hits;
        if (hits < runs.length) side.misses.push(`${name} (${hits}/${runs.length})`);
        freshCells.push(
          `${hits}/${runs.length}`,
          f1(median(runs.map((x) => x.elapsedMs))),
          f1(median(runs.map((x) => x.wallMs))),
        );
      }
    } else freshCells.push("—", "—", "—");
    const cells = [
      name,
      inst.n,
      bk,
      s.bins,
      s.bins - bk,
      f1(s.elapsedMs),
      ...freshCells,
      f.bins,
      f.bins - bk,
      f1(fMs),
    ];
    for (const [sd, bins, ms] of [
      [ours, s.bins, s.elapsedMs],
      [ffd, f.bins, fMs],
    ] as const) {
      sd.bins.push(bins);
      sd.gaps.push(bins - bk);
      sd.ms.push(ms);
      if (bins <= bk) sd.hits++;
    }
    if (runner) {
      const h = await solveBppcHighs(inst, { timeLimitMs: highsLimitMs, binCount: f.bins, runner });
      hi.ms.push(h.elapsedMs);
      if (h.bins === null) {
        highsNone++;
        cells.push(h.skipped ? "skipped" : "none", "—", f1(h.elapsedMs));
      } else {
        hi.bins.push(h.bins);
        hi.gaps.push(h.bins - bk);
        if (h.bins <= bk) hi.hits++;
        cells.push(`${h.bins}${h.optimal ? "*" : ""}`, h.bins - bk, f1(h.elapsedMs));
      }
    } else cells.push("—", "—", "—");
    out(`| ${cells.join(" | ")} |`);
  }
  await runner?.close();
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  out();
  out("| total | instances at best known | bins (sum) | gap (sum) | median ms | max ms |");
  out("|---|---:|---:|---:|---:|---:|");
  out(`| best known | ${picked.length} | ${bkTotal} | 0 | | |`);
  out(
    `| planner | ${ours.hits} | ${sum(ours.bins)} | ${sum(ours.gaps)} | ${f1(median(ours.ms))} | ${f1(Math.max(...ours.ms))} |`,
  );
  out(
    `| first-fit decreasing | ${ffd.hits} | ${sum(ffd.bins)} | ${sum(ffd.gaps)} | ${f1(median(ffd.ms))} | ${f1(Math.max(...ffd.ms))} |`,
  );
  if (runner)
    out(
      `| HiGHS alone | ${hi.hits} | ${sum(hi.bins)} (${hi.bins.length} solved) | ${sum(hi.gaps)} | ${f1(median(hi.ms))} | ${f1(Math.max(...hi.ms))} |`,
    );
  out();
  out(
    `planner: ${ours.hits}/${picked.length} at best known, ${proven}/${picked.length} proven optimal by its own bound, ${ours.ms.filter((m) => m <= 1000).length}/${picked.length} within 1 s, median ${f1(median(ours.ms))} ms` +
      (runner
        ? `; HiGHS alone: ${hi.hits}/${picked.length} at best known, no solution on ${highsNone}; median time ratio HiGHS/planner ${f1(median(hi.ms) / median(ours.ms))}`
        : ""),
  );
  out(
    wrong.length === 0
      ? "checked: every planner packing valid with the bins it states, every bound ≤ best known"
      : `WRONG ANSWERS (${wrong.length}): ${wrong.join(" | ")}`,
  );
  for (const [side, label] of [
    [fresh, "fresh process"],
    [baseline, "baseline (fresh process)"],
  ] as const)
    if (side.runs > 0)
      out(
        `${label}: ${side.hits}/${side.runs} runs at best known within ${timeLimitMs} ms; solver median ${f1(median(side.ms))} ms, max ${f1(Math.max(...side.ms))} ms; whole process median ${f1(median(side.wallMs))} ms, max ${f1(Math.max(...side.wallMs))} ms; not at best known every run: ${side.misses.join(", ") || "none"}`,
      );
  if (bppcSeeds > 1) {
    const all = ours.ms.concat(seedMs);
    out(
      `planner, seeds 1..${bppcSeeds}: ${sum(seedHits)}/${picked.length * bppcSeeds} runs at best known, ${seedHits.filter((h) => h === bppcSeeds).length}/${picked.length} instances at best known with every seed; all runs: median ${f1(median(all))} ms, max ${f1(Math.max(...all))} ms`,
    );
    out(`not at best known with every seed: ${seedMisses.join(", ") || "none"}`);
  }
}

/** A random operation: `people` people, `aircraft` aircraft, `destinations` destinations, 8 organisations. */
export function randomOperation(seed: number, people = 500, aircraft = 60, destinations = 20): PlanInputData {
  const rng = createRng(seed);
  const orgs = Array.from({ length: 8 }, (_, k) => `Org${k + 1}`);
  const rivals = (k: number) => orgs.filter((_, j) => j !== k && (j + k) % 3 === 0);
  const airports = [{ code: "STG", lat: 19.34, lon: -99.57 }];
  for (let d = 0; d < destinations; d++)
    airports.push({ code: `D${d + 1}`, lat: 25 + rng() * 20, lon: -122 + rng() * 50 });
  return {
    staging: ["STG"],
    airports,
    organisations: orgs.map((name, k) => ({ name, rivals: rivals(k) })),
    people: Array.from({ length: people }, (_, i) => ({
      id: `p${i + 1}`,
      organisation: orgs[randInt(rng, orgs.length)]!,
      destination: `D${1 + randInt(rng, destinations)}`,
      highRisk: rng() < 0.15,
    })),
    fleet: Array.from({ length: aircraft }, (_, k) => ({
      id: `F${k + 1}`,
      seats: [20, 30, 40][randInt(rng, 3)]!,
      maxStops: 3,
    })),
  };
}

/**
 * Where a solve's time goes, in a new process against one warm process: for each instance picked, seeds
 * 1..--phase-runs, each traced (`bench/planner/trace.ts`) in a new process and then in this one (after two
 * untimed solves of the instance), turn about. The new process loads the solver through tsx rather than
 * the compiled CLI, and solves on its main thread without a warm-up: as `plan --bppc --no-warm-up-thread`
 * runs it, not as `plan --bppc` (whose solve runs in a thread that warmed up first, `bppc-prestart.ts`).
 */
async function phases() {
  const picked = pickedInstances();
  const highs = await loadHighs();
  const child = fileURLToPath(new URL("planner/trace-child.ts", import.meta.url));
  out(
    `## Where a solve's time goes: seeds 1–${phaseRuns}, ${timeLimitMs} ms, a new process per seed against one warm process (medians)`,
  );
  out();
  out(
    "| instance | process | runs at best known | column generation starts, ms | root LP ends, ms | found, ms (runs at best known) | runs with column generation | root: LP solves, simplex iterations, ms in HiGHS | whole run: LP solves, ms in HiGHS |",
  );
  out("|---|---|---:|---:|---:|---:|---:|---:|---:|");
  for (const r of picked) {
    const name = r[0]!;
    const bk = Number(r[11]);
    const file = `${dir}/instances/${name}.txt`;
    const inst = parseBppc(readFileSync(file, "utf8"));
    for (const seed of [1001, 1002]) solveBppc(inst, { seed, timeLimitMs, highs });
    const fresh: SolveTrace[] = [];
    const warm: SolveTrace[] = [];
    for (let seed = 1; seed <= phaseRuns; seed++) {
      const c = spawnSync(
        process.execPath,
        ["--import", "tsx", child, file, String(seed), String(timeLimitMs)],
        {
          encoding: "utf8",
        },
      );
      if (c.status !== 0) throw new Error(`${child} ${name} ${seed}: exit ${c.status}\n${c.stderr}`);
      fresh.push(JSON.parse(c.stdout) as SolveTrace);
      warm.push(tracedSolve(inst, highs, seed, timeLimitMs));
    }
    for (const [label, traces] of [
      ["new process per seed", fresh],
      ["one warm process", warm],
    ] as const) {
      const hits = traces.filter((t) => t.bins <= bk);
      // Column generation's figures over the runs that ran it (the search alone settles some runs).
      const ran = traces.filter((t) => Number.isFinite(t.colgenStartMs));
      const mid = (pick: (t: SolveTrace) => number, of = traces) =>
        median(of.map(pick).filter(Number.isFinite));
      const cell = (pick: (t: SolveTrace) => number, of = traces) => f1(mid(pick, of));
      const count = (pick: (t: SolveTrace) => number) => {
        const m = mid(pick, ran);
        return Number.isFinite(m) ? String(Math.round(m)) : "—";
      };
      out(
        `| ${name} | ${label} | ${hits.length}/${traces.length} | ${cell((t) => t.colgenStartMs)} | ${cell((t) => t.rootEndMs)} | ${cell((t) => t.foundMs, hits)} | ${ran.length}/${traces.length} | ${count((t) => t.root.solves)}, ${count((t) => t.root.iterations)}, ${cell((t) => t.root.ms, ran)} | ${count((t) => t.all.solves)}, ${cell((t) => t.all.ms, ran)} |`,
      );
    }
  }
}

function randomOps() {
  out("## Random operations: 500 people, 60 aircraft, 20 destinations (time limit 1500 ms)");
  out();
  out("| seed | status | aircraft | lower bound | gap | distance km | ms |");
  out("|---:|---|---:|---:|---:|---:|---:|");
  const gaps: number[] = [];
  const ms: number[] = [];
  for (let seed = 1; seed <= Math.min(limit, seeds); seed++) {
    const r = plan(randomOperation(seed), { timeLimitMs: 1500, seed });
    gaps.push(r.aircraftUsed - r.lowerBound);
    ms.push(r.elapsedMs);
    out(
      `| ${seed} | ${r.status} | ${r.aircraftUsed} | ${r.lowerBound} | ${r.aircraftUsed - r.lowerBound} | ${Math.round(r.distanceKm)} | ${f1(r.elapsedMs)} |`,
    );
  }
  out();
  out(
    `within 1 aircraft of the bound: ${gaps.filter((g) => g <= 1).length}/${gaps.length} (at the bound: ${gaps.filter((g) => g <= 0).length}); under 2 s: ${ms.filter((m) => m < 2000).length}/${ms.length}; median ${f1(median(ms))} ms, max ${f1(Math.max(...ms))} ms`,
  );
}

function january() {
  const input = JSON.parse(readFileSync(`${repoRoot}examples/january-2026.json`, "utf8")) as PlanInputData;
  plan(input);
  const runs = Array.from({ length: 20 }, () => plan(input, { timeLimitMs: 1000 }));
  const r = runs[0]!;
  out("## January 2026 example (examples/january-2026.json), 20 runs");
  out();
  out(
    `${r.aircraftUsed} aircraft, lower bound ${r.lowerBound}, proven optimal: ${runs.every((x) => x.provenOptimal)}; median ${f1(median(runs.map((x) => x.elapsedMs)))} ms, max ${f1(Math.max(...runs.map((x) => x.elapsedMs)))} ms`,
  );
}

if (only === "all" || only === "january") {
  january();
  out();
}
if (only === "all" || only === "random") {
  randomOps();
  out();
}
if (only === "all" || only === "bppc") await literature();
if (only === "phases") await phases();
