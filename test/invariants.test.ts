/**
 * Random sequences of API calls — case steps, operations and their people, plans, status changes,
 * handovers, new cases — in any order, by any role (issue 8, "How it is checked"). After every call the
 * record must hold together:
 *
 * - the total sent equals the people handed over whose case took its last step, each once (a person
 *   handed over on two cases counts once), and the handovers counted equal those handovers;
 * - no operation past planning has someone on board whose case does not allow it;
 * - no completed operation has someone on board, or listed, who was not handed over;
 * - every handover's case is at its last step, on that operation;
 * - every decision has its step, and every step that records one has exactly one;
 * - the audit chain verifies.
 */
import { and, eq, inArray, isNull } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyAudit } from "../src/audit/verify.ts";
import type { Role } from "../src/auth/roles.ts";
import { addDays, toIsoDate } from "../src/cases/calendar.ts";
import {
  availableTransitions,
  boardedStates,
  type CaseState,
  sentStates,
  type Track,
  transitions,
} from "../src/cases/workflow.ts";
import {
  cases,
  caseTransitions,
  decisions,
  handovers,
  operationPeople,
  operations,
} from "../src/db/schema.ts";
import { type TestApp, testApp } from "./app.ts";
import { buildAirports, buildCase, buildOperation, transition, walkToReady } from "./factories.ts";

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
  await buildAirports(t);
});
afterAll(() => t.close());

const today = () => toIsoDate(new Date());
const daysAgo = (n: number) => addDays(today(), -n);
const roles: Role[] = [
  "foreign-ministry",
  "secretariat",
  "decision-authority",
  "custody-officer",
  "operations-planner",
  "receiving-officer",
  "request-officer",
  "auditor",
  "judge",
];
const partyOf = (role: Role) => (role === "receiving-officer" || role === "request-officer" ? "US" : "MX");
const allNames = [...new Set(transitions.map((x) => x.name))];

const command = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant("step" as const),
      who: fc.nat(),
      pick: fc.nat(),
      /** A step the case may take, by a role the table allows; or anything at all. */
      sensible: fc.constantFrom(true, true, true, false),
      role: fc.constantFrom(...roles),
      daysBack: fc.constantFrom(0, 0, 1),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("create-operation" as const),
      who: fc.nat(),
      tomorrow: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant("add-person" as const), op: fc.nat(), who: fc.nat() }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("remove-person" as const), op: fc.nat(), who: fc.nat() }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant("plan-and-adopt" as const), op: fc.nat(), adopt: fc.boolean() }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("assign" as const), op: fc.nat(), who: fc.nat() }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("status" as const),
      op: fc.nat(),
      status: fc.constantFrom(
        "planning",
        "planned",
        "ready",
        "ready",
        "in-transit",
        "completed",
        "cancelled",
      ),
      role: fc.constantFrom<Role>("operations-planner", "operations-planner", "custody-officer", "auditor"),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("handover" as const),
      op: fc.nat(),
      who: fc.nat(),
      rightPlace: fc.constantFrom(true, true, false),
      daysBack: fc.constantFrom(0, 0, 2),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("open-case" as const), who: fc.nat(), confirm: fc.boolean() }),
  },
  /** The whole way at once, each call still checked: plan and adopt, board everyone, ready, fly, hand over, complete. */
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant("fly" as const), op: fc.nat(), stopAfter: fc.nat({ max: 6 }) }),
  },
);
type Command = typeof command extends fc.Arbitrary<infer C> ? C : never;

interface World {
  people: { personId: string; caseId: string; track: Track }[];
  operations: string[];
}

async function post(url: string, role: Role, payload: Record<string, unknown>) {
  return t.app.inject({ method: "POST", url, headers: await t.as(role, partyOf(role)), payload });
}

/** A treaty case with surrender scheduled (a firm grant), its dates in the past. */
async function scheduledTreatyCase() {
  const c = await buildCase(t, { track: "treaty" });
  for (const [role, name, ago] of [
    ["foreign-ministry", "request-provisional-arrest", 210],
    ["judge", "detain-provisionally", 200],
    ["foreign-ministry", "receive-formal-request", 150],
    ["judge", "open-hearing", 140],
    ["judge", "close-hearing", 120],
    ["judge", "issue-judicial-opinion", 115],
    ["foreign-ministry", "grant-extradition", 100],
    ["foreign-ministry", "close-amparo-window", 50],
    ["foreign-ministry", "schedule-surrender", 5],
  ] as const) {
    const res = await transition(t, c.id, role, { transition: name, occurredAt: daysAgo(ago) });
    if (res.statusCode !== 201) throw new Error(`${name}: ${res.body}`);
  }
  return { personId: c.personId, caseId: c.id, track: "treaty" as const };
}

