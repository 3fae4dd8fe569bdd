import { readLog } from "./audit/reads.ts";
import { tokenService } from "./auth/tokens.ts";
import { deadlineClockState } from "./cases/deadline-clock.ts";
import { legalRecordService } from "./cases/legal-record.ts";
import { caseService } from "./cases/service.ts";
import type { Config } from "./config.ts";
import type { Database } from "./db/client.ts";
import { PlanRunner } from "./operations/plan-runner.ts";
import { planningService } from "./operations/planning.ts";
import { operationService, referenceService } from "./operations/service.ts";
import { organisationService, peopleService } from "./people/service.ts";
import { requestService } from "./requests/service.ts";
import { statsService } from "./stats/service.ts";

/** Builds every service from the database: the one place where the application is wired. */
export function services(
  database: Database,
  config: Pick<Config, "DEATH_PENALTY_ASSURANCE_POLICY" | "AMPARO_WINDOW">,
) {
  // The services reach the record only through access scopes (`src/db/scope.ts`).
  const db = database.app;
  const planRunner = new PlanRunner();
  const cases = caseService(db, {
    deathPenaltyAssurance: config.DEATH_PENALTY_ASSURANCE_POLICY,
    amparoWindow: config.AMPARO_WINDOW,
  });
  const planning = planningService(db, planRunner);
  return {
    database,
    config,
    tokens: tokenService(db),
    people: peopleService(db),
    organisations: organisationService(db),
    requests: requestService(db),
    cases,
    legal: legalRecordService(db),
    operations: operationService(db, { cases, planning, runner: planRunner }),
    reference: referenceService(db),
    stats: statsService(db),
    /** Who read which record by id, written in batches. */
    reads: readLog(db),
    planning,
    planRunner,
    /** When the deadline clock last ran in this process (for /metrics). */
    deadlineClock: deadlineClockState(),
  };
}

export type Services = ReturnType<typeof services>;
