import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestApp, testApp } from "../../test/app.ts";
import { buildApprovedCase, buildCase, transition } from "../../test/factories.ts";
import type { Role } from "../auth/roles.ts";
import { cases } from "../db/schema.ts";
import { httpStatusOf } from "../errors.ts";
import { seedDemoIfEmpty } from "../seed/demo.ts";
import type { StepCheck } from "./step-check.ts";
import { transitions } from "./tracks.ts";

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(() => t.close());

const steps = async (caseId: string, role: Role, party = "MX") =>
  t.app.inject({ url: `/api/cases/${caseId}/transitions`, headers: await t.as(role, party) });
const stepOf = (body: { transitions: StepCheck[] }, name: string) =>
  body.transitions.find((x) => x.name === name)!;

const approved = (capital: boolean) => buildApprovedCase(t, { capital });

describe("GET /api/cases/{id}/transitions", () => {
  it("lists the state's steps for the caller: allowed, or blocked with a code, parameters and words", async () => {
    const c = await approved(true);
    const res = await steps(c.id, "secretariat");
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ caseId: c.id, state: "council-approved", track: "security", version: 4 });
    const confirm = stepOf(body, "confirm-assurances");
    expect(confirm.allowed).toBe(false);
    expect(confirm.reasons).toEqual([
      {
        code: "needs-assurance",
        params: { kind: "no-death-penalty", chargeIds: [c.request.charges[0]!.id] },
        message: "needs a no death penalty assurance: a charge carries the death penalty",
        error: "ASSURANCE_MISSING",
        guard: "death-penalty-assurance",
      },
    ]);
    // The real step is refused with that same rule, and the case did not move.
    const post = await transition(t, c.id, "secretariat", { transition: "confirm-assurances" });
    expect(post.statusCode).toBe(422);
    expect(post.json().error).toMatchObject({
      code: "ASSURANCE_MISSING",
      details: { guard: "death-penalty-assurance" },
    });
    const [row] = await t.database.db.select().from(cases).where(eq(cases.id, c.id));
    expect(row!.state).toBe("council-approved");
  });

  it("names the roles that may take a step the caller's role may not, with every other reason after it", async () => {
    const c = await approved(true);
    const confirm = stepOf((await steps(c.id, "custody-officer")).json(), "confirm-assurances");
    expect(confirm.allowed).toBe(false);
    expect(confirm.reasons.map((r) => r.code)).toEqual(["role", "needs-assurance"]);
    expect(confirm.reasons[0]).toMatchObject({
      params: { role: "custody-officer", roles: ["secretariat", "foreign-ministry"] },
      message: "only a secretariat or foreign ministry may take this step",
      error: "ACTOR_NOT_PERMITTED",
    });
  });

  it("shows a step allowed once its guard is met, and a legal hold as a reason with the hold", async () => {
    const c = await approved(false);
    expect(stepOf((await steps(c.id, "secretariat")).json(), "confirm-assurances")).toMatchObject({
      allowed: true,
      reasons: [],
    });
    const hold = await t.app.inject({
      method: "POST",
      url: "/api/holds",
      headers: await t.as("judge"),
      payload: {
        personId: c.personId,
        kind: "amparo",
        source: "Juzgado 3º de Distrito",
        filedOn: "2026-01-10",
      },
    });
    expect(hold.statusCode, hold.body).toBe(201);
    for (const name of ["confirm-assurances", "mark-ready"]) {
      const res = await transition(t, c.id, name === "mark-ready" ? "custody-officer" : "secretariat", {
        transition: name,
      });
      expect(res.statusCode, res.body).toBe(201);
    }
    const assign = stepOf((await steps(c.id, "operations-planner")).json(), "assign-to-operation");
    expect(assign.allowed).toBe(false);
    expect(assign.reasons.map((r) => r.code)).toEqual(["not-listed", "hold-in-force"]);
    expect(assign.reasons[1]).toMatchObject({
      params: { holds: [{ id: hold.json().id, kind: "amparo" }], bypassable: true },
      error: "LEGAL_HOLD",
    });
  });

  it("answers 404 for another state's actor, 403 for a role that may not read cases, 400 naming a bad id", async () => {
    const c = await buildCase(t);
    const other = await steps(c.id, "auditor", "US");
    expect(other.statusCode).toBe(404);
    expect(other.json().error.code).toBe("NOT_FOUND");
    const officer = await steps(c.id, "request-officer", "US");
    expect(officer.statusCode).toBe(403);
    expect(officer.json().error.code).toBe("ACTOR_NOT_PERMITTED");
    const bad = await t.app.inject({ url: "/api/cases/nope/transitions", headers: await t.as("auditor") });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.issues[0].field).toBe("params.id");
  });

  it("is described in the OpenAPI document by a named component", async () => {
    const doc = (await t.app.inject({ url: "/openapi.json" })).json();
    const op = doc.paths["/api/cases/{id}/transitions"].get;
    expect(op["x-permission"]).toBe("case:read");
    expect(op.responses["200"].content["application/json"].schema).toEqual({
      $ref: "#/components/schemas/CaseSteps",
    });
    expect(doc.components.schemas.CaseSteps.properties.transitions.items).toEqual({
      $ref: "#/components/schemas/CaseStepCheck",
    });
    expect(doc.components.schemas.CaseStepsInput).toBeUndefined();
  });
});