/** Forward steps are taken far more often than the ones that end a case early. */
const endsEarly = (name: string) => /^(withdraw|reject|defer|lapse|refuse)/.test(name);

async function run(world: World, cmd: Command, checked: (label: string) => Promise<void>): Promise<number> {
  const person = "who" in cmd ? world.people[cmd.who % world.people.length]! : undefined;
  const opId =
    "op" in cmd && world.operations.length ? world.operations[cmd.op % world.operations.length]! : undefined;
  switch (cmd.kind) {
    case "step": {
      const [row] = await t.database.db.select().from(cases).where(eq(cases.id, person!.caseId));
      const all = availableTransitions(row!.track as Track, row!.state as CaseState);
      const forward = all.filter((x) => !endsEarly(x.name));
      const here = cmd.pick % 10 === 0 || forward.length === 0 ? all : forward;
      const def = cmd.sensible && here.length ? here[cmd.pick % here.length]! : undefined;
      const name = def?.name ?? allNames[cmd.pick % allNames.length]!;
      const role = def ? def.by[cmd.pick % def.by.length]! : cmd.role;
      const res = await transition(
        t,
        person!.caseId,
        role,
        {
          transition: name,
          occurredAt: daysAgo(cmd.daysBack),
          ...(def?.operation === "join" && opId ? { operationId: opId } : {}),
        },
        {},
        partyOf(role),
      );
      return res.statusCode;
    }
    case "create-operation": {
      const op = await buildOperation(t, {
        people: [{ personId: person!.personId, caseId: person!.caseId }],
        operationDate: cmd.tomorrow ? addDays(today(), 1) : today(),
      }).catch(() => null);
      if (op) world.operations.push(op.id);
      return op ? 201 : 422;
    }
    case "add-person":
      if (!opId) return 0;
      return (
        await post(`/api/operations/${opId}/people`, "operations-planner", {
          personId: person!.personId,
          caseId: person!.caseId,
          destinationAirport: cmd.who % 2 ? "IAD" : "JFK",
          timeLimitMs: 200,
        })
      ).statusCode;
    case "remove-person":
      if (!opId) return 0;
      return (
        await t.app.inject({
          method: "DELETE",
          url: `/api/operations/${opId}/people/${person!.personId}`,
          headers: await t.as("operations-planner"),
          payload: { reason: "random removal", timeLimitMs: 200 },
        })
      ).statusCode;
    case "plan-and-adopt": {
      if (!opId) return 0;
      const planned = await post(`/api/operations/${opId}/plan`, "operations-planner", { timeLimitMs: 200 });
      if (!cmd.adopt || planned.statusCode !== 201) return planned.statusCode;
      return (await post(`/api/operations/${opId}/plan/adopt`, "operations-planner", {})).statusCode;
    }
    case "assign": {
      if (!opId) return 0;
      return (
        await transition(t, person!.caseId, "operations-planner", {
          transition: "assign-to-operation",
          operationId: opId,
        })
      ).statusCode;
    }
    case "status":
      if (!opId) return 0;
      return (await post(`/api/operations/${opId}/status`, cmd.role, { status: cmd.status })).statusCode;
    case "handover": {
      if (!opId) return 0;
      const [listing] = await t.database.db
        .select()
        .from(operationPeople)
        .where(and(eq(operationPeople.operationId, opId), eq(operationPeople.personId, person!.personId)));
      const place = cmd.rightPlace ? (listing?.destinationAirport ?? "IAD") : "SAN";
      return (
        await post("/api/handovers", "custody-officer", {
          operationId: opId,
          personId: person!.personId,
          place,
          occurredAt: daysAgo(cmd.daysBack),
          dispatchingOfficer: "Escort",
          dispatchingAgency: "SSPC",
          receivingOfficer: "Marshal",
          receivingAgency: "US Marshals Service",
          condition: "Good",
        })
      ).statusCode;
    }
    case "fly": {
      if (!opId) return 0;
      let last = 0;
      const stage = async (label: string, call: () => Promise<number>) => {
        last = await call();
        await checked(`fly ${label} → ${last}`);
      };
      await stage(
        "plan",
        async () =>
          (await post(`/api/operations/${opId}/plan`, "operations-planner", { timeLimitMs: 200 })).statusCode,
      );
      await stage(
        "adopt",
        async () => (await post(`/api/operations/${opId}/plan/adopt`, "operations-planner", {})).statusCode,
      );
      const listed = await t.database.db
        .select()
        .from(operationPeople)
        .where(and(eq(operationPeople.operationId, opId), isNull(operationPeople.removedAt)));
      for (const l of listed)
        await stage("assign", async () =>
          l.caseId
            ? (
                await transition(t, l.caseId, "operations-planner", {
                  transition: "assign-to-operation",
                  operationId: opId,
                })
              ).statusCode
            : 0,
        );
      if (cmd.stopAfter < 1) return last;
      await stage(
        "ready",
        async () =>
          (await post(`/api/operations/${opId}/status`, "operations-planner", { status: "ready" }))
            .statusCode,
      );
      if (cmd.stopAfter < 2) return last;
      await stage(
        "in-transit",
        async () =>
          (await post(`/api/operations/${opId}/status`, "custody-officer", { status: "in-transit" }))
            .statusCode,
      );
      for (const [k, l] of listed.entries()) {
        if (cmd.stopAfter < 3 + k) return last;
        await stage(
          "handover",
          async () =>
            (
              await post("/api/handovers", "custody-officer", {
                operationId: opId,
                personId: l.personId,
                place: l.destinationAirport,
                occurredAt: today(),
                dispatchingOfficer: "Escort",
                dispatchingAgency: "SSPC",
                receivingOfficer: "Marshal",
                receivingAgency: "US Marshals Service",
                condition: "Good",
              })
            ).statusCode,
        );
      }
      await stage(
        "completed",
        async () =>
          (await post(`/api/operations/${opId}/status`, "operations-planner", { status: "completed" }))
            .statusCode,
      );
      return last;
    }
    case "open-case": {
      const [request] = await t.database.db.select().from(cases).where(eq(cases.id, person!.caseId));
      const res = await post("/api/cases", "foreign-ministry", {
        track: person!.track,
        personId: person!.personId,
        ...(request?.requestId ? { requestId: request.requestId } : {}),
        ...(cmd.confirm ? { duplicateReason: "a further request" } : {}),
      });
      if (res.statusCode === 201) world.people.push({ ...person!, caseId: res.json().id });
      return res.statusCode;
    }
  }
}

