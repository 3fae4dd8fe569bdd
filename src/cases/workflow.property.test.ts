/**
 * Property-based tests of the state machines (issue 2, "How it is checked"): random sequences of
 * attempted transitions — random names, random actors and roles, random facts that change between
 * attempts, random dates and policies — never reach a state the table forbids.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Role } from "../auth/roles.ts";
import { roles } from "../auth/roles.ts";
import { addDays } from "./calendar.ts";
import type { CaseFacts, CaseState, Decision, Policy, Track, TransitionInput } from "./workflow.ts";
import {
  availableTransitions,
  decide,
  initialState,
  isTerminal,
  stateDefs,
  trackOf,
  transitions,
  usMexico1978,
} from "./workflow.ts";

const offenceKeys = ["21 USC 848", "21 USC 963", "18 USC 1956"];
const allNames = [...new Set(transitions.map((t) => t.name))];

const holdArb = fc.record({
  id: fc.constantFrom("h1", "h2", "h3"),
  kind: fc.constantFrom("amparo", "criminal-proceeding"),
  blocksSurrender: fc.boolean(),
  status: fc.constantFrom("active" as const, "lifted" as const, "bypassed" as const),
});

const baseFactsArb = fc.record({
  holds: fc.uniqueArray(holdArb, { maxLength: 3, selector: (h) => h.id }),
  charges: fc.uniqueArray(
    fc.record({
      id: fc.constantFrom("c1", "c2", "c3"),
      capitalEligible: fc.boolean(),
      offenceKey: fc.constantFrom(...offenceKeys),
    }),
    { maxLength: 3, selector: (c) => c.id },
  ),
  assurances: fc.array(
    fc.record({
      id: fc.constantFrom("a1", "a2"),
      kind: fc.constantFrom("no-death-penalty" as const, "specialty" as const, "other" as const),
      status: fc.constantFrom("requested" as const, "given" as const, "withdrawn" as const),
    }),
    { maxLength: 2 },
  ),
  operationId: fc.option(fc.constant("op-1"), { nil: null }),
  operation: fc.option(
    fc.record({
      id: fc.constant("op-1"),
      code: fc.constant("OP-1"),
      status: fc.constantFrom("planning", "planned", "ready", "in-transit", "completed", "cancelled"),
      listsPerson: fc.boolean(),
    }),
    { nil: null },
  ),
  barredOffences: fc.subarray(offenceKeys, { maxLength: 1 }),
});

const policyArb: fc.Arbitrary<Policy> = fc.record({
  deathPenaltyAssurance: fc.constantFrom("block" as const, "record-risk" as const),
  amparoWindow: fc.constantFrom("ley-de-amparo" as const, "lei" as const),
});

/** What changes in the world between two attempts. */
const worldChangeArb = fc.constantFrom(
  "none",
  "none",
  "none",
  "new-blocking-hold",
  "lift-holds",
  "give-assurance",
  "withdraw-assurances",
  "assign-operation",
  "clear-operation",
  "operation-moves-on",
  "operation-back-to-planning",
);

const attemptArb = fc.record({
  /** How the transition name is chosen: one available now (biased to progress), any in the table, or made up. */
  nameMode: fc.constantFrom("forward", "forward", "available", "any", "made-up"),
  pick: fc.nat(),
  madeUp: fc.string({ maxLength: 12 }),
  /** The actor's role: one the table allows, or any role at all. */
  roleMode: fc.constantFrom("allowed", "allowed", "allowed", "any"),
  anyRole: fc.constantFrom(...roles),
  daysLater: fc.oneof(
    { arbitrary: fc.integer({ min: 0, max: 5 }), weight: 4 },
    { arbitrary: fc.integer({ min: 0, max: 75 }), weight: 1 },
  ),
  nowLag: fc.integer({ min: 0, max: 3 }),
  legalBasis: fc.constantFrom("Treaty art. 14", "LSN art. 5", "LEI art. 30", "LSN art. 5 fr. III", "", " "),
  bypass: fc.oneof(
    { arbitrary: fc.constant(undefined), weight: 4 },
    {
      arbitrary: fc.record({
        holdIds: fc.subarray(["h1", "h2", "h3", "h4", "late-1", "late-2"]),
        legalBasis: fc.constantFrom("LSN art. 5 fr. III", "LSN art. 5 fr. III", ""),
      }),
      weight: 1,
    },
  ),
  change: worldChangeArb,
  /** Whether the step comes as part of the act its table row names (an operation's move, a handover). */
  viaAct: fc.boolean(),
  /** Whether a joining step names its operation. */
  namesOperation: fc.constantFrom(true, true, true, false),
});

