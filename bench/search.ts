/**
 * `npm run bench:search` — person search over 100,000 people on the PostgreSQL server (issue 12: "search
 * p95 under 50 ms over 100,000 people").
 *
 * Fills a scratch database (kept between runs: `--db`, default bench_search) with `--people` fictional
 * people — names drawn from pools so that many share a given or a family name, a third with an alias,
 * each with an identifier — in multi-row statements, then ANALYZE. Then, as an officer under row-level
 * security (the services' own path, `searchPeople`), times `--queries` searches by misspelt names (accents
 * dropped, word order, a hyphen, a typo), beside two baselines in the same run:
 *   identifier   an exact identifier lookup (the GIN index on identifiers): the floor;
 *   ilike        the list's former `q` filter, `ILIKE '%family name%'` on names and aliases (no trigram
 *                index: a sequential scan), which found no misspelling at all.
 * Prints median and p95 per kind and the ratios.
 *
 *   npm run bench:search -- --people 100000 --queries 300
 */
import { ilike, or, sql } from "drizzle-orm";
import pg from "pg";
import { v7 as uuidv7 } from "uuid";
import { asActor } from "../src/auth/access.ts";
import type { Actor } from "../src/auth/roles.ts";
import { openDatabase } from "../src/db/client.ts";
import { people } from "../src/db/schema.ts";
import { searchPeople } from "../src/people/search.ts";
import { median } from "./api/load.ts";
import { benchArgs } from "./args.ts";

const flags = benchArgs(import.meta.url, {
  people: { type: "string", default: "100000" },
  queries: { type: "string", default: "300" },
  "pg-url": { type: "string", default: "postgres://postgres@127.0.0.1:5432" },
  db: { type: "string", default: "bench_search" },
});
const total = Number(flags.people);
const queries = Number(flags.queries);
if (!/^[a-z_][a-z0-9_]*$/.test(flags.db))
  throw new Error(`--db must be a plain database name, not ${flags.db}`);

const given =
  "Aurelio Bernabé Casimiro Delfino Eleuterio Fermín Gumaro Heriberto Isauro Jacinto Leandro Macario Nicasio Odilón Prisciliano Quirino Rosendo Saturnino Teódulo Ubaldo Valentín Wenceslao Zenón Abundio Brígido Crisóforo Dimas Eusebio Filiberto Genaro Hilario Ana Beatriz Carmela Dolores Elvira Fabiola Graciela Hortensia Inés Julieta Leonor Marisol Nayeli Olga Paulina Rocío Soledad Tomasa Úrsula Verónica Ximena Yolanda Zulema José Ángel María Juan Luis".split(
    " ",
  );
const family =
  "Pradoverde Lunarejo Cerrofino Valdelirio Robledal Solanar Piedralta Marañuela Aguaclarín Encinosa Montefrial Lagoseco Cañaverdi Nublado Arenalta Tejavana Olmedillo Brezal Quebradilla Riscoverde Cardonal Mezquitán Salinero Peñascoso Ficticio Inventado Demostrado Ejemplar Supuesto Figurado Imaginario Hipotético Alcornoque Barrancal Cebadilla Duraznal Espinoso Fresnedo Granadal Higueral Jaralito Lomabonita Manzanal Naranjal Ocotal Palmarejo Quelital Romeral Sabinal Tunal".split(
    " ",
  );
const aliasPool =
  "El Tejón|El Colibrí|El Mapache|La Garza|El Cenzontle|El Tlacuache|El Armadillo|El Coyotito|El Zanate|El Tecolote|El Gavilán|El Cacomixtle".split(
    "|",
  );
/** A deterministic draw: the n-th person is always the same. */
const pick = <T>(xs: T[], n: number, k: number) => xs[(n * k + Math.floor(n / xs.length)) % xs.length]!;
const personOf = (n: number) => ({
  given: `${pick(given, n, 7)}${n % 4 === 0 ? ` ${pick(given, n, 13)}` : ""}`,
  family: `${pick(family, n, 11)} ${pick(family, n, 17)}`,
  aliases: n % 3 === 0 ? [`${pick(aliasPool, n, 5)} ${n % 97}`] : [],
  id: `BENCH-${100_000 + n}`,
});