/** The invariants, over the whole record. */
async function check(after: string) {
  const db = t.database.db;
  const sent = [...sentStates];
  const stats = (await t.app.inject({ url: "/api/stats", headers: await t.as("auditor") })).json();
  const handed = await db
    .select({ handover: handovers, caseState: cases.state, caseOperationId: cases.operationId })
    .from(handovers)
    .leftJoin(cases, eq(cases.id, handovers.caseId));
  const counted = handed.filter((h) => h.caseState && sentStates.has(h.caseState as CaseState));
  // People, each once (a person handed over on two cases counts once), and every handover.
  expect(stats.total, `${after}: total`).toBe(new Set(counted.map((h) => h.handover.personId)).size);
  expect(stats.handovers, `${after}: handovers`).toBe(counted.length);
  expect(stats.primaryOrganisations.reduce((s: number, r: { people: number }) => s + r.people, 0)).toBe(
    stats.total,
  );
  for (const h of handed) {
    expect(sent, `${after}: handover ${h.handover.id}'s case is at its last step`).toContain(h.caseState);
    expect(h.caseOperationId, `${after}: handover's case is on its operation`).toBe(h.handover.operationId);
  }

  const ops = await db.select().from(operations);
  const onBoard = await db
    .select({ id: cases.id, state: cases.state, operationId: cases.operationId, personId: cases.personId })
    .from(cases)
    .where(inArray(cases.operationId, ops.map((o) => o.id).concat(["00000000-0000-0000-0000-000000000000"])));
  const listings = await db.select().from(operationPeople).where(isNull(operationPeople.removedAt));
  for (const op of ops) {
    const mine = onBoard.filter((c) => c.operationId === op.id);
    for (const c of mine) {
      // On board means listed, and a case state that is on board or past it.
      expect(
        listings.some((l) => l.operationId === op.id && l.personId === c.personId),
        `${after}: ${c.id} listed`,
      ).toBe(true);
      expect(
        boardedStates.has(c.state as CaseState) || sentStates.has(c.state as CaseState),
        `${after}: ${op.code} (${op.status}) carries case ${c.id} at ${c.state}`,
      ).toBe(true);
    }
    if (op.status === "cancelled")
      expect(mine, `${after}: cancelled ${op.code} has no one on board`).toEqual([]);
    if (op.status === "completed") {
      const handedHere = new Set(
        handed.filter((h) => h.handover.operationId === op.id).map((h) => h.handover.personId),
      );
      for (const c of mine) expect(sent, `${after}: completed ${op.code}`).toContain(c.state);
      for (const l of listings.filter((x) => x.operationId === op.id))
        expect(handedHere.has(l.personId), `${after}: completed ${op.code} handed ${l.personId} over`).toBe(
          true,
        );
    }
    if (op.status === "ready" || op.status === "in-transit") {
      for (const l of listings.filter((x) => x.operationId === op.id)) {
        expect(
          mine.some((c) => c.personId === l.personId),
          `${after}: ${op.status} ${op.code} has ${l.personId} on board`,
        ).toBe(true);
      }
    }
  }

  const steps = await db.select().from(caseTransitions);
  const decided = await db.select().from(decisions);
  const recording = new Set(transitions.filter((x) => x.records).map((x) => `${x.track}:${x.name}`));
  const trackOf = new Map(
    (await db.select({ id: cases.id, track: cases.track }).from(cases)).map((c) => [c.id, c.track]),
  );
  for (const d of decided) {
    const step = steps.find((s) => s.id === d.transitionId);
    expect(step, `${after}: decision ${d.id} has its step`).toBeDefined();
    expect(step?.caseId).toBe(d.caseId);
  }
  for (const s of steps.filter((x) => recording.has(`${trackOf.get(x.caseId)}:${x.transition}`)))
    expect(
      decided.filter((d) => d.transitionId === s.id),
      `${after}: step ${s.transition} has its decision`,
    ).toHaveLength(1);

  const report = await verifyAudit(db);
  expect(report.ok, `${after}: audit verify ${JSON.stringify(report).slice(0, 300)}`).toBe(true);
}

