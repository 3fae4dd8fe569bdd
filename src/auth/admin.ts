/**
 * Administration of one party's accounts (issue 10, part 7): agencies, users and their roles, passwords,
 * and — through the session and token services — sessions and tokens. Every call needs `admin:manage`
 * and reaches only the administrator's own party: another party's agency or user answers 404, as one that
 * does not exist. Changes to agencies and users go through the audited write path; passwords are kept in
 * `credentials`, never in the chain, and a generated one is answered once.
 */
import { and, asc, eq } from "drizzle-orm";
import { write } from "../audit/write.ts";
import type { Db } from "../db/client.ts";
import { agencies, users } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { asActor, asSystem, requirePermission } from "./access.ts";
import { generatePassword, hashPassword } from "./passwords.ts";
import type { Actor, Role } from "./roles.ts";
import type { Clock, SessionService } from "./sessions.ts";
import { setPassword } from "./sign-in.ts";
import type { TokenService } from "./tokens.ts";
import type { TotpService } from "./totp.ts";

export interface UserSummary {
  id: string;
  party: string;
  agencyId: string | null;
  username: string;
  displayName: string;
  roles: Role[];
  oidcSubject: string | null;
  disabledAt: string | null;
  version: number;
}

const summaryOf = (u: typeof users.$inferSelect): UserSummary => ({
  id: u.id,
  party: u.party,
  agencyId: u.agencyId,
  username: u.username,
  displayName: u.displayName,
  roles: u.roles as Role[],
  oidcSubject: u.oidcSubject,
  disabledAt: u.disabledAt?.toISOString() ?? null,
  version: u.version,
});

const agencyOf = (a: typeof agencies.$inferSelect) => ({
  id: a.id,
  party: a.party,
  name: a.name,
  version: a.version,
});

/** Usernames are compared without case: `Ana.Lopez` and `ana.lopez` are one account. */
export const normaliseUsername = (u: string) => u.trim().toLowerCase();

