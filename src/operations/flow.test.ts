/**
 * One flow from decision to handover (issue 8): each defect found by trying the API as a new user has a
 * test here that fails without the fix. The record is read back after every refusal: nothing moved.
 */
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { officer, type TestApp, testApp } from "../../test/app.ts";
import {
  buildAirports,
  buildCase,
  buildOperation,
  buildPerson,
  buildRequest,
  transition,
  walkToReady,
} from "../../test/factories.ts";
import { verifyAudit } from "../audit/verify.ts";
import { write } from "../audit/write.ts";
import type { Role } from "../auth/roles.ts";
import { addDays, toIsoDate } from "../cases/calendar.ts";
import { cases, decisions, handoverConfirmations, handovers, operationPeople } from "../db/schema.ts";

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
  await buildAirports(t);
});
afterAll(() => t.close());

const today = () => toIsoDate(new Date());
const daysAgo = (n: number) => addDays(today(), -n);
const caseOf = async (id: string) => (await t.database.db.select().from(cases).where(eq(cases.id, id)))[0]!;
const total = async () =>
  (await t.app.inject({ url: "/api/stats", headers: await t.as("auditor") })).json().total;

const sevenRoles: Role[] = [
  "foreign-ministry",
  "secretariat",
  "decision-authority",
  "custody-officer",
  "operations-planner",
  "receiving-officer",
  "auditor",
];

async function post(url: string, role: Role, payload: Record<string, unknown>, party = "MX") {
  return t.app.inject({ method: "POST", url, headers: await t.as(role, party), payload });
}
const status = (operationId: string, role: Role, body: Record<string, unknown>) =>
  post(`/api/operations/${operationId}/status`, role, body);
const plan = (operationId: string, body: Record<string, unknown> = {}) =>
  post(`/api/operations/${operationId}/plan`, "operations-planner", { timeLimitMs: 500, ...body });
const adopt = (operationId: string) =>
  post(`/api/operations/${operationId}/plan/adopt`, "operations-planner", {});
const assign = (caseId: string, operationId: string, occurredAt?: string) =>
  transition(t, caseId, "operations-planner", {
    transition: "assign-to-operation",
    operationId,
    ...(occurredAt ? { occurredAt } : {}),
  });

function handover(operationId: string, personId: string, over: Record<string, unknown> = {}) {
  return post("/api/handovers", "custody-officer", {
    operationId,
    personId,
    place: "IAD",
    // Midnight of today: on the operation date, and never after the clock, whatever the hour the test runs.
    occurredAt: today(),
    dispatchingOfficer: "Escort commander",
    dispatchingAgency: "SSPC",
    receivingOfficer: "Deputy US Marshal",
    receivingAgency: "US Marshals Service",
    condition: "Good health",
    ...over,
  });
}

/** `n` security cases walked to ready-for-transfer. */
/** `n` cases walked to ready-for-transfer, each step now or at `at`. */
async function readyCases(n: number, person: Record<string, unknown> = {}, at?: string) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const c = await buildCase(t, { person });
    await walkToReady(t, c.id, at);
    out.push(c);
  }
  return out;
}

/** An operation of today carrying these cases, planned, adopted, every case on board (at `at`, or now), ready. */
async function readyOperation(
  list: { id: string; personId: string }[],
  operationDate = today(),
  at?: string,
) {
  const op = await buildOperation(t, { people: list.map((c) => ({ personId: c.personId })), operationDate });
  expect((await plan(op.id)).statusCode).toBe(201);
  expect((await adopt(op.id)).statusCode).toBe(200);
  for (const c of list) expect((await assign(c.id, op.id, at)).statusCode).toBe(201);
  const ready = await status(op.id, "operations-planner", { status: "ready" });
  expect(ready.statusCode, ready.body).toBe(200);
  return op;
}

