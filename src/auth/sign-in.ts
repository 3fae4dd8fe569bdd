/**
 * Sign-in with a local account: name and password (argon2id), the TOTP code when the account has one, and
 * a role among the user's. Every refusal answers the same 401 `SIGN_IN_FAILED` in about the same time —
 * unknown account, disabled account, wrong password, a role not held, a wrong code — and is counted
 * against the account name and the address (`rate-limit.ts`) and written to the audit chain. Once the
 * password is right and the account has a TOTP, a missing code answers 401 `TOTP_REQUIRED`.
 */
import { eq } from "drizzle-orm";
import { v7 as uuidv7 } from "uuid";
import { write } from "../audit/write.ts";
import type { Db } from "../db/client.ts";
import { credentials, users } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { asSystem } from "./access.ts";
import { checkPassword, hashPassword, PASSWORD_MAX, PASSWORD_MIN } from "./passwords.ts";
import type { signInLimiter } from "./rate-limit.ts";
import type { Actor, Role } from "./roles.ts";
import type { ActiveSession, Clock, OpenedSession, SessionService } from "./sessions.ts";
import type { AuthSettings } from "./settings.ts";
import type { TotpService } from "./totp.ts";

/** The party an attempt on an unknown account is written under (ISO 3166's user-assigned "unknown"). */
export const UNKNOWN_PARTY = "ZZ";

/** Who writes a sign-in refusal to the audit chain: nobody is signed in yet. */
const signInActor = (party: string): Actor => ({
  id: "system:sign-in",
  name: "Sign-in",
  party,
  role: "system",
});

export interface SignIn {
  username: string;
  password: string;
  role?: Role | undefined;
  totp?: string | undefined;
  address: string;
  userAgent?: string | undefined;
  /** The session token the client presented, if any: revoked, a sign-in always opens a new session. */
  presentedToken?: string | undefined;
}

const refused = () =>
  new AppError("SIGN_IN_FAILED", "sign-in refused: the name, password, role or code was not accepted");