describe("random sequences of API calls (property)", () => {
  it("keep the record whole after every call", async () => {
    const outcomes = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 20, maxLength: 40 }), async (commands) => {
        // Four people: two ready for transfer, one whose request has just arrived, and a treaty case with its
        // surrender scheduled; and an operation of today listing three of them.
        const world: World = { people: [], operations: [] };
        for (let i = 0; i < 3; i++) {
          const c = await buildCase(t);
          if (i < 2) await walkToReady(t, c.id);
          world.people.push({ personId: c.personId, caseId: c.id, track: "security" });
        }
        world.people.push(await scheduledTreatyCase());
        const first = await buildOperation(t, {
          people: [0, 1, 3].map((i) => ({
            personId: world.people[i]!.personId,
            caseId: world.people[i]!.caseId,
          })),
          operationDate: today(),
        });
        world.operations.push(first.id);
        for (const [n, cmd] of commands.entries()) {
          const code = await run(world, cmd, async (label) => {
            const key = label.replace(/^fly /, "fly:").replace(/ → /, " ");
            outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
            await check(`call ${n + 1}: ${label}`);
          });
          const key = `${cmd.kind} ${code}`;
          outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
          await check(`call ${n + 1} (${cmd.kind} → ${code})`);
        }
      }),
      { numRuns: 6, seed: 20260120, endOnFailure: true },
    );
    // The runs reach the far end of the flow, not only refusals.
    const seen = [...outcomes.keys()];
    for (const wanted of [
      "fly:handover 201",
      "fly:in-transit 200",
      "fly:completed 200",
      "fly:assign 201",
      "step 201",
    ])
      expect(seen, `outcomes: ${JSON.stringify([...outcomes])}`).toContain(wanted);
  }, 300_000);
});