const base = flags["pg-url"].replace(/\/$/, "");
const admin = new pg.Client({ connectionString: `${base}/postgres` });
await admin.connect();
const exists = (await admin.query("select 1 from pg_database where datname = $1", [flags.db])).rowCount;
if (!exists) await admin.query(`create database "${flags.db}"`);
await admin.end();
const database = await openDatabase({ kind: "postgres", url: `${base}/${flags.db}` });
await database.migrate();
const have = Number(
  ((await database.db.execute(sql`select count(*) as n from people`)) as unknown as { rows: { n: string }[] })
    .rows[0]!.n,
);
if (have < total) {
  const started = performance.now();
  const now = new Date().toISOString();
  for (let from = have; from < total; from += 5000) {
    const batch = Array.from({ length: Math.min(5000, total - from) }, (_, i) => {
      const p = personOf(from + i);
      return {
        id: uuidv7(),
        given_names: p.given,
        family_names: p.family,
        aliases: p.aliases,
        identifiers: [{ kind: "requesting-state-id", value: p.id }],
      };
    });
    // One multi-row statement per 5,000 people (a bench fill: not through the audited write path).
    await database.db.execute(sql`insert into people (id, party, shared_with, version, recorded_at, given_names, family_names, aliases, nationalities, identifiers, risk_flags, fictional)
      select id, 'MX', '[]', 1, ${now}::timestamptz, given_names, family_names, aliases, '["MX"]', identifiers, '[]', true
      from jsonb_to_recordset(${JSON.stringify(batch)}::jsonb) as r(id uuid, given_names text, family_names text, aliases jsonb, identifiers jsonb)`);
  }
  await database.analyze([people]);
  console.log(`filled ${total - have} people in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

const strip = (s: string) => s.normalize("NFD").replace(/\p{M}+/gu, "");
const typo = (w: string, k: number) => {
  const i = 1 + (k % Math.max(1, w.length - 2));
  return w.slice(0, i) + w[i + 1] + w[i] + w.slice(i + 2);
};
/** The i-th query: a person's name misspelt one of four ways. */
function queryOf(i: number) {
  const p = personOf((i * 7919) % total);
  const [a, b] = p.family.split(" ") as [string, string];
  switch (i % 4) {
    case 0:
      return { name: strip(`${p.given} ${p.family}`).toLowerCase(), family: a, id: p.id };
    case 1:
      return { name: `${p.family}, ${p.given}`, family: a, id: p.id };
    case 2:
      return { name: `${p.given} ${a}-${b}`, family: a, id: p.id };
    default:
      return { name: `${p.given} ${typo(a, i)} ${b}`, family: a, id: p.id };
  }
}

const officer: Actor = { id: "bench-search", name: "Search bench", party: "MX", role: "foreign-ministry" };
const app = database.app;
const kinds = {
  search: (i: number) => asActor(app, officer, () => searchPeople(app, queryOf(i).name, 10, officer)),
  identifier: (i: number) => asActor(app, officer, () => searchPeople(app, queryOf(i).id, 10, officer)),
  ilike: (i: number) =>
    asActor(app, officer, () => {
      const q = `%${queryOf(i).family}%`;
      return app
        .select({ id: people.id })
        .from(people)
        .where(
          or(
            ilike(people.familyNames, q),
            ilike(people.givenNames, q),
            sql`${people.aliases}::text ilike ${q}`,
          ),
        )
        .limit(10);
    }),
};
const times: Record<string, number[]> = { search: [], identifier: [], ilike: [] };
let found = 0;
for (let i = 0; i < 20; i++) for (const run of Object.values(kinds)) await run(i); // warm-up
for (let i = 0; i < queries; i++) {
  // Turn about, so that each kind meets the same state of the caches.
  for (const [kind, run] of Object.entries(kinds)) {
    const started = performance.now();
    const result = await run(i);
    times[kind]!.push(performance.now() - started);
    if (kind === "search") {
      const hits = result as { id: string }[];
      const [row] = (
        (await database.db.execute(
          sql`select id from people where identifiers @> ${JSON.stringify([{ value: queryOf(i).id }])}::jsonb`,
        )) as unknown as { rows: { id: string }[] }
      ).rows;
      if (hits.slice(0, 3).some((h) => h.id === row?.id)) found++;
    }
  }
}
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.ceil(xs.length * 0.95) - 1]!;
const fmt = (x: number) => x.toFixed(2).padStart(8);
console.log(`\nperson search over ${total.toLocaleString("en")} people, ${queries} queries each (ms):`);
console.log(`  kind          median       p95`);
for (const [kind, xs] of Object.entries(times))
  console.log(`  ${kind.padEnd(10)} ${fmt(median(xs))}  ${fmt(p95(xs))}`);
const s = times.search!;
console.log(
  `  search/identifier: median ×${(median(s) / median(times.identifier!)).toFixed(1)}, p95 ×${(p95(s) / p95(times.identifier!)).toFixed(1)}; search/ilike: median ×${(median(s) / median(times.ilike!)).toFixed(2)}, p95 ×${(p95(s) / p95(times.ilike!)).toFixed(2)}`,
);
console.log(`  the person searched for in the top 3: ${found}/${queries}`);
console.log(`  p95 under 50 ms: ${p95(s) < 50 ? "yes" : "NO"}`);
await database.close();
