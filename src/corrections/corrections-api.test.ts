/**
 * Corrections over the API (issue 12): a record corrected with the version read and a reason, its history
 * from the chain, and what the law fixes refused by its rule or corrected only by supersession.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { and, count, eq, sql } from "drizzle-orm";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { officer, type TestApp, testApp } from "../../test/app.ts";
import { traslado } from "../../test/cli-run.ts";
import {
  buildAirports,
  buildApprovedCase,
  buildCase,
  buildOperation,
  buildPerson,
  transition,
  walkToReady,
} from "../../test/factories.ts";
import { verifyAudit } from "../audit/verify.ts";
import type { Role } from "../auth/roles.ts";
import { toIsoDate } from "../cases/calendar.ts";
import { openDatabase, toCount } from "../db/client.ts";
import {
  auditEvents,
  auditHead,
  charges,
  decisions,
  handovers,
  operations,
  people,
  requests,
} from "../db/schema.ts";
import { ZCreatePerson } from "../people/schemas.ts";
import { services } from "../services.ts";
import { correctable } from "./kinds.ts";

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
  await buildAirports(t);
}, 180_000);
afterAll(() => t.close());

const today = toIsoDate(new Date());
const daysAgo = (n: number) => toIsoDate(new Date(Date.now() - n * 86_400_000));

async function send(
  method: "GET" | "PATCH" | "POST",
  url: string,
  role: Role,
  o: { party?: string; ifMatch?: string; body?: object; idempotencyKey?: string } = {},
) {
  return t.app.inject({
    method,
    url,
    headers: {
      ...(await t.as(role, o.party ?? "MX")),
      ...(o.ifMatch ? { "if-match": o.ifMatch } : {}),
      ...(o.idempotencyKey ? { "idempotency-key": o.idempotencyKey } : {}),
    },
    ...(o.body ? { payload: o.body } : {}),
  });
}

/** The chain's head and the events about one record: what a refused correction must leave as it was. */
async function chainState(entityId: string) {
  const [head] = await t.database.db.select().from(auditHead);
  const [n] = await t.database.db
    .select({ n: count() })
    .from(auditEvents)
    .where(eq(auditEvents.entityId, entityId));
  return { head: head?.seq, hash: head?.hash, events: toCount(n?.n) };
}