describe("an operation and the cases on board agree", () => {
  it("a person whose case has not joined cannot be flown: not ready (naming them), and no role moves the total", async () => {
    const before = await total();
    const c = await buildCase(t); // transfer-requested
    const op = await buildOperation(t, { people: [{ personId: c.personId }] });
    expect((await plan(op.id)).statusCode).toBe(201);
    expect((await adopt(op.id)).statusCode).toBe(200);
    for (const role of sevenRoles) {
      for (const s of ["ready", "in-transit", "completed"]) {
        const res = await status(op.id, role, { status: s });
        expect(res.statusCode, `${role} → ${s}`).toBeGreaterThanOrEqual(400);
      }
      expect((await handover(op.id, c.personId)).statusCode).toBeGreaterThanOrEqual(400);
    }
    const ready = await status(op.id, "operations-planner", { status: "ready" });
    expect(ready.statusCode).toBe(422);
    expect(ready.json().error.code).toBe("OPERATION_NOT_READY");
    expect(ready.json().error.details.notOnBoard).toEqual([
      { personId: c.personId, caseState: "transfer-requested" },
    ]);
    expect(await total()).toBe(before);
    expect((await caseOf(c.id)).state).toBe("transfer-requested");
    const read = await t.app.inject({ url: `/api/operations/${op.id}`, headers: await t.as("auditor") });
    expect(read.json()).toMatchObject({ status: "planned", people: [{ standing: "listed" }] });
  });

  it("a case boards only an operation that lists the person (422), and nothing changes", async () => {
    const [c] = await readyCases(1);
    const other = await buildCase(t);
    const op = await buildOperation(t, { people: [{ personId: other.personId }] });
    const res = await assign(c!.id, op.id);
    expect(res.statusCode).toBe(422);
    expect(res.json().error.code).toBe("OPERATION_MISSING");
    expect(res.json().error.message).toContain(`POST /api/operations/${op.id}/people`);
    expect(await caseOf(c!.id)).toMatchObject({ state: "ready-for-transfer", operationId: null, version: 6 });
  });

  it("in transit only from ready, not before the operation date; it takes every case on board along", async () => {
    const list = await readyCases(2);
    const tomorrow = addDays(today(), 1);
    const op = await readyOperation(list, tomorrow);
    const early = await status(op.id, "custody-officer", { status: "in-transit" });
    expect(early.statusCode).toBe(400);
    expect(early.json().error.message).toContain(tomorrow);
    expect(early.json().error.issues).toEqual([
      { field: "occurredAt", rule: `not before the operation date ${tomorrow}` },
    ]);
    for (const c of list) expect((await caseOf(c.id)).state).toBe("assigned-to-operation");

    const planning = await buildOperation(t, { people: [] });
    expect((await status(planning.id, "custody-officer", { status: "in-transit" })).statusCode).toBe(409);

    // The step itself is the operation's: taken on its own it is refused, naming where it is taken.
    const own = await transition(t, list[0]!.id, "custody-officer", { transition: "start-transit" });
    expect(own.statusCode).toBe(409);
    expect(own.json().error.message).toContain("/api/operations/{id}/status");
  });

  it("departure moves every case on board in one write; cancelling is refused once it flies", async () => {
    const list = await readyCases(2);
    const op = await readyOperation(list);
    const gone = await status(op.id, "custody-officer", { status: "in-transit", occurredAt: today() });
    expect(gone.statusCode, gone.body).toBe(200);
    expect(gone.json().cases.map((c: { state: string }) => c.state)).toEqual(["in-transit", "in-transit"]);
    for (const c of list) expect((await caseOf(c.id)).state).toBe("in-transit");
    const cancel = await status(op.id, "operations-planner", { status: "cancelled" });
    expect(cancel.statusCode).toBe(409);
    for (const c of list) expect((await caseOf(c.id)).state).toBe("in-transit");
  });

  it("cancelling before it flies returns every case on board to the state it came from", async () => {
    const list = await readyCases(2);
    const op = await readyOperation(list);
    const res = await status(op.id, "operations-planner", { status: "cancelled", reason: "Weather" });
    expect(res.statusCode, res.body).toBe(200);
    for (const c of list)
      expect(await caseOf(c.id)).toMatchObject({ state: "ready-for-transfer", operationId: null });
    const history = (await t.s.cases.get(list[0]!.id, officer("auditor"))).history.map((h) => h.transition);
    expect(history.at(-1)).toBe("remove-from-operation");
  });

  it("completed needs every person on board handed over; an operation dated later cannot be completed now", async () => {
    const list = await readyCases(2);
    const op = await readyOperation(list);
    expect((await status(op.id, "custody-officer", { status: "in-transit" })).statusCode).toBe(200);
    expect((await handover(op.id, list[0]!.personId)).statusCode).toBe(201);
    const early = await status(op.id, "operations-planner", { status: "completed" });
    expect(early.statusCode).toBe(422);
    expect(early.json().error.details.notHandedOver).toEqual([list[1]!.personId]);
    expect((await handover(op.id, list[1]!.personId)).statusCode).toBe(201);
    const done = await status(op.id, "operations-planner", { status: "completed" });
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json().completedAt).not.toBeNull();
  });
});

