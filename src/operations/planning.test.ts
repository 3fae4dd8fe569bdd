import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestApp, testApp } from "../../test/app.ts";
import { buildCase, buildOperation } from "../../test/factories.ts";
import { pdfLines } from "../../test/pdf-text.ts";
import { auditEvents, operationPeople } from "../db/schema.ts";

let t: TestApp;
let operationId: string;
let ids: { sinaloa: string[]; cjng: string[] };
let fleet: { id: string; callsign: string }[];
/** Names with Spanish accents, which the printed manifests must keep. */
const names = [
  ["José Ángel", "Peña Ibáñez"],
  ["Damián", "Frías Muñoz"],
  ["Efraín", "Ochoa Güemes"],
  ["Raúl", "Zúñiga León"],
  ["Inés", "Cárdenas Ruiz"],
  ["Sebastián", "Ávila Báez"],
] as const;

beforeAll(async () => {
  t = await testApp();
  const h = await t.as("operations-planner");
  for (const [code, lat, lon] of [
    ["TLC", 19.34, -99.57],
    ["IAD", 38.95, -77.46],
    ["SAN", 32.73, -117.19],
  ] as const) {
    await t.app.inject({
      method: "POST",
      url: "/api/places",
      headers: h,
      payload: { code, kind: "airport", name: code, lat, lon },
    });
  }
  const analyst = await t.as("secretariat");
  const cjng = (
    await t.app.inject({
      method: "POST",
      url: "/api/organisations",
      headers: analyst,
      payload: { name: "CJNG" },
    })
  ).json();
  const sinaloa = (
    await t.app.inject({
      method: "POST",
      url: "/api/organisations",
      headers: analyst,
      payload: { name: "Sinaloa", rivalIds: [cjng.id] },
    })
  ).json();
  ids = { sinaloa: [], cjng: [] };
  const person = (k: number, organisationId: string) => ({
    givenNames: names[k]![0],
    familyNames: names[k]![1],
    affiliations: [{ organisationId }],
  });
  for (let i = 0; i < 3; i++) {
    ids.sinaloa.push((await buildCase(t, { person: person(i, sinaloa.id) })).personId);
    ids.cjng.push((await buildCase(t, { person: person(3 + i, cjng.id) })).personId);
  }
  const op = await t.app.inject({
    method: "POST",
    url: "/api/operations",
    headers: h,
    payload: {
      code: "TEST-PLAN-1",
      legalBasis: "LSN art. 5",
      operationDate: "2026-03-01",
      stagingAirport: "TLC",
      receivingState: "US",
      aircraft: [
        { callsign: "FAM-1", seats: 8, maxStops: 2 },
        { callsign: "FAM-2", seats: 8, maxStops: 2 },
        { callsign: "FAM-3", seats: 8, maxStops: 2 },
      ],
      people: [...ids.sinaloa, ...ids.cjng].map((personId, i) => ({
        personId,
        destinationAirport: i % 2 ? "IAD" : "SAN",
      })),
    },
  });
  expect(op.statusCode, op.body).toBe(201);
  operationId = op.json().id;
  fleet = op.json().aircraft;
});
afterAll(() => t.close());

