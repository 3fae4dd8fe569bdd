/**
 * Hostile input (issue 10, "How it is checked"): thousands of malformed and hostile requests to every route of
 * the API — bodies, query strings, path ids and headers: oversized, of the wrong type, with fields missing or
 * extra, SQL and script payloads, NUL characters and lone surrogates, deeply nested JSON.
 *
 * The routes, their inputs and who may call them come from the OpenAPI document the app serves, so a new
 * route is fuzzed without a line here. Each request is built from the route's own schema (so it reaches past
 * the first check) and then broken in one place.
 *
 * - Refused input: every answer is a 4xx in the one error schema, a 400 names the field, and the database
 *   is exactly as it was (the rows of every table, the audit chain included).
 * - Anything at all (valid bodies with SQL and script text, junk headers and queries, no token): never a 5xx.
 */
import { sql } from "drizzle-orm";
import fc from "fast-check";
import type { LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Permission, permissions } from "../src/auth/permissions.ts";
import type { Role } from "../src/auth/roles.ts";
import { type TestApp, testApp } from "./app.ts";
import { buildAirports, buildCase, buildOperation } from "./factories.ts";

type Schema = Record<string, unknown> & {
  type?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  anyOf?: Schema[];
  pattern?: string;
  format?: string;
  maxLength?: number;
  maxItems?: number;
  minimum?: number;
  maximum?: number;
  additionalProperties?: boolean | Schema;
};
interface Parameter {
  in: "path" | "query" | "header";
  name: string;
  required?: boolean;
  schema: Schema;
}
interface Route {
  method: "GET" | "POST" | "DELETE";
  path: string;
  parameters: Parameter[];
  body?: Schema;
  permission?: Permission | "public";
  /** A token of a role that holds the route's permission: refusals are then the input's, not the caller's. */
  headers: Record<string, string>;
}

const BODY_LIMIT = 64 * 1024;
/** Requests per property (two properties): FUZZ_RUNS=20000 for a longer hunt. */
const NUM_RUNS = Number(process.env.FUZZ_RUNS ?? 4000);
/** Answers by status, printed at the end: how far the requests went. */
const statuses: Record<string, Record<number, number>> = { refused: {}, anything: {} };
const tally = (kind: string, status: number) => {
  statuses[kind]![status] = (statuses[kind]![status] ?? 0) + 1;
};

let t: TestApp;
let routes: Route[];
/** Ids of records that exist, so that well-formed ids reach the database. */
let ids: string[];

beforeAll(async () => {
  t = await testApp({ config: { BODY_LIMIT_BYTES: BODY_LIMIT } });
  await buildAirports(t);
  const c = await buildCase(t);
  const op = await buildOperation(t, {
    people: [{ personId: c.personId, caseId: c.id, destinationAirport: "IAD" }],
  });
  const rows = (await t.database.db.execute(
    sql`select id::text as id from people union all select id::text from organisations union all select id::text from requests union all select id::text from cases union all select id::text from operations union all select id::text from places`,
  )) as unknown as { rows: { id: string }[] };
  ids = [...new Set([c.id, c.personId, op.id, ...rows.rows.map((r) => r.id)])];

  const doc = (await t.app.inject({ url: "/openapi.json" })).json() as {
    paths: Record<
      string,
      Record<
        string,
        {
          parameters?: Parameter[];
          requestBody?: {
            content: { "application/json"?: { schema: Schema }; "multipart/form-data"?: unknown };
          };
          "x-permission"?: Permission | "public";
        }
      >
    >;
  };
  // Uploads (multipart) are not fuzzed here: their parts are checked by src/documents/documents.test.ts.
  routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops)
      .filter(([, op]) => !op.requestBody?.content["multipart/form-data"])
      .map(([method, op]) => ({
        method: method.toUpperCase() as Route["method"],
        path,
        parameters: op.parameters ?? [],
        body: op.requestBody?.content["application/json"]?.schema,
        ...(op["x-permission"] ? { permission: op["x-permission"] } : {}),
        headers: {},
      })),
  );
  for (const r of routes)
    if (r.permission && r.permission !== "public") r.headers = await t.as(...roleFor(r.permission));
  expect(routes.length).toBeGreaterThan(40);
}, 120_000);
afterAll(async () => {
  process.stdout.write(`fuzz: answers by status ${JSON.stringify(statuses)}\n`);
  await t?.close();
});

function roleFor(permission: Permission): [Role, string] {
  const role = permissions[permission].roles[0] as Role;
  return [role, role === "request-officer" || role === "receiving-officer" ? "US" : "MX"];
}