describe("a superseded handover", () => {
  // Review (Low): the operation's facts read every handover, superseded ones too, so the time corrected
  // away could stand as the person's handover time and refuse a completion dated by the correct one.
  it("no longer dates the person's handover: completion is weighed by the standing one", async () => {
    // The cases boarded the day before it flew.
    const boarded = `${daysAgo(3)}T08:00:00Z`;
    const list = await readyCases(1, {}, boarded);
    const op = await readyOperation(list, daysAgo(2), boarded);
    const transit = await status(op.id, "custody-officer", {
      status: "in-transit",
      occurredAt: `${daysAgo(2)}T08:00:00Z`,
    });
    expect(transit.statusCode, transit.body).toBe(200);
    const signed = await handover(op.id, list[0]!.personId);
    expect(signed.statusCode, signed.body).toBe(201);
    const handoverId = signed.json().id as string;
    const fixed = await t.app.inject({
      method: "POST",
      url: `/api/handovers/${handoverId}/supersessions`,
      headers: { ...(await t.as("custody-officer")), "if-match": '"1"' },
      payload: { occurredAt: `${daysAgo(1)}T10:00:00Z`, reason: "The receipt is dated the day before" },
    });
    expect(fixed.statusCode, fixed.body).toBe(201);
    // A later write on the superseded record (shared with the receiving state, say) must not bring it back.
    await write(t.database.app, officer("custody-officer"), (w) =>
      w.update(handovers, handoverId, { sharedWith: ["US"] }),
    );
    // Completed the same day, but before the handover's time: refused, naming it; nothing changes.
    const beforeHandover = await status(op.id, "operations-planner", {
      status: "completed",
      occurredAt: `${daysAgo(1)}T09:00:00Z`,
    });
    expect(beforeHandover.statusCode, beforeHandover.body).toBe(400);
    expect(beforeHandover.json().error.issues).toEqual([
      {
        field: "occurredAt",
        rule: `not before its last handover or its departure, at ${daysAgo(1)}T10:00Z`,
      },
    ]);
    const done = await status(op.id, "operations-planner", {
      status: "completed",
      occurredAt: `${daysAgo(1)}T12:00:00Z`,
    });
    expect(done.statusCode, done.body).toBe(200);
    // Nor corrected to a day after the operation was completed.
    const late = await t.app.inject({
      method: "POST",
      url: `/api/handovers/${fixed.json().current.id}/supersessions`,
      headers: { ...(await t.as("custody-officer")), "if-match": '"1"' },
      payload: { occurredAt: today(), reason: "Dated by the receipt's second page" },
    });
    expect(late.statusCode, late.body).toBe(400);
    expect(late.json().error.issues).toEqual([
      { field: "occurredAt", rule: `not after the operation was completed, at ${daysAgo(1)}T12:00Z` },
    ]);
  });
});

