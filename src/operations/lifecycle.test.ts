import { describe, expect, it } from "vitest";
import type { Role } from "../auth/roles.ts";
import {
  decideAdoption,
  decideHandover,
  decideListChange,
  decideMove,
  type ListedPerson,
  type OperationFacts,
  type OperationStatus,
  operationMoves,
  operationStatuses,
} from "./lifecycle.ts";

const at = (iso: string) => new Date(iso.length === 10 ? `${iso}T12:00:00Z` : iso);

function person(
  id: string,
  over: Partial<ListedPerson> & { state?: string; on?: string | null } = {},
): ListedPerson {
  const { state = "assigned-to-operation", on = "op", ...rest } = over;
  return {
    personId: id,
    name: `Person ${id}`,
    caseId: `case-${id}`,
    removed: false,
    case: { id: `case-${id}`, track: "security", state: state as never, operationId: on },
    handedOver: false,
    handedOverAt: null,
    ...rest,
  };
}

function op(over: Partial<OperationFacts> = {}): OperationFacts {
  return {
    id: "op",
    code: "OP-1",
    status: "planned",
    operationDate: "2026-01-20",
    departedAt: null,
    people: [person("a"), person("b")],
    adoptedPlan: { id: "plan-1", assignment: { a: "fam-1", b: "fam-2" }, violations: [] },
    ...over,
  };
}

const move = (
  facts: OperationFacts,
  to: OperationStatus,
  role: Role = "operations-planner",
  when = "2026-01-20",
) => decideMove(facts, { to, role, occurredAt: at(when) }, { now: at("2026-01-21") });

function refused(d: { ok: boolean; code?: string }, code: string) {
  expect(d.ok).toBe(false);
  expect((d as { code: string }).code).toBe(code);
  return d as { ok: false; code: string; message: string; details?: Record<string, unknown> };
}