/** Rows of every table of the schema, the audit chain's included. */
async function snapshot(): Promise<Record<string, number>> {
  const tables = (
    (await t.database.db.execute(
      sql`select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`,
    )) as unknown as { rows: { name: string }[] }
  ).rows.map((r) => r.name);
  // A failed sign-in is written on purpose (its audit event, the rate limit's count): those are not changes.
  const counted = tables.filter((n) => n !== "sign_in_attempts");
  const countOf = (n: string) =>
    n === "audit_events"
      ? `select '${n}' as name, count(*)::int as n from "${n}" where entity <> 'sign_in'`
      : `select '${n}' as name, count(*)::int as n from "${n}"`;
  const counts = (await t.database.db.execute(
    sql.raw(counted.map(countOf).join(" union all ")),
  )) as unknown as { rows: { name: string; n: number }[] };
  return Object.fromEntries(counts.rows.map((r) => [r.name, Number(r.n)]));
}

// ---- values: plausible for a schema, and hostile ----

const sqlAndScript = [
  "' OR '1'='1",
  "'; drop table people; --",
  "1; select pg_sleep(1)",
  "\\x00",
  "<script>alert(1)</script>",
  '"><img src=x onerror=alert(1)>',
  "$" + "{jndi:ldap://x}",
  "../../etc/passwd",
  "%00",
  "{{7*7}}",
];
const plainText = fc.oneof(
  fc
    .string({ minLength: 1, maxLength: 20 })
    .filter((s) => s.trim().length > 0 && !/[\ud800-\udfff]/.test(s) && !s.includes("\u0000")),
  fc.constantFrom(...sqlAndScript, "Ana María Pérez", "José 🙂"),
);

function plausible(s: Schema | undefined, depth = 0): fc.Arbitrary<unknown> {
  if (!s) return fc.constant({});
  if (s.enum) return fc.constantFrom(...s.enum);
  if (s.anyOf) return plausible(s.anyOf[0], depth);
  switch (s.type) {
    case "string":
      if (s.format === "uuid") return fc.oneof(fc.constantFrom(...ids), fc.uuid({ version: 7 }));
      if (s.format === "date-time") return fc.constant("2026-01-20T17:00:00Z");
      if (s.pattern?.includes("\\d{4}-\\d{2}-\\d{2}")) return fc.constantFrom("2026-01-05", "2024-02-29");
      if (s.pattern === "^[A-Z]{2}$") return fc.constantFrom("US", "MX", "GT");
      if (s.pattern === "^[A-Z]{3}$") return fc.constantFrom("IAD", "TLC", "SAN");
      if (s.pattern?.startsWith("^[A-Z0-9][A-Z0-9-]")) return fc.constantFrom("FUZZ-1", "FZ-2");
      if (s.pattern === "^[A-Z0-9]{3,8}$") return fc.constantFrom("FZZ1", "ZZZ");
      return plainText.map((v) => v.slice(0, s.maxLength ?? 200));
    case "integer":
      return fc.integer({ min: s.minimum ?? 0, max: Math.min(s.maximum ?? 100, (s.minimum ?? 0) + 100) });
    case "number":
      return fc.double({ min: s.minimum ?? -10, max: s.maximum ?? 10, noNaN: true });
    case "boolean":
      return fc.boolean();
    case "array":
      return depth > 3 ? fc.constant([]) : fc.array(plausible(s.items, depth + 1), { maxLength: 2 });
    case "object": {
      const props = s.properties ?? {};
      const required = new Set(s.required ?? []);
      const record: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [k, v] of Object.entries(props)) record[k] = plausible(v, depth + 1);
      return fc.record(record, {
        requiredKeys: Object.keys(props).filter((k) => required.has(k) || depth > 3),
      });
    }
    default:
      return fc.constant(null);
  }
}