describe("correcting a person", () => {
  it("takes the version read (ETag) and a reason; the chain keeps before, after and why; verify passes", async () => {
    const person = await buildPerson(t, { givenNames: "José Ángel", familyNames: "Peres Gómez" });
    const read = await send("GET", `/api/people/${person.id}`, "foreign-ministry");
    expect(read.headers.etag).toBe('"1"');

    const res = await send("PATCH", `/api/people/${person.id}`, "foreign-ministry", {
      ifMatch: read.headers.etag as string,
      body: {
        familyNames: "Pérez Gómez",
        aliases: ["Perez-Gomez, Jose A."],
        reason: "Misspelled at intake; the warrant of 2026-02-01 gives Pérez",
      },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers.etag).toBe('"2"');
    expect(res.json()).toMatchObject({
      familyNames: "Pérez Gómez",
      version: 2,
      aliases: ["Perez-Gomez, Jose A."],
    });

    const [event] = await t.database.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.entityId, person.id), eq(auditEvents.kind, "person.corrected")));
    expect(event?.reason).toBe("Misspelled at intake; the warrant of 2026-02-01 gives Pérez");
    expect(event?.before).toMatchObject({ familyNames: "Peres Gómez", version: 1 });
    expect(event?.after).toMatchObject({ familyNames: "Pérez Gómez", version: 2 });

    const history = await send("GET", `/api/people/${person.id}/history`, "prosecutor");
    expect(history.statusCode, history.body).toBe(200);
    const events = history.json().events;
    expect(events.map((e: { action: string }) => e.action)).toEqual(["person.created", "person.corrected"]);
    expect(events[1]).toMatchObject({
      reason: "Misspelled at intake; the warrant of 2026-02-01 gives Pérez",
      actor: { name: "Test foreign-ministry", party: "MX" },
      version: 2,
    });
    expect(events[1].changes).toHaveLength(2);
    expect(events[1].changes).toEqual(
      expect.arrayContaining([
        { field: "familyNames", before: "Peres Gómez", after: "Pérez Gómez" },
        { field: "aliases", before: [], after: ["Perez-Gomez, Jose A."] },
      ]),
    );
    expect((await verifyAudit(t.database.db)).problems).toEqual([]);
  });

  it("answers 428 without If-Match and 409 with a stale one, and writes nothing", async () => {
    const person = await buildPerson(t, { familyNames: "Stale" });
    const before = await chainState(person.id);

    const missing = await send("PATCH", `/api/people/${person.id}`, "secretariat", {
      body: { familyNames: "Fresh", reason: "r" },
    });
    expect(missing.statusCode).toBe(428);
    expect(missing.json().error).toMatchObject({
      code: "PRECONDITION_REQUIRED",
      issues: [{ field: "headers.if-match", rule: "required" }],
    });

    const first = await send("PATCH", `/api/people/${person.id}`, "secretariat", {
      ifMatch: '"1"',
      body: { custodyFacility: "CEFERESO 1", reason: "Moved" },
    });
    expect(first.statusCode, first.body).toBe(200);
    const afterFirst = await chainState(person.id);
    expect(afterFirst.events).toBe(before.events + 1);

    const stale = await send("PATCH", `/api/people/${person.id}`, "secretariat", {
      ifMatch: '"1"',
      body: { familyNames: "Fresh", reason: "Read before the move" },
    });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().error).toMatchObject({
      code: "VERSION_CONFLICT",
      details: { currentVersion: 2, expectedVersion: 1 },
    });
    const [row] = await t.database.db.select().from(people).where(eq(people.id, person.id));
    expect(row).toMatchObject({ familyNames: "Stale", custodyFacility: "CEFERESO 1", version: 2 });
    expect(await chainState(person.id)).toEqual(afterFirst);
  });

  it("refuses an unknown field, a fixed field, an empty reason and an empty correction, each by name", async () => {
    const person = await buildPerson(t);
    const patch = (body: object) =>
      send("PATCH", `/api/people/${person.id}`, "foreign-ministry", { ifMatch: '"1"', body });
    const unknown = await patch({ nickname: "El Flaco", reason: "r" });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.issues).toContainEqual({ field: "nickname", rule: "unknown field" });

    const fixed = await patch({ affiliations: [], fictional: false, reason: "r" });
    expect(fixed.statusCode).toBe(422);
    expect(fixed.json().error.code).toBe("FIELD_FIXED");
    expect(fixed.json().error.issues.map((i: { field: string }) => i.field)).toEqual([
      "affiliations",
      "fictional",
    ]);

    const noReason = await patch({ familyNames: "X", reason: "  " });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().error.issues).toContainEqual({ field: "reason", rule: "required" });

    // Nothing to change: the body as a whole, listing what may change (not its reason, which is fine).
    const nothing = await patch({ reason: "nothing to change" });
    expect(nothing.statusCode).toBe(400);
    expect(nothing.json().error.issues).toHaveLength(1);
    expect(nothing.json().error.issues[0].field).toBe("(body)");
    expect(nothing.json().error.issues[0].rule).toMatch(/^at least one of .*familyNames/);

    const badValue = await patch({ dateOfBirth: "1980-02-30", reason: "r" });
    expect(badValue.statusCode).toBe(400);
    expect(badValue.json().error.issues[0].field).toBe("dateOfBirth");

    const [row] = await t.database.db.select().from(people).where(eq(people.id, person.id));
    expect(row?.version).toBe(1);
  });

  // Review M4: a PATCH on a merged record's id changed the dead record and answered with the survivor.
  it("refuses a merged record with 409 PERSON_MERGED naming the survivor; neither record nor the chain changes", async () => {
    const merged = await buildPerson(t, {
      givenNames: "Anselmo",
      familyNames: `Quiroga ${randomUUID().slice(0, 6)}`,
    });
    const survivor = await buildPerson(t, {
      givenNames: "Anselmo",
      familyNames: `Quiroga ${randomUUID().slice(0, 6)}`,
    });
    const merge = await send("POST", `/api/people/${merged.id}/merge`, "foreign-ministry", {
      body: { into: survivor.id, reason: "Same fingerprints" },
    });
    expect(merge.statusCode, merge.body).toBe(201);
    const [deadBefore] = await t.database.db.select().from(people).where(eq(people.id, merged.id));
    const [survivorBefore] = await t.database.db.select().from(people).where(eq(people.id, survivor.id));
    const chain = await chainState(merged.id);
    const res = await send("PATCH", `/api/people/${merged.id}`, "foreign-ministry", {
      ifMatch: `"${deadBefore!.version}"`,
      body: { familyNames: "Quiroga Ruelas", reason: "From the warrant" },
    });
    expect(res.statusCode, res.body).toBe(409);
    expect(res.json().error).toMatchObject({
      code: "PERSON_MERGED",
      details: { survivorId: survivor.id, rule: "a merged record is corrected as its survivor" },
    });
    expect((await t.database.db.select().from(people).where(eq(people.id, merged.id)))[0]).toEqual(
      deadBefore,
    );
    expect((await t.database.db.select().from(people).where(eq(people.id, survivor.id)))[0]).toEqual(
      survivorBefore,
    );
    expect(await chainState(merged.id)).toEqual(chain);
  });

  it("clears an optional field with null", async () => {
    const person = await buildPerson(t, { custodyFacility: "Altiplano" });
    const res = await send("PATCH", `/api/people/${person.id}`, "foreign-ministry", {
      ifMatch: '"1"',
      body: { custodyFacility: null, reason: "Released from custody" },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().custodyFacility).toBeNull();
  });
});