describe("the operation's moves", () => {
  it("follow the table: planning reaches planned only by adopting a plan, cancelled only before it flies", () => {
    expect(operationStatuses).toEqual([
      "planning",
      "planned",
      "ready",
      "in-transit",
      "completed",
      "cancelled",
    ]);
    const from = (s: OperationStatus) => operationMoves.filter((m) => m.from.includes(s)).map((m) => m.to);
    expect(from("planning")).toEqual(["cancelled"]);
    expect(from("planned")).toEqual(["ready", "cancelled"]);
    expect(from("ready")).toEqual(["planned", "in-transit", "cancelled"]);
    expect(from("in-transit")).toEqual(["completed"]);
    expect(from("completed")).toEqual([]);
    expect(from("cancelled")).toEqual([]);
    const d = refused(move(op({ status: "planning" }), "planned"), "TRANSITION_NOT_ALLOWED");
    expect(d.message).toContain("plan/adopt");
    refused(move(op({ status: "in-transit" }), "cancelled"), "TRANSITION_NOT_ALLOWED");
  });

  it("check the role: a custody officer departs, only a planner makes ready or cancels", () => {
    expect(move(op({ status: "ready" }), "in-transit", "custody-officer").ok).toBe(true);
    for (const role of ["receiving-officer", "auditor", "decision-authority", "request-officer"] as Role[]) {
      refused(move(op({ status: "ready" }), "in-transit", role), "ACTOR_NOT_PERMITTED");
      refused(move(op(), "ready", role), "ACTOR_NOT_PERMITTED");
    }
    refused(move(op(), "ready", "custody-officer"), "ACTOR_NOT_PERMITTED");
  });

  it("ready: every listed person on board, seated by the adopted plan, no rule broken — each gap named", () => {
    expect(move(op(), "ready").ok).toBe(true);
    const candidate = op({ people: [person("a"), person("b", { state: "transfer-requested", on: null })] });
    const d = refused(move(candidate, "ready"), "OPERATION_NOT_READY");
    expect(d.message).toContain("Person b");
    expect(d.details?.notOnBoard).toEqual([{ personId: "b", caseState: "transfer-requested" }]);
    // A removed person does not hold it back.
    expect(move(op({ people: [person("a"), person("b", { removed: true, on: null })] }), "ready").ok).toBe(
      true,
    );
    refused(move(op({ adoptedPlan: null }), "ready"), "OPERATION_NOT_READY");
    const unseated = refused(
      move(op({ adoptedPlan: { id: "p", assignment: { a: "fam-1" }, violations: [] } }), "ready"),
      "OPERATION_NOT_READY",
    );
    expect(unseated.details?.notSeated).toEqual(["b"]);
    const rivals = refused(
      move(
        op({
          adoptedPlan: {
            id: "p",
            assignment: { a: "fam-1", b: "fam-1" },
            violations: [{ rule: "rivals", message: "Sinaloa and CJNG are rivals, and both are on fam-1" }],
          },
        }),
        "ready",
      ),
      "OPERATION_NOT_READY",
    );
    expect(rivals.message).toContain("rivals");
    // No one listed (everyone removed): nothing to fly, not ready.
    const empty = refused(
      move(
        op({
          people: [person("a", { removed: true, on: null })],
          adoptedPlan: { id: "p", assignment: {}, violations: [] },
        }),
        "ready",
      ),
      "OPERATION_NOT_READY",
    );
    expect(empty.message).toContain("no one is listed");
  });

  it("in transit: not before the operation date; every case on board departs with it", () => {
    const ready = op({ status: "ready" });
    const early = refused(move(ready, "in-transit", "operations-planner", "2026-01-19"), "VALIDATION_FAILED");
    expect(early.message).toContain("2026-01-20");
    expect(early.details?.issues).toEqual([
      { field: "occurredAt", rule: "not before the operation date 2026-01-20" },
    ]);
    const ok = move(ready, "in-transit");
    if (!ok.ok) throw new Error(ok.message);
    expect(ok.caseSteps).toEqual([
      { caseId: "case-a", personId: "a", transition: "start-transit" },
      { caseId: "case-b", personId: "b", transition: "start-transit" },
    ]);
    expect(ok.departedAt).toEqual(at("2026-01-20"));
    refused(
      decideMove(
        ready,
        { to: "in-transit", role: "operations-planner", occurredAt: at("2026-01-25") },
        { now: at("2026-01-21") },
      ),
      "VALIDATION_FAILED",
    );
    // Later the same day is still to come too: by the clock, not by the day.
    const later = refused(
      decideMove(
        ready,
        { to: "in-transit", role: "operations-planner", occurredAt: at("2026-01-21T15:00:00Z") },
        { now: at("2026-01-21T12:00:00Z") },
      ),
      "VALIDATION_FAILED",
    );
    expect(later.details?.issues).toEqual([
      { field: "occurredAt", rule: "not in the future (now 2026-01-21T12:00Z)" },
    ]);
  });

  it("completed: every person on board handed over, not before the last handover", () => {
    const flying = op({
      status: "in-transit",
      departedAt: at("2026-01-20T12:00:00Z"),
      people: [
        person("a", { state: "handed-over", handedOver: true, handedOverAt: at("2026-01-20T19:00:00Z") }),
        person("b", { state: "in-transit" }),
      ],
    });
    const d = refused(move(flying, "completed", "operations-planner", "2026-01-21"), "OPERATION_NOT_READY");
    expect(d.details?.notHandedOver).toEqual(["b"]);
    const done = op({
      ...flying,
      people: flying.people.map((p) => ({
        ...p,
        handedOver: true,
        handedOverAt: at("2026-01-21T10:00:00Z"),
        case: { ...p.case!, state: "handed-over" as never },
      })),
    });
    refused(move(done, "completed", "operations-planner", "2026-01-20"), "VALIDATION_FAILED");
    expect(move(done, "completed", "operations-planner", "2026-01-21").ok).toBe(true);
    // The same day, an hour before the last handover: refused by the time, naming it.
    const early = refused(
      move(done, "completed", "operations-planner", "2026-01-21T09:00:00Z"),
      "VALIDATION_FAILED",
    );
    expect(early.details?.issues).toEqual([
      { field: "occurredAt", rule: "not before its last handover or its departure, at 2026-01-21T10:00Z" },
    ]);
    // Given as a day, it is compared by the day: the day of the last handover is accepted.
    expect(move(done, "completed", "operations-planner", "2026-01-21T00:00:00Z").ok).toBe(true);
  });

  it("cancelled: every case on board returns with remove-from-operation; candidates are left as they are", () => {
    const d = move(
      op({ people: [person("a"), person("b", { state: "ready-for-transfer", on: null })] }),
      "cancelled",
    );
    if (!d.ok) throw new Error(d.message);
    expect(d.caseSteps).toEqual([{ caseId: "case-a", personId: "a", transition: "remove-from-operation" }]);
  });
});