describe("a handover is one act with the case's last step", () => {
  it("moves the case to handed-over and the total by one, on the day of the handover", async () => {
    const list = await readyCases(1);
    const op = await readyOperation(list);
    const before = await total();
    // Before the operation flies: refused, nothing counted.
    const notYet = await handover(op.id, list[0]!.personId);
    expect(notYet.statusCode).toBe(409);
    expect(await total()).toBe(before);
    expect((await status(op.id, "custody-officer", { status: "in-transit" })).statusCode).toBe(200);
    const wrongPlace = await handover(op.id, list[0]!.personId, { place: "SAN" });
    expect(wrongPlace.statusCode).toBe(422);
    expect(wrongPlace.json().error.issues).toEqual([
      { field: "place", rule: "must be a stop of the person's aircraft: IAD" },
    ]);
    const tooEarly = await handover(op.id, list[0]!.personId, { occurredAt: daysAgo(1) });
    // A date out of its rules is bad input (400), as on the operation's other acts.
    expect(tooEarly.statusCode).toBe(400);
    expect(tooEarly.json().error.code).toBe("VALIDATION_FAILED");
    expect(tooEarly.json().error.issues[0].field).toBe("occurredAt");
    // A calendar day is a valid occurredAt.
    const res = await handover(op.id, list[0]!.personId, { occurredAt: today() });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().case.state).toBe("handed-over");
    expect(await total()).toBe(before + 1);
    const onDay = await t.app.inject({
      url: `/api/stats?from=${today()}&to=${today()}`,
      headers: await t.as("auditor"),
    });
    expect(onDay.json().total).toBeGreaterThanOrEqual(1);
    // A range that ends before it begins is a mistake to name, not an empty answer.
    const backwards = await t.app.inject({
      url: `/api/stats?from=${today()}&to=${daysAgo(1)}`,
      headers: await t.as("auditor"),
    });
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json().error.issues).toEqual([{ field: "query.to", rule: "must not be before from" }]);
    // A time where a day is asked for: said once.
    const timed = await t.app.inject({
      url: `/api/stats?from=${today()}T00:00:00Z`,
      headers: await t.as("auditor"),
    });
    expect(timed.json().error.issues).toEqual([{ field: "query.from", rule: "must be a date YYYY-MM-DD" }]);
    // A confirmation without its time says it is required, not what form it takes.
    const [recorded] = await t.database.db.select().from(handovers).where(eq(handovers.operationId, op.id));
    const unconfirmed = await post(
      `/api/handovers/${recorded!.id}/confirmations`,
      "receiving-officer",
      { condition: "Good" },
      "US",
    );
    expect(unconfirmed.statusCode).toBe(400);
    expect(unconfirmed.json().error.issues).toContainEqual({ field: "occurredAt", rule: "required" });
    // A time out of order or still to come is a bad value (400), as on every other act; nothing is confirmed.
    const receiver = { receivingOfficer: "Deputy J. Ortiz", receivingAgency: "U.S. Marshals Service" };
    const handedOn = recorded!.occurredAt.toISOString().slice(0, 10);
    const dayBefore = new Date(recorded!.occurredAt.getTime() - 86_400_000).toISOString().slice(0, 10);
    const early = await post(
      `/api/handovers/${recorded!.id}/confirmations`,
      "receiving-officer",
      { ...receiver, condition: "Good", occurredAt: dayBefore },
      "US",
    );
    expect(early.statusCode).toBe(400);
    expect(early.json().error).toMatchObject({
      code: "VALIDATION_FAILED",
      issues: [{ field: "occurredAt", rule: `not before the handover on ${handedOn}` }],
    });
    const ahead = await post(
      `/api/handovers/${recorded!.id}/confirmations`,
      "receiving-officer",
      { ...receiver, condition: "Good", occurredAt: new Date(Date.now() + 3 * 3_600_000).toISOString() },
      "US",
    );
    expect(ahead.statusCode).toBe(400);
    expect(ahead.json().error.code).toBe("VALIDATION_FAILED");
    expect(ahead.json().error.issues[0].field).toBe("occurredAt");
    const confirmations = await t.database.db
      .select()
      .from(handoverConfirmations)
      .where(eq(handoverConfirmations.handoverId, recorded!.id));
    expect(confirmations).toEqual([]);
    // The receiving state confirms; the list carries each handover's confirmation, and filters on it.
    const handoverList = async (query: string, party = "MX") =>
      (
        await t.app.inject({
          url: `/api/handovers?operationId=${op.id}${query}`,
          headers: await t.as(party === "MX" ? "auditor" : "receiving-officer", party),
        })
      ).json();
    expect((await handoverList("")).items.map((h: { confirmation: unknown }) => h.confirmation)).toEqual([
      null,
    ]);
    expect((await handoverList("&confirmed=false")).items).toHaveLength(1);
    const confirmed = await post(
      `/api/handovers/${recorded!.id}/confirmations`,
      "receiving-officer",
      { ...receiver, condition: "Good", occurredAt: new Date().toISOString() },
      "US",
    );
    expect(confirmed.statusCode, confirmed.body).toBe(201);
    const listed = await handoverList("");
    expect(listed.items).toHaveLength(1);
    expect(listed.items[0].confirmation).toMatchObject({ handoverId: recorded!.id, condition: "Good" });
    expect((await handoverList("&confirmed=false")).items).toEqual([]);
    expect((await handoverList("&confirmed=true")).items.map((h: { id: string }) => h.id)).toEqual([
      recorded!.id,
    ]);
    // The receiving state reads the same; a third state reads nothing.
    expect((await handoverList("&confirmed=true", "US")).items).toHaveLength(1);
    expect((await handoverList("", "GT")).items).toEqual([]);
    const bad = await t.app.inject({
      url: `/api/handovers?confirmed=yes`,
      headers: await t.as("auditor"),
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.issues[0].field).toBe("query.confirmed");
    const again = await handover(op.id, list[0]!.personId);
    expect(again.statusCode).toBe(409);
    expect(await total()).toBe(before + 1);
  });

  it("the handover step is never taken on its own, and a handover for someone not on board is refused", async () => {
    const list = await readyCases(2);
    const op = await readyOperation([list[0]!]);
    expect((await status(op.id, "custody-officer", { status: "in-transit" })).statusCode).toBe(200);
    const own = await transition(t, list[0]!.id, "custody-officer", { transition: "hand-over" });
    expect(own.statusCode).toBe(409);
    expect(own.json().error.message).toContain("POST /api/handovers");
    const stranger = await handover(op.id, list[1]!.personId);
    expect(stranger.statusCode).toBe(422);
    expect(stranger.json().error.code).toBe("HANDOVER_REFUSED");
    expect((await caseOf(list[0]!.id)).state).toBe("in-transit");
  });
});

describe("decisions and their steps are one act", () => {
  it("the council's approval, rejection and deferral each record the decision with the step", async () => {
    for (const [name, outcome] of [
      ["approve-transfer", "approved"],
      ["reject-transfer", "rejected"],
      ["defer-transfer", "deferred"],
    ] as const) {
      const c = await buildCase(t);
      await transition(t, c.id, "secretariat", { transition: "begin-analysis", occurredAt: daysAgo(3) });
      await transition(t, c.id, "secretariat", { transition: "propose-to-council", occurredAt: daysAgo(3) });
      const res = await transition(t, c.id, "decision-authority", {
        transition: name,
        legalBasis: "LSN art. 5 fr. III",
        reasons: "Session of the council",
        occurredAt: daysAgo(2),
      });
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json().decision).toMatchObject({
        body: "national-security-council",
        outcome,
        legalBasis: "LSN art. 5 fr. III",
        decidedOn: daysAgo(2),
        transitionId: res.json().transition.id,
      });
      const rows = await t.database.db.select().from(decisions).where(eq(decisions.caseId, c.id));
      expect(rows).toHaveLength(1);
    }
  });

  it("a decision cannot be written apart from its step", async () => {
    const c = await buildCase(t);
    const res = await post("/api/decisions", "decision-authority", {
      personId: c.personId,
      caseId: c.id,
      body: "national-security-council",
      kind: "security-transfer",
      outcome: "approved",
      legalBasis: "LSN art. 5",
      reasons: "x",
      decidedOn: today(),
    });
    expect(res.statusCode).toBe(404);
    expect(await t.database.db.select().from(decisions).where(eq(decisions.caseId, c.id))).toEqual([]);
  });
});