describe("who corrects what", () => {
  it("a requesting state corrects its own request; the requested state may not; a third state does not see it", async () => {
    const filed = await send("POST", "/api/requests", "request-officer", {
      party: "US",
      body: {
        person: { givenNames: "Filed", familyNames: "By US", fictional: true },
        requestingState: "US",
        requestingAgency: "US DOJ",
        requestedState: "MX",
        type: "formal-extradition",
        channel: "diplomatic-note",
        diplomaticNote: "US-1",
        charges: [{ statute: "18 U.S.C. § 1956", description: "Laundering" }],
      },
    });
    expect(filed.statusCode, filed.body).toBe(201);
    const request = filed.json();
    const url = `/api/requests/${request.id}`;

    const other = await send("PATCH", url, "foreign-ministry", {
      ifMatch: '"1"',
      body: { court: "SDNY", reason: "r" },
    });
    expect(other.statusCode).toBe(409);
    expect(other.json().error).toMatchObject({ code: "RECORD_OF_ANOTHER_PARTY", details: { owner: "US" } });

    for (const path of [url, `${url}/history`]) {
      const third = await send(path === url ? "PATCH" : "GET", path, "request-officer", {
        party: "GT",
        ifMatch: '"1"',
        ...(path === url ? { body: { court: "SDNY", reason: "r" } } : {}),
      });
      expect(third.statusCode, path).toBe(404);
      expect(third.json().error.code).toBe("NOT_FOUND");
    }

    const fixed = await send("PATCH", url, "request-officer", {
      party: "US",
      ifMatch: '"1"',
      body: { requestingState: "GT", reason: "r" },
    });
    expect(fixed.statusCode).toBe(422);
    expect(fixed.json().error).toMatchObject({
      code: "FIELD_FIXED",
      issues: [{ field: "requestingState", rule: "fixed: the requesting state is whose request it is" }],
    });

    const own = await send("PATCH", url, "request-officer", {
      party: "US",
      ifMatch: '"1"',
      body: { court: "SDNY", reason: "Court named in the note" },
    });
    expect(own.statusCode, own.body).toBe(200);
    expect(own.json()).toMatchObject({ court: "SDNY", version: 2 });

    // The charge, by the same state; its history as the requested state reads it: the party, not the official.
    const chargeId = request.charges[0].id;
    const charge = await send("PATCH", `/api/charges/${chargeId}`, "request-officer", {
      party: "US",
      ifMatch: '"1"',
      body: { description: "Money laundering conspiracy", reason: "Wording of the indictment" },
    });
    expect(charge.statusCode, charge.body).toBe(200);
    const seen = await send("GET", `/api/charges/${chargeId}/history`, "prosecutor");
    expect(seen.statusCode, seen.body).toBe(200);
    expect(seen.json().events[1]).toMatchObject({
      action: "charge.corrected",
      reason: "Wording of the indictment",
      actor: { id: null, name: null, party: "US" },
      changes: [{ field: "description", before: "Laundering", after: "Money laundering conspiracy" }],
    });
  });
});

