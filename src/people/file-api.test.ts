import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestApp, testApp } from "../../test/app.ts";
import { buildOperation, transition } from "../../test/factories.ts";
import type { Role } from "../auth/roles.ts";

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(() => t.close());

const file = async (id: string, role: Role, party = "MX") =>
  t.app.inject({ url: `/api/people/${id}/file`, headers: await t.as(role, party) });

/** A request the foreign ministry logs for a new person (shared with the US), its case, and a step taken. */
async function personWithCase() {
  const req = await t.app.inject({
    method: "POST",
    url: "/api/requests",
    headers: await t.as("foreign-ministry"),
    payload: {
      requestingState: "US",
      requestingAgency: "US Department of Justice",
      type: "security-transfer",
      channel: "written-request",
      receivedOn: "2026-01-05",
      district: "EDNY",
      person: {
        givenNames: "Ramón",
        familyNames: `Núñez ${Math.random().toString(36).slice(2, 7)}`,
        aliases: ["El Tío"],
        riskFlags: ["escape-risk"],
        custodyFacility: "CEFERESO 1 Altiplano",
        custodySince: "2025-11-02",
        fictional: true,
      },
      charges: [{ statute: "21 U.S.C. § 846", description: "Conspiracy to distribute cocaine" }],
      // Each test's person is a new one, though named like the last (same alias): not a likely duplicate.
      allowDuplicate: true,
    },
  });
  expect(req.statusCode, req.body).toBe(201);
  const { id: requestId, personId } = req.json() as { id: string; personId: string };
  const opened = await t.app.inject({
    method: "POST",
    url: "/api/cases",
    headers: await t.as("foreign-ministry"),
    payload: { track: "security", personId, requestId },
  });
  expect(opened.statusCode, opened.body).toBe(201);
  const caseId = opened.json().id as string;
  const step = await transition(t, caseId, "secretariat", {
    transition: "begin-analysis",
    occurredAt: "2026-01-07",
  });
  expect(step.statusCode, step.body).toBe(201);
  return { personId, requestId, caseId };
}

describe("GET /api/people/{id}/file", () => {
  it("gives the sending state everything about the person, with one timeline newest first", async () => {
    const { personId, requestId, caseId } = await personWithCase();
    const op = await buildOperation(t, { people: [{ personId, caseId, destinationAirport: "JFK" }] });
    const res = await file(personId, "secretariat");
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.person).toMatchObject({
      id: personId,
      givenNames: "Ramón",
      aliases: ["El Tío"],
      riskFlags: ["escape-risk"],
      custodyFacility: "CEFERESO 1 Altiplano",
      custodySince: "2025-11-02",
      photoRef: null,
    });
    expect(body.requests).toHaveLength(1);
    expect(body.requests[0]).toMatchObject({ id: requestId, requestingState: "US" });
    expect(body.requests[0].charges).toEqual([
      expect.objectContaining({ statute: "21 U.S.C. § 846", capitalEligible: false }),
    ]);
    expect(body.cases).toEqual([
      expect.objectContaining({ id: caseId, track: "security", state: "under-analysis" }),
    ]);
    expect(body.operations).toEqual([
      expect.objectContaining({ id: op.id, code: op.code, operationDate: "2026-03-01", destination: "JFK" }),
    ]);
    const kinds = body.timeline.map((e: { kind: string }) => e.kind);
    for (const kind of [
      "person.recorded",
      "request.received",
      "case.opened",
      "case.transition",
      "operation.listed",
    ])
      expect(kinds).toContain(kind);
    const occurred = body.timeline.map((e: { occurredAt: string }) => e.occurredAt);
    expect(occurred).toEqual([...occurred].sort().reverse());
    expect(body.timeline).toContainEqual(
      expect.objectContaining({
        kind: "case.transition",
        occurredAt: "2026-01-07T00:00:00.000Z",
        summary: "begin analysis: transfer requested → under analysis",
        link: { entity: "case", id: caseId },
      }),
    );
  });

  it("gives the requesting state its request and the shared status, never the sending state's case", async () => {
    const { personId, caseId } = await personWithCase();
    const res = await file(personId, "request-officer", "US");
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.requests).toHaveLength(1);
    expect(body.requests[0].caseStatus).toBe("under review");
    expect(body.cases).toEqual([]);
    expect(body.operations).toEqual([]);
    expect(res.body).not.toContain(caseId);
    const kinds = body.timeline.map((e: { kind: string }) => e.kind);
    expect(kinds).toContain("status.shared");
    expect(kinds).not.toContain("case.transition");
    expect(kinds).not.toContain("case.opened");
  });

  it("answers 404 to another state's actor, 403 to a role that may not read people, 400 naming a bad id", async () => {
    const { personId } = await personWithCase();
    const other = await file(personId, "request-officer", "GT");
    expect(other.statusCode).toBe(404);
    expect(other.json().error.code).toBe("NOT_FOUND");
    const comms = await file(personId, "communications");
    expect(comms.statusCode).toBe(403);
    expect(comms.json().error).toMatchObject({
      code: "ACTOR_NOT_PERMITTED",
      details: { permission: "person:read" },
    });
    const bad = await t.app.inject({ url: "/api/people/x/file", headers: await t.as("secretariat") });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.issues[0].field).toBe("params.id");
  });

  it("is described in the OpenAPI document by a named component", async () => {
    const doc = (await t.app.inject({ url: "/openapi.json" })).json();
    expect(
      doc.paths["/api/people/{id}/file"].get.responses["200"].content["application/json"].schema,
    ).toEqual({
      $ref: "#/components/schemas/PersonFile",
    });
    expect(doc.components.schemas.PersonFile.properties.timeline.items).toEqual({
      $ref: "#/components/schemas/PersonTimelineEntry",
    });
  });
});
