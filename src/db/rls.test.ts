/**
 * The second wall (issue 10): PostgreSQL's row-level security, under the service layer. Queries made as the
 * application role with another party set return no rows of the record and cannot insert, update or
 * delete them — on PGlite and on the PostgreSQL server alike (the same migrations and policies).
 */
import { getTableName, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { officer, type TestApp, testApp } from "../../test/app.ts";
import { buildCase, buildOperation, transition, walkToReady } from "../../test/factories.ts";
import { auditedTables } from "../audit/entities.ts";
import { sqlStateOf } from "./errors.ts";
import { appRole } from "./scope.ts";

let t: TestApp;
let caseId: string;
let requestId: string;
beforeAll(async () => {
  t = await testApp();
  // A record of the sending state, with a request shared with the requesting state.
  const c = await buildCase(t);
  await walkToReady(t, c.id);
  await buildOperation(t, { people: [{ personId: c.personId }] });
  caseId = c.id;
  requestId = c.request.id;
});
afterAll(() => t.close());

const rowsOf = <R>(result: unknown): R[] => (result as { rows: R[] }).rows;
const count = async (table: string) =>
  Number(
    rowsOf<{ n: unknown }>(await t.database.app.execute(sql.raw(`select count(*) as n from "${table}"`)))[0]
      ?.n,
  );
const as = <T>(party: string, fn: () => Promise<T>) =>
  t.database.scoped({ party, actorId: `rls-test-${party}` }, fn);
const tables: string[] = [...new Set(Object.values(auditedTables).map((tb) => getTableName(tb)))];

describe("row-level security as the application role", () => {
  it("runs scoped work as the application role, never a superuser or a role that bypasses it", async () => {
    const [who] = await as("MX", async () =>
      rowsOf<{ user: string; super: boolean; bypass: boolean }>(
        await t.database.app.execute(
          sql`select current_user as user, r.rolsuper as super, r.rolbypassrls as bypass from pg_roles r where r.rolname = current_user`,
        ),
      ),
    );
    expect(who).toEqual({ user: appRole, super: false, bypass: false });
  });

  it("shows a party none of another party's rows, in any table that holds party data", async () => {
    expect(tables.length).toBeGreaterThan(20);
    const mx: Record<string, number> = {};
    const gt: Record<string, number> = {};
    for (const table of tables) {
      mx[table] = await as("MX", () => count(table));
      gt[table] = await as("GT", () => count(table));
    }
    // The sending state sees its record; a third state sees nothing of it (places are public: shared with everyone).
    expect(mx.cases).toBeGreaterThan(0);
    expect(mx.requests).toBeGreaterThan(0);
    expect(mx.operations).toBeGreaterThan(0);
    for (const table of tables) if (table !== "places") expect(gt[table], table).toBe(0);
    expect(await as("GT", () => count("audit_events"))).toBe(0);
    expect(await as("GT", () => count("credentials"))).toBe(0);
  });

  it("shows the requesting state what is shared with it, and nothing of the sending state's analysis", async () => {
    const seen = await as("US", async () => ({
      requests: await count("requests"),
      caseStatuses: await count("case_statuses"),
      cases: await count("cases"),
      decisions: await count("decisions"),
      holds: await count("legal_holds"),
      operations: await count("operations"),
    }));
    expect(seen.requests).toBeGreaterThan(0);
    expect(seen.caseStatuses).toBeGreaterThan(0);
    expect({ ...seen, requests: 0, caseStatuses: 0 }).toEqual({
      requests: 0,
      caseStatuses: 0,
      cases: 0,
      decisions: 0,
      holds: 0,
      operations: 0,
    });
  });

  it("lets no party insert, update or delete another party's rows", async () => {
    // Update and delete match nothing: the rows are not there for it.
    const updated = await as("GT", async () =>
      rowsOf(
        await t.database.app.execute(
          sql`update cases set state = 'handed-over' where id = ${caseId} returning id`,
        ),
      ),
    );
    expect(updated).toEqual([]);
    const deleted = await as("US", async () =>
      rowsOf(await t.database.app.execute(sql`delete from requests where id = ${requestId} returning id`)),
    );
    expect(deleted).toEqual([]);
    // Insert as another party is refused by the policy.
    const forged = await as("GT", () =>
      t.database.app.execute(
        sql`insert into places (id, party, shared_with, version, recorded_at, code, kind, name) values (gen_random_uuid(), 'MX', '[]', 1, now(), 'ZZZ', 'airport', 'Forged')`,
      ),
    ).then(
      () => null,
      (err: unknown) => err,
    );
    // insufficient_privilege: "new row violates row-level security policy"
    expect(sqlStateOf(forged)).toBe("42501");
    // The record is as it was.
    const [c] = rowsOf<{ state: string }>(
      await t.database.db.execute(sql`select state from cases where id = ${caseId}`),
    );
    expect(c?.state).toBe("ready-for-transfer");
    const [r] = rowsOf<{ n: unknown }>(
      await t.database.db.execute(sql`select count(*) as n from requests where id = ${requestId}`),
    );
    expect(Number(r?.n)).toBe(1);
  });

  it("reaches nothing outside a scope: the services' handle refuses to run", async () => {
    expect(() => t.database.app.select()).toThrow(/outside an access scope/);
  });

  it("the first wall answers another party's record with the same 404 as a missing one", async () => {
    const asUs = await t.app.inject({
      url: `/api/cases/${caseId}`,
      headers: await t.as("receiving-officer", "US"),
    });
    expect(asUs.statusCode).toBe(403);
    const asGt = await t.app.inject({
      url: `/api/requests/${requestId}`,
      headers: await t.as("request-officer", "GT"),
    });
    const missing = await t.app.inject({
      url: "/api/requests/0190a1e2-0000-7000-8000-000000000000",
      headers: await t.as("request-officer", "GT"),
    });
    expect(asGt.statusCode).toBe(404);
    expect(missing.statusCode).toBe(404);
    // The same body word for word: nothing tells the record exists, and neither repeats the id asked for.
    expect(asGt.json()).toEqual(missing.json());
    expect(asGt.body).not.toContain(requestId);
    const asUsRequest = await t.app.inject({
      url: `/api/requests/${requestId}`,
      headers: await t.as("request-officer", "US"),
    });
    expect(asUsRequest.statusCode).toBe(200);
    expect(asUsRequest.json().caseStatus).toMatchObject({ status: "approved for transfer" });
    // A step of the case is the sending state's: the US cannot take it, the case is unchanged.
    const step = await transition(
      t,
      caseId,
      "foreign-ministry",
      { transition: "withdraw-transfer-request" },
      {},
      "US",
    );
    expect(step.statusCode).toBe(404);
    expect(officer("auditor").party).toBe("MX");
  });
});
