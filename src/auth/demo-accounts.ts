/**
 * Demo accounts (issue 10, "Demo accounts"): one per role for each party of the demo data, made at the
 * first start of an empty embedded database. Their passwords are generated then, printed once, and kept
 * in `DATA_DIR/demo-accounts.txt`, readable by its owner only. No password is written anywhere else: not
 * in the code, the configuration or the docs.
 */
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Services } from "../services.ts";
import type { Role } from "./roles.ts";
import { consoleActor } from "./tokens.ts";

/** The roles of each party of the demo: the sending state's officials, the requesting states' officers. */
export const demoAccountRoles: Record<string, { agency: string; roles: Role[] }> = {
  MX: {
    agency: "Gobierno de México (demo)",
    roles: [
      "foreign-ministry",
      "prosecutor",
      "judge",
      "secretariat",
      "decision-authority",
      "custody-officer",
      "operations-planner",
      "communications",
      "auditor",
      "admin",
      "public",
    ],
  },
  US: { agency: "US Department of Justice (demo)", roles: ["request-officer", "receiving-officer", "admin"] },
  GT: {
    agency: "Ministerio Público de Guatemala (demo)",
    roles: ["request-officer", "receiving-officer", "admin"],
  },
};

export const DEMO_ACCOUNTS_FILE = "demo-accounts.txt";

export interface DemoAccount {
  username: string;
  party: string;
  role: Role;
  password: string;
}

/**
 * Creates the demo accounts and writes their file (mode 0600) in `dataDir`. Returns the accounts and the
 * file's path; the caller prints them once.
 */
export async function createDemoAccounts(
  s: Services,
  dataDir: string,
  now = new Date(),
): Promise<{ file: string; accounts: DemoAccount[] }> {
  const accounts: DemoAccount[] = [];
  for (const [party, spec] of Object.entries(demoAccountRoles)) {
    const actor = consoleActor(party);
    const agency =
      (await s.admin.agencyNamed({ actor, name: spec.agency })) ??
      (await s.admin.createAgency({ actor, name: spec.agency }));
    for (const role of spec.roles) {
      const username = `${party.toLowerCase()}.${role}`;
      const made = await s.admin.createUser({
        actor,
        username,
        displayName: `Demo ${role} (${party})`,
        agencyId: agency.id,
        roles: [role],
      });
      accounts.push({ username, party, role, password: made.password! });
    }
  }
  const file = join(dataDir, DEMO_ACCOUNTS_FILE);
  writeFileSync(file, demoAccountsText(accounts, s.sessions.settings.totpRequiredRoles, now), {
    mode: 0o600,
  });
  // `mode` applies only to a file created now; an older file of that name is narrowed too.
  chmodSync(file, 0o600);
  return { file, accounts };
}

/** The file's text (and what is printed once). */
export function demoAccountsText(accounts: DemoAccount[], totpRoles: readonly Role[], now: Date): string {
  const width = Math.max(...accounts.map((a) => a.username.length));
  const lines = [
    `# Traslado demo accounts, made ${now.toISOString()} for fictional demo data. Each password is random and`,
    "# kept only here: disable these accounts (`traslado user disable`) before the instance holds real records.",
    `# Roles ${totpRoles.join(", ")} enrol a TOTP at first sign-in (POST /auth/totp, then /auth/totp/confirm).`,
    `# ${"username".padEnd(width)}  party  role                 password`,
    ...accounts.map(
      (a) => `  ${a.username.padEnd(width)}  ${a.party.padEnd(5)}  ${a.role.padEnd(19)}  ${a.password}`,
    ),
  ];
  return `${lines.join("\n")}\n`;
}
