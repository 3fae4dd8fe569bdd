/**
 * The deadline clock: one run takes the lapse transitions of every overdue deadline (`applyLapses`), then
 * raises the reminders and lapse notices due (`src/notifications/`), and the services remember when it last
 * ran, for `/metrics`. The first run of each day also drops the case files kept on earlier days (they are
 * never served again: src/cases/document.ts). `traslado deadlines --apply-lapses` runs it
 * once; `serve` runs it every DEADLINE_CLOCK_INTERVAL_S seconds (`deadlineClockSeconds`: 300 in production).
 */
import type { FastifyBaseLogger } from "fastify";
import { every } from "../every.ts";
import type { Services } from "../services.ts";
import { toIsoDate } from "./calendar.ts";
import { applyLapses } from "./lapses.ts";

/** When the deadline clock last finished a run in this process, and what it did. */
export interface DeadlineClockState {
  lastRunAt: Date | null;
  lastApplied: number;
  lastRefused: number;
  lastReminders: number;
  /** The day the kept case files of earlier days were last dropped (`YYYY-MM-DD`). */
  filesDroppedOn: string | null;
}

export const deadlineClockState = (): DeadlineClockState => ({
  lastRunAt: null,
  lastApplied: 0,
  lastRefused: 0,
  lastReminders: 0,
  filesDroppedOn: null,
});

/** One run of the clock; records its time (the start of the run: the `now` its deadlines were read at). */
export async function runDeadlineClock(
  s: Pick<Services, "cases" | "deadlineClock" | "notifications">,
  now = new Date(),
) {
  const out = await applyLapses(s.cases, now);
  // After the lapses, so that a lapse applied in this run is notified in this run.
  const { raised } = await s.notifications.raise(now);
  const today = toIsoDate(now);
  if (s.deadlineClock.filesDroppedOn !== today) {
    await s.cases.dropEarlierFiles(now);
    s.deadlineClock.filesDroppedOn = today;
  }
  s.deadlineClock.lastRunAt = now;
  s.deadlineClock.lastApplied = out.applied.length;
  s.deadlineClock.lastRefused = out.refused.length;
  s.deadlineClock.lastReminders = raised.length;
  return { ...out, reminders: raised };
}

/** Runs the clock now and then every `intervalMs`, one run at a time, until `stop()`. */
export function startDeadlineClock(
  s: Pick<Services, "cases" | "deadlineClock" | "notifications">,
  intervalMs: number,
  log: FastifyBaseLogger,
) {
  return every(intervalMs, () =>
    runDeadlineClock(s)
      .then((out) =>
        log.info(
          { applied: out.applied.length, refused: out.refused.length, reminders: out.reminders.length },
          "deadline clock ran",
        ),
      )
      .catch((err: unknown) => log.error({ err }, "deadline clock failed")),
  );
}