describe("a treaty surrender is carried out by an operation", () => {
  it("from a firm grant with surrender scheduled, through the operation, to surrendered, counted as sent", async () => {
    const c = await buildCase(t, { track: "treaty" });
    const walk: [Role, string, number][] = [
      ["foreign-ministry", "request-provisional-arrest", 210],
      ["judge", "detain-provisionally", 200],
      ["foreign-ministry", "receive-formal-request", 150],
      ["judge", "open-hearing", 140],
      ["judge", "close-hearing", 120],
      ["judge", "issue-judicial-opinion", 115],
      ["foreign-ministry", "grant-extradition", 100],
      ["foreign-ministry", "close-amparo-window", 50],
    ];
    for (const [role, name, ago] of walk) {
      const res = await transition(t, c.id, role, { transition: name, occurredAt: daysAgo(ago) });
      expect(res.statusCode, `${name}: ${res.body}`).toBe(201);
      if (name === "grant-extradition") {
        const amparo = res.json().deadlinesStarted.find((d: { kind: string }) => d.kind === "amparo");
        expect(res.json().decision).toMatchObject({
          body: "foreign-ministry",
          outcome: "granted",
          appealWindowEndsOn: amparo.dueOn,
        });
      }
    }
    // Before the surrender is scheduled, no operation can take the case.
    const empty = await buildOperation(t, { people: [] });
    expect((await assign(c.id, empty.id)).statusCode).toBe(409);
    expect(
      (
        await transition(t, c.id, "foreign-ministry", {
          transition: "schedule-surrender",
          occurredAt: daysAgo(5),
        })
      ).statusCode,
    ).toBe(201);
    // The surrender itself is the handover's; an operation that does not list the person cannot take it.
    const own = await transition(t, c.id, "custody-officer", {
      transition: "surrender",
      operationId: empty.id,
    });
    expect(own.statusCode).toBe(409);
    const notListed = await assign(c.id, empty.id);
    expect(notListed.statusCode).toBe(422);
    expect(notListed.json().error.message).toContain("does not list this person");

    const before = await total();
    const op = await readyOperation([c]);
    expect((await caseOf(c.id)).state).toBe("surrender-assigned");
    expect((await status(op.id, "custody-officer", { status: "in-transit" })).statusCode).toBe(200);
    expect((await caseOf(c.id)).state).toBe("surrender-in-transit");
    const res = await handover(op.id, c.personId);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().case.state).toBe("surrendered");
    expect(await total()).toBe(before + 1);
    // The initial appearance is a later step of the same sending: still counted once.
    const appeared = await transition(t, c.id, "foreign-ministry", {
      transition: "record-initial-appearance",
    });
    expect(appeared.statusCode).toBe(201);
    expect(await total()).toBe(before + 1);
  });
});

