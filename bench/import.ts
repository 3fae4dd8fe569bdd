/**
 * `npm run bench:import` — importing requests with `traslado import` (issue 2: "importing 100,000 requests
 * in under 60 s on the server"; issue 9: "import of 1M rows in no more than 10× the time of 100k, with peak
 * memory under 500 MB").
 *
 * Generates a CSV file of N fictional requests (one to three charges each, one new person each; generated
 * and written a thousand at a time, so N may be a million), then for each backend (a PostgreSQL server, in a
 * scratch database created and dropped here; embedded PGlite in a temporary data directory) runs
 * `traslado import FILE` in a fresh process, as a user does: streamed CSV, every record validated, written
 * in batches through the audited `Writer` in one transaction. It reports the process's wall time and its
 * peak resident memory (`/usr/bin/time -f %M`). With `--against DIR` (another checkout of traslado, with its
 * node_modules, e.g. the commit before a change) the same import runs with that checkout's command, turn
 * about with this one. Beside them, the baseline: the same people, requests and charges written by plain
 * multi-row INSERTs in one transaction, with no parsing, validation or audit chain (`--no-baseline` skips
 * it). Each measure runs on a freshly migrated database; the table shows medians of `--repeats` runs.
 * With `--scans` (PostgreSQL only), each run also prints how the import read the tables it wrote and looked
 * up: `pg_stat_user_tables`' sequential scans, the rows they read, and index scans, counted from a
 * `pg_stat_reset()` just before it (a scan that reads a whole table per batch is a cost that grows with the
 * record: migration 0022 removed one).
 *
 *   node --import tsx bench/import.ts --n 100000 --repeats 3 --backends postgres --against ../traslado-main
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import { join, resolve } from "node:path";
import { finished } from "node:stream/promises";
import { stringify } from "csv-stringify/sync";
import { count } from "drizzle-orm";
import pg from "pg";
import { v7 as uuidv7 } from "uuid";
import { type Database, openDatabase, toCount } from "../src/db/client.ts";
import { auditEvents, charges, people, requests } from "../src/db/schema.ts";
import { csvColumns } from "../src/requests/import.ts";
import { benchArgs, integerArg } from "./args.ts";

const flags = benchArgs(import.meta.url, {
  n: { type: "string", default: "100000" },
  repeats: { type: "string", default: "3" },
  /** Repeats on PGlite, which is slower; defaults to --repeats. */
  "pglite-repeats": { type: "string" },
  backends: { type: "string", default: "postgres,pglite" },
  "pg-url": { type: "string", default: "postgres://postgres@127.0.0.1:5432" },
  /** Another checkout of traslado whose `traslado import` runs turn about with this one's. */
  against: { type: "string" },
  /** Skip the plain-INSERT baseline. */
  "no-baseline": { type: "boolean", default: false },
  /** Only write the generated CSV to this file, and stop (to profile or try `traslado import`). */
  "generate-only": { type: "string" },
  /** Run `traslado import --timings` and print where each run's time went (every checkout must have it). */
  timings: { type: "boolean", default: false },
  /** On PostgreSQL, print each run's table scans (pg_stat_user_tables, counted from a reset before it). */
  scans: { type: "boolean", default: false },
});
const n = integerArg("n", flags.n);
const repeats = integerArg("repeats", flags.repeats);
const pgliteRepeats = integerArg("pglite-repeats", flags["pglite-repeats"] ?? flags.repeats);
const backends = flags.backends.split(",").map((b) => b.trim());
for (const b of backends) {
  if (b !== "pglite" && b !== "postgres") {
    process.stderr.write(`bench: --backends takes postgres and/or pglite, not ${b}\n`);
    process.exit(2);
  }
}
const log = (s: string) => process.stderr.write(`${s}\n`);

// ---------------------------------------------------------------------------------------------------------
// Fictional data, deterministic

let seed = 20250227;
const rnd = () => {
  // In 32-bit integer arithmetic: a plain `seed * 1103515245` loses its low bits in a double, and the
  // sequence then repeats every few thousand draws (so did the generated people).
  seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
  return seed / 0x7fffffff;
};
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
const given = [
  "Aurelio",
  "Dalia",
  "Severiano",
  "Renata",
  "Ismael",
  "Marisol",
  "Teodoro",
  "Yolanda",
  "Efraín",
  "Lucero",
];
const family = [
  "Quintanar",
  "Ocampo",
  "Luján",
  "Ibarra",
  "Vega",
  "Castro",
  "Salcedo",
  "Arriaga",
  "Montiel",
  "Zavala",
];
/**
 * Syllables of invented words: each person has one as a second given name and one as a second family name
 * (24³ = 13,824 of each). With only the lists above, a million people would share 1,000 names, and the
 * duplicate check at intake would rightly find thousands of likely duplicates (same name, same day of birth)
 * where a real record has few.
 */