/** A value the schema refuses, whatever else the request holds. */
function invalid(s: Schema): fc.Arbitrary<unknown> {
  const wrongType = fc.constantFrom<unknown>({ $gt: "" }, [1, 2], null, true, 12.5, "x".repeat(3));
  if (s.anyOf || s.enum || (s.type === "string" && (s.pattern || s.format) && !isText(s)))
    return fc.oneof(
      fc.constantFrom<unknown>(...sqlAndScript, "\u0000", "\ud800", "x".repeat(5000)),
      wrongType.filter((v) => typeof v !== "string"),
    );
  switch (s.type) {
    case "string":
      return fc.oneof(
        fc.constantFrom("Ana\u0000", "\u0000", "a\ud800b", "\udfff", "x\ud83d", "\u0000' OR 1=1 --"),
        fc.constant("x".repeat((s.maxLength ?? 2000) + 1)),
        wrongType.filter((v) => typeof v !== "string"),
      );
    case "integer":
      return fc.constantFrom<unknown>(
        1.5,
        "1; drop table cases",
        (s.maximum ?? 2 ** 53) + 1,
        (s.minimum ?? -(2 ** 53)) - 1,
        null,
        {},
      );
    case "number":
      return fc.constantFrom<unknown>("NaN", (s.maximum ?? 1e308) * 10 || "x", null, []);
    case "boolean":
      return fc.constantFrom<unknown>("true", 1, null);
    case "array":
      return fc.constantFrom<unknown>(
        "[]",
        { 0: "x" },
        null,
        Array.from({ length: (s.maxItems ?? 1000) + 1 }, () => null),
      );
    default:
      return fc.constantFrom<unknown>("x", 1, [], null);
  }
}
const isText = (s: Schema) => s.type === "string" && s.pattern?.startsWith("^(?:[^\\u0000");