function applyChange(f: CaseFacts, change: string, n: number): CaseFacts {
  switch (change) {
    case "new-blocking-hold":
      return {
        ...f,
        holds: [...f.holds, { id: `late-${n}`, kind: "amparo", blocksSurrender: true, status: "active" }],
      };
    case "lift-holds":
      return { ...f, holds: f.holds.map((h) => ({ ...h, status: "lifted" as const })) };
    case "give-assurance":
      return {
        ...f,
        assurances: [...f.assurances, { id: `a-${n}`, kind: "no-death-penalty", status: "given" }],
      };
    case "withdraw-assurances":
      return { ...f, assurances: f.assurances.map((a) => ({ ...a, status: "withdrawn" as const })) };
    case "assign-operation":
      return { ...f, operationId: "op-2" };
    case "clear-operation":
      return { ...f, operationId: null };
    case "operation-moves-on":
      return f.operation ? { ...f, operation: { ...f.operation, status: "ready" } } : f;
    case "operation-back-to-planning":
      return f.operation ? { ...f, operation: { ...f.operation, status: "planning" } } : f;
    default:
      return f;
  }
}

/** Everything a successful decision must satisfy, checked against the table and the facts it was taken on. */
function checkSuccess(d: Extract<Decision, { ok: true }>, f: CaseFacts, i: TransitionInput, policy: Policy) {
  const def = transitions.find((t) => t.track === f.track && t.name === i.transition);
  expect(def, `${i.transition} is in the ${f.track} table`).toBeDefined();
  if (!def) return;
  expect(d.transition).toBe(def);
  expect(d.from).toBe(f.state);
  expect(def.from).toContain(f.state);
  expect(d.to).toBe(def.to);
  expect(def.by).toContain(i.actor.role);
  expect(isTerminal(f.state)).toBe(false);
  expect(trackOf(d.to)).toBe(f.track);
  expect(i.legalBasis.trim()).not.toBe("");
  expect(d.startDeadlines.map((x) => x.kind)).toEqual([...def.starts]);
  expect(d.stopDeadlines).toEqual([...def.stops]);

  const blocking = f.holds.filter((h) => h.status === "active" && h.blocksSurrender);
  if (def.guards.includes("no-blocking-hold")) {
    for (const h of blocking) expect(d.bypassedHoldIds).toContain(h.id);
    if (blocking.length > 0) expect(i.bypass?.legalBasis.trim()).toBeTruthy();
  } else {
    expect(d.bypassedHoldIds).toEqual([]);
    expect(i.bypass).toBeUndefined();
  }
  const unassured =
    f.charges.some((c) => c.capitalEligible) &&
    !f.assurances.some((a) => a.kind === "no-death-penalty" && a.status === "given");
  if (def.guards.includes("death-penalty-assurance") && unassured) {
    expect(policy.deathPenaltyAssurance).toBe("record-risk");
    expect(d.openRisks.map((r) => r.code)).toEqual(["ASSURANCE_MISSING"]);
  } else {
    expect(d.openRisks).toEqual([]);
  }
  if (def.guards.includes("operation-assigned")) expect(f.operationId).toBeTruthy();
  if (def.via) expect(i.via).toBe(def.via);
  if (def.operation === "join") {
    expect(d.operationId).toBe(i.operationId);
    expect(f.operation).toMatchObject({ id: i.operationId, listsPerson: true });
    expect(["planning", "planned"]).toContain(f.operation?.status);
  } else if (def.operation === "leave") {
    expect(d.operationId).toBeNull();
    if (f.operation && !i.via) expect(["planning", "planned"]).toContain(f.operation.status);
  } else {
    expect(d.operationId).toBe(f.operationId);
  }
  if (def.guards.includes("not-barred")) {
    for (const c of f.charges) expect(f.barredOffences).not.toContain(c.offenceKey);
  }
}

