import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { officer, type TestApp, testApp } from "../../test/app.ts";
import {
  buildApprovedCase,
  buildCase,
  buildOperation,
  buildPerson,
  giveAssurance,
  transition,
} from "../../test/factories.ts";
import { verifyAudit } from "../audit/verify.ts";
import { auditEvents, cases, caseTransitions } from "../db/schema.ts";

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(() => t.close());

// Events of the record (tokens created on first use by `t.as` are left out).
const recordEvents = async () =>
  (await t.database.db.select().from(auditEvents).orderBy(auditEvents.seq)).filter(
    (e) => e.entity !== "api_token",
  );
const events = async () => (await recordEvents()).length;
const stateOf = async (id: string) => (await t.database.db.select().from(cases).where(eq(cases.id, id)))[0]!;

const approved = (options: { capital?: boolean } = {}) => buildApprovedCase(t, options);

describe("case transitions over the API", () => {
  it("takes a transition, bumps the version, writes history and audit in one go", async () => {
    const c = await buildCase(t);
    expect(c.state).toBe("transfer-requested");
    const before = await events();
    const res = await transition(t, c.id, "secretariat", {
      transition: "begin-analysis",
      reasons: "Named in the DOJ request",
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().case).toMatchObject({ state: "under-analysis", version: 2 });
    const history = await t.database.db
      .select()
      .from(caseTransitions)
      .where(eq(caseTransitions.caseId, c.id));
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({
      fromState: "transfer-requested",
      toState: "under-analysis",
      actorRole: "secretariat",
      legalBasis: "LSN art. 5",
    });
    const kinds = (await recordEvents()).slice(before).map((e) => e.kind);
    // The US is told its case moved from "received" to "under review": an audited crossing.
    expect(kinds).toEqual(["case.transitioned", "case_transition.created", "case_status.shared"]);
    const read = await t.app.inject({ url: `/api/cases/${c.id}`, headers: await t.as("auditor") });
    expect(read.json().history).toHaveLength(1);
    expect(read.json().availableTransitions.map((x: { name: string }) => x.name)).toContain(
      "propose-to-council",
    );
    expect(read.json()).toMatchObject({ id: c.id, state: "under-analysis", version: 2 });
    expect(read.json().recordedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it("reads a case that does not exist as 404 without repeating its id, and a malformed id as 400 naming it", async () => {
    const headers = await t.as("auditor");
    const id = "01a22307-3402-734b-9ce5-83429786e4f1";
    const missing = await t.app.inject({ url: `/api/cases/${id}`, headers });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error).toEqual({
      code: "NOT_FOUND",
      message: "case not found",
      details: { entity: "case" },
    });
    expect(missing.body).not.toContain(id);
    const bad = await t.app.inject({ url: "/api/cases/not-a-uuid", headers });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.issues[0].field).toBe("params.id");
  });

  it("lists a case with its person's name, and no name where the person is out of the reader's reach", async () => {
    const c = await buildCase(t, { person: { givenNames: "Rosa", familyNames: "Listada Prueba" } });
    const listed = await t.app.inject({
      url: `/api/cases?personId=${c.personId}`,
      headers: await t.as("auditor"),
    });
    expect(listed.statusCode).toBe(200);
    expect(listed.json().items).toEqual([
      expect.objectContaining({ id: c.id, personName: "Rosa Listada Prueba" }),
    ]);
    // A case shared with another state, its person not: that state's reader gets the case, not the name.
    // (Shared behind the audit's back for this read only, then put back: the chain test below verifies rows.)
    const { sharedWith } = await stateOf(c.id);
    await t.database.db
      .update(cases)
      .set({ sharedWith: ["GT"] })
      .where(eq(cases.id, c.id));
    const outside = await t.app.inject({
      url: `/api/cases?personId=${c.personId}`,
      headers: await t.as("auditor", "GT"),
    });
    await t.database.db.update(cases).set({ sharedWith }).where(eq(cases.id, c.id));
    expect(outside.statusCode).toBe(200);
    expect(outside.json().items).toEqual([expect.objectContaining({ id: c.id, personName: null })]);
    expect(outside.body).not.toContain("Listada");
  });

  it("answers 409 for a transition the current state does not allow, and changes nothing", async () => {
    const c = await buildCase(t);
    const before = await events();
    const res = await transition(t, c.id, "operations-planner", { transition: "assign-to-operation" });
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toMatchObject({ code: "TRANSITION_NOT_ALLOWED" });
    expect(res.json().error.details.allowed).toContain("begin-analysis");
    expect((await stateOf(c.id)).state).toBe("transfer-requested");
    expect(await events()).toBe(before);
  });

  it("answers 403 when the actor's role may not take the step", async () => {
    const c = await buildCase(t);
    const res = await transition(t, c.id, "operations-planner", { transition: "begin-analysis" });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe("ACTOR_NOT_PERMITTED");
    expect((await stateOf(c.id)).version).toBe(1);
  });

  it("names a missing field and writes nothing", async () => {
    const c = await buildCase(t);
    const before = await events();
    const res = await t.app.inject({
      method: "POST",
      url: `/api/cases/${c.id}/transitions`,
      headers: await t.as("secretariat"),
      payload: { transition: "begin-analysis", reasons: "x" },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.issues).toContainEqual({ field: "legalBasis", rule: "required" });
    expect(await events()).toBe(before);
  });

  it("refuses a stale If-Match version with 409", async () => {
    const c = await buildCase(t);
    await transition(t, c.id, "secretariat", { transition: "begin-analysis" });
    const res = await transition(
      t,
      c.id,
      "secretariat",
      { transition: "propose-to-council" },
      { "if-match": '"1"' },
    );
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe("VERSION_CONFLICT");
    expect((await stateOf(c.id)).state).toBe("under-analysis");
  });

  it("two concurrent transitions on one case: one succeeds, the other gets 409, the chain stays intact", async () => {
    const c = await buildCase(t);
    const [a, b] = await Promise.all([
      transition(t, c.id, "secretariat", { transition: "begin-analysis", expectedVersion: 1 }),
      transition(t, c.id, "secretariat", { transition: "begin-analysis", expectedVersion: 1 }),
    ]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([201, 409]);
    const row = await stateOf(c.id);
    expect(row).toMatchObject({ state: "under-analysis", version: 2 });
    const history = await t.database.db
      .select()
      .from(caseTransitions)
      .where(eq(caseTransitions.caseId, c.id));
    expect(history).toHaveLength(1);
    expect((await verifyAudit(t.database.db)).ok).toBe(true);
  });

  it("an assurance dated ahead is refused: it would count before it was given", async () => {
    const c = await approved({ capital: true });
    const ahead = await giveAssurance(t, c.personId, "2099-01-01");
    expect(ahead.statusCode).toBe(400);
    expect(ahead.json().error.issues).toEqual([{ field: "givenOn", rule: "not after today" }]);
    const listed = await t.app.inject({
      url: `/api/assurances?personId=${c.personId}`,
      headers: await t.as("request-officer", "US"),
    });
    expect(listed.json().items).toEqual([]);
    const res = await transition(t, c.id, "secretariat", { transition: "confirm-assurances" });
    expect(res.json().error.code).toBe("ASSURANCE_MISSING");
  });

  it("a capital-eligible charge without a no-death-penalty assurance fails the guard with 422 ASSURANCE_MISSING", async () => {
    const c = await approved({ capital: true });
    const res = await transition(t, c.id, "secretariat", { transition: "confirm-assurances" });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.code).toBe("ASSURANCE_MISSING");
    expect((await stateOf(c.id)).state).toBe("council-approved");

    const given = await giveAssurance(t, c.personId, "2026-01-10");
    expect(given.statusCode).toBe(201);
    // Withdrawn by the state that gave it, it covers no one: the guard fails again.
    const withdraw = async (role: "request-officer" | "foreign-ministry", party: string) =>
      t.app.inject({
        method: "POST",
        url: `/api/assurances/${given.json().id}/withdrawal`,
        headers: await t.as(role, party),
        payload: { withdrawnOn: "2026-01-12" },
      });
    // Mexico sees the US assurance but did not give it.
    const notOurs = await withdraw("foreign-ministry", "MX");
    expect(notOurs.statusCode).toBe(409);
    expect(notOurs.json().error.code).toBe("RECORD_OF_ANOTHER_PARTY");
    // Not withdrawn before it was given, nor on a day still to come: refused, naming the field, unchanged.
    for (const [withdrawnOn, rule] of [
      ["2026-01-09", "not before the assurance was given, on 2026-01-10"],
      ["2999-01-01", "not after today"],
    ]) {
      const early = await t.app.inject({
        method: "POST",
        url: `/api/assurances/${given.json().id}/withdrawal`,
        headers: await t.as("request-officer", "US"),
        payload: { withdrawnOn },
      });
      expect(early.statusCode, withdrawnOn).toBe(400);
      expect(early.json().error.issues).toEqual([{ field: "withdrawnOn", rule }]);
    }
    const withdrawn = await withdraw("request-officer", "US");
    expect(withdrawn.statusCode, withdrawn.body).toBe(200);
    expect(withdrawn.json()).toMatchObject({ status: "withdrawn", version: 2 });
    expect((await withdraw("request-officer", "US")).json().error.code).toBe("TRANSITION_NOT_ALLOWED");
    const [event] = await t.database.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.entityId, given.json().id), eq(auditEvents.kind, "assurance.withdrawn")));
    expect(event).toMatchObject({ party: "US", occurredAt: new Date("2026-01-12T00:00:00Z") });
    const refusedAgain = await transition(t, c.id, "secretariat", { transition: "confirm-assurances" });
    expect(refusedAgain.json().error.code).toBe("ASSURANCE_MISSING");

    const again = await giveAssurance(t, c.personId, "2026-01-13");
    expect(again.statusCode).toBe(201);
    const ok = await transition(t, c.id, "secretariat", { transition: "confirm-assurances" });
    expect(ok.statusCode).toBe(201);
    expect(ok.json().case.state).toBe("assurances-confirmed");
  });

  it("an assurance for one person covers only them; an operation's covers everyone it lists, and no one else", async () => {
    const [a, b, outsider] = [
      await approved({ capital: true }),
      await approved({ capital: true }),
      await approved({ capital: true }),
    ];
    const op = await buildOperation(t, {
      people: [a, b].map((c) => ({ personId: c.personId, destinationAirport: "SAN" })),
    });
    // The US gives an assurance for a person; one for the operation, which the US does not see yet, arrives by
    // diplomatic note and the foreign ministry records it.
    const assure = async (payload: Record<string, unknown>) => {
      const res = await t.app.inject({
        method: "POST",
        url: "/api/assurances",
        headers:
          payload.scope === "operation"
            ? await t.as("foreign-ministry")
            : await t.as("request-officer", "US"),
        payload: {
          kind: "no-death-penalty",
          giver: "US Department of Justice",
          status: "given",
          givenOn: "2026-01-10",
          ...payload,
        },
      });
      expect(res.statusCode, res.body).toBe(201);
    };
    await assure({ scope: "person", personId: a.personId });
    const confirm = (c: { id: string }) =>
      transition(t, c.id, "secretariat", { transition: "confirm-assurances" });
    expect((await confirm(a)).statusCode).toBe(201);
    const refused = await confirm(b);
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error.code).toBe("ASSURANCE_MISSING");
    expect((await stateOf(b.id)).state).toBe("council-approved");

    await assure({ scope: "operation", operationId: op.id });
    expect((await confirm(b)).statusCode).toBe(201);
    expect((await t.s.cases.get(b.id, officer("auditor"))).assurances).toMatchObject([
      { kind: "no-death-penalty", status: "given" },
    ]);
    // Someone the operation does not list is not covered by its assurance.
    expect((await confirm(outsider)).json().error.code).toBe("ASSURANCE_MISSING");
    expect((await t.s.cases.get(outsider.id, officer("auditor"))).assurances).toEqual([]);
  });

  it("under the record-risk policy the step passes and the case carries an open risk", async () => {
    const c = await approved({ capital: true });
    const out = await t.s.cases.transition({
      actor: { id: "x", name: "Secretariat", party: "MX", role: "secretariat" },
      caseId: c.id,
      input: { transition: "confirm-assurances", legalBasis: "LSN art. 5", reasons: "evaluate" },
      policy: { deathPenaltyAssurance: "record-risk", amparoWindow: "ley-de-amparo" },
    });
    expect(out.case.openRisks).toEqual([expect.objectContaining({ code: "ASSURANCE_MISSING" })]);
    const listed = await t.app.inject({ url: "/api/cases?openRisk=true", headers: await t.as("auditor") });
    expect(listed.json().items.map((x: { id: string }) => x.id)).toContain(c.id);
  });

  it("an active amparo blocks assignment to an operation (422 LEGAL_HOLD) unless a decision bypasses it with its basis", async () => {
    const c = await approved();
    for (const [role, name] of [
      ["secretariat", "confirm-assurances"],
      ["custody-officer", "mark-ready"],
    ] as const) {
      expect((await transition(t, c.id, role, { transition: name })).statusCode).toBe(201);
    }
    const hold = await t.app.inject({
      method: "POST",
      url: "/api/holds",
      headers: await t.as("prosecutor"),
      payload: {
        personId: c.personId,
        kind: "amparo",
        source: "Juzgado Primero de Distrito, Toluca",
        reference: "1234/2026",
        filedOn: "2026-01-12",
      },
    });
    expect(hold.statusCode).toBe(201);
    const op = await buildOperation(t, { people: [{ personId: c.personId }] });
    const blocked = await transition(t, c.id, "operations-planner", {
      transition: "assign-to-operation",
      operationId: op.id,
    });
    expect(blocked.statusCode).toBe(422);
    expect(blocked.json().error.code).toBe("LEGAL_HOLD");
    expect(blocked.json().error.details.holdIds).toEqual([hold.json().id]);

    const bypassed = await transition(t, c.id, "operations-planner", {
      transition: "assign-to-operation",
      operationId: op.id,
      bypass: { holdIds: [hold.json().id], legalBasis: "LSN art. 5 fr. III; Council decision" },
    });
    expect(bypassed.statusCode, bypassed.body).toBe(201);
    const h = await t.app.inject({ url: `/api/holds/${hold.json().id}`, headers: await t.as("auditor") });
    expect(h.json().status).toBe("bypassed");
  });

  it("no handover step without an operation (422 OPERATION_MISSING)", async () => {
    const person = await buildPerson(t);
    const onOp = await t.app.inject({
      method: "POST",
      url: "/api/handovers",
      headers: await t.as("custody-officer"),
      payload: {
        operationId: "0190a1e2-0000-7000-8000-000000000000",
        personId: person.id,
        place: "IAD",
        occurredAt: "2026-01-20T18:00:00Z",
        dispatchingOfficer: "A",
        dispatchingAgency: "FGR",
        receivingOfficer: "B",
        receivingAgency: "US Marshals Service",
        condition: "good",
      },
    });
    expect(onOp.statusCode).toBe(422);
    expect(onOp.json().error.issues[0].field).toBe("operationId");
  });

  it("an idempotent replay of a transition returns the first response and takes no second step", async () => {
    const c = await buildCase(t);
    const key = { "idempotency-key": `tr-${c.id}` };
    const first = await transition(t, c.id, "secretariat", { transition: "begin-analysis" }, key);
    const before = await events();
    const again = await transition(t, c.id, "secretariat", { transition: "begin-analysis" }, key);
    expect(again.statusCode).toBe(201);
    expect(again.json()).toEqual(first.json());
    expect(await events()).toBe(before);
    expect((await stateOf(c.id)).version).toBe(2);
  });
});