/** Each place of a value where a schema applies: a leaf, an object, an array. */
function places(
  value: unknown,
  s: Schema | undefined,
  at: (string | number)[] = [],
): { at: (string | number)[]; s: Schema }[] {
  if (!s) return [];
  const out = [{ at, s }];
  if (s.type === "object" && value && typeof value === "object" && s.properties)
    for (const [k, v] of Object.entries(value))
      if (s.properties[k]) out.push(...places(v, s.properties[k], [...at, k]));
  if (s.type === "array" && Array.isArray(value) && s.items)
    for (const [i, v] of value.entries()) out.push(...places(v, s.items, [...at, i]));
  return out;
}
function setAt(value: unknown, at: (string | number)[], v: unknown): unknown {
  if (at.length === 0) return v;
  const copy = (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<
    string | number,
    unknown
  >;
  copy[at[0]!] = setAt(copy[at[0]!], at.slice(1), v);
  return copy;
}
function deleteAt(value: unknown, at: (string | number)[]): unknown {
  const copy = { ...(value as object) } as Record<string | number, unknown>;
  if (at.length === 1) delete copy[at[0]!];
  else copy[at[0]!] = deleteAt(copy[at[0]!], at.slice(1));
  return copy;
}

const deep = (n: number) => `${"[".repeat(n)}${"]".repeat(n)}`;
const deepObject = (n: number) => `${'{"a":'.repeat(n)}1${"}".repeat(n)}`;

interface Sent {
  method: Route["method"];
  url: string;
  headers: Record<string, string>;
  payload?: string;
  what: string;
}

function urlOf(route: Route, pathValues: Record<string, string>, query: [string, string][]) {
  const path = route.path.replace(/\{(\w+)\}/g, (_m, name: string) => pathValues[name] ?? ids[0]!);
  return query.length ? `${path}?${query.map(([k, v]) => `${k}=${v}`).join("&")}` : path;
}
const enc = (v: unknown) => encodeURIComponent(String(v));

/** A request to `route` built from its schemas, then broken in one place its schemas check. */
function refusedRequest(route: Route): fc.Arbitrary<Sent> {
  const pathParams = route.parameters.filter((p) => p.in === "path");
  const queryParams = route.parameters.filter((p) => p.in === "query");
  const body = route.body ? plausible(route.body) : fc.constant(undefined);
  const validPath = fc.record(Object.fromEntries(pathParams.map((p) => [p.name, fc.constantFrom(...ids)])));
  const base = fc.record({ body, path: validPath });
  const ways: fc.Arbitrary<Sent>[] = [];
  const send = (what: string, path: Record<string, string>, query: [string, string][], payload?: unknown) =>
    ({
      method: route.method,
      url: urlOf(route, path, query),
      headers: { ...route.headers, "content-type": "application/json" },
      ...(payload !== undefined
        ? { payload: typeof payload === "string" ? payload : JSON.stringify(payload) }
        : {}),
      what,
    }) satisfies Sent;
  if (pathParams.length)
    ways.push(
      fc
        .tuple(
          base,
          fc.constantFrom(...pathParams),
          fc.constantFrom(
            "%00",
            "1%00",
            "' OR 1=1 --",
            "%3Cscript%3E",
            "..%2F..%2Fetc",
            "0",
            "x".repeat(300),
            "null",
            "-1",
          ),
        )
        .map(([b, p, v]) =>
          send(`path ${p.name}=${v}`, { ...b.path, [p.name]: v.startsWith("'") ? enc(v) : v }, [], b.body),
        ),
    );
  for (const p of queryParams) {
    ways.push(
      fc
        .tuple(base, fc.constantFrom(...hostileQuery(p.schema)))
        .map(([b, v]) => send(`query ${p.name}=${v.slice(0, 40)}`, b.path, [[p.name, v]], b.body)),
    );
  }
  if (route.body) {
    const schema = route.body;
    ways.push(
      base.chain((b) => {
        const spots = places(b.body, schema).filter((x) => x.at.length > 0);
        if (!spots.length) return fc.constant(send("body: not an object", b.path, [], "[]"));
        return fc
          .constantFrom(...spots)
          .chain((spot) =>
            invalid(spot.s).map((v) =>
              send(
                `body ${spot.at.join(".")}=${JSON.stringify(v)?.slice(0, 60)}`,
                b.path,
                [],
                setAt(b.body, spot.at, v),
              ),
            ),
          );
      }),
      base.map((b) => {
        const required = schema.required ?? [];
        return required.length
          ? send(`body without ${required[0]}`, b.path, [], deleteAt(b.body, [required[0]!]))
          : send("body: not an object", b.path, [], '"text"');
      }),
      base.map((b) =>
        schema.additionalProperties === false
          ? send("body: extra field", b.path, [], { ...(b.body as object), "' OR 1=1": "<script>" })
          : send("body: a list", b.path, [], [b.body]),
      ),
      fc
        .tuple(
          base,
          fc.constantFrom(
            "null",
            "42",
            '"text"',
            "[]",
            "{",
            '{"a":}',
            deep(5000),
            deepObject(3000),
            "\u0000",
          ),
        )
        .map(([b, raw]) => send(`body: ${raw.slice(0, 20)}`, b.path, [], raw)),
      base.map((b) =>
        send(
          "body: oversized",
          b.path,
          [],
          JSON.stringify({ ...(b.body as object), zz: "x".repeat(BODY_LIMIT) }),
        ),
      ),
    );
  }
  return ways.length ? fc.oneof(...ways) : fc.constant(send("no input", {}, []));
}
/** Query values (as sent, encoded) that a parameter's schema refuses once read; numbers are coerced. */
function hostileQuery(s: Schema): string[] {
  if (s.type === "integer")
    return [
      "abc",
      "1.5",
      enc("1; drop table cases"),
      String((s.maximum ?? 2 ** 53) + 1),
      String((s.minimum ?? 0) - 1),
      "%00",
    ];
  if (isText(s)) return ["%00", "a%00b", `${enc("' OR 1=1")}%00`, "x".repeat((s.maxLength ?? 2000) + 1)];
  return [
    "%00",
    enc("' OR 1=1 --"),
    enc("<script>alert(1)</script>"),
    "x".repeat(50),
    enc("1; select pg_sleep(1)"),
  ];
}

/** Anything at all, as a careless or hostile client sends it. */
function anyRequest(route: Route): fc.Arbitrary<Sent> {
  const hostileString = fc.oneof(
    fc.string({ maxLength: 30, unit: "binary" }),
    fc.constantFrom(...sqlAndScript, "\u0000", "\ud800", "x".repeat(3000)),
  );
  const json = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      hostileString,
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.array(tie("value"), { maxLength: 3 }),
      fc.dictionary(
        fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom("__proto__", "constructor")),
        tie("value"),
        {
          maxKeys: 4,
        },
      ),
    ),
  })).value;
  const body = route.body ? fc.oneof(plausible(route.body), json) : fc.option(json);
  const queryValue = fc.oneof(
    fc.constantFrom(...sqlAndScript, "", "-1", "99999999999", "1e3").map(enc),
    fc.constant("%00"),
  );
  const queryNames = fc.oneof(
    fc.constantFrom(
      ...route.parameters.filter((p) => p.in === "query").map((p) => p.name),
      "limit",
      "cursor",
      "q",
    ),
    fc.constantFrom("__proto__", "a[b]", "constructor", "%00"),
  );
  return fc
    .record({
      body,
      query: fc.array(fc.tuple(queryNames, queryValue), { maxLength: 3 }),
      path: fc.record(
        Object.fromEntries(
          route.parameters
            .filter((p) => p.in === "path")
            .map((p) => [
              p.name,
              fc.oneof(fc.constantFrom(...ids), fc.uuid(), fc.constantFrom("%00", "x", "%27%20OR%201%3D1")),
            ]),
        ),
      ),
      auth: fc.constantFrom(
        "route",
        "route",
        "route",
        "route",
        "route",
        "route",
        "route",
        "none",
        "garbage",
        "sql",
      ),
      contentType: fc.constantFrom(
        "application/json",
        "application/json",
        "text/plain",
        "application/json; charset=latin1",
        "multipart/form-data",
      ),
      ifMatch: fc.option(fc.constantFrom('"1"', 'W/"2"', "abc", "' OR 1=1", "99999999999999999999")),
      idempotencyKey: fc.option(fc.oneof(fc.uuid(), fc.constantFrom("", "x".repeat(300), "' OR 1=1"))),
    })
    .map((r) => {
      const auth =
        r.auth === "route"
          ? route.headers
          : r.auth === "garbage"
            ? { authorization: "Bearer not-a-token" }
            : r.auth === "sql"
              ? { authorization: "Bearer ' OR 1=1 --" }
              : {};
      return {
        method: route.method,
        url: urlOf(route, r.path as Record<string, string>, r.query),
        headers: {
          ...auth,
          "content-type": r.contentType,
          ...(r.ifMatch ? { "if-match": r.ifMatch } : {}),
          ...(r.idempotencyKey !== null ? { "idempotency-key": r.idempotencyKey } : {}),
        },
        ...(r.body !== undefined && r.body !== null && route.method !== "GET"
          ? { payload: JSON.stringify(r.body) }
          : {}),
        what: `anything (${r.auth}, ${r.contentType})`,
      } satisfies Sent;
    });
}

