/**
 * The sign-in rate limit: failures counted per account name and per address in fixed windows, in
 * PostgreSQL (`sign_in_attempts`) so that every app process counts the same. The account's key is the name
 * typed, whether or not such an account exists, so that the limit answers the same for both. A success
 * clears the count of its own account name only: the address's count stays, so that one good password
 * does not reopen the door to guessing the others.
 */
import { createHash } from "node:crypto";
import { and, eq, inArray, lt, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { signInAttempts } from "../db/schema.ts";
import { asSystem } from "./access.ts";
import type { AuthSettings } from "./settings.ts";

export interface Limited {
  /** Seconds until the window ends (for `Retry-After`). */
  retryAfterSeconds: number;
}

/** Keys are hashed: the table holds no name typed at a sign-in form (a mistyped password, say). */
const keyOf = (kind: "account" | "address", value: string) =>
  `${kind}:${createHash("sha256").update(value).digest("base64url")}`;

export function signInLimiter(db: Db, settings: AuthSettings) {
  const windowOf = (now: Date) => new Date(Math.floor(now.getTime() / settings.windowMs) * settings.windowMs);
  const keys = (username: string, address: string) => ({
    account: keyOf("account", username.trim().toLowerCase()),
    address: keyOf("address", address),
  });

  return {
    /** Null when a sign-in may be tried now; otherwise how long to wait. */
    async check(username: string, address: string, now: Date): Promise<Limited | null> {
      const k = keys(username, address);
      const window = windowOf(now);
      const rows = await asSystem(db, () =>
        db
          .select({ key: signInAttempts.key, failures: signInAttempts.failures })
          .from(signInAttempts)
          .where(
            and(inArray(signInAttempts.key, [k.account, k.address]), eq(signInAttempts.windowStart, window)),
          ),
      );
      const failures = (key: string) => rows.find((r) => r.key === key)?.failures ?? 0;
      if (
        failures(k.account) < settings.maxFailuresPerAccount &&
        failures(k.address) < settings.maxFailuresPerAddress
      )
        return null;
      const end = window.getTime() + settings.windowMs;
      return { retryAfterSeconds: Math.max(1, Math.ceil((end - now.getTime()) / 1000)) };
    },

    /** Counts a failure against the account name and the address; forgets windows that have ended. */
    async fail(username: string, address: string, now: Date): Promise<void> {
      const k = keys(username, address);
      const window = windowOf(now);
      await asSystem(db, async () => {
        await db
          .insert(signInAttempts)
          .values([
            { key: k.account, windowStart: window, failures: 1 },
            { key: k.address, windowStart: window, failures: 1 },
          ])
          .onConflictDoUpdate({
            target: [signInAttempts.key, signInAttempts.windowStart],
            set: { failures: sql`${signInAttempts.failures} + 1` },
          });
        await db.delete(signInAttempts).where(lt(signInAttempts.windowStart, window));
      });
    },

    /** A success clears its own account name's count (not the address's). */
    async succeed(username: string, address: string, now: Date): Promise<void> {
      const k = keys(username, address);
      await asSystem(db, () =>
        db
          .delete(signInAttempts)
          .where(and(eq(signInAttempts.key, k.account), eq(signInAttempts.windowStart, windowOf(now)))),
      );
    },
  };
}