describe("people and plans", () => {
  it("the list changes until the operation flies, and the operation goes back to planning", () => {
    for (const status of ["planning", "planned", "ready"] as const) {
      expect(decideListChange(op({ status }), { role: "operations-planner", change: "add" })).toEqual({
        ok: true,
        to: "planning",
      });
    }
    for (const status of ["in-transit", "completed", "cancelled"] as const)
      refused(
        decideListChange(op({ status }), { role: "operations-planner", change: "remove" }),
        "OPERATION_UNDER_WAY",
      );
    refused(decideListChange(op(), { role: "custody-officer", change: "add" }), "ACTOR_NOT_PERMITTED");
  });

  it("a plan is adopted only for the people listed now, seating them all, breaking no rule", () => {
    const plan = {
      id: "p2",
      status: "draft",
      people: ["a", "b"],
      assignment: { a: "f1", b: "f2" },
      violations: [],
    };
    expect(decideAdoption(op({ status: "planning" }), { role: "operations-planner", plan })).toEqual({
      ok: true,
      to: "planned",
    });
    refused(
      decideAdoption(op(), { role: "operations-planner", plan: { ...plan, people: ["a"] } }),
      "VERSION_CONFLICT",
    );
    refused(
      decideAdoption(op(), { role: "operations-planner", plan: { ...plan, assignment: { a: "f1" } } }),
      "OPERATION_NOT_READY",
    );
    refused(
      decideAdoption(op(), {
        role: "operations-planner",
        plan: { ...plan, violations: [{ rule: "capacity", message: "f1 needs 12 seats but has 8" }] },
      }),
      "OPERATION_NOT_READY",
    );
    refused(
      decideAdoption(op({ status: "ready" }), { role: "operations-planner", plan }),
      "OPERATION_UNDER_WAY",
    );
  });
});

describe("a handover", () => {
  const flying = op({
    status: "in-transit",
    departedAt: at("2026-01-20T12:00:00Z"),
    people: [person("a", { state: "in-transit" })],
  });
  const hand = (
    facts: OperationFacts,
    over: Partial<{ personId: string; place: string; occurredAt: Date }> = {},
  ) =>
    decideHandover(
      facts,
      {
        personId: "a",
        place: "IAD",
        occurredAt: at("2026-01-20T19:00:00Z"),
        route: ["TLC", "IAD", "JFK"],
        ...over,
      },
      at("2026-01-20T20:00:00Z"),
    );

  it("takes the case's last step for a person on board an operation in transit, at a stop of their aircraft", () => {
    expect(hand(flying)).toEqual({ ok: true, caseId: "case-a", transition: "hand-over" });
    const treaty = op({
      ...flying,
      people: [
        {
          ...person("a"),
          case: { id: "case-a", track: "treaty", state: "surrender-in-transit", operationId: "op" },
        },
      ],
    });
    expect(hand(treaty)).toEqual({ ok: true, caseId: "case-a", transition: "surrender" });
  });

  it("is refused before the operation flies, for someone not on board, at a place not on the route, or too early", () => {
    refused(hand(op({ ...flying, status: "ready" })), "TRANSITION_NOT_ALLOWED");
    refused(hand(flying, { personId: "zz" }), "HANDOVER_REFUSED");
    refused(hand(op({ ...flying, people: [person("a", { removed: true })] })), "HANDOVER_REFUSED");
    const place = refused(hand(flying, { place: "SAN" }), "HANDOVER_REFUSED");
    expect(place.details?.issues).toEqual([
      { field: "place", rule: "must be a stop of the person's aircraft: IAD, JFK" },
    ]);
    const early = refused(hand(flying, { occurredAt: at("2026-01-19T23:00:00Z") }), "VALIDATION_FAILED");
    expect(early.details?.issues).toEqual([
      { field: "occurredAt", rule: "not before the operation date 2026-01-20" },
    ]);
    // An hour after the clock (20:00): not yet happened. Five minutes ahead: another clock's skew, accepted.
    const ahead = refused(hand(flying, { occurredAt: at("2026-01-20T21:00:00Z") }), "VALIDATION_FAILED");
    expect(ahead.details?.issues).toEqual([
      { field: "occurredAt", rule: "not in the future (now 2026-01-20T20:00Z)" },
    ]);
    expect(hand(flying, { occurredAt: at("2026-01-20T20:04:00Z") }).ok).toBe(true);
    // The day it departed (12:00), but at 11:30: before the departure. Given as that day: accepted.
    const beforeDeparture = refused(
      hand(flying, { occurredAt: at("2026-01-20T11:30:00Z") }),
      "VALIDATION_FAILED",
    );
    expect(beforeDeparture.details?.issues).toEqual([
      { field: "occurredAt", rule: "not before the departure at 2026-01-20T12:00Z" },
    ]);
    expect(hand(flying, { occurredAt: new Date("2026-01-20") }).ok).toBe(true);
    // Both wrong: the place makes it a refusal, and the date's issue is named beside it.
    const both = refused(
      hand(flying, { place: "SAN", occurredAt: at("2026-01-19T23:00:00Z") }),
      "HANDOVER_REFUSED",
    );
    expect(both.details?.issues).toEqual([
      { field: "place", rule: "must be a stop of the person's aircraft: IAD, JFK" },
      { field: "occurredAt", rule: "not before the operation date 2026-01-20" },
    ]);
    refused(
      hand(op({ ...flying, people: [person("a", { state: "in-transit", handedOver: true })] })),
      "DUPLICATE",
    );
  });
});