describe("people join and leave an operation, re-planned with the fewest moves", () => {
  it("a person added or removed re-plans, lists who moves, and sends a planned operation back to planning", async () => {
    const list = await readyCases(3);
    const op = await buildOperation(t, { people: list.slice(0, 2).map((c) => ({ personId: c.personId })) });
    expect((await plan(op.id)).statusCode).toBe(201);
    expect((await adopt(op.id)).statusCode).toBe(200);
    const seats = await t.database.db
      .select()
      .from(operationPeople)
      .where(eq(operationPeople.operationId, op.id));
    expect(seats.every((s) => s.aircraftId && s.seat)).toBe(true);

    const added = await post(`/api/operations/${op.id}/people`, "operations-planner", {
      personId: list[2]!.personId,
      destinationAirport: "JFK",
    });
    expect(added.statusCode, added.body).toBe(201);
    expect(added.json().operation.status).toBe("planning");
    expect(added.json().moves).toEqual([
      expect.objectContaining({ personId: list[2]!.personId, from: null }),
    ]);
    expect(added.json().plan.plan.assignment[list[2]!.personId]).toBeDefined();
    expect((await adopt(op.id)).statusCode).toBe(200);
    for (const c of list) expect((await assign(c.id, op.id)).statusCode).toBe(201);

    // Without a body: the answer names the reason it needs, and the person stays.
    const bare = await t.app.inject({
      method: "DELETE",
      url: `/api/operations/${op.id}/people/${list[1]!.personId}`,
      headers: await t.as("operations-planner"),
    });
    expect(bare.statusCode).toBe(400);
    expect(bare.json().error.issues).toEqual([{ field: "reason", rule: "required" }]);
    expect(await caseOf(list[1]!.id)).toMatchObject({ operationId: op.id });
    const removed = await t.app.inject({
      method: "DELETE",
      url: `/api/operations/${op.id}/people/${list[1]!.personId}`,
      headers: await t.as("operations-planner"),
      payload: { reason: "Amparo granted: provisional suspension" },
    });
    expect(removed.statusCode, removed.body).toBe(200);
    expect(removed.json().moves).toEqual([
      expect.objectContaining({ personId: list[1]!.personId, to: null }),
    ]);
    expect(await caseOf(list[1]!.id)).toMatchObject({ state: "ready-for-transfer", operationId: null });
    const read = (
      await t.app.inject({ url: `/api/operations/${op.id}`, headers: await t.as("auditor") })
    ).json();
    expect(read.status).toBe("planning");
    expect(read.people.map((p: { standing: string }) => p.standing).sort()).toEqual([
      "on-board",
      "on-board",
      "removed",
    ]);
    // The operation's history keeps why.
    const history = (
      await t.app.inject({ url: `/api/operations/${op.id}/history`, headers: await t.as("auditor") })
    ).json();
    expect(history.events.at(-1)).toMatchObject({
      action: "operation.person_removed",
      reason: "Amparo granted: provisional suspension",
    });
    // Ready needs the new plan adopted.
    expect((await status(op.id, "operations-planner", { status: "ready" })).statusCode).toBe(409);
    expect((await adopt(op.id)).statusCode).toBe(200);
    expect((await status(op.id, "operations-planner", { status: "ready" })).statusCode).toBe(200);
  });

  it("a case on board a ready operation leaves only through it", async () => {
    const list = await readyCases(1);
    const op = await readyOperation(list);
    const withdraw = await transition(t, list[0]!.id, "foreign-ministry", {
      transition: "withdraw-transfer-request",
    });
    expect(withdraw.statusCode).toBe(409);
    expect(withdraw.json().error.code).toBe("OPERATION_UNDER_WAY");
    expect(withdraw.json().error.message).toContain(`DELETE /api/operations/${op.id}/people/`);
    expect((await caseOf(list[0]!.id)).state).toBe("assigned-to-operation");
  });
});

