/**
 * Per-treaty deadline parameters (DESIGN.md "The legal tracks": deadlines are data, not code)
 * and the sending state's policy where the law leaves a choice.
 *
 * Every period says how many days, in which unit (natural days, or business days — días hábiles —
 * which skip weekends and `holidays`), from when it counts, and which article sets it.
 */
import { z } from "zod";

export type DayUnit = "natural" | "business";

/**
 * - `day-after`: the trigger day is day 0; the first counted day is the day after it (Mexican
 *   procedural practice; LEI art. 35 says so in words: "desde el día siguiente").
 * - `trigger-day`: the trigger day itself is day 1 (if it is a business day, for business units).
 */
export type CountsFrom = "trigger-day" | "day-after";

export interface PeriodParameter {
  days: number;
  unit: DayUnit;
  legalSource: string;
  countsFrom: CountsFrom;
  /** Why the unit or start was chosen when the source is not explicit. */
  note?: string;
}

export interface TreatyParameters {
  id: string;
  name: string;
  /** The two states party to it (ISO 3166-1 alpha-2). */
  parties: [string, string];
  /**
   * After provisional detention, the formal request must arrive in time. `counting` says which
   * wording is enforced: the day count of this parameter (60 natural days: Constitution art. 119,
   * treaty art. 11) or `twoMonths` (LEI art. 18: "dos meses"). The other is shown as an alternative.
   */
  formalRequest: PeriodParameter & {
    counting: "60-natural-days" | "two-months";
    twoMonths: { months: number; legalSource: string; countsFrom: "same-day-of-month" };
  };
  /** Time to oppose exceptions once heard (LEI art. 25). */
  objection: PeriodParameter;
  /** Time to prove them (LEI art. 25). */
  evidence: PeriodParameter;
  /** Each extension of the evidence period the judge grants, counted from the end of the current period. */
  evidenceExtension: PeriodParameter;
  /** Judge's opinion after the evidence period closes (LEI art. 27). */
  judicialOpinion: PeriodParameter;
  /** Foreign-ministry decision after receiving the file and opinion (LEI art. 30). */
  foreignMinistryDecision: PeriodParameter;
  /** Amparo against the grant: the two statutes disagree; both are kept, `Policy.amparoWindow` picks. */
  amparo: { leyDeAmparo: PeriodParameter; lei: PeriodParameter; conflict: string };
  /** The requesting state must take custody (LEI art. 35). */
  custodyWindow: PeriodParameter;
  /** A deadline is "due-soon" when at most this many natural days remain. */
  dueSoonDays: number;
  /** Non-working days (YYYY-MM-DD) skipped by business-day periods, besides weekends. */
  holidays: string[];
}

/** The sending state's choices where the law or the history leaves room (DESIGN.md). */
export interface Policy {
  /** Capital-eligible charge without a given no-death-penalty assurance: refuse the step, or allow it and record an open risk. */
  deathPenaltyAssurance: "block" | "record-risk";
  /** Which amparo window is enforced: Ley de Amparo art. 17-I (30 days) or LEI art. 33 (15 days). */
  amparoWindow: "ley-de-amparo" | "lei";
}

/** Safer defaults: block without assurance; the longer amparo window. */
export const defaultPolicy: Policy = { deathPenaltyAssurance: "block", amparoWindow: "ley-de-amparo" };

/**
 * Mexico's official federal rest days (Ley Federal del Trabajo art. 74) for 2025 and 2026.
 * Courts also close on the other days of Ley de Amparo art. 19 (5 May, 14 Sep, 12 Oct…) and on
 * days suspended by the federal judiciary; add them here when confirmed — this is data.
 */
export const mexicoFederalHolidays2025to2026: readonly string[] = [
  "2025-01-01", // Año Nuevo
  "2025-02-03", // first Monday of February (Constitution day, 5 Feb)
  "2025-03-17", // third Monday of March (Benito Juárez, 21 Mar)
  "2025-05-01", // Labour day
  "2025-09-16", // Independence day
  "2025-11-17", // third Monday of November (Revolution, 20 Nov)
  "2025-12-25", // Christmas
  "2026-01-01",
  "2026-02-02",
  "2026-03-16",
  "2026-05-01",
  "2026-09-16",
  "2026-11-16",
  "2026-12-25",
];

const BUSINESS_NOTE =
  "LEI is silent on the unit; counted as business days (días hábiles) under the supletory federal procedure — confirm with counsel";

