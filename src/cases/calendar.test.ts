import { describe, expect, it } from "vitest";
import {
  actBefore,
  actMoment,
  addBusinessDays,
  addDays,
  addMonthsClamped,
  countBusinessDays,
  daysBetween,
  isBusinessDay,
  isWeekend,
  toIsoDate,
} from "./calendar.ts";
import { mexicoFederalHolidays2025to2026 } from "./treaty-parameters.ts";

const holidays = new Set(mexicoFederalHolidays2025to2026);

describe("calendar", () => {
  it("reduces a Date to its UTC calendar day", () => {
    expect(toIsoDate(new Date("2026-01-05T23:59:59Z"))).toBe("2026-01-05");
    // 20:00 in Mexico City (UTC−6) is already the next UTC day — documented.
    expect(toIsoDate(new Date("2026-01-05T20:00:00-06:00"))).toBe("2026-01-06");
    expect(toIsoDate("2026-01-05")).toBe("2026-01-05");
  });

  it("rejects days that do not exist and invalid dates", () => {
    expect(() => toIsoDate("2026-02-29")).toThrow(/no such calendar day/);
    expect(() => toIsoDate("5/1/2026")).toThrow(/YYYY-MM-DD/);
    expect(() => toIsoDate(new Date("nope"))).toThrow(/invalid date/);
  });

  it("adds natural days across months and leap years", () => {
    expect(addDays("2026-01-05", 60)).toBe("2026-03-06");
    expect(addDays("2024-02-28", 1)).toBe("2024-02-29");
    expect(addDays("2025-12-31", 1)).toBe("2026-01-01");
    expect(daysBetween("2026-01-05", "2026-03-06")).toBe(60);
    expect(daysBetween("2026-03-06", "2026-01-05")).toBe(-60);
  });

  it("knows weekends and holidays", () => {
    expect(isWeekend("2026-01-31")).toBe(true); // Saturday
    expect(isWeekend("2026-02-01")).toBe(true); // Sunday
    expect(isWeekend("2026-02-02")).toBe(false); // Monday…
    expect(isBusinessDay("2026-02-02", holidays)).toBe(false); // …but Constitution day (LFT art. 74)
    expect(isBusinessDay("2026-02-03", holidays)).toBe(true);
  });

  it("the official holidays of 2025–2026 fall on the days LFT art. 74 names", () => {
    // "first Monday of February", "third Monday of March", "third Monday of November" are Mondays.
    for (const d of ["2025-02-03", "2025-03-17", "2025-11-17", "2026-02-02", "2026-03-16", "2026-11-16"]) {
      expect(new Date(`${d}T00:00:00Z`).getUTCDay()).toBe(1);
    }
  });

  it("skips a weekend and a holiday when adding business days", () => {
    // Friday 2026-01-30 + 1 business day: Sat 31, Sun 1, Mon 2 (holiday) skipped → Tue 3 Feb.
    expect(addBusinessDays("2026-01-30", 1, holidays)).toBe("2026-02-03");
    expect(addBusinessDays("2026-01-30", 3, holidays)).toBe("2026-02-05");
    expect(addBusinessDays("2026-01-30", 3, new Set())).toBe("2026-02-04");
    expect(countBusinessDays("2026-01-30", "2026-02-05", holidays)).toBe(3);
  });

  it("adds calendar months, clamping to the end of a shorter month", () => {
    expect(addMonthsClamped("2026-01-05", 2)).toBe("2026-03-05");
    expect(addMonthsClamped("2025-12-31", 2)).toBe("2026-02-28");
    expect(addMonthsClamped("2023-12-31", 2)).toBe("2024-02-29");
    expect(addMonthsClamped("2026-11-30", 2)).toBe("2027-01-30");
  });
});

describe("the order of two acts", () => {
  const at = (iso: string) => new Date(iso);
  it("is by their times when both carry one, and by their days when either was given as a day", () => {
    expect(actBefore(at("2026-01-20T02:00:00Z"), at("2026-01-20T02:19:00Z"))).toBe(true);
    expect(actBefore(at("2026-01-20T02:19:00Z"), at("2026-01-20T02:00:00Z"))).toBe(false);
    // A day says nothing of the hour: the same day is not before.
    expect(actBefore(at("2026-01-20"), at("2026-01-20T02:19:00Z"))).toBe(false);
    expect(actBefore(at("2026-01-20T02:00:00Z"), at("2026-01-20"))).toBe(false);
    expect(actBefore(at("2026-01-19"), at("2026-01-20T02:19:00Z"))).toBe(true);
    expect(actBefore(at("2026-01-20T23:59:00Z"), at("2026-01-21"))).toBe(true);
    // To the minute: a form's 02:19 is not before a departure the server's clock put at 02:19:41.
    expect(actBefore(at("2026-01-20T02:19:00Z"), at("2026-01-20T02:19:41.5Z"))).toBe(false);
    expect(actBefore(at("2026-01-20T02:18:59Z"), at("2026-01-20T02:19:41.5Z"))).toBe(true);
  });
  it("names an act by its day when given as one, else by its time", () => {
    expect(actMoment(at("2026-01-20"))).toBe("on 2026-01-20");
    expect(actMoment(at("2026-01-20T02:19:00Z"))).toBe("at 2026-01-20T02:19Z");
    expect(actMoment(at("2026-01-20T02:19:30Z"))).toBe("at 2026-01-20T02:19Z");
  });
});