describe("random sequences of attempted transitions (property)", () => {
  it("never reach a state the table forbids", () => {
    const seen = { states: new Set<string>(), codes: new Set<string>(), ok: 0, refused: 0 };
    fc.assert(
      fc.property(
        fc.constantFrom<Track>("treaty", "security"),
        baseFactsArb,
        policyArb,
        fc.array(attemptArb, { minLength: 1, maxLength: 60, size: "max" }),
        (track, base, policy, attempts) => {
          let f: CaseFacts = { ...base, track, state: initialState(track), deadlines: [] };
          let cursor = "2026-01-01";
          let n = 0;
          for (const a of attempts) {
            n += 1;
            const all = availableTransitions(track, f.state);
            // "forward" leaves withdrawal out, so that runs go deep instead of ending early.
            const forward = all.filter((t) => !t.name.startsWith("withdraw"));
            const here = a.nameMode === "forward" && forward.length > 0 ? forward : all;
            const name =
              a.nameMode !== "any" && a.nameMode !== "made-up" && here.length > 0
                ? here[a.pick % here.length]!.name
                : a.nameMode === "made-up"
                  ? a.madeUp
                  : allNames[a.pick % allNames.length]!;
            const def = transitions.find((t) => t.track === track && t.name === name);
            const role: Role = a.roleMode === "allowed" && def ? def.by[a.pick % def.by.length]! : a.anyRole;
            const occurredOn = addDays(cursor, a.daysLater);
            const input: TransitionInput = {
              transition: name,
              actor: { id: "x", name: "x", party: "MX", role },
              occurredAt: new Date(`${occurredOn}T15:00:00Z`),
              legalBasis: a.legalBasis,
              reasons: "property test",
              ...(a.bypass ? { bypass: a.bypass } : {}),
              ...(a.viaAct && def?.via ? { via: def.via } : {}),
              ...(def?.operation === "join" && a.namesOperation ? { operationId: "op-1" } : {}),
            };
            const now = new Date(`${addDays(occurredOn, a.nowLag)}T18:00:00Z`);
            const before = structuredClone(f);
            const d = decide(f, input, { now, policy, params: usMexico1978 });
            expect(f).toEqual(before); // never mutates

            if (d.ok) {
              seen.ok += 1;
              seen.states.add(d.to);
              checkSuccess(d, f, input, policy);
              cursor = occurredOn;
              f = {
                ...f,
                state: d.to,
                operationId: d.operationId,
                deadlines: [
                  ...f.deadlines.filter((x) => !d.stopDeadlines.includes(x.kind)),
                  ...d.startDeadlines,
                ],
                holds: f.holds.map((h) =>
                  d.bypassedHoldIds.includes(h.id) ? { ...h, status: "bypassed" as const } : h,
                ),
                barredOffences: [...new Set([...f.barredOffences, ...d.barOffences])],
              };
            } else {
              seen.refused += 1;
              seen.codes.add(d.code);
              expect(d.message).not.toBe("");
              if (isTerminal(f.state) && def) expect(d.code).toBe("TRANSITION_NOT_ALLOWED");
              if (
                ["admin", "auditor", "communications"].includes(role) &&
                def?.from.includes(f.state) &&
                (!def.via || input.via === def.via)
              ) {
                expect(d.code).toBe("ACTOR_NOT_PERMITTED");
              }
            }
            expect(stateDefs.some((s) => s.name === f.state && s.track === track)).toBe(true);
            f = applyChange(f, a.change, n);
          }
        },
      ),
      // A fixed seed: the coverage checks below must not depend on the luck of one CI run (with a random
      // seed, DEADLINE_LAPSED went unseen about once in a few dozen runs).
      { numRuns: 1500, seed: 20261128 },
    );
    // The runs exercise the machine and its guards, not only refusals.
    expect(seen.ok).toBeGreaterThan(2000);
    expect(seen.states.size).toBeGreaterThan(20);
    for (const code of [
      "TRANSITION_NOT_ALLOWED",
      "ACTOR_NOT_PERMITTED",
      "VALIDATION_FAILED",
      "LEGAL_HOLD",
      "ASSURANCE_MISSING",
      "SURRENDER_BARRED",
      "DEADLINE_LAPSED",
      "DEADLINE_NOT_LAPSED",
      "OPERATION_MISSING",
      "OPERATION_UNDER_WAY",
    ]) {
      expect(seen.codes).toContain(code);
    }
  });

  it("reach every state of both tracks somewhere in the random runs (the generator explores the machine)", () => {
    const visited = new Set<CaseState>();
    fc.assert(
      fc.property(
        fc.constantFrom<Track>("treaty", "security"),
        fc.array(
          fc.record({
            pick: fc.nat(),
            wait: fc.oneof(
              { arbitrary: fc.integer({ min: 0, max: 5 }), weight: 3 },
              { arbitrary: fc.integer({ min: 0, max: 90 }), weight: 1 },
            ),
          }),
          { minLength: 20, maxLength: 80, size: "max" },
        ),
        (track, steps) => {
          let f: CaseFacts = {
            track,
            state: initialState(track),
            operation: { id: "op", code: "OP", status: "planning", listsPerson: true },
            holds: [],
            charges: [],
            assurances: [],
            operationId: "op",
            deadlines: [],
            barredOffences: [],
          };
          let on = "2026-01-01";
          visited.add(f.state);
          for (const s of steps) {
            const all = availableTransitions(track, f.state);
            if (all.length === 0) break;
            // Withdrawal, open from almost every state, is taken one time in ten: runs then go deep.
            const forward = all.filter((t) => !t.name.startsWith("withdraw"));
            const here = s.pick % 10 === 0 || forward.length === 0 ? all : forward;
            const t = here[s.pick % here.length]!;
            on = addDays(on, s.wait);
            const at = new Date(`${on}T12:00:00Z`);
            const d = decide(
              f,
              {
                transition: t.name,
                actor: { id: "x", name: "x", party: "MX", role: t.by[0]! },
                occurredAt: at,
                legalBasis: "b",
                reasons: "r",
                ...(t.via ? { via: t.via } : {}),
                ...(t.operation === "join" ? { operationId: "op" } : {}),
              },
              {
                now: at,
                policy: { deathPenaltyAssurance: "block", amparoWindow: "lei" },
                params: usMexico1978,
              },
            );
            if (!d.ok) continue;
            f = {
              ...f,
              state: d.to,
              operationId: d.operationId ?? "op",
              deadlines: [
                ...f.deadlines.filter((x) => !d.stopDeadlines.includes(x.kind)),
                ...d.startDeadlines,
              ],
            };
            visited.add(f.state);
          }
        },
      ),
      { numRuns: 1500, seed: 20260120 },
    );
    expect(stateDefs.map((s) => s.name).filter((s) => !visited.has(s))).toEqual([]);
  });
});
