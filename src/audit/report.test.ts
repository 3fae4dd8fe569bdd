import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestApp, testApp } from "../../test/app.ts";
import { buildCase, buildPerson, transition } from "../../test/factories.ts";
import { auditReport, type ReportQuery, reportText } from "./report.ts";
import { verifyAudit } from "./verify.ts";

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(() => t.close());

const report = (q: ReportQuery) => t.s.database.scoped("system", () => auditReport(t.s.database.app, q));
const actorIdOf = async (role: Parameters<TestApp["as"]>[0], party = "MX") => {
  const token = (await t.as(role, party)).authorization.slice("Bearer ".length);
  return (await t.s.tokens.authenticate(token))!.id;
};

describe("traslado audit report", () => {
  it("answers who looked at or changed a person's record: changes, reads by id and refusals, oldest first", async () => {
    const c = await buildCase(t);
    const other = await buildPerson(t);
    const get = async (url: string, role: Parameters<TestApp["as"]>[0], party = "MX") =>
      (await t.app.inject({ url, headers: await t.as(role, party) })).statusCode;
    expect(await get(`/api/people/${c.personId}`, "secretariat")).toBe(200);
    expect(await get(`/api/cases/${c.id}`, "secretariat")).toBe(200);
    expect(await get(`/api/people/${other.id}`, "secretariat")).toBe(200);
    // The requesting state's officer may not read the sending state's case: refused, and audited.
    expect(await get(`/api/cases/${c.id}`, "request-officer", "US")).toBe(403);
    // A step the track gives to another role: refused by the track's own rule, audited under the route's permission.
    expect((await transition(t, c.id, "custody-officer", { transition: "begin-analysis" })).statusCode).toBe(
      403,
    );
    // A list is not a read of each person in it.
    expect(await get("/api/people?limit=50", "secretariat")).toBe(200);
    await t.s.reads.flush();

    const lines = await report({ person: c.personId });
    const analyst = await actorIdOf("secretariat");
    const officer = await actorIdOf("request-officer", "US");
    const ministry = await actorIdOf("foreign-ministry");
    expect(lines.map((l) => l.at)).toEqual([...lines.map((l) => l.at)].sort());
    expect(lines).toContainEqual(
      expect.objectContaining({ actorId: ministry, action: "person.created", entityId: c.personId }),
    );
    expect(lines).toContainEqual(
      expect.objectContaining({ actorId: ministry, action: "case.created", entityId: c.id }),
    );
    expect(lines).toContainEqual(
      expect.objectContaining({
        actorId: analyst,
        action: "read",
        entity: "person",
        entityId: c.personId,
        detail: "GET /api/people/:id",
      }),
    );
    expect(lines).toContainEqual(
      expect.objectContaining({ actorId: analyst, action: "read", entity: "case", entityId: c.id }),
    );
    expect(lines).toContainEqual(
      expect.objectContaining({
        actorId: officer,
        party: "US",
        action: "access.refused",
        detail: "case:read GET /api/cases/:id",
      }),
    );
    expect(lines).toContainEqual(
      expect.objectContaining({
        actorId: await actorIdOf("custody-officer"),
        action: "access.refused",
        detail: "case:transition POST /api/cases/:id/transitions",
      }),
    );
    // Nothing of the other person, and one read per read by id (the list counted none).
    expect(lines.some((l) => l.entityId === other.id)).toBe(false);
    expect(lines.filter((l) => l.action === "read" && l.entity === "person")).toHaveLength(1);
    expect(reportText(lines)).toContain(`read  person ${c.personId}  GET /api/people/:id`);

    // One user: the US officer did one thing, the refused read.
    const theirs = await report({ user: officer });
    expect(theirs.map((l) => l.action)).toEqual(["access.refused"]);
    // By user and person, and by day.
    expect((await report({ user: analyst, person: c.personId })).map((l) => l.action)).toEqual([
      "read",
      "read",
    ]);
    expect(await report({ person: c.personId, to: "2000-01-01" })).toEqual([]);
    expect((await report({ person: c.personId, party: "US" })).map((l) => l.action)).toEqual([
      "access.refused",
    ]);

    // The refusal is in the chain, and the chain holds.
    const verified = await t.s.database.scoped("system", () => verifyAudit(t.s.database.app));
    expect(verified.ok).toBe(true);
  });

  it("refuses a report of nobody, naming the field", async () => {
    await expect(report({})).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
      details: { issues: [{ field: "user", rule: "give --user, --person or both" }] },
    });
    await expect(report({ person: "not-an-id" })).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
      details: { issues: [expect.objectContaining({ field: "person" })] },
    });
    // A person no record names: said, not an empty report.
    await expect(report({ person: "0190a1e2-0000-7000-8000-000000000000" })).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: "person not found",
    });
  });
});