/** The 1978 US–Mexico extradition treaty together with Mexico's Ley de Extradición Internacional (LEI). */
export const usMexico1978: TreatyParameters = {
  id: "us-mx-1978",
  name: "Extradition Treaty between the United States of America and the United Mexican States (1978), with the LEI",
  parties: ["US", "MX"],
  formalRequest: {
    days: 60,
    unit: "natural",
    countsFrom: "day-after",
    legalSource: "Constitution art. 119; Treaty art. 11(4) (60 days after the apprehension)",
    counting: "60-natural-days",
    twoMonths: { months: 2, legalSource: "LEI art. 18 (dos meses)", countsFrom: "same-day-of-month" },
  },
  objection: {
    days: 3,
    unit: "business",
    countsFrom: "day-after",
    legalSource: "LEI art. 25",
    note: BUSINESS_NOTE,
  },
  evidence: {
    days: 20,
    unit: "business",
    countsFrom: "day-after",
    legalSource: "LEI art. 25 (extendable: arts. 25, 28)",
    note: BUSINESS_NOTE,
  },
  evidenceExtension: {
    days: 20,
    unit: "business",
    countsFrom: "day-after",
    legalSource: "LEI arts. 25, 28 (extension by the judge)",
    note: "The statute leaves the length to the judge; 20 days (one more evidence period) is this parameter's default",
  },
  judicialOpinion: {
    days: 5,
    unit: "business",
    countsFrom: "day-after",
    legalSource: "LEI art. 27",
    note: BUSINESS_NOTE,
  },
  foreignMinistryDecision: {
    days: 20,
    unit: "business",
    countsFrom: "day-after",
    legalSource: "LEI art. 30",
    note: "Administrative period; counted in business days (Ley Federal de Procedimiento Administrativo art. 28) — confirm with counsel",
  },
  amparo: {
    leyDeAmparo: {
      days: 30,
      unit: "business",
      countsFrom: "day-after",
      legalSource:
        "Ley de Amparo art. 17-I (extradition: 30 days); arts. 18–19 (day after notice; días hábiles)",
    },
    lei: {
      days: 15,
      unit: "business",
      countsFrom: "day-after",
      legalSource: "LEI art. 33 (15 days)",
    },
    conflict:
      "LEI art. 33 still says 15 days to file amparo against the grant; the later Ley de Amparo (2013) art. 17-I gives 30 days for extradition. The enforced window is a policy (default: the longer 30 days, so no one is surrendered while they may still file).",
  },
  custodyWindow: {
    days: 60,
    unit: "natural",
    countsFrom: "day-after",
    legalSource:
      "LEI art. 35 (60 natural days from the day after the person is placed at the requesting state's disposal)",
  },
  dueSoonDays: 5,
  holidays: [...mexicoFederalHolidays2025to2026],
};

/**
 * The 1997 Mexico–Guatemala extradition treaty together with the LEI. Mexico, the requested state, applies
 * its own procedure (LEI) and calendar; the treaty's own article numbers are not recorded here, so each
 * period cites the Mexican source that sets it — confirm the treaty's periods with counsel before relying
 * on them.
 */
export const guatemalaMexico1997: TreatyParameters = {
  ...usMexico1978,
  id: "gt-mx-1997",
  name: "Extradition Treaty between the United Mexican States and the Republic of Guatemala (1997), with the LEI",
  parties: ["GT", "MX"],
  formalRequest: {
    ...usMexico1978.formalRequest,
    legalSource: "Constitution art. 119 (60 days after the apprehension); the treaty's period not recorded",
  },
};

const ZPeriod = z.object({
  days: z.number().int().min(1).max(3650),
  unit: z.enum(["natural", "business"]),
  legalSource: z.string().min(1),
  countsFrom: z.enum(["trigger-day", "day-after"]),
  note: z.string().optional(),
});

/** Schema for parameter sets loaded from configuration or the database. */
export const ZTreatyParameters = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  parties: z.tuple([z.string().length(2), z.string().length(2)]),
  formalRequest: ZPeriod.extend({
    counting: z.enum(["60-natural-days", "two-months"]),
    twoMonths: z.object({
      months: z.number().int().min(1).max(24),
      legalSource: z.string().min(1),
      countsFrom: z.literal("same-day-of-month"),
    }),
  }),
  objection: ZPeriod,
  evidence: ZPeriod,
  evidenceExtension: ZPeriod,
  judicialOpinion: ZPeriod,
  foreignMinistryDecision: ZPeriod,
  amparo: z.object({ leyDeAmparo: ZPeriod, lei: ZPeriod, conflict: z.string().min(1) }),
  custodyWindow: ZPeriod,
  dueSoonDays: z.number().int().min(0),
  holidays: z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/)),
}) satisfies z.ZodType<TreatyParameters>;

/** The treaties this deployment knows, by id. */
export const treaties: readonly TreatyParameters[] = [usMexico1978, guatemalaMexico1997];
export const treatyIds = treaties.map((t) => t.id) as [string, ...string[]];

/** A known treaty's parameters; null for an id no treaty has (or none). */
export function treatyById(id: string | null | undefined): TreatyParameters | null {
  return treaties.find((t) => t.id === id) ?? null;
}

/**
 * The treaty a request from `requestingState` falls under, if one is known: the one between the two states,
 * or, when the requested state is not known yet, the only one the requesting state is party to.
 */
export function treatyFor(requestingState: string, requestedState?: string): TreatyParameters | null {
  const known = treaties.filter((t) => t.parties.includes(requestingState));
  if (requestedState) return known.find((t) => t.parties.includes(requestedState)) ?? null;
  return known.length === 1 ? known[0]! : null;
}

/** A deadline is "due-soon" when at most this many natural days remain, for cases under no treaty. */
export const defaultDueSoonDays = 5;
