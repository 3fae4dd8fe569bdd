import { and, asc, eq, inArray, isNull } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type TestApp, testApp } from "../../test/app.ts";
import { verifyAudit } from "../audit/verify.ts";
import type { Actor } from "../auth/roles.ts";
import { coveringAssurances } from "../cases/coverage.ts";
import {
  availableTransitions,
  type CaseState,
  type Deadline,
  deadlineStatus,
  offenceKey,
  type Track,
} from "../cases/workflow.ts";
import {
  assurances,
  auditHead,
  cases,
  caseTransitions,
  charges,
  deadlines,
  decisions,
  legalHolds,
  operationPeople,
  requests,
} from "../db/schema.ts";
import { seedDemo, seedDemoIfEmpty } from "./demo.ts";

/** The sending state's auditor reads everything of its party. */
const auditor: Actor = { id: "demo-test-auditor", name: "Demo test auditor", party: "MX", role: "auditor" };

// A fixed "today" six weeks after the January 2026 operation: every relative date is deterministic.
const now = new Date("2026-03-02T12:00:00Z");

describe("demo data", () => {
  let t: TestApp;
  let seeded: Awaited<ReturnType<typeof seedDemoIfEmpty>>;
  let seconds = 0;

  beforeAll(async () => {
    t = await testApp();
    const started = performance.now();
    seeded = await seedDemoIfEmpty(t.s, { now });
    seconds = (performance.now() - started) / 1000;
    console.info(`demo seed on ${t.database.kind}: ${seconds.toFixed(1)} s`, seeded);
  });
  afterAll(() => t?.close());

  const operationsByDate = async () =>
    (await t.s.operations.list({ limit: 50 }, auditor)).items.sort((a, b) =>
      a.operationDate.localeCompare(b.operationDate),
    );
  const casesOf = async (operationId: string) =>
    (await t.s.cases.list({ limit: 500, operationId }, auditor)).items;

  it("loads into an empty database and reports what it wrote", () => {
    expect(seeded).not.toBeNull();
    expect(seeded!.operations).toBe(3);
    expect(seeded!.people).toBeGreaterThan(92);
    expect(seeded!.cases).toBeGreaterThan(92);
  });

  it("gives 92 people sent, 29, 26 and 37 in date order, under one administration and one legal basis", async () => {
    const stats = await t.s.stats.stats({}, auditor);
    expect(stats.total).toBe(92);
    expect(stats.operations.map((o) => [o.date, o.people])).toEqual([
      ["2025-02-27", 29],
      ["2025-08-12", 26],
      ["2026-01-20", 37],
    ]);
    expect(stats.operations.map((o) => o.aircraft)).toEqual([5, 12, 7]);
    expect(stats.operations[0]!.destinations).toEqual([
      "HPN",
      "IAD",
      "IAH",
      "JFK",
      "ORD",
      "PHX",
      "SAT",
      "TKI",
    ]);
    expect(stats.operations[2]!.destinations).toEqual(["IAD", "IAH", "JFK", "PHL", "SAN", "SAT"]);
    expect(stats.administrations).toEqual([{ key: "Sheinbaum administration", people: 92 }]);
    expect(stats.legalBases).toHaveLength(1);
    // White Plains: 8 in August 2025, 3 in February 2025.
    expect(stats.destinations.find((d) => d.key === "HPN")!.people).toBe(11);
  });

  it("gives the requesting states and the public the same total, from every sending state's record", async () => {
    for (const [role, party] of [
      ["request-officer", "US"],
      ["receiving-officer", "GT"],
      ["public", "US"],
      // A requesting state's own officials (it has sent no one) get the public figures too, not zeros.
      ["admin", "US"],
      ["auditor", "US"],
    ] as const) {
      const res = await t.app.inject({ url: "/api/stats", headers: await t.as(role, party) });
      expect(res.statusCode, `${role} ${party}`).toBe(200);
      expect(res.json().total, `${role} ${party}`).toBe(92);
      expect(res.json().public, `${role} ${party}`).toBe(true);
    }
    // An administration's figures: its days, said in the answer; an unknown one is named, not ignored.
    const adms = await t.app.inject({
      url: "/api/administrations",
      headers: await t.as("request-officer", "US"),
    });
    const sheinbaum = adms.json().items.find((a: { name: string }) => a.name === "Sheinbaum administration");
    const under = await t.app.inject({
      url: `/api/stats?administrationId=${sheinbaum.id}`,
      headers: await t.as("request-officer", "US"),
    });
    expect(under.json()).toMatchObject({ total: 92, from: sheinbaum.beganOn, public: true });
    const unknown = await t.app.inject({
      url: "/api/stats?administrationId=01900000-0000-7000-8000-000000000000",
      headers: await t.as("request-officer", "US"),
    });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().error.issues).toEqual([
      { field: "administrationId", rule: "must reference an existing record" },
    ]);
    const own = await t.app.inject({ url: "/api/stats", headers: await t.as("admin", "MX") });
    expect(own.json()).toMatchObject({ total: 92, handovers: 92 });
    expect(own.json().public).toBeUndefined();
  });

  it("walks every transferred person's case to handed-over, with a handover at the destination", async () => {
    for (const op of await operationsByDate()) {
      expect(op.status).toBe("completed");
      expect(op.receivingState).toBe("US");
      const cases = await casesOf(op.id);
      expect(cases.every((c) => c.state === "handed-over")).toBe(true);
      const handovers = (await t.s.operations.listHandovers({ limit: 500, operationId: op.id }, auditor))
        .items;
      expect(handovers).toHaveLength(cases.length);
      expect(handovers.every((h) => h.receivingAgency === "US Marshals Service")).toBe(true);
    }
    const [, , january] = await operationsByDate();
    const full = await t.s.cases.get((await casesOf(january!.id))[0]!.id, auditor, now);
    expect(full.history.map((h) => [h.transition, h.actorRole])).toEqual([
      ["begin-analysis", "secretariat"],
      ["propose-to-council", "secretariat"],
      ["approve-transfer", "decision-authority"],
      ["confirm-assurances", "secretariat"],
      ["mark-ready", "custody-officer"],
      ["assign-to-operation", "operations-planner"],
      ["start-transit", "custody-officer"],
      ["hand-over", "custody-officer"],
    ]);
    expect(
      full.decisions.some((d) => d.body === "national-security-council" && d.outcome === "approved"),
    ).toBe(true);
    expect(full.history.every((h) => h.occurredAt < "2026-01-21T00:00:00.000Z")).toBe(true);
  });

  it("records the missing death-penalty assurance as an open risk in February 2025 only", async () => {
    const [february, august, january] = await operationsByDate();
    const feb = await casesOf(february!.id);
    const capital = feb.filter((c) => c.openRisks.some((r) => r.code === "ASSURANCE_MISSING"));
    expect(capital.length).toBeGreaterThan(3);
    // Exactly the people with a capital-eligible charge carry the risk.
    for (const c of feb) {
      const full = await t.s.cases.get(c.id, auditor, now);
      const hasCapital = full.charges.some((ch) => ch.capitalEligible);
      expect(c.openRisks.some((r) => r.code === "ASSURANCE_MISSING")).toBe(hasCapital);
    }
    for (const op of [august!, january!]) {
      const cases = await casesOf(op.id);
      expect(cases.some((c) => c.openRisks.length > 0)).toBe(false);
      const assurances = (await t.s.legal.assurances.list({ limit: 10, operationId: op.id }, auditor)).items;
      expect(assurances).toMatchObject([{ kind: "no-death-penalty", scope: "operation", status: "given" }]);
    }
    expect(
      (await t.s.legal.assurances.list({ limit: 10, operationId: february!.id }, auditor)).items,
    ).toEqual([]);
  });

  it("shows injunctions and pending treaty cases that the transfers bypassed", async () => {
    const bypassed = (await t.s.legal.holds.list({ limit: 100, status: "bypassed" }, auditor)).items;
    expect(bypassed.filter((h) => h.kind === "amparo").length).toBeGreaterThanOrEqual(5);
    expect(bypassed.filter((h) => h.kind === "pending-proceeding").length).toBeGreaterThanOrEqual(3);
    const amparo = bypassed.find((h) => h.kind === "amparo")!;
    const full = await t.s.cases.get(amparo.caseId!, auditor, now);
    expect(full.state).toBe("handed-over");
    const assign = full.history.find((h) => h.transition === "assign-to-operation")!;
    expect(assign.bypass?.holdIds).toContain(amparo.id);
    expect(assign.bypass?.legalBasis).toMatch(/Seguridad Nacional/);
  });

  it("spreads treaty cases and pending transfer requests across the states of both tracks", async () => {
    const treaty = (await t.s.cases.list({ limit: 500, track: "treaty" }, auditor)).items;
    const states = new Set(treaty.map((c) => c.state));
    expect(states.size).toBeGreaterThanOrEqual(12);
    for (const s of [
      "provisionally-detained",
      "judicial-hearing",
      "extradition-granted",
      "amparo-pending",
      "surrender-scheduled",
      "request-withdrawn",
    ])
      expect(states).toContain(s);
    const security = (await t.s.cases.list({ limit: 500, track: "security" }, auditor)).items;
    const pending = new Set(security.filter((c) => c.state !== "handed-over").map((c) => c.state));
    for (const s of ["transfer-requested", "under-analysis", "proposed-to-council", "ready-for-transfer"])
      expect(pending).toContain(s);
  });

  it("gives both overdue and upcoming deadlines over the API", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now });
    try {
      const res = await t.app.inject({
        method: "GET",
        url: "/api/deadlines",
        headers: await t.as("auditor"),
      });
      expect(res.statusCode).toBe(200);
      const body = res.json() as { asOf: string; items: { status: string; kind: string; dueOn: string }[] };
      expect(body.asOf).toBe("2026-03-02");
      const overdue = body.items.filter((d) => d.status === "overdue").map((d) => d.kind);
      const upcoming = body.items.filter((d) => d.status !== "overdue").map((d) => d.kind);
      expect(overdue).toEqual(
        expect.arrayContaining(["formal-request", "amparo", "custody-window", "foreign-ministry-decision"]),
      );
      expect(upcoming).toEqual(
        expect.arrayContaining([
          "formal-request",
          "amparo",
          "custody-window",
          "evidence",
          "judicial-opinion",
        ]),
      );
    } finally {
      vi.useRealTimers();
    }
  });

  it("sends every case file exactly as the record holds it", async () => {
    // The case file is built as JSON inside the database (src/cases/document.ts). The oracle here is
    // the record read row by row through drizzle, and the legal track's own rules, in the application.
    const db = t.database.db;
    const plain = <T>(x: T) => JSON.parse(JSON.stringify(x));
    const all = (await t.s.cases.list({ limit: 500 }, auditor)).items;
    expect(all.length).toBe(seeded!.cases);
    let seen = { history: 0, deadlines: 0, holds: 0, decisions: 0, charges: 0, assurances: 0 };
    for (const listed of all) {
      const doc = await t.s.cases.get(listed.id, auditor, now);
      const [row] = await db.select().from(cases).where(eq(cases.id, listed.id));
      const history = await db
        .select()
        .from(caseTransitions)
        .where(eq(caseTransitions.caseId, listed.id))
        .orderBy(asc(caseTransitions.occurredAt), asc(caseTransitions.id));
      const caseDeadlines = await db
        .select()
        .from(deadlines)
        .where(eq(deadlines.caseId, listed.id))
        .orderBy(asc(deadlines.dueOn), asc(deadlines.id));
      const holds = await db
        .select()
        .from(legalHolds)
        .where(eq(legalHolds.personId, row!.personId))
        .orderBy(asc(legalHolds.filedOn), asc(legalHolds.id));
      const personDecisions = await db
        .select()
        .from(decisions)
        .where(eq(decisions.personId, row!.personId))
        .orderBy(asc(decisions.decidedOn), asc(decisions.id));
      const requestIds = row!.requestId
        ? [row!.requestId]
        : (await db.select().from(requests).where(eq(requests.personId, row!.personId))).map((r) => r.id);
      const chargeRows = requestIds.length
        ? await db
            .select()
            .from(charges)
            .where(inArray(charges.requestId, requestIds))
            .orderBy(asc(charges.id))
        : [];
      // The rule of the legal track (coverage.ts), over the rows read one by one.
      const listedOn = (
        await db
          .select({ operationId: operationPeople.operationId })
          .from(operationPeople)
          .where(and(eq(operationPeople.personId, row!.personId), isNull(operationPeople.removedAt)))
      ).map((l) => l.operationId);
      const allAssurances = await db.select().from(assurances);
      const cover = coveringAssurances(
        allAssurances.filter((a) => a.personId === row!.personId),
        allAssurances.filter((a) => a.operationId !== null && listedOn.includes(a.operationId)),
      );
      cover.sort((a, b) => (a.scope === b.scope ? a.id.localeCompare(b.id) : a.scope === "person" ? -1 : 1));
      expect(doc).toEqual({
        ...plain(row),
        history: plain(history),
        deadlines: plain(
          caseDeadlines.map((d) =>
            d.status === "open" ? { ...d, status: deadlineStatus(d as Deadline, now) } : d,
          ),
        ),
        holds: plain(holds),
        decisions: plain(personDecisions.filter((d) => d.caseId === null || d.caseId === listed.id)),
        charges: chargeRows.map((c) => ({
          id: c.id,
          capitalEligible: c.capitalEligible,
          offenceKey: offenceKey(c.statute),
        })),
        assurances: cover.map((a) => ({ id: a.id, kind: a.kind, status: a.status })),
        availableTransitions: plain(
          availableTransitions(row!.track as Track, row!.state as CaseState).map((x) => ({
            name: x.name,
            to: x.to,
            by: x.by,
            guards: x.guards,
            legalSource: x.legalSource,
          })),
        ),
      });
      seen = {
        history: seen.history + doc.history.length,
        deadlines: seen.deadlines + doc.deadlines.length,
        holds: seen.holds + doc.holds.length,
        decisions: seen.decisions + doc.decisions.length,
        charges: seen.charges + doc.charges.length,
        assurances: seen.assurances + doc.assurances.length,
      };
    }
    // The demo exercises every part of the file.
    for (const n of Object.values(seen)) expect(n).toBeGreaterThan(0);
    // Over HTTP the same file arrives as JSON.
    vi.useFakeTimers({ toFake: ["Date"], now });
    try {
      const res = await t.app.inject({ url: `/api/cases/${all[0]!.id}`, headers: await t.as("auditor") });
      expect(res.statusCode).toBe(200);
      expect(res.headers["content-type"]).toMatch(/^application\/json/);
      expect(res.json()).toEqual(await t.s.cases.get(all[0]!.id, auditor, now));
    } finally {
      vi.useRealTimers();
    }
  });

  it("pages case lists over HTTP exactly as the record holds them", async () => {
    const headers = await t.as("auditor");
    const filters: { track?: "treaty"; openRisk?: "true" }[] = [
      {},
      { track: "treaty" },
      { openRisk: "true" },
    ];
    for (const filter of filters) {
      let cursor: string | undefined;
      let pages = 0;
      do {
        const query = new URLSearchParams({ limit: "50", ...(filter as Record<string, string>) });
        if (cursor) query.set("cursor", cursor);
        const res = await t.app.inject({ url: `/api/cases?${query}`, headers });
        expect(res.statusCode).toBe(200);
        expect(res.headers["content-type"]).toMatch(/^application\/json/);
        const expected = await t.s.cases.list(
          { limit: 50, ...filter, ...(cursor ? { cursor } : {}) },
          auditor,
        );
        expect(res.json()).toEqual(JSON.parse(JSON.stringify(expected)));
        cursor = expected.nextCursor ?? undefined;
        pages += 1;
      } while (cursor);
      if (Object.keys(filter).length === 0) expect(pages).toBe(Math.ceil(seeded!.cases / 50));
    }
  });

  it("keeps a third requesting state's requests apart: Guatemala sees its own, the United States none of them", async () => {
    const gtOfficer: Actor = { id: "demo-test-gt", name: "GT officer", party: "GT", role: "request-officer" };
    const usOfficer: Actor = { id: "demo-test-us", name: "US officer", party: "US", role: "request-officer" };
    const all = (await t.s.requests.list({ limit: 500 }, auditor)).items;
    const guatemalan = all.filter((r) => r.requestingState === "GT");
    expect(guatemalan.length).toBeGreaterThanOrEqual(4);
    expect(guatemalan.every((r) => r.requestedState === "MX" && r.treaty === "gt-mx-1997")).toBe(true);
    const seenByGt = (await t.s.requests.list({ limit: 500 }, gtOfficer)).items;
    expect(seenByGt.map((r) => r.id).sort()).toEqual(guatemalan.map((r) => r.id).sort());
    const seenByUs = (await t.s.requests.list({ limit: 500 }, usOfficer)).items;
    expect(seenByUs.length).toBe(all.length - guatemalan.length);
    expect(seenByUs.some((r) => r.requestingState === "GT")).toBe(false);
    // Their cases run on the treaty track under their own treaty, at several steps of it.
    const gtCases = (await t.s.cases.list({ limit: 500, track: "treaty" }, auditor)).items.filter((c) =>
      guatemalan.some((r) => r.personId === c.personId),
    );
    expect(new Set(gtCases.map((c) => c.state)).size).toBeGreaterThanOrEqual(3);
    const people = (await t.s.people.list({ limit: 500 }, gtOfficer)).items;
    expect(people.map((p) => p.id).sort()).toEqual([...new Set(guatemalan.map((r) => r.personId))].sort());
    expect(people.every((p) => p.nationalities.includes("GT"))).toBe(true);
  });

  it("marks every person as fictional", async () => {
    const people = (await t.s.people.list({ limit: 500 }, auditor)).items;
    expect(people.length).toBe(seeded!.people);
    expect(people.every((p) => p.fictional)).toBe(true);
  });

  it("leaves an intact audit chain", async () => {
    const report = await verifyAudit(t.database.db);
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.eventsChecked).toBeGreaterThan(1000);
  });

  it("never loads the demo twice", async () => {
    const [before] = await t.database.db.select().from(auditHead);
    expect(await seedDemoIfEmpty(t.s, { now })).toBeNull();
    await expect(seedDemo(t.s, { now })).rejects.toMatchObject({ code: "DUPLICATE" });
    const [after] = await t.database.db.select().from(auditHead);
    expect(after!.seq).toBe(before!.seq);
    expect((await t.s.stats.stats({}, auditor)).total).toBe(92);
  });
});
