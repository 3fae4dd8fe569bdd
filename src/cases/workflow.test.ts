import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Actor, Role } from "../auth/roles.ts";
import { roles } from "../auth/roles.ts";
import type { CaseFacts, CaseState, Decision, Policy, Track, TransitionInput } from "./workflow.ts";
import {
  availableTransitions,
  computeDeadline,
  decide,
  defaultPolicy,
  initialState,
  isTerminal,
  securityStates,
  stateDefs,
  transitions,
  treatyStates,
  usMexico1978,
} from "./workflow.ts";

// --- small builders --------------------------------------------------------------------------

const actor = (
  role: Role,
  party = role === "request-officer" || role === "receiving-officer" ? "US" : "MX",
): Actor => ({
  id: `actor-${role}`,
  name: `Test ${role}`,
  party,
  role,
});

const day = (iso: string) => new Date(`${iso}T12:00:00Z`);

function facts(over: Partial<CaseFacts> & { track: Track; state: CaseState }): CaseFacts {
  return {
    holds: [],
    charges: [{ id: "ch-1", capitalEligible: false, offenceKey: "21 USC 848" }],
    assurances: [],
    operationId: null,
    operation: null,
    deadlines: [],
    barredOffences: [],
    ...over,
  };
}

function input(
  transition: string,
  role: Role,
  occurredAt = day("2026-01-20"),
  over: Partial<TransitionInput> = {},
) {
  return {
    transition,
    actor: actor(role),
    occurredAt,
    legalBasis: "test basis",
    reasons: "test reasons",
    ...over,
  } satisfies TransitionInput;
}

const ctx = (now = day("2026-01-20"), policy: Policy = defaultPolicy) => ({
  now,
  policy,
  params: usMexico1978,
});

function expectRefused(d: Decision, code: string) {
  if (d.ok) throw new Error(`expected ${code}, got success ${d.from} → ${d.to}`);
  expect(d.code).toBe(code);
  return d;
}

function expectOk(d: Decision) {
  if (!d.ok) throw new Error(`expected success, got ${d.code}: ${d.message}`);
  return d;
}

const capitalCharge = { id: "ch-cap", capitalEligible: true, offenceKey: "18 USC 1959" };

/** An operation being planned that lists the person. */
const listedOn = { id: "op", code: "OP-TEST", status: "planning", listsPerson: true };

// --- the tables ------------------------------------------------------------------------------

