/**
 * The rules of reminders, pure: who must act on a deadline, and which reminder a day calls for.
 */
import type { Role } from "../auth/roles.ts";
import { daysBetween, type IsoDate } from "../cases/calendar.ts";
import type { DeadlineKind } from "../cases/deadlines.ts";
import { transitions } from "../cases/tracks.ts";

/**
 * The roles that must act before a deadline of `kind` runs out: those that take a step of the legal track
 * which stops it in time (`tracks.ts` `stops`, not `stopsAs: "lapsed"`), the system (the clock) left out.
 * Withdrawing a request stops every deadline, but is nobody's duty: it is left out too. From the tracks:
 * formal-request → foreign-ministry; objection, evidence, evidence-extension, judicial-opinion → judge;
 * foreign-ministry-decision → foreign-ministry; amparo → judge, prosecutor, foreign-ministry;
 * custody-window → foreign-ministry, custody-officer.
 */
export function rolesToAct(kind: DeadlineKind | string): Role[] {
  const roles = new Set<Role>();
  for (const t of transitions) {
    if (t.name === "withdraw-request" || t.stopsAs === "lapsed") continue;
    if (!(t.stops as readonly string[]).includes(kind)) continue;
    for (const r of t.by) if (r !== "system") roles.add(r);
  }
  return [...roles].sort();
}

/** Parses REMINDER_LEAD_DAYS ("7,3,1,0"): distinct whole days ≥ 0, largest first. */
export function parseLeadDays(text: string): number[] {
  const parts = text
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);
  const days = parts.map(Number);
  if (days.length === 0 || days.some((d) => !Number.isInteger(d) || d < 0 || d > 365))
    throw new RangeError("lead days must be whole numbers from 0 to 365, comma-separated");
  return [...new Set(days)].sort((a, b) => b - a);
}

/**
 * The reminder a deadline due on `dueOn` calls for on `today`: the lead whose window holds the days left
 * — lead L covers the days left from L down to just above the next smaller lead — or null (too early, or
 * past the due day). With leads 7, 3, 1, 0: 7 to 4 days left → 7; 3 or 2 → 3; 1 → 1; the due day → 0. A
 * window passed unseen (the servers were down) is not raised late: the next one covers it.
 */
export function leadDue(dueOn: IsoDate, today: IsoDate, leads: readonly number[]): number | null {
  const left = daysBetween(today, dueOn);
  if (left < 0) return null;
  const sorted = [...leads].sort((a, b) => a - b);
  for (let i = 0; i < sorted.length; i++) {
    const lead = sorted[i]!;
    const below = i === 0 ? -1 : sorted[i - 1]!;
    if (left <= lead && left > below) return lead;
  }
  return null;
}

/** Delay before attempt `attempt + 1` after `attempt` failed: base · 2^(attempt−1), at most `maxSeconds`. */
export function backoffSeconds(attempt: number, baseSeconds: number, maxSeconds: number): number {
  return Math.min(maxSeconds, baseSeconds * 2 ** Math.max(0, attempt - 1));
}