const syllables = [
  "ba",
  "ce",
  "di",
  "fo",
  "gu",
  "la",
  "me",
  "ni",
  "po",
  "ru",
  "sa",
  "te",
  "vi",
  "xo",
  "ya",
  "zu",
  "ca",
  "de",
  "li",
  "mo",
  "nu",
  "ra",
  "so",
  "ti",
];
const invented = () => {
  const w = `${pick(syllables)}${pick(syllables)}${pick(syllables)}`;
  return w[0]!.toUpperCase() + w.slice(1);
};
const statutes = [
  ["21 U.S.C. 846", "Conspiracy to distribute a controlled substance (fictional)"],
  ["21 U.S.C. 963", "Conspiracy to import a controlled substance (fictional)"],
  ["18 U.S.C. 1956", "Laundering of monetary instruments (fictional)"],
  ["18 U.S.C. 924(c)", "Use of a firearm in a drug trafficking crime (fictional)"],
  ["18 U.S.C. 1959", "Violent crime in aid of racketeering (fictional)"],
] as const;
const types = [
  "provisional-arrest",
  "formal-extradition",
  "security-transfer",
  "temporary-surrender",
] as const;
const districts = ["S.D. Tex.", "W.D. Tex.", "E.D.N.Y.", "S.D. Cal.", "N.D. Ill.", "D.D.C."];

interface Generated {
  person: { givenNames: string; familyNames: string; dateOfBirth: string; nationalities: string[] };
  request: {
    requestingState: string;
    requestingAgency: string;
    type: string;
    channel: string;
    diplomaticNote: string;
    receivedOn: string;
    district: string;
    courtCaseNumber: string;
  };
  charges: { statute: string; description: string; maximumPenalty: string; capitalEligible: boolean }[];
}

/** The requests, deterministic, a thousand at a time: the same data on every call. */
function* generate(count: number): Generator<Generated[]> {
  seed = 20250227;
  for (let start = 0; start < count; start += 1000) {
    const out: Generated[] = [];
    for (let i = start; i < Math.min(count, start + 1000); i++) {
      const day = (y: number) =>
        `${y}-${String(1 + Math.floor(rnd() * 12)).padStart(2, "0")}-${String(1 + Math.floor(rnd() * 28)).padStart(2, "0")}`;
      out.push({
        person: {
          givenNames: `${pick(given)} ${invented()}`,
          familyNames: `${pick(family)} ${invented()}`,
          dateOfBirth: day(1950 + Math.floor(rnd() * 55)),
          nationalities: rnd() < 0.1 ? ["MX", "US"] : ["MX"],
        },
        request: {
          requestingState: "US",
          requestingAgency: "Department of Justice",
          type: pick(types),
          channel: "diplomatic-note",
          diplomaticNote: `DN-${i}`,
          receivedOn: day(2025),
          district: pick(districts),
          courtCaseNumber: `1:25-cr-${String(i).padStart(6, "0")}`,
        },
        charges: Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => {
          const [statute, description] = pick(statutes);
          return { statute, description, maximumPenalty: "life imprisonment", capitalEligible: rnd() < 0.05 };
        }),
      });
    }
    yield out;
  }
}

/** Writes the CSV file; returns the number of charges. */
async function writeCsv(file: string, count: number): Promise<number> {
  const out = createWriteStream(file);
  out.write(stringify([csvColumns as unknown as string[]]));
  let charges = 0;
  let i = 0;
  for (const chunk of generate(count)) {
    const rows: unknown[][] = [];
    chunk.forEach((g, j) => {
      charges += g.charges.length;
      const ref = `R-${i + j}`;
      for (const c of g.charges) {
        const v: Record<string, unknown> = {
          request_ref: ref,
          given_names: g.person.givenNames,
          family_names: g.person.familyNames,
          date_of_birth: g.person.dateOfBirth,
          nationalities: g.person.nationalities.join(";"),
          fictional: "true",
          requesting_state: g.request.requestingState,
          requesting_agency: g.request.requestingAgency,
          type: g.request.type,
          channel: g.request.channel,
          diplomatic_note: g.request.diplomaticNote,
          received_on: g.request.receivedOn,
          district: g.request.district,
          court_case_number: g.request.courtCaseNumber,
          statute: c.statute,
          description: c.description,
          maximum_penalty: c.maximumPenalty,
          capital_eligible: String(c.capitalEligible),
          sealed: "false",
        };
        rows.push(csvColumns.map((k) => v[k] ?? ""));
      }
    });
    i += chunk.length;
    if (!out.write(stringify(rows))) await once(out, "drain");
  }
  out.end();
  await finished(out);
  return charges;
}