describe("treaty deadlines", () => {
  it("provisional detention starts the 60-day formal-request deadline, listed as upcoming then overdue", async () => {
    const c = await buildCase(t, { track: "treaty" });
    const now = new Date();
    const detainedOn = new Date(now.getTime() - 70 * 86_400_000).toISOString();
    expect(
      (
        await transition(t, c.id, "foreign-ministry", {
          transition: "request-provisional-arrest",
          legalBasis: "Treaty art. 11",
          occurredAt: detainedOn,
        })
      ).statusCode,
    ).toBe(201);
    const res = await transition(t, c.id, "judge", {
      transition: "detain-provisionally",
      legalBasis: "Treaty art. 11",
      occurredAt: detainedOn,
    });
    expect(res.statusCode, res.body).toBe(201);
    const started = res.json().deadlinesStarted;
    expect(started).toEqual([expect.objectContaining({ kind: "formal-request", days: 60, unit: "natural" })]);
    const overdue = await t.app.inject({
      url: `/api/deadlines?status=overdue&caseId=${c.id}`,
      headers: await t.as("prosecutor"),
    });
    expect(overdue.json().items).toEqual([
      expect.objectContaining({ kind: "formal-request", status: "overdue" }),
    ]);
    // Lapse: the person is released and the deadline closes as lapsed.
    const lapse = await transition(t, c.id, "judge", {
      transition: "lapse-formal-request",
      legalBasis: "Constitution art. 119",
    });
    expect(lapse.statusCode, lapse.body).toBe(201);
    expect(lapse.json().case.state).toBe("released");
    const after = await t.app.inject({
      url: `/api/deadlines?caseId=${c.id}`,
      headers: await t.as("prosecutor"),
    });
    expect(after.json().items).toEqual([]);
  });
});

