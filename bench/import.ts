/**
 * `npm run bench:import` — importing requests (issue 2: "importing 100,000 requests in under 60 s on the
 * server").
 *
 * Generates a CSV file of N fictional requests (one to three charges each, one new person each), then for
 * each backend (a PostgreSQL server, in a scratch database created and dropped here; embedded PGlite in a
 * temporary data directory) imports it with `importFile` — the same code as `traslado import`: streamed CSV,
 * every record validated, written in batches through the audited `Writer` in one transaction. Beside it,
 * the baseline: the same people, requests and charges written by plain multi-row INSERTs in one transaction,
 * with no parsing, validation or audit chain. Each measure runs on a freshly migrated database; the table
 * shows medians of `--repeats` runs.
 *
 *   node --import tsx bench/import.ts --n 100000 --repeats 3 --backends postgres,pglite
 */
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import { join } from "node:path";
import { finished } from "node:stream/promises";
import { parseArgs } from "node:util";
import { stringify } from "csv-stringify/sync";
import { count } from "drizzle-orm";
import pg from "pg";
import { v7 as uuidv7 } from "uuid";
import { consoleActor } from "../src/auth/tokens.ts";
import { type Database, openDatabase, toCount } from "../src/db/client.ts";
import { auditEvents, charges, people, requests } from "../src/db/schema.ts";
import { csvColumns, importFile } from "../src/requests/import.ts";

const { values: flags } = parseArgs({
  options: {
    n: { type: "string", default: "100000" },
    repeats: { type: "string", default: "3" },
    /** Repeats on PGlite, which is slower; defaults to --repeats. */
    "pglite-repeats": { type: "string" },
    backends: { type: "string", default: "postgres,pglite" },
    "pg-url": { type: "string", default: "postgres://postgres@127.0.0.1:5432" },
    "batch-size": { type: "string", default: "2000" },
    /** Only write the generated CSV to this file, and stop (to profile or try `traslado import`). */
    "generate-only": { type: "string" },
  },
});
const int = (name: string, value: string | undefined) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    process.stderr.write(`bench: --${name} must be a positive integer, not ${value}\n`);
    process.exit(2);
  }
  return n;
};
const n = int("n", flags.n);
const repeats = int("repeats", flags.repeats);
const pgliteRepeats = int("pglite-repeats", flags["pglite-repeats"] ?? flags.repeats);
const batchSize = int("batch-size", flags["batch-size"]);
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
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
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

