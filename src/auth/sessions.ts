/**
 * Sessions of signed-in users, in PostgreSQL (`sessions`), so that any app process serves any user and a
 * sign-out or a revocation takes effect at once everywhere. The cookie holds a random token; only its
 * SHA-256 is stored, as is the CSRF token's. A session acts in one of its user's roles, chosen at sign-in;
 * it ends at sign-out or revocation, after `idleMs` without a request, and `absoluteMs` after it opened,
 * and as soon as its user is disabled or loses the role.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { and, desc, eq, gt, isNull, lt, ne, type SQL } from "drizzle-orm";
import { v7 as uuidv7 } from "uuid";
import { sha256 } from "../audit/chain.ts";
import { write } from "../audit/write.ts";
import type { Db } from "../db/client.ts";
import { sessions, users } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { asActor, asSystem, requirePermission } from "./access.ts";
import type { Actor, Role } from "./roles.ts";
import type { AuthSettings } from "./settings.ts";

export type Clock = () => Date;

/** Ended sessions are kept this long past their expiry (for `session list --all`), then deleted. */
const KEEP_ENDED_MS = 30 * 24 * 3_600_000;

/** The user a session is for, as answered to them. */
export interface SessionUser {
  id: string;
  username: string;
  displayName: string;
  party: string;
  agencyId: string | null;
}

export interface OpenSession {
  userId: string;
  /** One of the user's roles: the session acts in it. */
  role: Role;
  /** Whether the second factor was given, or is not required for this role. */
  secondFactor: boolean;
  address?: string | null | undefined;
  userAgent?: string | null | undefined;
  /** The session token the client presented, if any: revoked, so that a sign-in always starts afresh. */
  replaces?: string | undefined;
  /** How the user proved who they are, for the audit chain. */
  method?: "password" | "oidc";
}

/** A session just opened. `token` and `csrfToken` are shown once: only their hashes are kept. */
export interface OpenedSession {
  sessionId: string;
  token: string;
  csrfToken: string;
  user: SessionUser;
  role: Role;
  party: string;
  secondFactor: boolean;
  /** When the session ends however busy (absolute expiry). */
  expiresAt: Date;
  /** When it ends if no request comes before (idle expiry); moves with each request. */
  idleExpiresAt: Date;
}

/** An authenticated session: its actor, and what the HTTP layer checks (CSRF, second factor). */
export interface ActiveSession {
  id: string;
  actor: Actor;
  user: SessionUser;
  csrfHash: string;
  secondFactor: boolean;
  expiresAt: Date;
  idleExpiresAt: Date;
}

/** A session as an administrator lists it (no hashes). */
export interface SessionSummary {
  id: string;
  userId: string;
  username: string;
  party: string;
  role: string;
  secondFactor: boolean;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  revokedAt: string | null;
  active: boolean;
  address: string | null;
  userAgent: string | null;
}

const newSecret = () => randomBytes(32).toString("base64url");

/**
 * A session's CSRF token, derived from its cookie token (HMAC-SHA256): the server can give it again to the
 * holder of the cookie (`GET /auth/session`) while storing only its hash; a page of another site, which
 * cannot read the cookie, cannot compute it.
 */
export const csrfTokenOf = (sessionToken: string) =>
  createHmac("sha256", sessionToken).update("traslado-csrf").digest("base64url");

/** The actor a session of this user, in this role, acts as. */
export const actorOfUser = (user: { id: string; displayName: string; party: string }, role: Role): Actor => ({
  id: user.id,
  name: user.displayName,
  party: user.party,
  role,
});

/** Whether `presented` is the CSRF token whose SHA-256 is `hash`, compared in constant time. */
export function csrfMatches(hash: string, presented: string | undefined): boolean {
  if (!presented || presented.length > 200) return false;
  const a = Buffer.from(sha256(presented), "hex");
  const b = Buffer.from(hash, "hex");
  return a.length === b.length && timingSafeEqual(a, b);
}

