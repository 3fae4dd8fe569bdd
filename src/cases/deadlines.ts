/**
 * Deadlines of the treaty track, computed from per-treaty parameters — never typed in.
 *
 * Counting (all in UTC calendar days, `YYYY-MM-DD`):
 * - `startsOn` is the trigger day (the day of the event that starts the period).
 * - `countsFrom: "day-after"`: the first counted day is `startsOn + 1`, so for natural days
 *   `dueOn = startsOn + days` (detained 2026-01-05 → formal request due 2026-03-06). LEI art. 35
 *   says this in words ("desde el día siguiente"); Ley de Amparo art. 18 likewise.
 * - `countsFrom: "trigger-day"`: the trigger day is day 1, so `dueOn = startsOn + days − 1`.
 * - Business days skip Saturdays, Sundays and the parameter set's holidays; `dueOn` is then always
 *   a business day. Natural-day periods do not roll over a weekend.
 * - `dueOn` is the last day on which the act is still in time; the period has lapsed from the
 *   following day on.
 * - "Two months" (LEI art. 18) is the same day of the month two months later (clamped to the end
 *   of a shorter month): from 2026-01-05 it ends 2026-03-05, one day before the 60 natural days.
 */
import type { IsoDate } from "./calendar.ts";
import {
  addBusinessDays,
  addDays,
  addMonthsClamped,
  daysBetween,
  isBusinessDay,
  toIsoDate,
} from "./calendar.ts";
import type { PeriodParameter, Policy, TreatyParameters } from "./treaty-parameters.ts";
import { defaultDueSoonDays } from "./treaty-parameters.ts";

export const deadlineKinds = [
  "formal-request",
  "objection",
  "evidence",
  "evidence-extension",
  "judicial-opinion",
  "foreign-ministry-decision",
  "amparo",
  "custody-window",
] as const;

export type DeadlineKind = (typeof deadlineKinds)[number];

export interface Deadline {
  kind: DeadlineKind;
  /** The trigger day (day 0 for `day-after` counting, day 1 for `trigger-day`). */
  startsOn: string;
  /** Last day still in time. */
  dueOn: string;
  days: number;
  unit: "natural" | "business";
  legalSource: string;
  /** How the period was counted (absent on deadlines stored before this field existed: treat as `day-after`). */
  countsFrom?: "trigger-day" | "day-after";
  /** Other readings of the law, shown beside the enforced one. */
  alternatives?: { source: string; days: number; dueOn: string }[];
  /** Why there are alternatives. */
  conflict?: string;
}

/** The due day of a period counted from `startsOn`. */
export function dueDate(
  startsOn: IsoDate,
  period: Omit<PeriodParameter, "legalSource">,
  holidays: ReadonlySet<string>,
): IsoDate {
  if (!Number.isInteger(period.days) || period.days < 1) {
    throw new RangeError(`a period needs a whole number of days ≥ 1, got ${period.days}`);
  }
  if (period.unit === "natural") {
    return addDays(startsOn, period.countsFrom === "day-after" ? period.days : period.days - 1);
  }
  // trigger-day on a business day: the trigger counts as day 1, so n−1 more after it.
  if (period.countsFrom === "trigger-day" && isBusinessDay(startsOn, holidays)) {
    return period.days === 1 ? startsOn : addBusinessDays(startsOn, period.days - 1, holidays);
  }
  return addBusinessDays(startsOn, period.days, holidays);
}

function fromPeriod(
  kind: DeadlineKind,
  startsOn: IsoDate,
  period: PeriodParameter,
  holidays: ReadonlySet<string>,
): Deadline {
  return {
    kind,
    startsOn,
    dueOn: dueDate(startsOn, period, holidays),
    days: period.days,
    unit: period.unit,
    legalSource: period.legalSource,
    countsFrom: period.countsFrom,
  };
}

function simplePeriod(kind: Exclude<DeadlineKind, "formal-request" | "amparo">, params: TreatyParameters) {
  switch (kind) {
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

/**
 * The deadline of `kind` started by an event on `trigger` (its UTC day; pass a `YYYY-MM-DD`
 * string to name the legal day directly).
 */
export function computeDeadline(
  kind: DeadlineKind,
  trigger: Date | string,
  params: TreatyParameters,
  policy: Policy,
): Deadline {
  const startsOn = toIsoDate(trigger);
  const holidays = new Set(params.holidays);

  if (kind === "formal-request") {
    const p = params.formalRequest;
    const byDays = fromPeriod(kind, startsOn, p, holidays);
    const monthsDue = addMonthsClamped(startsOn, p.twoMonths.months);
    const byMonths = {
      source: `${p.twoMonths.legalSource}: ${p.twoMonths.months} months, same day of the month`,
      days: daysBetween(startsOn, monthsDue),
      dueOn: monthsDue,
    };
    const conflict = `The Constitution (art. 119) and the treaty (art. 11) count ${p.days} ${p.unit} days; LEI art. 18 says "${p.twoMonths.months} months", which ends on ${monthsDue} instead of ${byDays.dueOn}. Enforced: ${p.counting}.`;
    if (p.counting === "two-months") {
      return {
        kind,
        startsOn,
        dueOn: monthsDue,
        days: byMonths.days,
        unit: "natural",
        legalSource: p.twoMonths.legalSource,
        countsFrom: "day-after",
        alternatives: [{ source: p.legalSource, days: p.days, dueOn: byDays.dueOn }],
        conflict,
      };
    }
    return { ...byDays, alternatives: [byMonths], conflict };
  }

  if (kind === "amparo") {
    const { leyDeAmparo, lei, conflict } = params.amparo;
    const [enforced, other] = policy.amparoWindow === "lei" ? [lei, leyDeAmparo] : [leyDeAmparo, lei];
    const deadline = fromPeriod(kind, startsOn, enforced, holidays);
    return {
      ...deadline,
      alternatives: [
        { source: other.legalSource, days: other.days, dueOn: dueDate(startsOn, other, holidays) },
      ],
      conflict,
    };
  }

  return fromPeriod(kind, startsOn, simplePeriod(kind, params), holidays);
}

/** Has the deadline lapsed on `at` (a day after `dueOn`)? */
export function hasLapsed(d: Pick<Deadline, "dueOn">, at: Date | string): boolean {
  return daysBetween(d.dueOn, toIsoDate(at)) > 0;
}

/**
 * `overdue` once `now`'s day is after `dueOn`; `due-soon` when at most `dueSoonDays` natural
 * days remain (the due day itself included); `open` otherwise.
 */
export function deadlineStatus(
  d: Deadline,
  now: Date,
  dueSoonDays: number = defaultDueSoonDays,
): "open" | "due-soon" | "overdue" {
  const remaining = daysBetween(toIsoDate(now), d.dueOn);
  if (remaining < 0) return "overdue";
  return remaining <= dueSoonDays ? "due-soon" : "open";
}
