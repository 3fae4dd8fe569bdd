import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addDays, countBusinessDays, daysBetween, isBusinessDay } from "./calendar.ts";
import type { DeadlineKind } from "./deadlines.ts";
import { computeDeadline, deadlineKinds, deadlineStatus, dueDate } from "./deadlines.ts";
import type { PeriodParameter, Policy, TreatyParameters } from "./treaty-parameters.ts";
import { defaultPolicy, usMexico1978, ZTreatyParameters } from "./treaty-parameters.ts";

const p = usMexico1978;
const at = (iso: string) => new Date(`${iso}T12:00:00Z`);

describe("deadlines of the US–Mexico treaty track, with concrete dates", () => {
  it("formal request: detained 2026-01-05 → due 2026-03-06 (60 natural days from the day after)", () => {
    const d = computeDeadline("formal-request", at("2026-01-05"), p, defaultPolicy);
    expect(d).toMatchObject({
      kind: "formal-request",
      startsOn: "2026-01-05",
      dueOn: "2026-03-06",
      days: 60,
      unit: "natural",
      countsFrom: "day-after",
    });
    expect(d.legalSource).toMatch(/Constitution art\. 119/);
    // LEI art. 18's "two months" ends one day earlier here.
    expect(d.alternatives).toEqual([
      { source: expect.stringMatching(/LEI art\. 18/), days: 59, dueOn: "2026-03-05" },
    ]);
    expect(d.conflict).toMatch(/two-months|60-natural-days/);
  });

  it("formal request counted as two months when the parameter says so (and 60 days shown as the alternative)", () => {
    const params = { ...p, formalRequest: { ...p.formalRequest, counting: "two-months" as const } };
    const d = computeDeadline("formal-request", "2025-12-31", params, defaultPolicy);
    expect(d.dueOn).toBe("2026-02-28"); // clamped: no 31 February
    expect(d.days).toBe(59);
    expect(d.legalSource).toMatch(/LEI art\. 18/);
    expect(d.alternatives).toEqual([{ source: p.formalRequest.legalSource, days: 60, dueOn: "2026-03-01" }]);
    // In July–August two months are longer than 60 days.
    expect(computeDeadline("formal-request", "2026-07-01", params, defaultPolicy)).toMatchObject({
      dueOn: "2026-09-01",
      days: 62,
    });
  });

  it("objection: hearing on Friday 2026-01-30 → 3 business days skip the weekend and 2 Feb → 2026-02-05", () => {
    expect(computeDeadline("objection", at("2026-01-30"), p, defaultPolicy)).toMatchObject({
      startsOn: "2026-01-30",
      dueOn: "2026-02-05",
      days: 3,
      unit: "business",
      legalSource: "LEI art. 25",
    });
  });

  it("evidence: 20 business days from 2026-01-30 → 2026-03-02", () => {
    expect(computeDeadline("evidence", at("2026-01-30"), p, defaultPolicy).dueOn).toBe("2026-03-02");
  });

  it("evidence extension: 20 more business days from 2026-03-02 skip 16 March → 2026-03-31", () => {
    expect(computeDeadline("evidence-extension", "2026-03-02", p, defaultPolicy).dueOn).toBe("2026-03-31");
  });

  it("judicial opinion: 5 business days from Friday 2026-03-13 skip 16 March → 2026-03-23", () => {
    expect(computeDeadline("judicial-opinion", at("2026-03-13"), p, defaultPolicy)).toMatchObject({
      dueOn: "2026-03-23",
      legalSource: "LEI art. 27",
    });
  });

  it("foreign-ministry decision: 20 business days from 2026-03-23 → 2026-04-20", () => {
    expect(computeDeadline("foreign-ministry-decision", at("2026-03-23"), p, defaultPolicy)).toMatchObject({
      dueOn: "2026-04-20",
      legalSource: "LEI art. 30",
    });
  });

  it("amparo: both windows and the conflict; the policy picks which is enforced (default 30 days)", () => {
    // Granted Monday 2026-04-27; 1 May is a holiday.
    const longer = computeDeadline("amparo", at("2026-04-27"), p, defaultPolicy);
    expect(longer).toMatchObject({ days: 30, unit: "business", dueOn: "2026-06-09" });
    expect(longer.legalSource).toMatch(/Ley de Amparo art\. 17-I/);
    expect(longer.alternatives).toEqual([{ source: "LEI art. 33 (15 days)", days: 15, dueOn: "2026-05-19" }]);
    expect(longer.conflict).toMatch(/LEI art\. 33.*15.*17-I.*30/s);

    const shorter = computeDeadline("amparo", at("2026-04-27"), p, { ...defaultPolicy, amparoWindow: "lei" });
    expect(shorter).toMatchObject({ days: 15, dueOn: "2026-05-19", legalSource: "LEI art. 33 (15 days)" });
    expect(shorter.alternatives?.[0]).toMatchObject({ days: 30, dueOn: "2026-06-09" });
    expect(shorter.conflict).toBe(longer.conflict);
  });

  it("custody window: placed at disposal 2026-01-20 → 60 natural days from the day after → 2026-03-21", () => {
    expect(computeDeadline("custody-window", at("2026-01-20"), p, defaultPolicy)).toMatchObject({
      startsOn: "2026-01-20",
      dueOn: "2026-03-21", // a Saturday: natural days do not roll over
      days: 60,
      unit: "natural",
      countsFrom: "day-after",
    });
  });

  it("counting from the trigger day is one day shorter in natural days; a non-business trigger day does not count", () => {
    const period: Omit<PeriodParameter, "legalSource"> = {
      days: 60,
      unit: "natural",
      countsFrom: "trigger-day",
    };
    expect(dueDate("2026-01-05", period, new Set())).toBe("2026-03-05");
    const business = { days: 1, unit: "business" as const, countsFrom: "trigger-day" as const };
    expect(dueDate("2026-02-05", business, new Set())).toBe("2026-02-05"); // Thursday counts as day 1
    expect(dueDate("2026-01-31", business, new Set(["2026-02-02"]))).toBe("2026-02-03"); // Saturday does not
  });

  it("the US–Mexico parameter set passes its own schema", () => {
    expect(ZTreatyParameters.parse(p)).toEqual(p);
    expect(() => ZTreatyParameters.parse({ ...p, objection: { ...p.objection, days: 0 } })).toThrow();
  });
});