// ---------------------------------------------------------------------------------------------------------
// Scratch databases

type Query = (text: string, params: unknown[]) => Promise<void>;

interface Scratch {
  /** The environment a `traslado` process uses this database with. */
  env: Record<string, string>;
  /**
   * `fn` with the database open (and a parameterised statement without drizzle: the baseline's path). It is
   * closed after, so that a `traslado` process may open a PGlite directory.
   */
  use<T>(fn: (database: Database, query: Query) => Promise<T>): Promise<T>;
  drop(): Promise<void>;
}

/**
 * A scratch database, migrated by the checkout's own `traslado migrate` (in a fresh process: a checkout
 * compared with `--against` may have other migrations), or by this checkout's code for the baseline.
 */
async function scratch(backend: "postgres" | "pglite", checkout?: string): Promise<Scratch> {
  const migrate = async (env: Record<string, string>, use: Scratch["use"]) => {
    if (!checkout) return use((d) => d.migrate());
    const child = spawn(process.execPath, [join(checkout, "bin/traslado.js"), "migrate"], {
      env: { ...process.env, SEED_DEMO: "false", LOG_LEVEL: "silent", ...env },
      stdio: ["ignore", "ignore", "inherit"],
    });
    const [code] = (await once(child, "close")) as [number | null];
    if (code !== 0) throw new Error(`traslado migrate (${checkout}) failed (${code})`);
  };
  if (backend === "postgres") {
    const base = flags["pg-url"];
    const name = `traslado_bench_import_${randomBytes(4).toString("hex")}`;
    const admin = new pg.Client({ connectionString: `${base}/postgres` });
    await admin.connect();
    await admin.query(`create database "${name}"`);
    await admin.end();
    const url = `${base}/${name}`;
    const use: Scratch["use"] = async (fn) => {
      const database = await openDatabase({ kind: "postgres", url });
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        return await fn(database, async (text, params) => void (await client.query(text, params)));
      } finally {
        await client.end();
        await database.close();
      }
    };
    await migrate({ DATABASE_URL: url }, use);
    return {
      env: { DATABASE_URL: url },
      use,
      async drop() {
        const a = new pg.Client({ connectionString: `${base}/postgres` });
        await a.connect();
        await a.query(`drop database if exists "${name}" with (force)`);
        await a.end();
      },
    };
  }
  const dir = await mkdtemp(join(os.tmpdir(), "traslado-bench-import-"));
  const use: Scratch["use"] = async (fn) => {
    const database = await openDatabase({ kind: "pglite", dataDir: dir });
    try {
      return await fn(database, async (text, params) => void (await database.pglite!.query(text, params)));
    } finally {
      await database.close();
    }
  };
  await migrate({ DATA_DIR: dir }, use);
  return {
    env: { DATA_DIR: dir },
    use,
    async drop() {
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Plain multi-row INSERTs of the same people, requests and charges: no parsing, validation or audit. */
async function baseline(query: Query) {
  await query("begin", []);
  for (const chunk of generate(n)) await baselineChunk(query, chunk);
  await query("commit", []);
}

async function baselineChunk(query: Query, data: Generated[]) {
  const now = new Date();
  const insert = async (table: string, columns: string[], rows: unknown[][]) => {
    const per = Math.floor(60000 / columns.length);
    for (let i = 0; i < rows.length; i += per) {
      const chunk = rows.slice(i, i + per);
      const params: unknown[] = [];
      const values = chunk.map((r) => `(${r.map((v) => `$${params.push(v)}`).join(",")})`).join(",");
      await query(`insert into ${table} (${columns.join(",")}) values ${values}`, params);
    }
  };
  const personIds = data.map(() => uuidv7());
  const requestIds = data.map(() => uuidv7());
  await insert(
    "people",
    [
      "id",
      "party",
      "version",
      "recorded_at",
      "given_names",
      "family_names",
      "date_of_birth",
      "nationalities",
      "fictional",
    ],
    data.map((g, i) => [
      personIds[i],
      "MX",
      1,
      now,
      g.person.givenNames,
      g.person.familyNames,
      g.person.dateOfBirth,
      JSON.stringify(g.person.nationalities),
      true,
    ]),
  );
  await insert(
    "requests",
    [
      "id",
      "party",
      "version",
      "recorded_at",
      "person_id",
      "requesting_state",
      "requesting_agency",
      "type",
      "channel",
      "diplomatic_note",
      "received_on",
      "district",
      "court_case_number",
    ],
    data.map((g, i) => [
      requestIds[i],
      g.request.requestingState,
      1,
      now,
      personIds[i],
      g.request.requestingState,
      g.request.requestingAgency,
      g.request.type,
      g.request.channel,
      g.request.diplomaticNote,
      g.request.receivedOn,
      g.request.district,
      g.request.courtCaseNumber,
    ]),
  );
  await insert(
    "charges",
    [
      "id",
      "party",
      "version",
      "recorded_at",
      "request_id",
      "statute",
      "description",
      "maximum_penalty",
      "capital_eligible",
      "sealed",
    ],
    data.flatMap((g, i) =>
      g.charges.map((c) => [
        uuidv7(),
        "US",
        1,
        now,
        requestIds[i],
        c.statute,
        c.description,
        c.maximumPenalty,
        c.capitalEligible,
        false,
      ]),
    ),
  );
}

/** The tables an import writes or looks up through (the case-file triggers read `cases` and `requests`). */
const SCANNED = ["people", "requests", "charges", "cases", "audit_events", "operation_people"];

/** Runs `fn` on a client of the database at `url`. */
async function onDatabase<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Starts the database's table statistics afresh (before an import whose scans are counted). */
const resetTableStats = (url: string) => onDatabase(url, (c) => c.query("select pg_stat_reset()"));

/** The scans of the tables in SCANNED since the reset: `table N seq (M rows read) K idx` for each. */
const tableScans = (url: string) =>
  onDatabase(url, async (c) => {
    const { rows } = await c.query<{ relname: string; seq: string; rows: string; idx: string }>(
      `select relname, seq_scan as seq, seq_tup_read as rows, coalesce(idx_scan, 0) as idx
       from pg_stat_user_tables where relname = any($1) order by relname`,
      [SCANNED],
    );
    return rows.map((r) => `${r.relname} ${r.seq} seq (${r.rows} rows read) ${r.idx} idx`).join(", ");
  });

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function rowCounts(database: Database) {
  const c = async (t: typeof people | typeof requests | typeof charges | typeof auditEvents) =>
    toCount((await database.db.select({ n: count() }).from(t))[0]?.n);
  return {
    people: await c(people),
    requests: await c(requests),
    charges: await c(charges),
    audit: await c(auditEvents),
  };
}

/**
 * `traslado import FILE` of the checkout `dir` in a fresh process: its wall time, and its peak resident
 * memory as `/usr/bin/time -f %M` reports it (the maximum RSS of the process, in KB).
 */
async function runImport(dir: string, file: string, env: Record<string, string>) {
  const t0 = performance.now();
  const child = spawn(
    "/usr/bin/time",
    [
      "-f",
      "maxrss-kb %M",
      process.execPath,
      join(dir, "bin/traslado.js"),
      "import",
      file,
      ...(flags.timings ? ["--timings"] : []),
    ],
    {
      env: { ...process.env, SEED_DEMO: "false", LOG_LEVEL: "silent", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => {
    stdout += d;
  });
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  const [code] = (await once(child, "close")) as [number | null];
  const seconds = (performance.now() - t0) / 1000;
  const rss = /maxrss-kb (\d+)/.exec(stderr);
  if (code !== 0 || !rss) throw new Error(`traslado import (${dir}) failed (${code}): ${stdout}${stderr}`);
  return { seconds, peakMB: Number(rss[1]) / 1024, timings: /^traslado: timings: (.*)$/m.exec(stderr)?.[1] };
}

// ---------------------------------------------------------------------------------------------------------

const dir = await mkdtemp(join(os.tmpdir(), "traslado-bench-import-file-"));
const file = flags["generate-only"] ?? join(dir, "requests.csv");
const variants = [
  { name: "this checkout", dir: resolve(import.meta.dirname, "..") },
  ...(flags.against ? [{ name: `--against ${flags.against}`, dir: resolve(flags.against) }] : []),
];
try {
  log(`generating ${n.toLocaleString("en")} fictional requests…`);
  const chargeCount = await writeCsv(file, n);
  if (flags["generate-only"]) log(`wrote ${flags["generate-only"]}`);
  const rows = 2 * n + chargeCount;
  log(
    `${file}: ${n} requests, ${n} people, ${chargeCount} charges (${rows} rows; with their audit events, ${2 * rows})`,
  );

  // Each checkout's dist/ built before any run is timed (`traslado` builds it when stale).
  for (const v of variants) {
    const build = spawn(process.execPath, [join(v.dir, "bin/build.js")], { stdio: "inherit" });
    const [code] = (await once(build, "close")) as [number | null];
    if (code !== 0) throw new Error(`${v.name}: bin/build.js failed`);
  }

  interface Result {
    backend: string;
    runs: Map<string, { seconds: number[]; peakMB: number[] }>;
    baselineS: number[];
  }
  const results: Result[] = [];
  for (const backend of (flags["generate-only"] ? [] : backends) as ("postgres" | "pglite")[]) {
    const runs = backend === "pglite" ? pgliteRepeats : repeats;
    const r: Result = {
      backend,
      runs: new Map(variants.map((v) => [v.name, { seconds: [], peakMB: [] }])),
      baselineS: [],
    };
    results.push(r);
    for (let run = 1; run <= runs; run++) {
      // Turn about: the variants one after the other in each round.
      for (const v of variants) {
        const s = await scratch(backend, v.dir);
        try {
          const scans = flags.scans && backend === "postgres" ? s.env.DATABASE_URL : undefined;
          if (scans) await resetTableStats(scans);
          const m = await runImport(v.dir, file, s.env);
          const got = await s.use(rowCounts);
          // One event per row, and one for the record of the import itself.
          if (got.requests !== n || got.charges !== chargeCount || got.audit !== rows + 1)
            throw new Error(
              `${v.name}: import wrote ${JSON.stringify(got)}, expected ${n} requests, ${chargeCount} charges, ${rows + 1} audit events`,
            );
          r.runs.get(v.name)!.seconds.push(m.seconds);
          r.runs.get(v.name)!.peakMB.push(m.peakMB);
          log(
            `${backend} run ${run}/${runs}, ${v.name}: ${m.seconds.toFixed(1)} s (${Math.round(n / m.seconds)} requests/s), peak ${Math.round(m.peakMB)} MB`,
          );
          if (m.timings) log(`  ${m.timings}`);
          if (scans) log(`  scans: ${await tableScans(scans)}`);
        } finally {
          await s.drop();
        }
      }
      if (!flags["no-baseline"]) {
        const s = await scratch(backend);
        try {
          const seconds = await s.use(async (database, query) => {
            const t0 = performance.now();
            await baseline(query);
            const seconds = (performance.now() - t0) / 1000;
            const got = await rowCounts(database);
            if (got.requests !== n || got.charges !== chargeCount)
              throw new Error(`baseline wrote ${JSON.stringify(got)}`);
            return seconds;
          });
          r.baselineS.push(seconds);
          log(`${backend} run ${run}/${runs}: baseline ${seconds.toFixed(1)} s`);
        } finally {
          await s.drop();
        }
      }
    }
  }

  const mb = (x: number) => Math.round(x).toLocaleString("en");
  const lines = [
    "",
    `\`traslado import\` of ${n.toLocaleString("en")} requests (${n.toLocaleString("en")} people, ${chargeCount.toLocaleString("en")} charges) from CSV, a fresh process per run; medians of ${repeats} run(s) (PGlite ${pgliteRepeats}); ${os.cpus().length} CPUs, load average ${os.loadavg()[0]!.toFixed(1)} at the end`,
    "",
    "| backend | command | import (s) | requests/s | peak RSS (MB) | baseline INSERT (s) | import / baseline |",
    "|---|---|---:|---:|---:|---:|---:|",
  ];
  for (const r of results) {
    const base = r.baselineS.length > 0 ? median(r.baselineS) : undefined;
    for (const [name, m] of r.runs) {
      const imp = median(m.seconds);
      lines.push(
        `| ${r.backend === "postgres" ? "PostgreSQL server" : "PGlite"} | ${name} | ${imp.toFixed(1)} | ${Math.round(n / imp).toLocaleString("en")} | ${mb(median(m.peakMB))} | ${base === undefined ? "—" : base.toFixed(1)} | ${base === undefined ? "—" : `${(imp / base).toFixed(1)}×`} |`,
      );
    }
    if (variants.length === 2) {
      const [a, b] = variants.map((v) => r.runs.get(v.name)!);
      lines.push(
        "",
        `${r.backend}: this checkout / --against: time ${(median(a!.seconds) / median(b!.seconds)).toFixed(2)}, peak memory ${(median(a!.peakMB) / median(b!.peakMB)).toFixed(2)}`,
      );
    }
  }
  if (results.length > 0) process.stdout.write(`${lines.join("\n")}\n`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