describe("what the law fixes", () => {
  it("a decided request answers 409 REQUEST_DECIDED and is unchanged", async () => {
    const c = await buildApprovedCase(t);
    const res = await send("PATCH", `/api/requests/${c.request.id}`, "foreign-ministry", {
      ifMatch: '"1"',
      body: { district: "SDNY", reason: "r" },
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toMatchObject({
      code: "REQUEST_DECIDED",
      details: { rule: "a request is corrected only before it is decided" },
    });
    const [row] = await t.database.db.select().from(requests).where(eq(requests.id, c.request.id));
    expect(row).toMatchObject({ district: "EDNY", version: 1 });
  });

  it("a charge of a granted extradition answers 422 CHARGE_FIXED_BY_GRANT; before the grant it is corrected", async () => {
    const c = await buildCase(t, { track: "treaty" });
    const chargeId = c.request.charges[0]!.id;
    const before = await send("PATCH", `/api/charges/${chargeId}`, "foreign-ministry", {
      ifMatch: '"1"',
      body: { maximumPenalty: "Life", reason: "From the statute" },
    });
    expect(before.statusCode, before.body).toBe(200);
    await takeSteps(c.id, [...toJudicialOpinion, ["foreign-ministry", "grant-extradition", 100]]);
    const chain = await chainState(chargeId);
    const res = await send("PATCH", `/api/charges/${chargeId}`, "foreign-ministry", {
      ifMatch: '"2"',
      body: { statute: "21 U.S.C. § 848", reason: "A graver offence" },
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().error).toMatchObject({
      code: "CHARGE_FIXED_BY_GRANT",
      details: { rule: "the charges of a granted extradition are fixed", statuses: ["granted"] },
    });
    const [row] = await t.database.db.select().from(charges).where(eq(charges.id, chargeId));
    expect(row).toMatchObject({ statute: "21 U.S.C. § 846", maximumPenalty: "Life", version: 2 });
    expect(await chainState(chargeId)).toEqual(chain);
  });

  // Review H1: on a server a scope is not a transaction; the rule read the statuses, a grant committed, and
  // the charge was written anyway. Here the grant is made to wait (a raw lock on its case row) until the
  // correction has started: the correction must wait for it and then refuse. PGlite runs one transaction
  // at a time, so there is no race to test there.
  it.skipIf(!process.env.TEST_DATABASE_URL)(
    "a charge correction racing a grant waits for it and answers 422 CHARGE_FIXED_BY_GRANT; the charge is unchanged",
    async () => {
      const c = await buildCase(t, { track: "treaty" });
      const chargeId = c.request.charges[0]!.id;
      await takeSteps(c.id, toJudicialOpinion);
      const raw = new pg.Client({ connectionString: t.database.url });
      await raw.connect();
      const waiting = async (n: number) => {
        for (let i = 0; i < 200; i++) {
          // Inside a transaction the activity view is a snapshot unless cleared.
          await raw.query("select pg_stat_clear_snapshot()");
          const { rows } = await raw.query(
            "select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'",
          );
          if (rows[0].n >= n) return;
          await new Promise((r) => setTimeout(r, 25));
        }
        const { rows } = await raw.query(
          "select state, wait_event_type, wait_event, left(query, 120) as q from pg_stat_activity where datname = current_database()",
        );
        throw new Error(`never saw ${n} statements waiting for a lock: ${JSON.stringify(rows)}`);
      };
      try {
        await raw.query("begin");
        await raw.query("select id from cases where id = $1 for update", [c.id]);
        const grant = transition(t, c.id, "foreign-ministry", {
          transition: "grant-extradition",
          occurredAt: daysAgo(100),
        });
        await waiting(1);
        const correction = send("PATCH", `/api/charges/${chargeId}`, "foreign-ministry", {
          ifMatch: '"1"',
          body: { statute: "21 U.S.C. § 848", reason: "A graver offence" },
        });
        const early = await Promise.race([correction, waiting(2).then(() => null)]);
        expect(early?.body ?? "waiting").toBe("waiting");
        await raw.query("commit");
        const [granted, corrected] = await Promise.all([grant, correction]);
        expect(granted.statusCode, granted.body).toBe(201);
        expect(corrected.statusCode, corrected.body).toBe(422);
        expect(corrected.json().error).toMatchObject({
          code: "CHARGE_FIXED_BY_GRANT",
          details: { rule: "the charges of a granted extradition are fixed", statuses: ["granted"] },
        });
        const [row] = await t.database.db.select().from(charges).where(eq(charges.id, chargeId));
        expect(row).toMatchObject({ statute: "21 U.S.C. § 846", version: 1 });
      } finally {
        await raw.end();
      }
    },
  );

  it("an operation is corrected while planned, not once under way; its code is fixed", async () => {
    const c = await buildCase(t);
    await walkToReady(t, c.id);
    const op = (
      await send("POST", "/api/operations", "operations-planner", {
        body: {
          code: "CORR-1",
          legalBasis: "LSN art. 5",
          operationDate: today,
          stagingAirport: "TLC",
          receivingState: "US",
          aircraft: [{ callsign: "FAM-C", seats: 12, maxStops: 2 }],
          people: [{ personId: c.personId, destinationAirport: "IAD" }],
        },
      })
    ).json();
    const url = `/api/operations/${op.id}`;
    const code = await send("PATCH", url, "operations-planner", {
      ifMatch: '"1"',
      body: { code: "CORR-2", reason: "r" },
    });
    expect(code.statusCode).toBe(422);
    expect(code.json().error.issues[0]).toMatchObject({ field: "code" });
    const planning = await send("PATCH", url, "operations-planner", {
      ifMatch: '"1"',
      body: { notes: "Escort doubled", legalBasis: "LSN arts. 5, 7", reason: "Council's minutes" },
    });
    expect(planning.statusCode, planning.body).toBe(200);
    expect(planning.headers.etag).toBe('"2"');

    const handover = await flyAndHandOver(op.id, c.id, c.personId);
    const [flown] = await t.database.db.select().from(operations).where(eq(operations.id, op.id));
    const late = await send("PATCH", url, "operations-planner", {
      ifMatch: `"${flown!.version}"`,
      body: { notes: "Afterwards", reason: "r" },
    });
    expect(late.statusCode).toBe(409);
    expect(late.json().error).toMatchObject({
      code: "OPERATION_UNDER_WAY",
      details: { rule: "an operation under way is not corrected", status: "in-transit" },
    });

    // A signed handover is corrected only by a new record; the figures count the person once.
    const total = async () => (await send("GET", "/api/stats", "auditor")).json().total as number;
    const counted = await total();
    expect(counted).toBeGreaterThanOrEqual(1);
    expect(
      (await send("PATCH", `/api/handovers/${handover.id}`, "custody-officer", { ifMatch: '"1"' }))
        .statusCode,
    ).toBe(404);
    const fixedPlace = await send("POST", `/api/handovers/${handover.id}/supersessions`, "custody-officer", {
      ifMatch: '"1"',
      body: { place: "JFK", reason: "r" },
    });
    expect(fixedPlace.statusCode).toBe(422);
    expect(fixedPlace.json().error.issues[0]).toMatchObject({ field: "place" });
    // Nor a time the handover itself could not have: still to come, or before its operation flew.
    const ahead = new Date(Date.now() + 2 * 86_400_000).toISOString();
    for (const [occurredAt, rule] of [
      [ahead, expect.stringMatching(/^not in the future/)],
      ["2025-01-01", expect.stringMatching(/^not before the (operation date|departure)/)],
    ]) {
      const moved = await send("POST", `/api/handovers/${handover.id}/supersessions`, "custody-officer", {
        ifMatch: '"1"',
        body: { occurredAt, reason: "r" },
      });
      expect(moved.statusCode, String(occurredAt)).toBe(400);
      expect(moved.json().error.issues).toEqual([{ field: "occurredAt", rule }]);
    }
    expect(await t.database.db.select().from(handovers).where(eq(handovers.operationId, op.id))).toHaveLength(
      1,
    );

    const superseded = await send("POST", `/api/handovers/${handover.id}/supersessions`, "custody-officer", {
      ifMatch: '"1"',
      body: { receivingOfficer: "Deputy Marshal R. Ortiz", reason: "Receipt signed by another deputy" },
    });
    expect(superseded.statusCode, superseded.body).toBe(201);
    const { current, superseded: old } = superseded.json();
    expect(old).toMatchObject({ id: handover.id, supersededBy: current.id, version: 2 });
    expect(current).toMatchObject({
      supersedes: handover.id,
      supersededBy: null,
      receivingOfficer: "Deputy Marshal R. Ortiz",
      personId: c.personId,
      place: "IAD",
    });
    expect(await total()).toBe(counted);
    // The person's file shows both records, and says which one stands: one handover, as the figures count.
    const file = (await send("GET", `/api/people/${c.personId}/file`, "auditor")).json();
    expect(
      file.handovers.map((h: { id: string; supersededBy: string | null }) => [h.id, h.supersededBy]).sort(),
    ).toEqual(
      [
        [handover.id, current.id],
        [current.id, null],
      ].sort(),
    );
    expect(
      file.timeline
        .filter((e: { kind: string }) => e.kind.startsWith("handover"))
        .map((e: { kind: string; link: { id: string } }) => [e.kind, e.link.id])
        .sort(),
    ).toEqual(
      [
        ["handover", current.id],
        ["handover.superseded", handover.id],
      ].sort(),
    );
    const listed = await send("GET", `/api/handovers?operationId=${op.id}`, "auditor");
    expect(
      listed
        .json()
        .items.map((h: { id: string }) => h.id)
        .sort(),
    ).toEqual([handover.id, current.id].sort());
    // Only the standing one is still to confirm, and only it is confirmed; the superseded one answers 409.
    const toConfirm = await send("GET", `/api/handovers?operationId=${op.id}&confirmed=false`, "auditor");
    expect(toConfirm.json().items.map((h: { id: string }) => h.id)).toEqual([current.id]);
    const confirmOld = await send(
      "POST",
      `/api/handovers/${handover.id}/confirmations`,
      "receiving-officer",
      {
        party: "US",
        body: {
          receivingOfficer: "Deputy Marshal R. Ortiz",
          receivingAgency: "U.S. Marshals Service",
          condition: "Good",
          occurredAt: new Date().toISOString(),
        },
      },
    );
    expect(confirmOld.statusCode, confirmOld.body).toBe(409);
    expect(confirmOld.json().error).toMatchObject({
      code: "RECORD_SUPERSEDED",
      details: { supersededBy: current.id },
    });

    const again = await send("POST", `/api/handovers/${handover.id}/supersessions`, "custody-officer", {
      ifMatch: '"2"',
      body: { condition: "Good", reason: "r" },
    });
    expect(again.statusCode).toBe(409);
    expect(again.json().error).toMatchObject({
      code: "RECORD_SUPERSEDED",
      details: { supersededBy: current.id },
    });
    const rows = await t.database.db.select().from(handovers).where(eq(handovers.operationId, op.id));
    expect(rows).toHaveLength(2);

    const history = await send("GET", `/api/handovers/${handover.id}/history`, "auditor");
    expect(history.json().events[1]).toMatchObject({
      action: "handover.superseded",
      reason: "Receipt signed by another deputy",
      changes: [{ field: "supersededBy", before: null, after: current.id }],
    });
    expect((await verifyAudit(t.database.db)).problems).toEqual([]);
  }, 60_000);

  it("a decision is corrected by a new one that supersedes it, by a role that takes its step", async () => {
    const c = await buildApprovedCase(t);
    const [decision] = await t.database.db.select().from(decisions).where(eq(decisions.caseId, c.id));
    const url = `/api/decisions/${decision!.id}/supersessions`;
    const read = await send("GET", `/api/decisions/${decision!.id}`, "decision-authority");
    expect(read.headers.etag).toBe('"1"');

    const outcome = await send("POST", url, "decision-authority", {
      ifMatch: '"1"',
      body: { outcome: "rejected", reason: "r" },
    });
    expect(outcome.statusCode).toBe(422);
    expect(outcome.json().error).toMatchObject({ code: "FIELD_FIXED", issues: [{ field: "outcome" }] });

    const ministry = await send("POST", url, "foreign-ministry", {
      ifMatch: '"1"',
      body: { reasons: "r", reason: "r" },
    });
    expect(ministry.statusCode).toBe(422);
    expect(ministry.json().error).toMatchObject({
      code: "DECIDED_BY_ANOTHER_BODY",
      details: { rule: "a decision is corrected by the body that decided", step: "approve-transfer" },
    });

    const stale = await send("POST", url, "decision-authority", {
      ifMatch: '"7"',
      body: { reasons: "r", reason: "r" },
    });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().error.code).toBe("VERSION_CONFLICT");
    expect(await t.database.db.select().from(decisions).where(eq(decisions.caseId, c.id))).toHaveLength(1);

    // Not dated after today, as when it was recorded; nothing is written.
    const ahead = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
    const future = await send("POST", url, "decision-authority", {
      ifMatch: '"1"',
      body: { decidedOn: ahead, legalBasis: "", reason: "r" },
    });
    expect(future.statusCode).toBe(400);
    // Each bad field in the one answer.
    expect(future.json().error.issues).toEqual(
      expect.arrayContaining([
        { field: "decidedOn", rule: "not after today" },
        expect.objectContaining({ field: "legalBasis" }),
      ]),
    );
    expect(await t.database.db.select().from(decisions).where(eq(decisions.caseId, c.id))).toHaveLength(1);

    // Sent twice with one Idempotency-Key (a retry after a lost answer): one new decision, the first answer again.
    const supersession = {
      ifMatch: '"1"',
      idempotencyKey: "supersede-decision-1",
      body: { legalBasis: "LSN arts. 5, 12", reason: "The minutes cite art. 12 too" },
    };
    const res = await send("POST", url, "decision-authority", supersession);
    expect(res.statusCode, res.body).toBe(201);
    const replay = await send("POST", url, "decision-authority", supersession);
    expect(replay.statusCode, replay.body).toBe(201);
    expect(replay.headers["idempotent-replayed"]).toBe("true");
    expect(replay.json().current.id).toBe(res.json().current.id);
    const otherBody = await send("POST", url, "decision-authority", {
      ...supersession,
      body: { ...supersession.body, legalBasis: "LSN art. 5" },
    });
    expect(otherBody.statusCode).toBe(422);
    expect(otherBody.json().error.code).toBe("IDEMPOTENCY_KEY_REUSED");
    const { current } = res.json();
    expect(current).toMatchObject({
      supersedes: decision!.id,
      legalBasis: "LSN arts. 5, 12",
      outcome: decision!.outcome,
      transitionId: decision!.transitionId,
    });
    const both = await send("GET", `/api/decisions?caseId=${c.id}`, "judge");
    expect(both.json().items).toHaveLength(2);
    const old = await send("GET", `/api/decisions/${decision!.id}`, "judge");
    expect(old.json()).toMatchObject({ supersededBy: current.id, legalBasis: decision!.legalBasis });
    expect((await verifyAudit(t.database.db)).problems).toEqual([]);
  });
});

describe("a decision recorded before supersessions existed (migration 0011)", () => {
  it("verifies: its last image has no supersedes/supersededBy and the row holds them null; an edit is still caught", async () => {
    const c = await buildApprovedCase(t);
    const [decision] = await t.database.db.select().from(decisions).where(eq(decisions.caseId, c.id));
    // A copy written as before the migration: the row, and an event whose image lacks the two columns.
    const id = randomUUID();
    const { supersedes: _s, supersededBy: _b, ...older } = { ...decision!, id };
    await t.database.db.insert(decisions).values({ ...older, supersedes: null, supersededBy: null });
    await t.database.db.execute(sql`insert into audit_events
      (id, actor_id, actor_name, party, occurred_at, recorded_at, entity, entity_id, kind, before, after)
      values (${randomUUID()}, 't', 'Test', 'MX', now(), now(), 'decision', ${id}, 'decision.created', null,
        ${JSON.stringify(older)}::jsonb)`);
    expect((await verifyAudit(t.database.db)).problems).toEqual([]);

    await t.database.db
      .update(decisions)
      .set({ reasons: "Edited behind the back" })
      .where(eq(decisions.id, id));
    const report = await verifyAudit(t.database.db);
    expect(report.problems.map((p) => p.entityId)).toEqual([id]);
    await t.database.db.update(decisions).set({ reasons: older.reasons }).where(eq(decisions.id, id));
  });
});

describe("the other kinds", () => {
  it("a case's history: each step's change of state, by whom, from the chain; not for a requesting state; a missing hold 404", async () => {
    const c = await buildCase(t, { track: "treaty" });
    const step = await transition(t, c.id, "foreign-ministry", {
      transition: "request-provisional-arrest",
      occurredAt: daysAgo(10),
    });
    expect(step.statusCode, step.body).toBe(201);
    const res = await send("GET", `/api/cases/${c.id}/history`, "auditor");
    expect(res.statusCode, res.body).toBe(200);
    const { events } = res.json();
    expect(events.map((e: { action: string }) => e.action)).toEqual(["case.created", "case.transitioned"]);
    const moved = events[1].changes.find((ch: { field: string }) => ch.field === "state");
    expect(moved).toMatchObject({ before: "treaty-request-received", after: "provisional-arrest-requested" });
    expect(events[1].actor.party).toBe("MX");
    expect(events[1].actor.name).toEqual(expect.any(String));
    const outside = await send("GET", `/api/cases/${c.id}/history`, "request-officer", { party: "US" });
    expect(outside.statusCode).toBe(403);
    const holdHistory = await send("GET", `/api/holds/${randomUUID()}/history`, "auditor");
    expect(holdHistory.statusCode).toBe(404);
  });

  it("an organisation, an affiliation and a place, each with its history", async () => {
    const org = (
      await send("POST", "/api/organisations", "secretariat", { body: { name: "Cártel Uno" } })
    ).json();
    await send("POST", "/api/organisations", "secretariat", { body: { name: "Cártel Dos" } });
    const dup = await send("PATCH", `/api/organisations/${org.id}`, "secretariat", {
      ifMatch: '"1"',
      body: { name: "Cártel Dos", reason: "r" },
    });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error.issues).toEqual([{ field: "name", rule: "must be unique" }]);
    const self = await send("PATCH", `/api/organisations/${org.id}`, "secretariat", {
      ifMatch: '"1"',
      body: { parentId: org.id, reason: "r" },
    });
    expect(self.statusCode).toBe(400);
    expect(self.json().error.issues[0].field).toBe("parentId");
    const renamed = await send("PATCH", `/api/organisations/${org.id}`, "secretariat", {
      ifMatch: '"1"',
      body: { aliases: ["C1"], reason: "Known so in the new warrant" },
    });
    expect(renamed.statusCode, renamed.body).toBe(200);

    const person = await buildPerson(t, {
      affiliations: [{ organisationId: org.id, primary: true }],
    });
    const full = (await send("GET", `/api/people/${person.id}`, "secretariat")).json();
    const affId = full.affiliations[0].id;
    const second = await send("POST", `/api/people/${person.id}/affiliations`, "secretariat", {
      body: { affiliations: [{ organisationId: org.id, role: "courier" }] },
    });
    const secondId = second.json()[0].id;
    const twoPrimaries = await send("PATCH", `/api/affiliations/${secondId}`, "secretariat", {
      ifMatch: '"1"',
      body: { primary: true, reason: "r" },
    });
    expect(twoPrimaries.statusCode).toBe(409);
    expect(twoPrimaries.json().error.issues[0]).toMatchObject({ field: "primary" });
    const dates = await send("PATCH", `/api/affiliations/${affId}`, "secretariat", {
      ifMatch: '"1"',
      body: { fromOn: "2020-01-01", toOn: "2019-01-01", reason: "r" },
    });
    expect(dates.statusCode).toBe(400);
    expect(dates.json().error.issues[0].field).toBe("toOn");
    const role = await send("PATCH", `/api/affiliations/${affId}`, "secretariat", {
      ifMatch: '"1"',
      body: { role: "plaza boss", reason: "Analysis of 2026-03" },
    });
    expect(role.statusCode, role.body).toBe(200);
    const h = await send("GET", `/api/affiliations/${affId}/history`, "auditor");
    expect(h.json().events.at(-1)).toMatchObject({
      reason: "Analysis of 2026-03",
      changes: [{ field: "role", before: null, after: "plaza boss" }],
    });

    const place = (await send("GET", "/api/places?limit=1", "operations-planner")).json().items[0];
    const renamedPlace = await send("PATCH", `/api/places/${place.id}`, "admin", {
      ifMatch: `"${place.version}"`,
      body: { name: `${place.name} International`, reason: "Official name" },
    });
    expect(renamedPlace.statusCode, renamedPlace.body).toBe(200);
    const kind = await send("PATCH", `/api/places/${place.id}`, "admin", {
      ifMatch: `"${place.version + 1}"`,
      body: { kind: "prison", reason: "r" },
    });
    expect(kind.statusCode).toBe(422);
    expect(kind.json().error.issues[0]).toMatchObject({ field: "kind" });

    // A code an operation names stays: changed, the operation would name no place and could not be planned.
    await buildOperation(t, { people: [] });
    const places = (await send("GET", "/api/places?limit=200", "operations-planner")).json().items;
    const tlc = places.find((p: { code: string }) => p.code === "TLC");
    const recoded = await send("PATCH", `/api/places/${tlc.id}`, "admin", {
      ifMatch: `"${tlc.version}"`,
      body: { code: "TLX", reason: "r" },
    });
    expect(recoded.statusCode).toBe(422);
    expect(recoded.json().error).toMatchObject({
      code: "FIELD_FIXED",
      issues: [{ field: "code", rule: "fixed once a record names it (an operation names TLC)" }],
    });
    const after = (await send("GET", "/api/places?limit=200", "operations-planner")).json().items;
    expect(after.find((p: { id: string }) => p.id === tlc.id)).toMatchObject({
      code: "TLC",
      version: tlc.version,
    });
  });
});

/** Plans and flies the operation, and records the person's handover at IAD. */
async function flyAndHandOver(operationId: string, caseId: string, personId: string) {
  const ok = async (res: Promise<{ statusCode: number; body: string; json: () => unknown }>) => {
    const r = await res;
    if (r.statusCode >= 300) throw new Error(r.body);
    return r.json() as { id: string };
  };
  await ok(
    send("POST", `/api/operations/${operationId}/plan`, "operations-planner", { body: { timeLimitMs: 300 } }),
  );
  const [op] = await t.database.db.select().from(operations).where(eq(operations.id, operationId));
  await ok(
    send("POST", `/api/operations/${operationId}/plan/adopt`, "operations-planner", {
      ifMatch: `"${op!.version}"`,
      body: {},
    }),
  );
  const assigned = await transition(t, caseId, "operations-planner", {
    transition: "assign-to-operation",
    operationId,
  });
  if (assigned.statusCode !== 201) throw new Error(assigned.body);
  await ok(
    send("POST", `/api/operations/${operationId}/status`, "operations-planner", {
      body: { status: "ready" },
    }),
  );
  await ok(
    send("POST", `/api/operations/${operationId}/status`, "custody-officer", {
      body: { status: "in-transit" },
    }),
  );
  return ok(
    send("POST", "/api/handovers", "custody-officer", {
      body: {
        operationId,
        personId,
        place: "IAD",
        occurredAt: today,
        dispatchingOfficer: "Escort",
        dispatchingAgency: "SSPC",
        receivingOfficer: "Marshal",
        receivingAgency: "US Marshals Service",
        condition: "Good",
      },
    }),
  );
}

describe("traslado history", () => {
  it("prints a record's changes: who, when, why, each field before → after", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "traslado-history-"));
    try {
      const database = await openDatabase({ kind: "pglite", dataDir });
      let personId: string;
      try {
        await database.migrate();
        const s = services(database, {
          DEATH_PENALTY_ASSURANCE_POLICY: "block",
          AMPARO_WINDOW: "ley-de-amparo",
        });
        const actor = officer("foreign-ministry");
        const person = await s.people.create({
          actor,
          input: ZCreatePerson.parse({ givenNames: "Ana", familyNames: "Lopes", fictional: true }),
        });
        personId = person.id;
        await s.corrections.correct(correctable.find((k) => k.entity === "person")!, {
          actor,
          id: person.id,
          version: 1,
          input: { familyNames: "López", reason: "Spelling of the birth certificate" },
        });
      } finally {
        await database.close();
      }
      const out = await traslado(["history", "person", personId], { DATA_DIR: dataDir });
      expect(out.code, out.stderr).toBe(0);
      expect(out.stdout).toMatch(
        /person\.corrected {2}by Test foreign-ministry \(MX\): Spelling of the birth certificate\n {4}familyNames: "Lopes" → "López"/,
      );
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
    // A data directory migrated twice (here, then opened by the command): slow on a loaded machine.
  }, 300_000);
});

/** A treaty case's steps from provisional arrest to the judge's opinion: role, step, days ago. */
const toJudicialOpinion: [Role, string, number][] = [
  ["foreign-ministry", "request-provisional-arrest", 210],
  ["judge", "detain-provisionally", 200],
  ["foreign-ministry", "receive-formal-request", 150],
  ["judge", "open-hearing", 140],
  ["judge", "close-hearing", 120],
  ["judge", "issue-judicial-opinion", 115],
];

/** Takes each step on the case, each answered 201. */
async function takeSteps(caseId: string, steps: [Role, string, number][]) {
  for (const [role, name, ago] of steps) {
    const res = await transition(t, caseId, role, { transition: name, occurredAt: daysAgo(ago) });
    expect(res.statusCode, `${name}: ${res.body}`).toBe(201);
  }
}