export function signInService(
  db: Db,
  settings: AuthSettings,
  deps: { sessions: SessionService; totp: TotpService; limiter: ReturnType<typeof signInLimiter> },
  clock: Clock = () => new Date(),
) {
  const { sessions, totp, limiter } = deps;

  /** A refused sign-in in the audit chain: under the user's party, or `ZZ` with a fresh id for no account. */
  async function note(
    user: { id: string; party: string } | undefined,
    after: { reason: string; address?: string | undefined; method: "password" | "oidc" },
    now: Date,
  ) {
    // For an unknown account, only that one was tried: not the name typed (a password typed in it, often).
    await write(
      db,
      signInActor(user?.party ?? UNKNOWN_PARTY),
      async (w) =>
        w.note("sign_in", user?.id ?? uuidv7(), "sign_in.failed", {
          reason: after.reason,
          address: after.address ?? null,
          method: after.method,
        }),
      { now },
    );
  }

  async function fail(
    o: { username: string; address: string },
    now: Date,
    user: { id: string; party: string } | undefined,
    reason: string,
  ): Promise<never> {
    await limiter.fail(o.username, o.address, now);
    await note(
      user,
      { reason: user ? reason : "unknown-account", address: o.address, method: "password" },
      now,
    );
    throw refused();
  }

  async function limited(username: string, address: string, now: Date) {
    const limit = await limiter.check(username, address, now);
    if (limit) {
      throw new AppError(
        "SIGN_IN_RATE_LIMITED",
        `too many failed sign-ins; try again in ${limit.retryAfterSeconds} s`,
        { retryAfterSeconds: limit.retryAfterSeconds },
      );
    }
  }

  async function account(username: string) {
    const [row] = await asSystem(db, () =>
      db
        .select({ user: users, passwordHash: credentials.passwordHash })
        .from(users)
        .leftJoin(credentials, eq(credentials.userId, users.id))
        .where(eq(users.username, username.trim().toLowerCase()))
        .limit(1),
    );
    return row;
  }

  return {
    /** Notes a sign-in refused elsewhere (the OpenID Connect callback). */
    async noteFailure(o: { userId?: string | undefined; reason: string; method: "password" | "oidc" }) {
      const [user] = o.userId
        ? await asSystem(db, () =>
            db.select({ id: users.id, party: users.party }).from(users).where(eq(users.id, o.userId!)),
          )
        : [];
      await note(user, { reason: o.reason, method: o.method }, clock());
    },

    /**
     * A session that awaits its second factor gives a code of the user's confirmed TOTP (a sign-in through
     * a provider that asked for none): the session then counts as having given it. A wrong or used code is
     * counted by the sign-in limit and refused with 422 `TOTP_INVALID`.
     */
    async verifyTotp(o: {
      session: Pick<ActiveSession, "id" | "actor" | "user">;
      code: string;
      address: string;
    }) {
      const now = clock();
      const { user } = o.session;
      await limited(user.username, o.address, now);
      const secret = await totp.confirmedSecret(user.id);
      if (!secret) throw new AppError("TOTP_NOT_STARTED", "no TOTP is confirmed for this account: enrol one");
      if (!(await totp.verify(user.id, secret, o.code))) {
        await limiter.fail(user.username, o.address, now);
        await note(user, { reason: "totp", address: o.address, method: "password" }, now);
        throw new AppError("TOTP_INVALID", "code: not a current code, or already used", {
          issues: [{ field: "code", rule: "not a current code, or already used" }],
        });
      }
      await sessions.secondFactorGiven(o.session);
    },

    async signIn(o: SignIn): Promise<OpenedSession> {
      const now = clock();
      await limited(o.username, o.address, now);
      const row = await account(o.username);
      const usable = row && !row.user.disabledAt ? row.passwordHash : null;
      // Checked against a dummy hash when there is nothing to check: the same time either way.
      const passwordOk = await checkPassword(usable, o.password);
      if (!row) return fail(o, now, undefined, "unknown-account");
      const user = row.user;
      if (user.disabledAt) return fail(o, now, user, "disabled");
      if (!passwordOk) return fail(o, now, user, row.passwordHash ? "password" : "no-password");
      let role = o.role;
      if (!role) {
        if (user.roles.length !== 1) {
          throw new AppError("VALIDATION_FAILED", "role: required: this account holds several roles", {
            issues: [{ field: "role", rule: `required: one of ${user.roles.join(", ")}` }],
          });
        }
        role = user.roles[0] as Role;
      }
      if (!user.roles.includes(role)) return fail(o, now, user, "role");
      const secret = await totp.confirmedSecret(user.id);
      let secondFactor: boolean;
      if (secret) {
        if (!o.totp) {
          throw new AppError("TOTP_REQUIRED", "this account has a second factor: send the code as `totp`", {
            issues: [{ field: "totp", rule: "required: a code of the authenticator app" }],
          });
        }
        if (!(await totp.verify(user.id, secret, o.totp))) return fail(o, now, user, "totp");
        secondFactor = true;
      } else {
        // A role that needs a second factor, without one: a session limited to enrolling one.
        secondFactor = !settings.totpRequiredRoles.includes(role);
      }
      await limiter.succeed(o.username, o.address, now);
      return sessions.open({
        userId: user.id,
        role,
        secondFactor,
        address: o.address,
        userAgent: o.userAgent,
        replaces: o.presentedToken,
        method: "password",
      });
    },

    /**
     * A user changes their own password, giving the current one (counted by the sign-in limit when wrong).
     * Their other sessions end; this one stays.
     */
    async changePassword(o: {
      session: Pick<ActiveSession, "id" | "actor" | "user">;
      currentPassword: string;
      newPassword: string;
      address: string;
    }): Promise<void> {
      const now = clock();
      const { user, actor } = o.session;
      await limited(user.username, o.address, now);
      const [row] = await asSystem(db, () =>
        db
          .select({ passwordHash: credentials.passwordHash })
          .from(credentials)
          .where(eq(credentials.userId, user.id)),
      );
      if (!(await checkPassword(row?.passwordHash, o.currentPassword))) {
        await limiter.fail(user.username, o.address, now);
        await write(db, actor, async (w) =>
          w.note("credential", user.id, "credential.password_change_refused", { address: o.address }),
        );
        throw new AppError("PASSWORD_REFUSED", "currentPassword: not the current password", {
          issues: [{ field: "currentPassword", rule: "not the current password" }],
        });
      }
      checkNewPassword(o.newPassword, o.currentPassword);
      await setPassword(db, user.id, user.party, await hashPassword(o.newPassword), now);
      await write(db, actor, async (w) => w.note("credential", user.id, "credential.password_changed", {}), {
        now,
      });
      await sessions.endSessionsOf(actor, user.id, "password changed", { except: o.session.id });
    },
  };
}

/** A password a person chose: long enough, not the old one. */
export function checkNewPassword(password: string, old?: string) {
  const rule =
    password.length < PASSWORD_MIN
      ? `at least ${PASSWORD_MIN} characters`
      : password.length > PASSWORD_MAX
        ? `at most ${PASSWORD_MAX} characters`
        : password === old
          ? "must differ from the current password"
          : undefined;
  if (rule) {
    throw new AppError("PASSWORD_REFUSED", `newPassword: ${rule}`, {
      issues: [{ field: "newPassword", rule }],
    });
  }
}

/** Stores a password hash (credentials are the system's: never audited, never answered). */
export async function setPassword(db: Db, userId: string, party: string, hash: string, now: Date) {
  await asSystem(db, () =>
    db
      .insert(credentials)
      .values({ userId, party, passwordHash: hash, updatedAt: now })
      .onConflictDoUpdate({ target: credentials.userId, set: { passwordHash: hash, updatedAt: now } }),
  );
}

export type SignInService = ReturnType<typeof signInService>;