export function adminService(
  db: Db,
  deps: { sessions: SessionService; tokens: TokenService; totp: TotpService },
  clock: Clock = () => new Date(),
) {
  /** A user of the administrator's party, or 404. */
  async function userOf(actor: Actor, userId: string) {
    const [u] = await asActor(db, actor, () =>
      db
        .select()
        .from(users)
        .where(and(eq(users.id, userId), eq(users.party, actor.party))),
    );
    if (!u) throw new AppError("NOT_FOUND", "no such user", { entity: "user" });
    return u;
  }

  async function agencyById(actor: Actor, agencyId: string) {
    const [a] = await asActor(db, actor, () =>
      db
        .select()
        .from(agencies)
        .where(and(eq(agencies.id, agencyId), eq(agencies.party, actor.party))),
    );
    if (!a) {
      throw new AppError("REFERENCE_INVALID", "agencyId: no such agency of your party", {
        issues: [{ field: "agencyId", rule: "an agency of your party" }],
      });
    }
    return a;
  }

  return {
    async createAgency(o: { actor: Actor; name: string }) {
      requirePermission(o.actor, "admin:manage");
      const row = await write(db, o.actor, (w) => w.insertOne(agencies, { name: o.name.trim() }));
      return agencyOf(row);
    },

    async listAgencies(o: { actor: Actor }) {
      requirePermission(o.actor, "admin:manage");
      const rows = await asActor(db, o.actor, () =>
        db.select().from(agencies).where(eq(agencies.party, o.actor.party)).orderBy(asc(agencies.name)),
      );
      return { items: rows.map(agencyOf) };
    },

    /** An agency of the administrator's party by name, if any (the CLI names agencies). */
    async agencyNamed(o: { actor: Actor; name: string }) {
      requirePermission(o.actor, "admin:manage");
      const [a] = await asActor(db, o.actor, () =>
        db
          .select()
          .from(agencies)
          .where(and(eq(agencies.party, o.actor.party), eq(agencies.name, o.name.trim()))),
      );
      return a ? agencyOf(a) : null;
    },

    /**
     * A user of the administrator's party, with a generated password answered once (`password`); with
     * `oidcSubject` (signs in at the provider) and `noPassword`, none.
     */
    async createUser(o: {
      actor: Actor;
      username: string;
      displayName: string;
      agencyId: string;
      roles: Role[];
      oidcSubject?: string | undefined;
      noPassword?: boolean | undefined;
    }): Promise<{ user: UserSummary; password: string | null }> {
      requirePermission(o.actor, "admin:manage");
      await agencyById(o.actor, o.agencyId);
      const roles = [...new Set(o.roles)];
      if (roles.includes("system")) {
        throw new AppError("VALIDATION_FAILED", "roles: system is not a person's role", {
          issues: [{ field: "roles", rule: "not system" }],
        });
      }
      const now = clock();
      const password = o.noPassword ? null : generatePassword();
      const hash = password ? await hashPassword(password) : null;
      const row = await write(
        db,
        o.actor,
        (w) =>
          w.insertOne(users, {
            agencyId: o.agencyId,
            username: normaliseUsername(o.username),
            displayName: o.displayName.trim(),
            roles,
            oidcSubject: o.oidcSubject ?? null,
          }),
        { now },
      );
      if (hash) await setPassword(db, row.id, row.party, hash, now);
      return { user: summaryOf(row), password };
    },

    async listUsers(o: { actor: Actor; agencyId?: string | undefined }) {
      requirePermission(o.actor, "admin:manage");
      const rows = await asActor(db, o.actor, () =>
        db
          .select()
          .from(users)
          .where(and(eq(users.party, o.actor.party), o.agencyId ? eq(users.agencyId, o.agencyId) : undefined))
          .orderBy(asc(users.username)),
      );
      return { items: rows.map(summaryOf) };
    },

    async getUser(o: { actor: Actor; userId: string }) {
      requirePermission(o.actor, "admin:manage");
      return summaryOf(await userOf(o.actor, o.userId));
    },

    /** Finds a user of the administrator's party by name (the CLI names users). */
    async userNamed(o: { actor: Actor; username: string }) {
      requirePermission(o.actor, "admin:manage");
      const [u] = await asActor(db, o.actor, () =>
        db
          .select()
          .from(users)
          .where(and(eq(users.party, o.actor.party), eq(users.username, normaliseUsername(o.username)))),
      );
      if (!u)
        throw new AppError("NOT_FOUND", `no user ${o.username} in ${o.actor.party}`, { entity: "user" });
      return summaryOf(u);
    },

    async grantRole(o: { actor: Actor; userId: string; role: Role }) {
      requirePermission(o.actor, "admin:manage");
      if (o.role === "system") {
        throw new AppError("VALIDATION_FAILED", "role: system is not a person's role", {
          issues: [{ field: "role", rule: "not system" }],
        });
      }
      const before = await userOf(o.actor, o.userId);
      if (before.roles.includes(o.role)) return summaryOf(before);
      const after = await write(db, o.actor, (w) =>
        w.update(
          users,
          before.id,
          { roles: [...before.roles, o.role] },
          { before, kind: "user.role_granted" },
        ),
      );
      return summaryOf(after);
    },

    /** Takes a role away; the user's sessions acting in it end, their tokens in it stop working. */
    async revokeRole(o: { actor: Actor; userId: string; role: Role }) {
      requirePermission(o.actor, "admin:manage");
      const before = await userOf(o.actor, o.userId);
      if (!before.roles.includes(o.role)) return summaryOf(before);
      if (before.roles.length === 1) {
        throw new AppError(
          "VALIDATION_FAILED",
          "role: a user keeps at least one role; disable the user instead",
          {
            issues: [{ field: "role", rule: "not the user's last role" }],
          },
        );
      }
      const after = await write(db, o.actor, (w) =>
        w.update(
          users,
          before.id,
          { roles: before.roles.filter((r) => r !== o.role) },
          { before, kind: "user.role_revoked" },
        ),
      );
      await deps.sessions.endSessionsOf(o.actor, before.id, `role ${o.role} revoked`, { role: o.role });
      deps.tokens.forget();
      return summaryOf(after);
    },

    /** Disables a user: their sessions end and their tokens stop working; the record stays. */
    async disableUser(o: { actor: Actor; userId: string }) {
      requirePermission(o.actor, "admin:manage");
      const before = await userOf(o.actor, o.userId);
      if (before.disabledAt) return summaryOf(before);
      const now = clock();
      const after = await write(
        db,
        o.actor,
        (w) => w.update(users, before.id, { disabledAt: now }, { before, kind: "user.disabled" }),
        { now },
      );
      await deps.sessions.endSessionsOf(o.actor, before.id, "user disabled");
      deps.tokens.forget();
      return summaryOf(after);
    },

    /** A new generated password, answered once; the user's sessions end. */
    async resetPassword(o: {
      actor: Actor;
      userId: string;
    }): Promise<{ user: UserSummary; password: string }> {
      requirePermission(o.actor, "admin:manage");
      const user = await userOf(o.actor, o.userId);
      const password = generatePassword();
      const now = clock();
      await setPassword(db, user.id, user.party, await hashPassword(password), now);
      await write(db, o.actor, async (w) => w.note("credential", user.id, "credential.password_reset", {}), {
        now,
      });
      await deps.sessions.endSessionsOf(o.actor, user.id, "password reset");
      return { user: summaryOf(user), password };
    },

    /** Removes a user's TOTP (a lost phone); they enrol again at their next sign-in. */
    async resetTotp(o: { actor: Actor; userId: string }) {
      requirePermission(o.actor, "admin:manage");
      const user = await userOf(o.actor, o.userId);
      await deps.totp.reset({ actor: o.actor, userId: user.id });
      await deps.sessions.endSessionsOf(o.actor, user.id, "second factor reset");
      return summaryOf(user);
    },

    /** The user an OpenID Connect provider's subject is linked to (the system's read: nobody is signed in). */
    async userForOidcSubject(
      subject: string,
    ): Promise<{ id: string; roles: string[]; disabled: boolean } | null> {
      const [u] = await asSystem(db, () =>
        db
          .select({ id: users.id, roles: users.roles, disabledAt: users.disabledAt })
          .from(users)
          .where(eq(users.oidcSubject, subject))
          .limit(1),
      );
      return u ? { id: u.id, roles: u.roles, disabled: Boolean(u.disabledAt) } : null;
    },

    /** Whether any user exists (the first administrator comes from the CLI). */
    async anyUser(): Promise<boolean> {
      const [u] = await asSystem(db, () => db.select({ id: users.id }).from(users).limit(1));
      return Boolean(u);
    },
  };
}

export type AdminService = ReturnType<typeof adminService>;