async function inject(s: Sent): Promise<LightMyRequestResponse> {
  return t.app.inject({
    method: s.method,
    url: s.url,
    headers: s.headers,
    ...(s.payload !== undefined ? { payload: s.payload } : {}),
  });
}

/** The one error body; a 400 names what was wrong. */
function expectErrorBody(res: LightMyRequestResponse, label: string) {
  const body = res.json() as {
    error?: { code?: unknown; message?: unknown; issues?: { field?: unknown; rule?: unknown }[] };
  };
  expect(Object.keys(body), label).toEqual(["error"]);
  expect(body.error?.code, label).toEqual(expect.stringMatching(/^[A-Z_]+$/));
  expect(body.error?.message, label).toEqual(expect.any(String));
  if (res.statusCode === 400) {
    expect(body.error?.issues?.length, label).toBeGreaterThan(0);
    for (const i of body.error!.issues!) {
      expect(i.field, label).toEqual(expect.any(String));
      expect(i.rule, label).toEqual(expect.any(String));
    }
  }
  // Nothing of the inside: no stack, no SQL, no constraint.
  expect(res.body, label).not.toMatch(
    /\bat .*\.ts:\d+|select .* from|insert into|violates|_uq\b|_fkey\b|_pkey\b/i,
  );
}

describe("hostile input", () => {
  it("refuses broken input on every route with a 4xx naming the field, and changes nothing", async () => {
    const before = await snapshot();
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes).chain((r) => refusedRequest(r).map((s) => [r, s] as const)),
        async ([route, sent]) => {
          seen.add(`${route.method} ${route.path}`);
          const res = await inject(sent);
          tally("refused", res.statusCode);
          const label = `${sent.method} ${sent.url.slice(0, 120)} [${sent.what}] → ${res.statusCode} ${res.body.slice(0, 300)}`;
          if (sent.what === "no input") return;
          expect(res.statusCode, label).toBeGreaterThanOrEqual(400);
          expect(res.statusCode, label).toBeLessThan(500);
          expectErrorBody(res, label);
        },
      ),
      { numRuns: NUM_RUNS },
    );
    expect(await snapshot()).toEqual(before);
    expect(seen.size).toBe(routes.length);
  }, 300_000);

  it("answers anything at all on every route without a 5xx, in the one error schema", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes).chain((r) => anyRequest(r)),
        async (sent) => {
          const res = await inject(sent);
          tally("anything", res.statusCode);
          const label = `${sent.method} ${sent.url.slice(0, 120)} [${sent.what}] ${sent.payload?.slice(0, 200)} → ${res.statusCode} ${res.body.slice(0, 300)}`;
          expect(res.statusCode, label).toBeLessThan(500);
          if (res.statusCode >= 400) expectErrorBody(res, label);
        },
      ),
      { numRuns: NUM_RUNS },
    );
  }, 300_000);
});