describe("intake", () => {
  it("affiliations come with the person at intake and can be added later, with one primary", async () => {
    const org = (await post("/api/organisations", "secretariat", { name: `Org ${Math.random()}` })).json();
    const cell = (
      await post("/api/organisations", "secretariat", { name: `Cell ${Math.random()}`, parentId: org.id })
    ).json();
    // The foreign ministry logs the request and what its analysts know of the person.
    const res = await post("/api/requests", "foreign-ministry", {
      person: {
        givenNames: "Intake",
        familyNames: "Affiliated",
        fictional: true,
        affiliations: [{ organisationId: org.id, role: "plaza boss", primary: true }],
      },
      requestingState: "US",
      requestingAgency: "US Department of Justice",
      type: "security-transfer",
      channel: "written-request",
      charges: [{ statute: "21 U.S.C. § 846", description: "Conspiracy" }],
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ treaty: "us-mx-1978", requestedState: "MX", sharedWith: ["US"] });
    const personId = res.json().personId;
    const person = (
      await t.app.inject({ url: `/api/people/${personId}`, headers: await t.as("auditor") })
    ).json();
    expect(person.affiliations).toMatchObject([{ organisationId: org.id, primary: true }]);
    const later = await post(`/api/people/${personId}/affiliations`, "secretariat", {
      affiliations: [{ organisationId: cell.id, role: "cell leader" }],
    });
    expect(later.statusCode, later.body).toBe(201);
    const second = await post(`/api/people/${personId}/affiliations`, "secretariat", {
      affiliations: [{ organisationId: cell.id, primary: true }],
    });
    expect(second.statusCode).toBe(409);
    expect(second.json().error.issues[0].field).toBe("affiliations[0].primary");
  });

  it("a second case for a person on the same track is refused naming the first, unless confirmed with a reason", async () => {
    const c = await buildCase(t);
    const request = await buildRequest(t, c.personId);
    const open = (extra: Record<string, unknown> = {}) =>
      post("/api/cases", "foreign-ministry", {
        track: "security",
        personId: c.personId,
        requestId: request.id,
        ...extra,
      });
    const dup = await open();
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error.details.existingId).toBe(c.id);
    expect(dup.json().error.message).toContain(c.id);
    const confirmed = await open({ duplicateReason: "A second written request naming new charges" });
    expect(confirmed.statusCode, confirmed.body).toBe(201);
    expect(confirmed.json().duplicateReason).toBe("A second written request naming new charges");
    // A third is refused naming both.
    const third = await open();
    expect(third.statusCode).toBe(409);
    expect(
      third
        .json()
        .error.details.existing.map((e: { id: string }) => e.id)
        .sort(),
    ).toEqual([c.id, confirmed.json().id].sort());
    expect(third.json().error.message).toContain(confirmed.json().id);

    // A person already handed over on the track: warned the same way.
    const [sent] = await readyCases(1);
    const op = await readyOperation([sent!]);
    await status(op.id, "custody-officer", { status: "in-transit" });
    expect((await handover(op.id, sent!.personId)).statusCode).toBe(201);
    const again = await post("/api/cases", "foreign-ministry", {
      track: "security",
      personId: sent!.personId,
      requestId: (await buildRequest(t, sent!.personId)).id,
    });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.message).toContain("handed over");
  });

  it("a treaty case runs under its request's treaty; a request from a state with none cannot open one", async () => {
    const person = await buildPerson(t);
    const fromCo = await post("/api/requests", "foreign-ministry", {
      personId: person.id,
      requestingState: "CO",
      requestingAgency: "Fiscalía General de la Nación",
      type: "formal-extradition",
      channel: "diplomatic-note",
      diplomaticNote: "CO-2026-1",
      charges: [{ statute: "Código Penal art. 340", description: "Concierto para delinquir" }],
    });
    expect(fromCo.statusCode, fromCo.body).toBe(201);
    expect(fromCo.json().treaty).toBeNull();
    const res = await post("/api/cases", "foreign-ministry", {
      track: "treaty",
      personId: person.id,
      requestId: fromCo.json().id,
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.code).toBe("TREATY_MISSING");
    // Guatemala's request falls under the Mexico–Guatemala treaty, not the one with the United States.
    const fromGt = await post("/api/requests", "foreign-ministry", {
      personId: person.id,
      requestingState: "GT",
      requestingAgency: "Ministerio Público de Guatemala",
      type: "formal-extradition",
      channel: "diplomatic-note",
      diplomaticNote: "GT-2026-1",
      charges: [{ statute: "Código Penal art. 407", description: "Asociación ilícita" }],
    });
    expect(fromGt.json().treaty).toBe("gt-mx-1997");
    const gtCase = await post("/api/cases", "foreign-ministry", {
      track: "treaty",
      personId: person.id,
      requestId: fromGt.json().id,
    });
    expect(gtCase.statusCode, gtCase.body).toBe(201);
    expect((await caseOf(gtCase.json().id)).treatyParameters).toBe("gt-mx-1997");
    const c = await buildCase(t, { track: "treaty" });
    expect((await caseOf(c.id)).treatyParameters).toBe("us-mx-1978");
  });

  it("every bad field of a body is named in one answer, the cross-field rules included", async () => {
    const res = await post(
      "/api/requests",
      "request-officer",
      {
        person: { givenNames: "", familyNames: "X" },
        requestingState: "USA",
        type: "extradition",
        channel: "diplomatic-note",
        sentOn: "2026-02-10",
        receivedOn: "2026-02-01",
        charges: [{ description: "no statute" }],
      },
      "US",
    );
    expect(res.statusCode).toBe(400);
    const fields = res.json().error.issues.map((i: { field: string }) => i.field);
    expect(fields).toEqual(
      expect.arrayContaining([
        "person.givenNames",
        "requestingState",
        "requestingAgency",
        "type",
        "charges[0].statute",
        "diplomaticNote",
        "receivedOn",
      ]),
    );
    const op = await post("/api/operations", "operations-planner", {
      code: "TEST-MANY-ISSUES",
      legalBasis: "LSN art. 5",
      operationDate: today(),
      stagingAirport: "ZZZ",
      receivingState: "US",
      people: [
        { personId: "0190a1e2-0000-7000-8000-000000000001", destinationAirport: "YYY" },
        { personId: (await buildPerson(t)).id, destinationAirport: "IAD" },
      ],
    });
    expect(op.statusCode).toBe(422);
    expect(op.json().error.issues.map((i: { field: string }) => i.field)).toEqual([
      "people[0].personId",
      "stagingAirport",
      "people[0].destinationAirport",
      "people[1].personId",
    ]);
  });

  it("a step may not be dated before the case's latest step; the first may precede the case's recording", async () => {
    // Opened here today, for a request that came in before: its first step is the day it began.
    const c = await buildCase(t);
    const begun = await transition(t, c.id, "secretariat", {
      transition: "begin-analysis",
      occurredAt: `${daysAgo(5)}T00:30:00Z`,
    });
    expect(begun.statusCode, begun.body).toBe(201);
    const proposed = await transition(t, c.id, "secretariat", {
      transition: "propose-to-council",
      occurredAt: `${daysAgo(3)}T15:00:00Z`,
    });
    expect(proposed.statusCode, proposed.body).toBe(201);
    // An hour before the proposal, the same day: refused, naming the step it would precede; nothing written.
    const before = await t.s.cases.get(c.id, officer("secretariat"));
    const backdated = await transition(t, c.id, "decision-authority", {
      transition: "approve-transfer",
      occurredAt: `${daysAgo(3)}T14:00:00Z`,
    });
    expect(backdated.statusCode).toBe(400);
    expect(backdated.json().error.issues).toEqual([
      {
        field: "occurredAt",
        rule: `not before the case's latest step, propose-to-council (at ${daysAgo(3)}T15:00Z)`,
      },
    ]);
    const after = await t.s.cases.get(c.id, officer("secretariat"));
    expect(after.version).toBe(before.version);
    expect(after.history).toHaveLength(before.history.length);
    // Given as that day: the day does not say the hour, so it is not before.
    const sameDay = await transition(t, c.id, "decision-authority", {
      transition: "approve-transfer",
      occurredAt: daysAgo(3),
    });
    expect(sameDay.statusCode, sameDay.body).toBe(201);
  });

  it("occurredAt may be a calendar day", async () => {
    const c = await buildCase(t);
    const res = await transition(t, c.id, "secretariat", {
      transition: "begin-analysis",
      occurredAt: daysAgo(3),
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().transition.occurredAt).toBe(`${daysAgo(3)}T00:00:00.000Z`);
    const bad = await transition(t, c.id, "secretariat", {
      transition: "propose-to-council",
      occurredAt: "03/01/2026",
    });
    expect(bad.statusCode).toBe(400);
    // The form it takes, for a string that is not a day as for one that is not a date-time.
    const rule = "must be a date-time with its offset (2026-01-20T17:00:00Z) or a day (2026-01-20)";
    expect(bad.json().error.issues).toEqual([{ field: "occurredAt", rule }]);
    const word = await transition(t, c.id, "secretariat", {
      transition: "propose-to-council",
      occurredAt: "tomorrow",
    });
    expect(word.json().error.issues).toEqual([{ field: "occurredAt", rule }]);
    const history = (await t.s.cases.get(c.id, officer("secretariat"))).history.map((h) => h.transition);
    expect(history).not.toContain("propose-to-council");
  });
});