describe("the transition tables", () => {
  const tracks: Track[] = ["treaty", "security"];

  it("list every state once, each in one track, with the initial states", () => {
    expect(stateDefs.map((s) => s.name).sort()).toEqual([...treatyStates, ...securityStates].sort());
    expect(new Set(stateDefs.map((s) => s.name)).size).toBe(stateDefs.length);
    expect(initialState("treaty")).toBe("treaty-request-received");
    expect(initialState("security")).toBe("transfer-requested");
  });

  it("name each transition once per track, from and to states of its own track, with roles and a legal source", () => {
    for (const t of transitions) {
      const own = new Set<string>(t.track === "treaty" ? treatyStates : securityStates);
      expect(own.has(t.to), `${t.name} → ${t.to}`).toBe(true);
      for (const f of t.from) expect(own.has(f), `${t.name} from ${f}`).toBe(true);
      expect(t.from.length).toBeGreaterThan(0);
      expect(t.by.length).toBeGreaterThan(0);
      for (const r of t.by) expect(roles).toContain(r);
      expect(t.legalSource.trim()).not.toBe("");
    }
    for (const track of tracks) {
      const names = transitions.filter((t) => t.track === track).map((t) => t.name);
      expect(new Set(names).size).toBe(names.length);
    }
  });

  it("give admin, auditor and communications no transition: no role is above the legal table", () => {
    for (const t of transitions) {
      expect(t.by).not.toContain("admin");
      expect(t.by).not.toContain("auditor");
      expect(t.by).not.toContain("communications");
    }
  });

  it("reach every state from the initial state, leave no terminal state, and can end from every live state", () => {
    for (const track of tracks) {
      const states = stateDefs.filter((s) => s.track === track);
      const seen = new Set<CaseState>([initialState(track)]);
      const queue: CaseState[] = [initialState(track)];
      while (queue.length) {
        const s = queue.shift()!;
        for (const t of availableTransitions(track, s)) {
          if (!seen.has(t.to)) {
            seen.add(t.to);
            queue.push(t.to);
          }
        }
      }
      expect([...seen].sort()).toEqual(states.map((s) => s.name).sort());

      for (const s of states) {
        const out = availableTransitions(track, s.name);
        if (s.terminal) expect(out, `terminal ${s.name}`).toEqual([]);
        else expect(out.length, `non-terminal ${s.name} has a way out`).toBeGreaterThan(0);
      }

      // Every non-terminal state can still reach some terminal state (no trap).
      for (const s of states) {
        const reach = new Set<CaseState>([s.name]);
        const q: CaseState[] = [s.name];
        while (q.length) {
          for (const t of availableTransitions(track, q.shift()!)) {
            if (!reach.has(t.to)) {
              reach.add(t.to);
              q.push(t.to);
            }
          }
        }
        expect([...reach].some(isTerminal), `${s.name} can end`).toBe(true);
      }
    }
  });

  it("mark the terminal states of each track", () => {
    expect(stateDefs.filter((s) => s.terminal).map((s) => s.name)).toEqual([
      "initial-appearance",
      "released",
      "extradition-refused",
      "freed-for-good",
      "request-withdrawn",
      "council-rejected",
      "handed-over",
      "transfer-withdrawn",
    ]);
  });

  it("are all named in docs/LEGAL-TRACKS.md, with their guards and roles", () => {
    const doc = readFileSync(new URL("../../docs/LEGAL-TRACKS.md", import.meta.url), "utf8");
    for (const s of stateDefs) expect(doc).toContain(`\`${s.name}\``);
    for (const t of transitions) {
      const row = doc
        .split("\n")
        .find((line) => line.startsWith(`| \`${t.name}\` |`) && line.includes(`\`${t.to}\``));
      expect(row, `row for ${t.name}`).toBeDefined();
      for (const g of t.guards) expect(row).toContain(`\`${g}\``);
      expect(row).toContain(t.by.join(", "));
    }
  });

  it("put the legal-hold guard on every step that moves the person toward the other state", () => {
    const guarded = transitions.filter((t) => t.guards.includes("no-blocking-hold")).map((t) => t.name);
    expect(guarded.sort()).toEqual([
      "assign-to-operation",
      "assign-to-operation",
      "hand-over",
      "schedule-surrender",
      "start-transit",
      "start-transit",
      "surrender",
    ]);
    const handovers = transitions.filter((t) => t.to === "surrendered" || t.to === "handed-over");
    for (const t of handovers) {
      expect(t.guards).toContain("operation-assigned");
      expect(t.via).toBe("handover");
    }
  });

  it("say as data what each step does besides the state: operation, decision, deadlines, bars", () => {
    const of = (track: Track, name: string) => transitions.find((t) => t.track === track && t.name === name)!;
    for (const track of tracks) {
      expect(of(track, "assign-to-operation").operation).toBe("join");
      expect(of(track, "remove-from-operation")).toMatchObject({ operation: "leave", via: "operation" });
      expect(of(track, "start-transit")).toMatchObject({ operation: "depart", via: "operation" });
    }
    expect(of("security", "approve-transfer").records).toMatchObject({
      body: "national-security-council",
      outcome: "approved",
    });
    expect(of("treaty", "grant-extradition").records).toMatchObject({
      body: "foreign-ministry",
      outcome: "granted",
    });
    expect(of("treaty", "lapse-formal-request").stopsAs).toBe("lapsed");
    expect(of("treaty", "lapse-custody-window")).toMatchObject({ stopsAs: "lapsed", barsOffences: true });
    // No step records a decision without being taken by the body that decides.
    for (const t of transitions.filter((x) => x.records)) {
      const body = t.records!.body;
      const roleOf = {
        "national-security-council": "decision-authority",
        "foreign-ministry": "foreign-ministry",
      } as const;
      expect(t.by, t.name).toEqual([roleOf[body as keyof typeof roleOf]]);
    }
  });
});

// --- order of checks ---------------------------------------------------------------------------

