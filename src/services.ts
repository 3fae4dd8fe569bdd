import { tokenService } from "./auth/tokens.ts";
import type { Config } from "./config.ts";
import type { Database } from "./db/client.ts";
import { organisationService, peopleService } from "./people/service.ts";

/** Builds every service from the database: the one place where the application is wired. */
export function services(
  database: Database,
  config: Pick<Config, "DEATH_PENALTY_ASSURANCE_POLICY" | "AMPARO_WINDOW">,
) {
  const { db } = database;
  return {
    database,
    config,
    tokens: tokenService(db),
    people: peopleService(db),
    organisations: organisationService(db),
  };
}

export type Services = ReturnType<typeof services>;