function generate(count: number): Generated[] {
  const out: Generated[] = [];
  for (let i = 0; i < count; i++) {
    const day = (y: number) =>
      `${y}-${String(1 + Math.floor(rnd() * 12)).padStart(2, "0")}-${String(1 + Math.floor(rnd() * 28)).padStart(2, "0")}`;
    out.push({
      person: {
        givenNames: pick(given),
        familyNames: `${pick(family)} ${pick(family)}`,
        dateOfBirth: day(1960 + Math.floor(rnd() * 40)),
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
  return out;
}

async function writeCsv(file: string, data: Generated[]) {
  const out = createWriteStream(file);
  out.write(stringify([csvColumns as unknown as string[]]));
  for (let i = 0; i < data.length; i += 1000) {
    const rows: unknown[][] = [];
    data.slice(i, i + 1000).forEach((g, j) => {
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
    if (!out.write(stringify(rows))) await once(out, "drain");
  }
  out.end();
  await finished(out);
}

// ---------------------------------------------------------------------------------------------------------
// Scratch databases

interface Scratch {
  database: Database;
  /** Runs a parameterised statement without drizzle: the baseline's path. */
  query(text: string, params: unknown[]): Promise<void>;
  drop(): Promise<void>;
}

async function scratch(backend: "postgres" | "pglite"): Promise<Scratch> {
  if (backend === "postgres") {
    const base = flags["pg-url"];
    const name = `traslado_bench_import_${randomBytes(4).toString("hex")}`;
    const admin = new pg.Client({ connectionString: `${base}/postgres` });
    await admin.connect();
    await admin.query(`create database "${name}"`);
    await admin.end();
    const url = `${base}/${name}`;
    const database = await openDatabase({ kind: "postgres", url });
    await database.migrate();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    return {
      database,
      query: async (text, params) => void (await client.query(text, params)),
      async drop() {
        await client.end();
        await database.close();
        const a = new pg.Client({ connectionString: `${base}/postgres` });
        await a.connect();
        await a.query(`drop database if exists "${name}" with (force)`);
        await a.end();
      },
    };
  }
  const dir = await mkdtemp(join(os.tmpdir(), "traslado-bench-import-"));
  const database = await openDatabase({ kind: "pglite", dataDir: dir });
  await database.migrate();
  return {
    database,
    query: async (text, params) => void (await database.pglite!.query(text, params)),
    async drop() {
      await database.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Plain multi-row INSERTs of the same people, requests and charges: no parsing, validation or audit. */
async function baseline(s: Scratch, data: Generated[]) {
  const now = new Date();
  const insert = async (table: string, columns: string[], rows: unknown[][]) => {
    const per = Math.floor(60000 / columns.length);
    for (let i = 0; i < rows.length; i += per) {
      const chunk = rows.slice(i, i + per);
      const params: unknown[] = [];
      const values = chunk.map((r) => `(${r.map((v) => `$${params.push(v)}`).join(",")})`).join(",");
      await s.query(`insert into ${table} (${columns.join(",")}) values ${values}`, params);
    }
  };
  await s.query("begin", []);
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
  await s.query("commit", []);
}

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

// ---------------------------------------------------------------------------------------------------------

const dir = await mkdtemp(join(os.tmpdir(), "traslado-bench-import-file-"));
const file = join(dir, "requests.csv");
try {
  log(`generating ${n.toLocaleString("en")} fictional requests…`);
  const data = generate(n);
  const chargeCount = data.reduce((sum, g) => sum + g.charges.length, 0);
  await writeCsv(flags["generate-only"] ?? file, data);
  if (flags["generate-only"]) log(`wrote ${flags["generate-only"]}`);
  const rows = 2 * n + chargeCount;
  log(
    `${file}: ${n} requests, ${n} people, ${chargeCount} charges (${rows} rows; with their audit events, ${2 * rows})`,
  );

  const results: { backend: string; importS: number[]; baselineS: number[] }[] = [];
  for (const backend of (flags["generate-only"] ? [] : backends) as ("postgres" | "pglite")[]) {
    const runs = backend === "pglite" ? pgliteRepeats : repeats;
    const r = { backend, importS: [] as number[], baselineS: [] as number[] };
    results.push(r);
    for (let run = 1; run <= runs; run++) {
      {
        const s = await scratch(backend);
        try {
          const t0 = performance.now();
          const result = await importFile({ db: s.database.db, actor: consoleActor("MX"), file, batchSize });
          const seconds = (performance.now() - t0) / 1000;
          const got = await rowCounts(s.database);
          if (
            result.requests !== n ||
            got.requests !== n ||
            got.charges !== chargeCount ||
            // One event per row, and one for the record of the import itself.
            got.audit !== rows + 1
          )
            throw new Error(
              `import wrote ${JSON.stringify(got)}, expected ${n} requests, ${chargeCount} charges, ${rows + 1} audit events`,
            );
          r.importS.push(seconds);
          log(
            `${backend} run ${run}/${runs}: import ${seconds.toFixed(1)} s (${Math.round(n / seconds)} requests/s)`,
          );
        } finally {
          await s.drop();
        }
      }
      {
        const s = await scratch(backend);
        try {
          const t0 = performance.now();
          await baseline(s, data);
          const seconds = (performance.now() - t0) / 1000;
          const got = await rowCounts(s.database);
          if (got.requests !== n || got.charges !== chargeCount)
            throw new Error(`baseline wrote ${JSON.stringify(got)}`);
          r.baselineS.push(seconds);
          log(`${backend} run ${run}/${runs}: baseline ${seconds.toFixed(1)} s`);
        } finally {
          await s.drop();
        }
      }
    }
  }

  const lines = [
    "",
    `Import of ${n.toLocaleString("en")} requests (${n.toLocaleString("en")} people, ${chargeCount.toLocaleString("en")} charges) from CSV; medians of ${repeats} run(s) (PGlite ${pgliteRepeats}); ${os.cpus().length} CPUs`,
    "",
    "| backend | import (s) | requests/s | baseline INSERT (s) | requests/s | import / baseline | target < 60 s |",
    "|---|---:|---:|---:|---:|---:|---|",
  ];
  for (const r of results) {
    const imp = median(r.importS);
    const base = median(r.baselineS);
    lines.push(
      `| ${r.backend === "postgres" ? "PostgreSQL server" : "PGlite"} | ${imp.toFixed(1)} | ${Math.round(n / imp).toLocaleString("en")} | ${base.toFixed(1)} | ${Math.round(n / base).toLocaleString("en")} | ${(imp / base).toFixed(1)}× | ${r.backend === "postgres" ? (imp < 60 ? "met" : "NOT met") : "—"} |`,
    );
  }
  if (results.length > 0) process.stdout.write(`${lines.join("\n")}\n`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
