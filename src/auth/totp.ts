/**
 * The second factor: TOTP (RFC 6238: SHA-1, 6 digits, 30-second steps, one step of drift either way), as
 * every authenticator app reads it. A code is accepted once: the step of the last code accepted is kept
 * (`credentials.totp_last_step`) and a code of that step or an earlier one is refused as a replay, by a
 * conditional update, so two requests racing with one code cannot both pass.
 */
import { and, eq, isNull, lt, or } from "drizzle-orm";
import { Secret, TOTP } from "otpauth";
import { write } from "../audit/write.ts";
import type { Db } from "../db/client.ts";
import { credentials } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { asSystem } from "./access.ts";
import type { Actor } from "./roles.ts";
import type { Clock } from "./sessions.ts";
import type { AuthSettings } from "./settings.ts";

const PERIOD = 30;

const totpOf = (secret: string, issuer: string, label: string) =>
  new TOTP({
    issuer,
    label,
    algorithm: "SHA1",
    digits: 6,
    period: PERIOD,
    secret: Secret.fromBase32(secret),
  });

/**
 * The step of `code` if it is a valid code of `secret` now (within one step of drift), else null.
 * Pure: the clock is passed in.
 */
export function stepOfCode(secret: string, code: string, now: Date): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const delta = totpOf(secret, "", "x").validate({ token: code, timestamp: now.getTime(), window: 1 });
  if (delta === null) return null;
  return Math.floor(now.getTime() / 1000 / PERIOD) + delta;
}

/** A code of `secret` at `now` (tests, and an operator's check). */
export function codeAt(secret: string, now: Date): string {
  return totpOf(secret, "", "x").generate({ timestamp: now.getTime() });
}

export function totpService(db: Db, settings: AuthSettings, clock: Clock = () => new Date()) {
  /** Takes the code's step if it is newer than the last one taken; false for a bad code or a replay. */
  async function take(userId: string, secret: string, code: string, now: Date, confirm: boolean) {
    const step = stepOfCode(secret, code, now);
    if (step === null) return false;
    const taken = await asSystem(db, () =>
      db
        .update(credentials)
        .set({ totpLastStep: step, updatedAt: now, ...(confirm ? { totpConfirmedAt: now } : {}) })
        .where(
          and(
            eq(credentials.userId, userId),
            or(isNull(credentials.totpLastStep), lt(credentials.totpLastStep, step)),
          ),
        )
        .returning({ userId: credentials.userId }),
    );
    return taken.length === 1;
  }

  return {
    /** The user's TOTP secret if confirmed (sign-in needs a code), else null. */
    async confirmedSecret(userId: string): Promise<string | null> {
      const [row] = await asSystem(db, () =>
        db
          .select({ secret: credentials.totpSecret, confirmedAt: credentials.totpConfirmedAt })
          .from(credentials)
          .where(eq(credentials.userId, userId)),
      );
      return row?.secret && row.confirmedAt ? row.secret : null;
    },

    /** Checks a sign-in code against a confirmed secret; a code already used is refused. */
    verify(userId: string, secret: string, code: string): Promise<boolean> {
      return take(userId, secret, code, clock(), false);
    },

    /**
     * Starts enrolment: a new secret, kept unconfirmed until a code of it is given. Answers the otpauth://
     * URI (for a QR code) and the secret, shown this once. 409 when a TOTP is already confirmed.
     */
    async enrol(o: { actor: Actor; username: string }): Promise<{ uri: string; secret: string }> {
      const now = clock();
      const secret = new Secret({ size: 20 }).base32;
      await asSystem(db, async () => {
        const [row] = await db
          .select({ confirmedAt: credentials.totpConfirmedAt })
          .from(credentials)
          .where(eq(credentials.userId, o.actor.id));
        if (row?.confirmedAt) {
          throw new AppError(
            "TOTP_ALREADY_ENROLLED",
            "a TOTP is already confirmed for this account; an administrator can reset it",
          );
        }
        await db
          .insert(credentials)
          .values({ userId: o.actor.id, party: o.actor.party, totpSecret: secret, updatedAt: now })
          .onConflictDoUpdate({
            target: credentials.userId,
            set: { totpSecret: secret, totpConfirmedAt: null, totpLastStep: null, updatedAt: now },
          });
      });
      await write(db, o.actor, async (w) => w.note("credential", o.actor.id, "credential.totp_started", {}), {
        now,
      });
      return { uri: totpOf(secret, settings.totpIssuer, o.username).toString(), secret };
    },

    /** Confirms enrolment with a code of the new secret. 422 TOTP_INVALID for a wrong or used code. */
    async confirm(o: { actor: Actor; code: string }): Promise<{ confirmedAt: Date }> {
      const now = clock();
      const [row] = await asSystem(db, () =>
        db
          .select({ secret: credentials.totpSecret, confirmedAt: credentials.totpConfirmedAt })
          .from(credentials)
          .where(eq(credentials.userId, o.actor.id)),
      );
      if (!row?.secret) {
        throw new AppError("TOTP_NOT_STARTED", "start enrolment first (POST /auth/totp)");
      }
      if (row.confirmedAt) {
        throw new AppError("TOTP_ALREADY_ENROLLED", "a TOTP is already confirmed for this account");
      }
      if (!(await take(o.actor.id, row.secret, o.code, now, true))) {
        throw new AppError("TOTP_INVALID", "code: not a current code of this secret, or already used", {
          issues: [{ field: "code", rule: "not a current code of the secret, or already used" }],
        });
      }
      await write(
        db,
        o.actor,
        async (w) => w.note("credential", o.actor.id, "credential.totp_enrolled", {}),
        {
          now,
        },
      );
      return { confirmedAt: now };
    },

    /** An administrator removes a user's TOTP (a lost phone): the user enrols again at next sign-in. */
    async reset(o: { actor: Actor; userId: string }) {
      await asSystem(db, () =>
        db
          .update(credentials)
          .set({ totpSecret: null, totpConfirmedAt: null, totpLastStep: null, updatedAt: clock() })
          .where(eq(credentials.userId, o.userId)),
      );
      await write(db, o.actor, async (w) => w.note("credential", o.userId, "credential.totp_reset", {}));
    },
  };
}

export type TotpService = ReturnType<typeof totpService>;
