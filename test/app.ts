import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import type { Actor, Role } from "../src/auth/roles.ts";
import type { AuthConfig } from "../src/auth/settings.ts";
import { consoleActor } from "../src/auth/tokens.ts";
import type { DocumentStore } from "../src/documents/store.ts";
import type { AnswerMismatch } from "../src/http/answers.ts";
import { type AppOptions, createApp } from "../src/http/app.ts";
import { type Services, services } from "../src/services.ts";
import { type TestDatabase, testDatabase } from "./db.ts";

export interface TestApp {
  app: FastifyInstance;
  s: Services;
  database: TestDatabase;
  /** Authorization headers of a new actor of this role and party. */
  as(role: Role, party?: string): Promise<{ authorization: string }>;
  close(): Promise<void>;
}

/** The key the tests' receipts are signed with (made on first need, in the temporary folder). */
export const testReceiptKeyFile = join(tmpdir(), `traslado-test-receipt-key-${process.pid}.pem`);

/** An officer of a role and party, for calling the services directly. */
export const officer = (role: Role, party = "MX"): Actor => ({
  id: `test-${party}-${role}`,
  name: `Test ${role}`,
  party,
  role,
});

/**
 * A migrated database of the test file's own, the services over it, and the HTTP app. `auth` settings of
 * sign-in and sessions (NODE_ENV "test": the cookie is `Secure`), and a `clock` the test moves.
 */
export async function testApp(
  options: AppOptions = {},
  more: {
    auth?: Partial<AuthConfig>;
    /** Other settings of the services (reminders, webhooks, documents' DOCUMENT_MAX_BYTES…). */
    services?: Partial<Parameters<typeof services>[1]>;
    clock?: () => Date;
    /** A store of documents of the test's own. */
    documentStore?: DocumentStore;
  } = {},
): Promise<TestApp> {
  const database = await testDatabase();
  const s = services(
    database,
    {
      DEATH_PENALTY_ASSURANCE_POLICY: "block",
      AMPARO_WINDOW: "ley-de-amparo",
      NODE_ENV: "test",
      ...more.auth,
      ...more.services,
    },
    {
      ...(more.clock ? { clock: more.clock } : {}),
      ...(more.documentStore ? { documentStore: more.documentStore } : {}),
      // Receipts are signed with a key of the test run's own, never one in the working tree.
      receiptKeyFile: testReceiptKeyFile,
    },
  );
  // Tests send many requests with one token: the rate limit is raised unless a test sets its own.
  // Every answer is checked against its route's schema; a mismatch is a 500 and fails the file at close.
  const mismatches: AnswerMismatch[] = [];
  const app = await createApp(s, {
    checkAnswers: (m) => mismatches.push(m),
    ...options,
    config: { RATE_LIMIT_MAX: 1_000_000, ...options.config },
  });
  await app.ready();
  const tokens = new Map<string, string>();
  return {
    app,
    s,
    database,
    async as(role, party = "MX") {
      const k = `${party}:${role}`;
      let token = tokens.get(k);
      if (!token) {
        token = (await s.tokens.create({ actor: consoleActor(party), name: `Test ${role}`, party, role }))
          .token;
        tokens.set(k, token);
      }
      return { authorization: `Bearer ${token}` };
    },
    async close() {
      await app.close();
      await database.close();
      if (mismatches.length > 0)
        throw new Error(
          `answers that do not match their schemas:\n${mismatches.map((m) => `${m.route} ${m.status}:\n${m.problems}`).join("\n")}`,
        );
    },
  };
}