describe("planning an operation over the API", () => {
  it("plans people onto aircraft with rival organisations apart, proven optimal, stored as a draft", async () => {
    const res = await t.app.inject({
      method: "POST",
      url: `/api/operations/${operationId}/plan`,
      headers: await t.as("operations-planner"),
      payload: { timeLimitMs: 2000, seed: 7 },
    });
    expect(res.statusCode, res.body).toBe(201);
    const { plan, status, version } = res.json();
    expect(status).toBe("draft");
    expect(version).toBe(1);
    expect(plan).toMatchObject({ status: "planned", aircraftUsed: 2, lowerBound: 2, provenOptimal: true });
    const aircraftOf = (p: string) => plan.assignment[p];
    const sinaloaPlanes = new Set(ids.sinaloa.map(aircraftOf));
    const cjngPlanes = new Set(ids.cjng.map(aircraftOf));
    expect([...sinaloaPlanes].some((a) => cjngPlanes.has(a))).toBe(false);
    const text = await t.app.inject({
      url: `/api/operations/${operationId}/plan/manifest`,
      headers: await t.as("operations-planner"),
    });
    expect(text.statusCode).toBe(200);
    // Aircraft by callsign, people by the end of their id (the random part: ids made together start
    // alike), each column apart from the next.
    expect(text.body).toMatch(/AIRCRAFT FAM-\d/);
    expect(text.body).not.toMatch(/AIRCRAFT [0-9a-f]{8}-/);
    for (const personId of [...ids.sinaloa, ...ids.cjng]) {
      const line = text.body.split("\n").find((l) => l.includes(personId.slice(-8)));
      expect(line, personId).toMatch(new RegExp(`^\\s+\\d+\\s+${personId.slice(-8)}\\s+\\S`));
    }
  });

  it("prints the manifests as a PDF: the summary on page 1, every route with its arrows, every name with its accents", async () => {
    const { plan } = (
      await t.app.inject({
        url: `/api/operations/${operationId}/plan`,
        headers: await t.as("operations-planner"),
      })
    ).json();
    const res = await t.app.inject({
      url: `/api/operations/${operationId}/plan/manifest?format=pdf`,
      headers: await t.as("operations-planner"),
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("application/pdf");
    expect(res.headers["content-disposition"]).toBe('inline; filename="manifest-TEST-PLAN-1.pdf"');
    expect(res.headers["cache-control"]).toBe("private, no-store");
    expect(res.rawPayload.subarray(0, 5).toString()).toBe("%PDF-");
    const pages = await pdfLines(res.rawPayload);
    const first = pages[0]!;
    expect(first).toContain("Operation TEST-PLAN-1: transfer manifests");
    // Not adopted yet: the newest draft is printed, and says so.
    expect(first).toContain("DRAFT PLAN, NOT ADOPTED: seats and routes may still change");
    expect(first).toContain("Date 2026-03-01");
    expect(first).toContain("Legal basis LSN art. 5");
    expect(first).toContain("Staging airport TLC");
    expect(first).toContain("Receiving state US");
    expect(first).toContain("People and guards per destination");
    expect(first).toContain("Total 6 6 2");
    const all = pages.flat().join("\n");
    for (const a of plan.aircraft as { aircraftId: string; name: string; route: string[] }[]) {
      // An aircraft is printed by its callsign, not its record id.
      expect(first.some((l) => l.startsWith(`${a.name} ${a.route.join(" → ")}`))).toBe(true);
      expect(all).not.toContain(a.aircraftId);
      expect(pages.find((p) => p[0] === `Aircraft ${a.name}`)).toBeDefined();
    }
    for (const [given, family] of names) expect(all).toContain(`${given} ${family}`);
  });

  it("does not print another party's manifests: 404, as if the operation did not exist", async () => {
    for (const format of ["pdf", "text"]) {
      const res = await t.app.inject({
        url: `/api/operations/${operationId}/plan/manifest?format=${format}`,
        headers: await t.as("operations-planner", "GT"),
      });
      expect(res.statusCode).toBe(404);
      expect(res.headers["content-type"]).toMatch(/json/);
      expect(res.body).not.toMatch(/TEST-PLAN-1|Peña/);
    }
  });

  it("a hand move that puts rivals together is kept but every broken rule is reported", async () => {
    const current = (
      await t.app.inject({
        url: `/api/operations/${operationId}/plan`,
        headers: await t.as("operations-planner"),
      })
    ).json();
    const cjngPlane = current.plan.assignment[ids.cjng[0]!];
    const res = await t.app.inject({
      method: "POST",
      url: `/api/operations/${operationId}/plan/moves`,
      headers: await t.as("operations-planner"),
      payload: { personId: ids.sinaloa[0], aircraftId: cjngPlane, expectedVersion: current.version },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().status).toBe("rules-broken");
    expect(res.json().violations.map((v: { rule: string }) => v.rule)).toContain("rivals");
    // Read back, the draft says which rules it breaks, naming the aircraft by its callsign.
    const read = (
      await t.app.inject({
        url: `/api/operations/${operationId}/plan`,
        headers: await t.as("operations-planner"),
      })
    ).json();
    expect(read.status).toBe("rules-broken");
    expect(read.violations).toEqual(res.json().violations);
    const rivals = read.violations.find((v: { rule: string }) => v.rule === "rivals");
    expect(rivals.message).not.toContain(cjngPlane);
    expect(rivals.message).toMatch(/both are on \S+-\d+$/);
    // And the people by their names (their ids are in `people`, for a program).
    expect(rivals.people).toContain(ids.sinaloa[0]);
    for (const id of rivals.people) expect(rivals.message).not.toContain(id);
    const moved = (
      await t.app.inject({ url: `/api/people/${ids.sinaloa[0]}`, headers: await t.as("operations-planner") })
    ).json();
    expect(rivals.message).toContain(`${moved.givenNames} ${moved.familyNames}`);
    expect(current.violations).toEqual([]);
    // The same stale version again: someone else's edit must not be overwritten.
    const stale = await t.app.inject({
      method: "POST",
      url: `/api/operations/${operationId}/plan/moves`,
      headers: await t.as("operations-planner"),
      payload: { personId: ids.sinaloa[1], aircraftId: cjngPlane, expectedVersion: current.version },
    });
    expect(stale.statusCode).toBe(409);
  });

  it("re-plans after a person is removed by an injunction, listing who moves, and takes them off the operation", async () => {
    await t.app.inject({
      method: "POST",
      url: `/api/operations/${operationId}/plan`,
      headers: await t.as("operations-planner"),
      payload: { seed: 3 },
    });
    const before = (await t.database.db.select().from(auditEvents)).length;
    const res = await t.app.inject({
      method: "DELETE",
      url: `/api/operations/${operationId}/people/${ids.cjng[2]}`,
      headers: await t.as("operations-planner"),
      payload: { reason: "amparo granted" },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().moves).toEqual([expect.objectContaining({ personId: ids.cjng[2], to: null })]);
    expect(res.json().plan.plan.assignment[ids.cjng[2]!]).toBeUndefined();
    const roster = await t.database.db.select().from(operationPeople);
    const removed = roster.find((r) => r.personId === ids.cjng[2]);
    expect(removed).toMatchObject({ removalReason: "amparo granted" });
    expect(removed?.removedAt).not.toBeNull();
    expect((await t.database.db.select().from(auditEvents)).length).toBeGreaterThan(before);
  });

  it("moves the operation's status in order only, refusing a jump with 409 and naming the way to planned", async () => {
    const h = await t.as("operations-planner");
    const jump = await t.app.inject({
      method: "POST",
      url: `/api/operations/${operationId}/status`,
      headers: h,
      payload: { status: "completed" },
    });
    expect(jump.statusCode).toBe(409);
    expect(jump.json().error.details.allowed).toEqual(["cancelled"]);
    const planned = await t.app.inject({
      method: "POST",
      url: `/api/operations/${operationId}/status`,
      headers: h,
      payload: { status: "planned" },
    });
    expect(planned.statusCode).toBe(409);
    expect(planned.json().error.message).toContain("plan/adopt");
  });

  it("an unknown aircraft in a hand move is named", async () => {
    const res = await t.app.inject({
      method: "POST",
      url: `/api/operations/${operationId}/plan/moves`,
      headers: await t.as("operations-planner"),
      payload: { personId: ids.sinaloa[0], aircraftId: "0190a1e2-0000-7000-8000-000000000000" },
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.issues[0].field).toBe("aircraftId");
    expect(fleet).toHaveLength(3);
  });

  it("a search that cannot seat everyone says who has no seat, and a read of the draft says the same", async () => {
    const person = (await buildCase(t)).personId;
    const small = await buildOperation(t, {
      people: [{ personId: person }],
      aircraft: [{ callsign: "TINY-1", seats: 1, maxStops: 1 }],
    });
    const planned = await t.app.inject({
      method: "POST",
      url: `/api/operations/${small.id}/plan`,
      headers: await t.as("operations-planner"),
      payload: { timeLimitMs: 300 },
    });
    expect(planned.statusCode, planned.body).toBe(201);
    expect(planned.json().plan.status).toBe("infeasible");
    expect(planned.json().violations).toEqual([
      expect.objectContaining({ rule: "unassigned", people: [person] }),
    ]);
    const read = await t.app.inject({
      url: `/api/operations/${small.id}/plan`,
      headers: await t.as("operations-planner"),
    });
    expect(read.json().violations).toEqual(planned.json().violations);
  });

  it("adopting a plan that is not a current draft is 404 naming planId, and the operation stays as it was", async () => {
    const h = await t.as("operations-planner");
    const before = (
      await t.app.inject({ method: "GET", url: `/api/operations/${operationId}`, headers: h })
    ).json();
    const res = await t.app.inject({
      method: "POST",
      url: `/api/operations/${operationId}/plan/adopt`,
      headers: h,
      payload: { planId: "0190a1e2-0000-7000-8000-000000000000" },
    });
    expect(res.statusCode).toBe(404);
    expect(res.json().error).toMatchObject({ code: "NOT_FOUND", details: { entity: "plan" } });
    expect(res.json().error.message).toContain("planId: not a current draft of operation TEST-PLAN-1");
    const after = (
      await t.app.inject({ method: "GET", url: `/api/operations/${operationId}`, headers: h })
    ).json();
    expect(after.status).toBe(before.status);
    expect(after.version).toBe(before.version);
  });
});