export function sessionService(db: Db, settings: AuthSettings, clock: Clock = () => new Date()) {
  const userColumns = {
    id: users.id,
    username: users.username,
    displayName: users.displayName,
    party: users.party,
    agencyId: users.agencyId,
    roles: users.roles,
    disabledAt: users.disabledAt,
  };

  /** Revokes the live session of a token, if any (the system's act: the token is all that is known). */
  async function revokeToken(token: string, now: Date) {
    const hash = sha256(token);
    await asSystem(db, () =>
      db
        .update(sessions)
        .set({ revokedAt: now })
        .where(and(eq(sessions.tokenHash, hash), isNull(sessions.revokedAt))),
    );
  }

  async function revokeWhere(actor: Actor, where: SQL | undefined, kind: string, reason: string) {
    const now = clock();
    return write(
      db,
      actor,
      async (w) => {
        const revoked = await w.tx
          .update(sessions)
          .set({ revokedAt: now })
          .where(and(where, isNull(sessions.revokedAt)))
          .returning({ id: sessions.id, userId: sessions.userId });
        for (const r of revoked) w.note("session", r.id, kind, { userId: r.userId, reason });
        return revoked.length;
      },
      { now },
    );
  }

  return {
    settings,

    /**
     * Opens a session for a user in one of their roles (after the caller has established who they are: a
     * password, an OpenID Connect provider). Refuses (401 UNAUTHENTICATED) a user that does not exist, is
     * disabled, or does not hold the role. Revokes the session token the client presented, if any, and
     * writes the sign-in to the audit chain.
     */
    async open(o: OpenSession): Promise<OpenedSession> {
      const now = clock();
      const [user] = await asSystem(db, () =>
        db.select(userColumns).from(users).where(eq(users.id, o.userId)).limit(1),
      );
      if (!user || user.disabledAt || !user.roles.includes(o.role)) {
        throw new AppError("UNAUTHENTICATED", "this account cannot open a session in this role");
      }
      if (o.replaces) await revokeToken(o.replaces, now);
      // The user's sessions that ended long ago go (sessions are not audited: their openings and endings are).
      await asSystem(db, () =>
        db
          .delete(sessions)
          .where(
            and(
              eq(sessions.userId, user.id),
              lt(sessions.expiresAt, new Date(now.getTime() - KEEP_ENDED_MS)),
            ),
          ),
      );
      const token = newSecret();
      const csrfToken = csrfTokenOf(token);
      const id = uuidv7();
      const expiresAt = new Date(now.getTime() + settings.absoluteMs);
      const actor = actorOfUser(user, o.role);
      await write(
        db,
        actor,
        async (w) => {
          await w.tx.insert(sessions).values({
            id,
            tokenHash: sha256(token),
            userId: user.id,
            party: user.party,
            csrfHash: sha256(csrfToken),
            secondFactor: o.secondFactor,
            role: o.role,
            createdAt: now,
            lastSeenAt: now,
            expiresAt,
            address: o.address?.slice(0, 100) ?? null,
            userAgent: o.userAgent?.slice(0, 500) ?? null,
          });
          w.note("sign_in", user.id, "sign_in.succeeded", {
            sessionId: id,
            role: o.role,
            secondFactor: o.secondFactor,
            method: o.method ?? "password",
            address: o.address ?? null,
          });
        },
        { now },
      );
      const { roles: _roles, disabledAt: _disabled, ...answered } = user;
      return {
        sessionId: id,
        token,
        csrfToken,
        user: answered,
        role: o.role,
        party: user.party,
        secondFactor: o.secondFactor,
        expiresAt,
        idleExpiresAt: new Date(Math.min(expiresAt.getTime(), now.getTime() + settings.idleMs)),
      };
    },

    /**
     * The live session of a cookie token, or null: unknown, revoked, idle or past its absolute expiry, its
     * user disabled or no longer holding its role. Writes the last-seen time at most once per `touchMs`.
     */
    async authenticate(token: string): Promise<ActiveSession | null> {
      if (!token || token.length > 200) return null;
      const now = clock();
      const hash = sha256(token);
      const [row] = await asSystem(db, () =>
        db
          .select({ session: sessions, user: userColumns })
          .from(sessions)
          .innerJoin(users, eq(users.id, sessions.userId))
          .where(and(eq(sessions.tokenHash, hash), isNull(sessions.revokedAt), gt(sessions.expiresAt, now)))
          .limit(1),
      );
      if (!row) return null;
      const { session, user } = row;
      const idleEnd = session.lastSeenAt.getTime() + settings.idleMs;
      if (now.getTime() >= idleEnd) return null;
      if (user.disabledAt || !user.roles.includes(session.role)) return null;
      let lastSeen = session.lastSeenAt;
      if (now.getTime() - lastSeen.getTime() >= settings.touchMs) {
        lastSeen = now;
        await asSystem(db, () =>
          db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.id, session.id)),
        );
      }
      const role = session.role as Role;
      const { roles: _roles, disabledAt: _disabled, ...answered } = user;
      return {
        id: session.id,
        actor: actorOfUser(user, role),
        user: answered,
        csrfHash: session.csrfHash,
        secondFactor: session.secondFactor,
        expiresAt: session.expiresAt,
        idleExpiresAt: new Date(Math.min(session.expiresAt.getTime(), lastSeen.getTime() + settings.idleMs)),
      };
    },

    /** Sign-out: the session ends on the server, whatever the browser keeps. */
    signOut(session: Pick<ActiveSession, "id" | "actor">) {
      return revokeWhere(session.actor, eq(sessions.id, session.id), "session.signed_out", "sign-out");
    },

    /** Marks a session as having given its second factor (TOTP just confirmed in it). */
    async secondFactorGiven(session: Pick<ActiveSession, "id" | "actor">) {
      await asActor(db, session.actor, () =>
        db.update(sessions).set({ secondFactor: true }).where(eq(sessions.id, session.id)),
      );
    },

    /**
     * Ends every live session of a user (disabled, password reset or changed, role revoked): with `role`
     * only those acting in it, with `except` all but that one (the session that changed the password).
     */
    endSessionsOf(actor: Actor, userId: string, reason: string, o: { role?: Role; except?: string } = {}) {
      const where = and(
        eq(sessions.userId, userId),
        o.role ? eq(sessions.role, o.role) : undefined,
        o.except ? ne(sessions.id, o.except) : undefined,
      );
      return revokeWhere(actor, where, "session.revoked", reason);
    },

    /** An administrator ends a session of their party. 404 for one of another party or none. */
    async revoke(o: { actor: Actor; sessionId: string }) {
      requirePermission(o.actor, "admin:manage");
      const n = await revokeWhere(
        o.actor,
        and(eq(sessions.id, o.sessionId), eq(sessions.party, o.actor.party)),
        "session.revoked",
        "revoked by an administrator",
      );
      if (n === 0) {
        // Already ended, or not there (another party's is not there for this actor).
        const [found] = await asActor(db, o.actor, () =>
          db
            .select({ id: sessions.id })
            .from(sessions)
            .where(and(eq(sessions.id, o.sessionId), eq(sessions.party, o.actor.party))),
        );
        if (!found) throw new AppError("NOT_FOUND", "no such session", { entity: "session" });
      }
      return { id: o.sessionId, revoked: true };
    },

    /** The sessions of the administrator's party, newest first; `active` only those still live. */
    async list(o: {
      actor: Actor;
      userId?: string | undefined;
      active?: boolean | undefined;
      limit?: number;
    }) {
      requirePermission(o.actor, "admin:manage");
      const now = clock();
      const rows = await asActor(db, o.actor, () =>
        db
          .select({ session: sessions, username: users.username })
          .from(sessions)
          .innerJoin(users, eq(users.id, sessions.userId))
          .where(
            and(
              eq(sessions.party, o.actor.party),
              o.userId ? eq(sessions.userId, o.userId) : undefined,
              o.active ? and(isNull(sessions.revokedAt), gt(sessions.expiresAt, now)) : undefined,
            ),
          )
          .orderBy(desc(sessions.createdAt))
          .limit(o.limit ?? 200),
      );
      const items: SessionSummary[] = [];
      for (const { session: x, username } of rows) {
        const active =
          !x.revokedAt &&
          x.expiresAt.getTime() > now.getTime() &&
          x.lastSeenAt.getTime() + settings.idleMs > now.getTime();
        if (o.active && !active) continue;
        items.push({
          id: x.id,
          userId: x.userId,
          username,
          party: x.party,
          role: x.role,
          secondFactor: x.secondFactor,
          createdAt: x.createdAt.toISOString(),
          lastSeenAt: x.lastSeenAt.toISOString(),
          expiresAt: x.expiresAt.toISOString(),
          revokedAt: x.revokedAt?.toISOString() ?? null,
          active,
          address: x.address,
          userAgent: x.userAgent,
        });
      }
      return { items };
    },
  };
}

export type SessionService = ReturnType<typeof sessionService>;