describe("the deadline clock", () => {
  it("applies the lapse of an overdue formal-request deadline: the person is released, audited as the clock", async () => {
    const { applyLapses } = await import("./lapses.ts");
    const c = await buildCase(t, { track: "treaty" });
    const detainedOn = new Date(Date.now() - 75 * 86_400_000).toISOString();
    await transition(t, c.id, "foreign-ministry", {
      transition: "request-provisional-arrest",
      legalBasis: "Treaty art. 11",
      occurredAt: detainedOn,
    });
    await transition(t, c.id, "judge", {
      transition: "detain-provisionally",
      legalBasis: "Treaty art. 11",
      occurredAt: detainedOn,
    });
    const out = await applyLapses(t.s.cases);
    expect(out.applied).toContainEqual(
      expect.objectContaining({ caseId: c.id, transition: "lapse-formal-request" }),
    );
    const row = await stateOf(c.id);
    expect(row.state).toBe("released");
    const history = await t.database.db
      .select()
      .from(caseTransitions)
      .where(eq(caseTransitions.caseId, c.id));
    expect(history.at(-1)).toMatchObject({ actorRole: "system", transition: "lapse-formal-request" });
    // Nothing left to lapse for this case: a second run takes no step.
    const again = await applyLapses(t.s.cases);
    expect(again.applied.map((a) => a.caseId)).not.toContain(c.id);
  });
});
