/**
 * Calendar arithmetic for legal deadlines, in UTC calendar days written as `YYYY-MM-DD`.
 *
 * Pure: no clock read. A `Date` is reduced to its UTC calendar day, so callers that mean a
 * Mexico City legal day should pass that day as a `YYYY-MM-DD` string (or a `Date` at noon UTC);
 * an event at 20:00 in Mexico City on 5 January is already 6 January in UTC.
 */
import { AppError } from "../errors.ts";

/** A calendar day, `YYYY-MM-DD`. */
export type IsoDate = string;

const DAY_MS = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Days since 1970-01-01 of a valid `YYYY-MM-DD`; throws VALIDATION_FAILED otherwise. */
function dayNumber(iso: IsoDate): number {
  const m = ISO_DATE.exec(iso);
  if (!m) throw new AppError("VALIDATION_FAILED", `not a YYYY-MM-DD date: ${iso}`, { value: iso });
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) {
    throw new AppError("VALIDATION_FAILED", `no such calendar day: ${iso}`, { value: iso });
  }
  return ms / DAY_MS;
}

function fromDayNumber(n: number): IsoDate {
  return new Date(n * DAY_MS).toISOString().slice(0, 10);
}

/** The UTC calendar day of a `Date`, or a validated `YYYY-MM-DD` string. */
export function toIsoDate(value: Date | IsoDate): IsoDate {
  if (typeof value === "string") {
    dayNumber(value);
    return value;
  }
  if (Number.isNaN(value.getTime())) throw new AppError("VALIDATION_FAILED", "invalid date", {});
  return value.toISOString().slice(0, 10);
}

export function addDays(iso: IsoDate, days: number): IsoDate {
  return fromDayNumber(dayNumber(iso) + days);
}

/** `to − from` in natural days (negative when `to` is earlier). */
export function daysBetween(from: IsoDate, to: IsoDate): number {
  return dayNumber(to) - dayNumber(from);
}

export function isWeekend(iso: IsoDate): boolean {
  const weekday = new Date(dayNumber(iso) * DAY_MS).getUTCDay();
  return weekday === 0 || weekday === 6;
}

/** A business day (día hábil): not Saturday, not Sunday, not in `holidays`. */
export function isBusinessDay(iso: IsoDate, holidays: ReadonlySet<IsoDate>): boolean {
  return !isWeekend(iso) && !holidays.has(iso);
}

/**
 * The day on which the `n`-th business day after `iso` falls (`iso` itself is not counted).
 * `n` ≥ 1.
 */
export function addBusinessDays(iso: IsoDate, n: number, holidays: ReadonlySet<IsoDate>): IsoDate {
  let day = dayNumber(iso);
  let counted = 0;
  while (counted < n) {
    day += 1;
    if (isBusinessDay(fromDayNumber(day), holidays)) counted += 1;
  }
  return fromDayNumber(day);
}

/** Business days in the interval (from, to] — `from` excluded, `to` included. */
export function countBusinessDays(from: IsoDate, to: IsoDate, holidays: ReadonlySet<IsoDate>): number {
  let count = 0;
  for (let day = dayNumber(from) + 1; day <= dayNumber(to); day++) {
    if (isBusinessDay(fromDayNumber(day), holidays)) count += 1;
  }
  return count;
}

/**
 * The same day of the month `months` later; when that month is shorter, its last day
 * (2025-12-31 + 2 months → 2026-02-28).
 */
export function addMonthsClamped(iso: IsoDate, months: number): IsoDate {
  dayNumber(iso);
  const [y, m, d] = iso.split("-").map(Number) as [number, number, number];
  const targetMonth = m - 1 + months;
  const lastDay = new Date(Date.UTC(y, targetMonth + 1, 0)).getUTCDate();
  return fromDayNumber(Date.UTC(y, targetMonth, Math.min(d, lastDay)) / DAY_MS);
}

/**
 * How far ahead of this server's clock a recorded act may be dated: another system's clock runs a little
 * ahead; an act an hour from now has not happened yet.
 */
export const CLOCK_SKEW_MS = 5 * 60_000;

/** The rule an act's time breaks by being still to come, if it does (`CLOCK_SKEW_MS` allowed). */
export function stillToCome(occurredAt: Date, now: Date): string | null {
  return occurredAt.getTime() > now.getTime() + CLOCK_SKEW_MS
    ? `not in the future (now ${now.toISOString().slice(0, 16)}Z)`
    : null;
}

/** A time given as a day (`2026-01-20`) is read as that day's midnight, UTC. */
const givenAsDay = (d: Date) => d.getTime() % DAY_MS === 0;

const MINUTE_MS = 60_000;

/**
 * Whether act `a` comes before act `b`: by their times to the minute (the forms give minutes; a departure
 * recorded with the server's clock has seconds too), or by their days when either was given as a day (a
 * handover given as 2026-01-20 is not before a departure at 02:19 that day: the day does not say the hour).
 * An act given at exactly midnight UTC reads as given as a day.
 */
export function actBefore(a: Date, b: Date): boolean {
  return givenAsDay(a) || givenAsDay(b)
    ? toIsoDate(a) < toIsoDate(b)
    : Math.floor(a.getTime() / MINUTE_MS) < Math.floor(b.getTime() / MINUTE_MS);
}

/** When an act happened, as a rule names it: "on 2026-01-20" (given as a day) or "at 2026-01-20T02:19Z". */
export function actMoment(d: Date): string {
  return givenAsDay(d) ? `on ${toIsoDate(d)}` : `at ${d.toISOString().slice(0, 16)}Z`;
}