describe("the dry run and the real step agree on the demo data", () => {
  let demo: TestApp;
  beforeAll(async () => {
    demo = await testApp();
    expect(await seedDemoIfEmpty(demo.s, { now: new Date() })).not.toBeNull();
  }, 600_000);
  afterAll(() => demo.close());

  it("refuses every blocked step with its first reason's rule, and takes the allowed ones", async () => {
    const t = demo;
    const steps = async (caseId: string, role: Role) =>
      t.app.inject({ url: `/api/cases/${caseId}/transitions`, headers: await t.as(role) });
    const roles = [...new Set(transitions.flatMap((x) => x.by))].filter((r) => r !== "system") as Role[];
    const all = (await t.s.cases.list({ limit: 500 }, { id: "x", name: "x", party: "MX", role: "auditor" }))
      .items;
    // One example of each way a step is refused (code, error, guard), and of each step allowed.
    const blocked = new Map<string, { caseId: string; role: Role; step: StepCheck }>();
    const allowed = new Map<string, { caseId: string; role: Role; step: StepCheck }>();
    for (const c of all) {
      for (const role of roles) {
        const res = await steps(c.id, role);
        expect(res.statusCode, res.body).toBe(200);
        for (const step of (res.json() as { transitions: StepCheck[] }).transitions) {
          const first = step.reasons[0];
          if (first) {
            const key = `${first.code}/${first.error}/${first.guard}`;
            if (!blocked.has(key)) blocked.set(key, { caseId: c.id, role, step });
          } else if (!allowed.has(step.name) && ![...allowed.values()].some((a) => a.caseId === c.id)) {
            // One step per case: taking it changes what the case's other steps allow.
            allowed.set(step.name, { caseId: c.id, role, step });
          }
        }
      }
    }
    // The demo data has steps blocked by the role, by deadlines running or lapsed, by a missing
    // death-penalty assurance and by no operation listing the person, at least.
    expect([...blocked.keys()].map((k) => k.split("/")[0])).toEqual(
      expect.arrayContaining([
        "role",
        "deadline-running",
        "deadline-lapsed",
        "needs-assurance",
        "not-listed",
      ]),
    );
    for (const [key, { caseId, role, step }] of blocked) {
      const boards = transitions.some((x) => x.name === step.name && x.operation === "join");
      const res = await transition(t, caseId, role, {
        transition: step.name,
        // A step that boards an operation names one: the one weighed, else one that does not list the person.
        ...(boards ? { operationId: step.operationId ?? "01a24000-0000-7000-8000-000000000000" } : {}),
      });
      const reason = step.reasons[0]!;
      expect(res.statusCode, `${key}: ${res.body}`).toBe(httpStatusOf(reason.error as never));
      expect(res.json().error.code, key).toBe(reason.error);
      if (reason.guard) expect(res.json().error.details.guard, key).toBe(reason.guard);
    }
    for (const [name, { caseId, role, step }] of allowed) {
      const res = await transition(t, caseId, role, {
        transition: name,
        ...(step.operationId ? { operationId: step.operationId } : {}),
      });
      expect(res.statusCode, `${name}: ${res.body}`).toBe(201);
    }
  }, 600_000);
});