describe("deadlineStatus", () => {
  const d = computeDeadline("formal-request", at("2026-01-05"), p, defaultPolicy); // due 2026-03-06
  it("is open, then due-soon within N days, then overdue the day after the due day", () => {
    expect(deadlineStatus(d, at("2026-02-01"))).toBe("open");
    expect(deadlineStatus(d, at("2026-02-28"))).toBe("open"); // 6 days left
    expect(deadlineStatus(d, at("2026-03-01"))).toBe("due-soon"); // 5 days left
    expect(deadlineStatus(d, new Date("2026-03-06T23:59:59Z"))).toBe("due-soon");
    expect(deadlineStatus(d, new Date("2026-03-07T00:00:00Z"))).toBe("overdue");
    expect(deadlineStatus(d, at("2026-03-05"), 0)).toBe("open");
    expect(deadlineStatus(d, at("2026-03-06"), 0)).toBe("due-soon");
  });
});

// --- properties: deadlines always follow the parameters -------------------------------------

const isoDay = fc
  .integer({ min: Date.UTC(2000, 0, 1) / 86_400_000, max: Date.UTC(2099, 11, 31) / 86_400_000 })
  .map((n) => new Date(n * 86_400_000).toISOString().slice(0, 10));

const period = fc.record({
  days: fc.integer({ min: 1, max: 400 }),
  unit: fc.constantFrom("natural" as const, "business" as const),
  countsFrom: fc.constantFrom("trigger-day" as const, "day-after" as const),
  legalSource: fc.constant("test source"),
});

const paramsArb: fc.Arbitrary<TreatyParameters> = fc
  .record({
    formalRequest: period,
    counting: fc.constantFrom("60-natural-days" as const, "two-months" as const),
    months: fc.integer({ min: 1, max: 12 }),
    objection: period,
    evidence: period,
    evidenceExtension: period,
    judicialOpinion: period,
    foreignMinistryDecision: period,
    leyDeAmparo: period,
    lei: period,
    custodyWindow: period,
    holidays: fc.array(isoDay, { maxLength: 30 }),
  })
  .map((r) => ({
    id: "random",
    name: "random parameters",
    parties: ["US", "MX"] as [string, string],
    formalRequest: {
      ...r.formalRequest,
      counting: r.counting,
      twoMonths: { months: r.months, legalSource: "months source", countsFrom: "same-day-of-month" as const },
    },
    objection: r.objection,
    evidence: r.evidence,
    evidenceExtension: r.evidenceExtension,
    judicialOpinion: r.judicialOpinion,
    foreignMinistryDecision: r.foreignMinistryDecision,
    amparo: { leyDeAmparo: r.leyDeAmparo, lei: r.lei, conflict: "they differ" },
    custodyWindow: r.custodyWindow,
    dueSoonDays: 5,
    holidays: r.holidays,
  }));