describe("decide: order of checks", () => {
  const f = facts({ track: "treaty", state: "treaty-request-received" });

  it("refuses an unknown transition, or one of the other track, naming the field", () => {
    const d = expectRefused(decide(f, input("fly-away", "foreign-ministry"), ctx()), "VALIDATION_FAILED");
    expect(d.details?.issues).toEqual([
      { field: "transition", rule: "one of the treaty track's transitions" },
    ]);
    expectRefused(decide(f, input("approve-transfer", "decision-authority"), ctx()), "VALIDATION_FAILED");
  });

  it("refuses a transition the current state does not allow, listing the allowed ones", () => {
    const d = expectRefused(
      decide(f, input("surrender", "custody-officer"), ctx()),
      "TRANSITION_NOT_ALLOWED",
    );
    expect(d.details).toMatchObject({
      state: "treaty-request-received",
      transition: "surrender",
      allowed: ["request-provisional-arrest", "receive-formal-request", "withdraw-request"],
    });
  });

  it("checks the state before the role", () => {
    expectRefused(decide(f, input("surrender", "auditor"), ctx()), "TRANSITION_NOT_ALLOWED");
  });

  it("refuses a role the table does not name — admin included", () => {
    const d = expectRefused(
      decide(f, input("receive-formal-request", "admin"), ctx()),
      "ACTOR_NOT_PERMITTED",
    );
    expect(d.details).toMatchObject({ role: "admin", allowedRoles: ["foreign-ministry"] });
    expectRefused(decide(f, input("receive-formal-request", "prosecutor"), ctx()), "ACTOR_NOT_PERMITTED");
  });

  it("refuses from a terminal state, whatever the transition", () => {
    const done = facts({ track: "treaty", state: "request-withdrawn" });
    for (const t of transitions.filter((x) => x.track === "treaty")) {
      expectRefused(decide(done, input(t.name, t.by[0]!), ctx()), "TRANSITION_NOT_ALLOWED");
    }
  });

  it("requires a legal basis and an occurredAt not still to come", () => {
    const noBasis = expectRefused(
      decide(
        f,
        input("receive-formal-request", "foreign-ministry", day("2026-01-20"), { legalBasis: "  " }),
        ctx(),
      ),
      "VALIDATION_FAILED",
    );
    expect(noBasis.details?.issues).toEqual([{ field: "legalBasis", rule: "required" }]);
    const future = expectRefused(
      decide(
        f,
        input("receive-formal-request", "foreign-ministry", day("2026-01-21")),
        ctx(day("2026-01-20")),
      ),
      "VALIDATION_FAILED",
    );
    expect(future.details?.issues).toEqual([
      { field: "occurredAt", rule: "not in the future (now 2026-01-20T12:00Z)" },
    ]);
    // Later the same day is still to come; within the five minutes another clock may run ahead is not.
    const now = new Date("2026-01-20T10:00:00Z");
    const tonight = decide(
      f,
      input("receive-formal-request", "foreign-ministry", new Date("2026-01-20T22:00:00Z")),
      ctx(now),
    );
    expect(expectRefused(tonight, "VALIDATION_FAILED").details?.issues).toEqual([
      { field: "occurredAt", rule: "not in the future (now 2026-01-20T10:00Z)" },
    ]);
    const skewed = expectOk(
      decide(
        f,
        input("receive-formal-request", "foreign-ministry", new Date("2026-01-20T10:04:00Z")),
        ctx(now),
      ),
    );
    expect(skewed.to).toBe("formal-request-received");
  });

  it("never mutates its input", () => {
    const f2 = facts({
      track: "treaty",
      state: "surrender-scheduled",
      holds: [{ id: "h1", kind: "amparo", blocksSurrender: true, status: "active" }],
      charges: [capitalCharge],
      operationId: "op-1",
      deadlines: [computeDeadline("custody-window", "2026-01-10", usMexico1978, defaultPolicy)],
    });
    const i2 = input("surrender", "custody-officer", day("2026-01-20"), {
      bypass: { holdIds: ["h1"], legalBasis: "LSN art. 5" },
    });
    const before = structuredClone({ f2, i2 });
    deepFreeze(f2);
    deepFreeze(i2);
    decide(f2, i2, ctx(day("2026-01-20"), { ...defaultPolicy, deathPenaltyAssurance: "record-risk" }));
    decide(f2, i2, ctx());
    expect({ f2, i2 }).toEqual(before);
  });
});