describe("the record holds together", () => {
  it("counts per organisation (may exceed the total) and by primary affiliation (adds up to it)", async () => {
    const a = (await post("/api/organisations", "secretariat", { name: `Cartel ${Math.random()}` })).json();
    const b = (
      await post("/api/organisations", "secretariat", { name: `Faction ${Math.random()}`, parentId: a.id })
    ).json();
    const list = await readyCases(1, {
      affiliations: [{ organisationId: a.id, primary: true }, { organisationId: b.id }],
    });
    const op = await readyOperation(list);
    await status(op.id, "custody-officer", { status: "in-transit" });
    expect((await handover(op.id, list[0]!.personId)).statusCode).toBe(201);
    const stats = (await t.app.inject({ url: "/api/stats", headers: await t.as("communications") })).json();
    const sum = (rows: { people: number }[]) => rows.reduce((s, r) => s + r.people, 0);
    expect(sum(stats.primaryOrganisations)).toBe(stats.total);
    expect(sum(stats.organisations)).toBeGreaterThan(stats.total);
    expect(stats.primaryOrganisations).toContainEqual({ key: a.name, people: 1 });
    expect(stats.organisations).toEqual(
      expect.arrayContaining([
        { key: a.name, people: 1 },
        { key: b.name, people: 1 },
      ]),
    );
    expect((await verifyAudit(t.database.db)).ok).toBe(true);
  });
});

describe("a release of an operation", () => {
  it("goes only to its receiving state or a state with people on board: not to an unknown code, nor an uninvolved state", async () => {
    const c = await buildCase(t);
    const op = await buildOperation(t, { people: [{ personId: c.personId, caseId: c.id }] });
    const release = async (toParty: string) =>
      t.app.inject({
        method: "POST",
        url: `/api/operations/${op.id}/releases`,
        headers: await t.as("operations-planner"),
        payload: { toParty },
      });
    const releasesOf = async (party: string) =>
      (
        await t.app.inject({
          url: `/api/releases?operationId=${op.id}`,
          headers: await t.as("request-officer", party),
        })
      ).json().items.length;
    for (const party of ["ZZ", "GT"]) {
      const refused = await release(party);
      expect(refused.statusCode, party).toBe(422);
      expect(refused.json().error.code).toBe("REFERENCE_INVALID");
      expect(refused.json().error.issues).toEqual([
        {
          field: "toParty",
          rule: expect.stringContaining("receiving state (US) or a state with people on board"),
        },
      ]);
    }
    // Nothing was shared: Guatemala's officer sees no release of it.
    expect(await releasesOf("GT")).toBe(0);
    // The receiving state, whose request the case answers, gets its release, with its person.
    const ok = await release("US");
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json().people.map((p: { personId: string }) => p.personId)).toEqual([c.personId]);
    expect(await releasesOf("US")).toBe(1);
  });
});