const policyArb: fc.Arbitrary<Policy> = fc.record({
  deathPenaltyAssurance: fc.constantFrom("block" as const, "record-risk" as const),
  amparoWindow: fc.constantFrom("ley-de-amparo" as const, "lei" as const),
});

function enforcedPeriod(kind: DeadlineKind, params: TreatyParameters, policy: Policy): PeriodParameter {
  switch (kind) {
    case "formal-request":
      return params.formalRequest;
    case "amparo":
      return policy.amparoWindow === "lei" ? params.amparo.lei : params.amparo.leyDeAmparo;
    case "objection":
      return params.objection;
    case "evidence":
      return params.evidence;
    case "evidence-extension":
      return params.evidenceExtension;
    case "judicial-opinion":
      return params.judicialOpinion;
    case "foreign-ministry-decision":
      return params.foreignMinistryDecision;
    case "custody-window":
      return params.custodyWindow;
  }
}

/** Units counted from the first counted day to dueOn, both included. */
function countedUnits(startsOn: string, dueOn: string, pp: PeriodParameter, holidays: Set<string>): number {
  const from = pp.countsFrom === "day-after" ? startsOn : addDays(startsOn, -1);
  return pp.unit === "natural" ? daysBetween(from, dueOn) : countBusinessDays(from, dueOn, holidays);
}

describe("deadlines follow the parameters (property)", () => {
  it("dueOn − startsOn is the parameter's days in the parameter's unit, for any trigger day and parameters", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...deadlineKinds),
        isoDay,
        paramsArb,
        policyArb,
        fc.integer({ min: 0, max: 86_399 }),
        (kind, day, params, policy, seconds) => {
          const trigger = new Date(Date.parse(`${day}T00:00:00Z`) + seconds * 1000);
          const d = computeDeadline(kind, trigger, params, policy);
          const holidays = new Set(params.holidays);
          expect(d.kind).toBe(kind);
          expect(d.startsOn).toBe(day); // the trigger's UTC day, whatever the hour
          if (kind === "formal-request" && params.formalRequest.counting === "two-months") {
            // Calendar months: the same day of the month (or the month's last day), `days` is what they come to.
            expect(d.days).toBe(daysBetween(d.startsOn, d.dueOn));
            expect(d.alternatives?.[0]?.days).toBe(params.formalRequest.days);
            return;
          }
          const pp = enforcedPeriod(kind, params, policy);
          expect(d.days).toBe(pp.days);
          expect(d.unit).toBe(pp.unit);
          expect(d.legalSource).toBe(pp.legalSource);
          expect(countedUnits(d.startsOn, d.dueOn, pp, holidays)).toBe(pp.days);
          if (pp.unit === "natural" && pp.countsFrom === "day-after") {
            expect(daysBetween(d.startsOn, d.dueOn)).toBe(pp.days);
          }
          if (pp.unit === "business") expect(isBusinessDay(d.dueOn, holidays)).toBe(true);
          if (kind === "amparo") {
            const other = policy.amparoWindow === "lei" ? params.amparo.leyDeAmparo : params.amparo.lei;
            const alt = d.alternatives?.[0];
            expect(alt?.days).toBe(other.days);
            expect(countedUnits(d.startsOn, alt?.dueOn ?? "", other, holidays)).toBe(other.days);
            expect(d.conflict).toBe(params.amparo.conflict);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("a longer period never ends earlier (monotone in days)", () => {
    fc.assert(
      fc.property(isoDay, period, fc.array(isoDay, { maxLength: 20 }), (day, pp, hol) => {
        const holidays = new Set(hol);
        const a = dueDate(day, pp, holidays);
        const b = dueDate(day, { ...pp, days: pp.days + 1 }, holidays);
        expect(daysBetween(a, b)).toBeGreaterThan(0);
      }),
    );
  });
});