function deepFreeze<T>(o: T): T {
  if (o && typeof o === "object" && !(o instanceof Date)) {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

// --- guards ----------------------------------------------------------------------------------

describe("guard: legal holds", () => {
  const scheduled = (holds: CaseFacts["holds"]) =>
    facts({ track: "treaty", state: "extradition-final", holds });
  const hold = (id: string, over: Partial<CaseFacts["holds"][number]> = {}) => ({
    id,
    kind: "amparo",
    blocksSurrender: true,
    status: "active" as const,
    ...over,
  });

  it("an active blocking hold refuses the step, naming the hold", () => {
    const d = expectRefused(
      decide(scheduled([hold("h1")]), input("schedule-surrender", "foreign-ministry"), ctx()),
      "LEGAL_HOLD",
    );
    expect(d.details).toMatchObject({ guard: "no-blocking-hold", holdIds: ["h1"] });
  });

  it("lifted, already bypassed and non-blocking holds do not block", () => {
    const holds = [
      hold("h1", { status: "lifted" }),
      hold("h2", { status: "bypassed" }),
      hold("h3", { blocksSurrender: false }),
    ];
    const d = expectOk(decide(scheduled(holds), input("schedule-surrender", "foreign-ministry"), ctx()));
    expect(d.bypassedHoldIds).toEqual([]);
  });

  it("a bypass with its legal basis lets the step through and reports what it bypassed", () => {
    const d = expectOk(
      decide(
        scheduled([hold("h1"), hold("h2", { kind: "criminal-proceeding" })]),
        input("schedule-surrender", "foreign-ministry", day("2026-01-20"), {
          bypass: { holdIds: ["h1", "h2"], legalBasis: "LSN art. 5 fr. III" },
        }),
        ctx(),
      ),
    );
    expect(d.bypassedHoldIds).toEqual(["h1", "h2"]);
  });

  it("a bypass with an empty legal basis fails", () => {
    const d = expectRefused(
      decide(
        scheduled([hold("h1")]),
        input("schedule-surrender", "foreign-ministry", day("2026-01-20"), {
          bypass: { holdIds: ["h1"], legalBasis: " " },
        }),
        ctx(),
      ),
      "LEGAL_HOLD",
    );
    expect(d.details?.issues).toEqual([{ field: "bypass.legalBasis", rule: "required" }]);
  });

  it("a bypass must cover every blocking hold, and only holds that block", () => {
    const partial = expectRefused(
      decide(
        scheduled([hold("h1"), hold("h2")]),
        input("schedule-surrender", "foreign-ministry", day("2026-01-20"), {
          bypass: { holdIds: ["h1"], legalBasis: "LSN art. 5" },
        }),
        ctx(),
      ),
      "LEGAL_HOLD",
    );
    expect(partial.details).toMatchObject({ holdIds: ["h2"] });
    const stranger = expectRefused(
      decide(
        scheduled([hold("h1"), hold("h9", { status: "lifted" })]),
        input("schedule-surrender", "foreign-ministry", day("2026-01-20"), {
          bypass: { holdIds: ["h1", "h9"], legalBasis: "LSN art. 5" },
        }),
        ctx(),
      ),
      "VALIDATION_FAILED",
    );
    expect(stranger.details?.issues).toEqual([
      { field: "bypass.holdIds[1]", rule: "not an active blocking hold of this case" },
    ]);
  });

  it("a bypass on a step that holds do not block is refused rather than silently recorded", () => {
    const d = expectRefused(
      decide(
        facts({ track: "security", state: "transfer-requested" }),
        input("begin-analysis", "secretariat", day("2026-01-20"), {
          bypass: { holdIds: [], legalBasis: "x" },
        }),
        ctx(),
      ),
      "VALIDATION_FAILED",
    );
    expect(d.details?.issues).toMatchObject([{ field: "bypass" }]);
  });

  it("security track: assigning to an operation and moving in transit are blocked too", () => {
    const h = [hold("inj-7", { kind: "amparo-suspension" })];
    expectRefused(
      decide(
        facts({ track: "security", state: "ready-for-transfer", holds: h, operation: listedOn }),
        input("assign-to-operation", "operations-planner", undefined, { operationId: "op" }),
        ctx(),
      ),
      "LEGAL_HOLD",
    );
    expectRefused(
      decide(
        facts({ track: "security", state: "assigned-to-operation", holds: h, operationId: "op" }),
        input("start-transit", "custody-officer", undefined, { via: "operation" }),
        ctx(),
      ),
      "LEGAL_HOLD",
    );
  });
});

describe("guard: no-death-penalty assurance", () => {
  const approved = (over: Partial<CaseFacts> = {}) =>
    facts({ track: "security", state: "council-approved", charges: [capitalCharge], ...over });
  const step = input("confirm-assurances", "secretariat");

  it("block: a capital-eligible charge without a given assurance is refused", () => {
    const d = expectRefused(decide(approved(), step, ctx()), "ASSURANCE_MISSING");
    expect(d.details).toMatchObject({ guard: "death-penalty-assurance", chargeIds: ["ch-cap"] });
  });

  it("requested or withdrawn assurances, or another kind, do not count", () => {
    for (const a of [
      { id: "a", kind: "no-death-penalty" as const, status: "requested" as const },
      { id: "a", kind: "no-death-penalty" as const, status: "withdrawn" as const },
      { id: "a", kind: "specialty" as const, status: "given" as const },
    ]) {
      expectRefused(decide(approved({ assurances: [a] }), step, ctx()), "ASSURANCE_MISSING");
    }
  });

  it("a given assurance lets it through with no open risk", () => {
    const d = expectOk(
      decide(approved({ assurances: [{ id: "a", kind: "no-death-penalty", status: "given" }] }), step, ctx()),
    );
    expect(d.openRisks).toEqual([]);
  });

  it("record-risk: the step succeeds and returns an open ASSURANCE_MISSING risk", () => {
    const d = expectOk(
      decide(
        approved(),
        step,
        ctx(day("2026-01-20"), { ...defaultPolicy, deathPenaltyAssurance: "record-risk" }),
      ),
    );
    expect(d.to).toBe("assurances-confirmed");
    expect(d.openRisks).toEqual([
      {
        code: "ASSURANCE_MISSING",
        message: expect.stringMatching(/ch-cap/),
        details: { chargeIds: ["ch-cap"] },
      },
    ]);
  });

  it("no capital-eligible charge: nothing to assure", () => {
    expectOk(
      decide(approved({ charges: [{ id: "c", capitalEligible: false, offenceKey: "k" }] }), step, ctx()),
    );
  });

  it("treaty track: the grant and the surrender check it too", () => {
    const f = facts({
      track: "treaty",
      state: "awaiting-foreign-ministry-decision",
      charges: [capitalCharge],
    });
    expectRefused(decide(f, input("grant-extradition", "foreign-ministry"), ctx()), "ASSURANCE_MISSING");
  });
});

describe("guard: operation before handover", () => {
  it("no hand-over or surrender without an operation", () => {
    const viaHandover = { via: "handover" as const };
    expectRefused(
      decide(
        facts({ track: "security", state: "in-transit" }),
        input("hand-over", "custody-officer", undefined, viaHandover),
        ctx(),
      ),
      "OPERATION_MISSING",
    );
    expectRefused(
      decide(
        facts({ track: "treaty", state: "surrender-in-transit" }),
        input("surrender", "custody-officer", undefined, viaHandover),
        ctx(),
      ),
      "OPERATION_MISSING",
    );
    expectOk(
      decide(
        facts({ track: "security", state: "in-transit", operationId: "op-2026-01" }),
        input("hand-over", "custody-officer", undefined, viaHandover),
        ctx(),
      ),
    );
  });
});

describe("steps that belong to another act", () => {
  it("a handover step is taken only by recording the handover, naming where", () => {
    for (const [track, state, name] of [
      ["security", "in-transit", "hand-over"],
      ["treaty", "surrender-in-transit", "surrender"],
    ] as const) {
      const d = expectRefused(
        decide(facts({ track, state, operationId: "op" }), input(name, "custody-officer"), ctx()),
        "TRANSITION_NOT_ALLOWED",
      );
      expect(d.message).toContain("POST /api/handovers");
      expect(d.details).toMatchObject({ via: "handover" });
    }
  });

  it("departing and leaving with the operation are taken by the operation, naming where", () => {
    const d = expectRefused(
      decide(
        facts({ track: "security", state: "assigned-to-operation", operationId: "op" }),
        input("start-transit", "custody-officer"),
        ctx(),
      ),
      "TRANSITION_NOT_ALLOWED",
    );
    expect(d.message).toContain("/api/operations/{id}/status");
    expectRefused(
      decide(
        facts({ track: "treaty", state: "surrender-assigned", operationId: "op" }),
        input("remove-from-operation", "operations-planner"),
        ctx(),
      ),
      "TRANSITION_NOT_ALLOWED",
    );
  });
});

describe("guards: the operation a case boards or leaves", () => {
  const ready = { track: "security" as const, state: "ready-for-transfer" as const };
  const assign = (operation: CaseFacts["operation"], operationId = "op") =>
    decide(
      facts({ ...ready, operation }),
      input("assign-to-operation", "operations-planner", undefined, { operationId }),
      ctx(),
    );

  it("boards only an operation that lists the person and is still being planned", () => {
    const ok = expectOk(assign(listedOn));
    expect(ok.operationId).toBe("op");
    expect(expectRefused(assign({ ...listedOn, listsPerson: false }), "OPERATION_MISSING").message).toContain(
      "does not list this person",
    );
    expectOk(assign({ ...listedOn, status: "planned" }));
    for (const status of ["ready", "in-transit", "completed", "cancelled"])
      expectRefused(assign({ ...listedOn, status }), "OPERATION_UNDER_WAY");
    expectRefused(assign(null), "OPERATION_MISSING");
  });

  it("names the operation as required when a joining step has none, and refuses it on other steps", () => {
    const d = expectRefused(
      decide(
        facts({ ...ready, operation: listedOn }),
        input("assign-to-operation", "operations-planner"),
        ctx(),
      ),
      "VALIDATION_FAILED",
    );
    expect(d.details?.issues).toEqual([{ field: "operationId", rule: expect.stringContaining("required") }]);
    const other = expectRefused(
      decide(
        facts({ track: "security", state: "transfer-requested" }),
        input("begin-analysis", "secretariat", undefined, { operationId: "op" }),
        ctx(),
      ),
      "VALIDATION_FAILED",
    );
    expect(other.details?.issues).toMatchObject([{ field: "operationId" }]);
  });

  it("a case leaves by its own step (a withdrawal) only while its operation is being planned", () => {
    const onBoard = (status: string) =>
      facts({
        track: "security",
        state: "assigned-to-operation",
        operationId: "op",
        operation: { ...listedOn, status },
      });
    const withdrawn = expectOk(
      decide(onBoard("planned"), input("withdraw-transfer-request", "foreign-ministry"), ctx()),
    );
    expect(withdrawn.operationId).toBeNull();
    const d = expectRefused(
      decide(onBoard("ready"), input("withdraw-transfer-request", "foreign-ministry"), ctx()),
      "OPERATION_UNDER_WAY",
    );
    expect(d.message).toContain("DELETE /api/operations/op/people/");
    // The operation's own removal may take it off a ready operation.
    expectOk(
      decide(
        onBoard("ready"),
        input("remove-from-operation", "operations-planner", undefined, { via: "operation" }),
        ctx(),
      ),
    );
  });
});

describe("refusals speak the case's own track", () => {
  it("name only steps that exist on the case's track", () => {
    const names = [...new Set(transitions.map((t) => t.name))];
    let messages = 0;
    for (const track of ["treaty", "security"] as const) {
      const own = new Set(transitions.filter((t) => t.track === track).map((t) => t.name));
      for (const state of (track === "treaty" ? treatyStates : securityStates) as readonly CaseState[]) {
        // Each step of the track, tried from every state (a name the track lacks is only echoed back).
        for (const name of own) {
          for (const operationId of [null, "op"]) {
            const d = decide(
              facts({
                track,
                state,
                operationId,
                charges: [capitalCharge],
                operation: { ...listedOn, listsPerson: false },
              }),
              input(name, transitions.find((t) => t.name === name)!.by[0]!),
              ctx(),
            );
            if (d.ok) continue;
            messages++;
            for (const other of names.filter((n) => !own.has(n)))
              expect(d.message, `${track}/${state}/${name}`).not.toMatch(new RegExp(`\\b${other}\\b`));
          }
        }
      }
    }
    expect(messages).toBeGreaterThan(500);
  });
});

describe("decisions recorded by their steps", () => {
  it("the council's approval records its decision with the step's basis, reasons and day", () => {
    const d = expectOk(
      decide(
        facts({ track: "security", state: "proposed-to-council" }),
        input("approve-transfer", "decision-authority", day("2026-01-12"), {
          legalBasis: "LSN art. 5 fr. III",
          reasons: "Sovereign decision",
        }),
        ctx(),
      ),
    );
    expect(d.decision).toEqual({
      body: "national-security-council",
      kind: "security-transfer",
      outcome: "approved",
      legalBasis: "LSN art. 5 fr. III",
      reasons: "Sovereign decision",
      decidedOn: "2026-01-12",
      appealWindowEndsOn: null,
      bypassedHoldIds: [],
    });
  });

  it("the ministry's grant records its decision, its appeal window ending with the amparo deadline", () => {
    const d = expectOk(
      decide(
        facts({ track: "treaty", state: "awaiting-foreign-ministry-decision" }),
        input("grant-extradition", "foreign-ministry", day("2026-01-20")),
        ctx(),
      ),
    );
    const amparo = d.startDeadlines.find((x) => x.kind === "amparo")!;
    expect(d.decision).toMatchObject({
      body: "foreign-ministry",
      outcome: "granted",
      appealWindowEndsOn: amparo.dueOn,
    });
    const steps = transitions.filter((t) => !t.records).map((t) => t.name);
    expect(steps).toContain("begin-analysis");
    expect(
      expectOk(
        decide(
          facts({ track: "security", state: "transfer-requested" }),
          input("begin-analysis", "secretariat"),
          ctx(),
        ),
      ).decision,
    ).toBeNull();
  });
});

describe("guards: deadlines", () => {
  const formal = computeDeadline("formal-request", day("2026-01-05"), usMexico1978, defaultPolicy); // due 2026-03-06
  const detained = facts({ track: "treaty", state: "provisionally-detained", deadlines: [formal] });

  it("the formal request received on its due day is in time; the day after it is not", () => {
    expectOk(
      decide(
        detained,
        input("receive-formal-request", "foreign-ministry", day("2026-03-06")),
        ctx(day("2026-03-06")),
      ),
    );
    const late = expectRefused(
      decide(
        detained,
        input("receive-formal-request", "foreign-ministry", day("2026-03-07")),
        ctx(day("2026-03-07")),
      ),
      "DEADLINE_LAPSED",
    );
    expect(late.details).toMatchObject({ kind: "formal-request", dueOn: "2026-03-06" });
  });

  it("a direct formal request (no provisional arrest, no deadline) is accepted", () => {
    const d = expectOk(
      decide(
        facts({ track: "treaty", state: "treaty-request-received" }),
        input("receive-formal-request", "foreign-ministry"),
        ctx(),
      ),
    );
    expect(d.stopDeadlines).toEqual(["formal-request"]);
  });

  it("release for lapse only once the 60 days are past — on the due day it is refused", () => {
    const early = expectRefused(
      decide(detained, input("lapse-formal-request", "system", day("2026-03-06")), ctx(day("2026-03-06"))),
      "DEADLINE_NOT_LAPSED",
    );
    expect(early.details).toMatchObject({ dueOn: "2026-03-06" });
    // `now` past but the release said to have occurred before the lapse: refused too.
    expectRefused(
      decide(detained, input("lapse-formal-request", "system", day("2026-03-01")), ctx(day("2026-03-10"))),
      "DEADLINE_NOT_LAPSED",
    );
    const ok = expectOk(
      decide(detained, input("lapse-formal-request", "system", day("2026-03-07")), ctx(day("2026-03-07"))),
    );
    expect(ok.to).toBe("released");
    expect(ok.stopDeadlines).toEqual(["formal-request"]);
    expectRefused(
      decide(
        { ...detained, deadlines: [] },
        input("lapse-formal-request", "system", day("2026-03-07")),
        ctx(day("2026-03-07")),
      ),
      "DEADLINE_NOT_LAPSED",
    );
  });

  it("detaining provisionally starts the formal-request deadline from the day of detention", () => {
    const d = expectOk(
      decide(
        facts({ track: "treaty", state: "provisional-arrest-requested" }),
        input("detain-provisionally", "judge", day("2026-01-05")),
        ctx(day("2026-01-05")),
      ),
    );
    expect(d.startDeadlines).toHaveLength(1);
    expect(d.startDeadlines[0]).toMatchObject({
      kind: "formal-request",
      startsOn: "2026-01-05",
      dueOn: "2026-03-06",
    });
  });

  it("the custody window: surrender in time, not after; its lapse frees for good and bars the offences", () => {
    const window = computeDeadline("custody-window", day("2026-01-20"), usMexico1978, defaultPolicy); // due 2026-03-21
    const charges = [
      { id: "c1", capitalEligible: false, offenceKey: "21 USC 963" },
      { id: "c2", capitalEligible: false, offenceKey: "18 USC 1956" },
    ];
    const flying = facts({
      track: "treaty",
      state: "surrender-in-transit",
      operationId: "op-1",
      deadlines: [window],
      charges,
    });
    const surrender = (role: Role, on: string) =>
      decide(flying, input("surrender", role, day(on), { via: "handover" }), ctx(day(on)));
    expectOk(surrender("custody-officer", "2026-03-21"));
    expectRefused(surrender("custody-officer", "2026-03-22"), "DEADLINE_LAPSED");
    const sched = facts({
      track: "treaty",
      state: "surrender-scheduled",
      deadlines: [window],
      charges: [
        { id: "c1", capitalEligible: false, offenceKey: "21 USC 963" },
        { id: "c2", capitalEligible: false, offenceKey: "18 USC 1956" },
      ],
    });
    expectRefused(
      decide(sched, input("lapse-custody-window", "system", day("2026-03-21")), ctx(day("2026-03-21"))),
      "DEADLINE_NOT_LAPSED",
    );
    const freed = expectOk(
      decide(sched, input("lapse-custody-window", "system", day("2026-03-22")), ctx(day("2026-03-22"))),
    );
    expect(freed.to).toBe("freed-for-good");
    expect(freed.barOffences).toEqual(["21 USC 963", "18 USC 1956"]);
    expect(freed.stopsAs).toBe("lapsed");
  });

  it("the amparo window closes only after its enforced due day", () => {
    const amparo = computeDeadline("amparo", day("2026-04-27"), usMexico1978, defaultPolicy); // due 2026-06-09
    const granted = facts({ track: "treaty", state: "extradition-granted", deadlines: [amparo] });
    expectRefused(
      decide(granted, input("close-amparo-window", "system", day("2026-05-20")), ctx(day("2026-05-20"))),
      "DEADLINE_NOT_LAPSED",
    );
    expectOk(
      decide(granted, input("close-amparo-window", "system", day("2026-06-10")), ctx(day("2026-06-10"))),
    );
  });

  it("an evidence extension runs from the end of the current evidence period", () => {
    const evidence = computeDeadline("evidence", day("2026-01-30"), usMexico1978, defaultPolicy); // due 2026-03-02
    const hearing = facts({ track: "treaty", state: "judicial-hearing", deadlines: [evidence] });
    const d = expectOk(
      decide(hearing, input("extend-evidence-period", "judge", day("2026-02-20")), ctx(day("2026-02-20"))),
    );
    expect(d.to).toBe("judicial-hearing");
    expect(d.stopDeadlines).toEqual(["evidence", "evidence-extension"]);
    expect(d.startDeadlines[0]).toMatchObject({
      kind: "evidence-extension",
      startsOn: "2026-03-02",
      dueOn: "2026-03-31",
    });
  });
});

describe("guard: surrender barred for good", () => {
  it("an offence the person was freed from cannot be surrendered again", () => {
    const barred = { barredOffences: ["21 USC 848"] };
    const d = expectRefused(
      decide(
        facts({ track: "treaty", state: "extradition-final", ...barred }),
        input("schedule-surrender", "foreign-ministry"),
        ctx(),
      ),
      "SURRENDER_BARRED",
    );
    expect(d.details).toMatchObject({ guard: "not-barred", offenceKeys: ["21 USC 848"] });
    expectRefused(
      decide(
        facts({ track: "treaty", state: "provisional-arrest-requested", ...barred }),
        input("detain-provisionally", "judge"),
        ctx(),
      ),
      "SURRENDER_BARRED",
    );
    expectRefused(
      decide(
        facts({ track: "security", state: "ready-for-transfer", operation: listedOn, ...barred }),
        input("assign-to-operation", "operations-planner", undefined, { operationId: "op" }),
        ctx(),
      ),
      "SURRENDER_BARRED",
    );
    // Another offence is not barred.
    expectOk(
      decide(
        facts({ track: "treaty", state: "extradition-final", barredOffences: ["other"] }),
        input("schedule-surrender", "foreign-ministry"),
        ctx(),
      ),
    );
  });
});

// --- whole paths -----------------------------------------------------------------------------

interface Step {
  name: string;
  role: Role;
  on: string;
  bypass?: TransitionInput["bypass"];
  operationId?: string;
  via?: TransitionInput["via"];
}

function run(start: CaseFacts, steps: Step[], policy: Policy = defaultPolicy) {
  let f = start;
  const trail: string[] = [f.state];
  for (const s of steps) {
    const over = {
      ...(s.bypass ? { bypass: s.bypass } : {}),
      ...(s.operationId ? { operationId: s.operationId } : {}),
      ...(s.via ? { via: s.via } : {}),
    };
    const d = expectOk(decide(f, input(s.name, s.role, day(s.on), over), ctx(day(s.on), policy)));
    f = {
      ...f,
      state: d.to,
      operationId: d.operationId,
      deadlines: [...f.deadlines.filter((x) => !d.stopDeadlines.includes(x.kind)), ...d.startDeadlines],
      holds: f.holds.map((h) =>
        d.bypassedHoldIds.includes(h.id) ? { ...h, status: "bypassed" as const } : h,
      ),
    };
    trail.push(f.state);
  }
  return { facts: f, trail };
}

describe("whole paths", () => {
  it("treaty: provisional arrest to initial appearance, deadlines opened and closed on the way", () => {
    const { facts: end, trail } = run(
      facts({ track: "treaty", state: initialState("treaty"), operation: listedOn }),
      [
        { name: "request-provisional-arrest", role: "foreign-ministry", on: "2026-01-02" },
        { name: "detain-provisionally", role: "judge", on: "2026-01-05" },
        { name: "receive-formal-request", role: "foreign-ministry", on: "2026-02-20" },
        { name: "open-hearing", role: "judge", on: "2026-03-02" },
        { name: "close-hearing", role: "judge", on: "2026-03-31" },
        { name: "issue-judicial-opinion", role: "judge", on: "2026-04-06" },
        { name: "grant-extradition", role: "foreign-ministry", on: "2026-04-27" },
        { name: "close-amparo-window", role: "system", on: "2026-06-10" },
        { name: "schedule-surrender", role: "foreign-ministry", on: "2026-06-15" },
        { name: "assign-to-operation", role: "operations-planner", on: "2026-06-18", operationId: "op" },
        { name: "start-transit", role: "custody-officer", on: "2026-06-20", via: "operation" },
        { name: "surrender", role: "custody-officer", on: "2026-06-20", via: "handover" },
        { name: "record-initial-appearance", role: "foreign-ministry", on: "2026-06-22" },
      ],
    );
    expect(trail.at(-1)).toBe("initial-appearance");
    expect(end.deadlines).toEqual([]);
  });

  it("security: the January 2026 path with a bypassed injunction and a recorded risk", () => {
    const start = facts({
      track: "security",
      state: initialState("security"),
      charges: [capitalCharge],
      holds: [{ id: "amparo-1", kind: "amparo", blocksSurrender: true, status: "active" }],
      operation: { ...listedOn, id: "op-2026-01-20" },
    });
    const { trail } = run(
      start,
      [
        { name: "begin-analysis", role: "secretariat", on: "2026-01-10" },
        { name: "propose-to-council", role: "secretariat", on: "2026-01-12" },
        { name: "defer-transfer", role: "decision-authority", on: "2026-01-13" },
        { name: "resume-analysis", role: "secretariat", on: "2026-01-14" },
        { name: "propose-to-council", role: "secretariat", on: "2026-01-15" },
        { name: "approve-transfer", role: "decision-authority", on: "2026-01-16" },
        { name: "confirm-assurances", role: "secretariat", on: "2026-01-17" },
        { name: "mark-ready", role: "custody-officer", on: "2026-01-18" },
        {
          name: "assign-to-operation",
          role: "operations-planner",
          on: "2026-01-19",
          bypass: { holdIds: ["amparo-1"], legalBasis: "LSN art. 5 fr. III" },
          operationId: "op-2026-01-20",
        },
        { name: "start-transit", role: "custody-officer", on: "2026-01-20", via: "operation" },
        { name: "hand-over", role: "custody-officer", on: "2026-01-20", via: "handover" },
      ],
      { deathPenaltyAssurance: "record-risk", amparoWindow: "ley-de-amparo" },
    );
    expect(trail.at(-1)).toBe("handed-over");
  });
});
