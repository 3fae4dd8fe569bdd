import { randomBytes } from "node:crypto";
import { and, desc, eq, isNull } from "drizzle-orm";
import { sha256 } from "../audit/chain.ts";
import { write } from "../audit/write.ts";
import type { Db } from "../db/client.ts";
import { apiTokens, users } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { asActor, asSystem, requirePermission } from "./access.ts";
import type { Actor, Role } from "./roles.ts";

/** The actor the CLI acts as when an operator runs it on the server's machine. */
export const consoleActor = (party = "MX", role: Role = "admin"): Actor => ({
  id: `console:${party}:${role}`,
  name: "Console operator",
  party,
  role,
});

/**
 * How long a token's lookup is kept in a process. A revocation made through this process's services
 * takes effect at once (its entry is dropped); one made by another process (the CLI, another server)
 * within this long.
 */
export const TOKEN_CACHE_MS = 30_000;

/** A token as an administrator lists it (never the token or its hash). */
export interface TokenSummary {
  id: string;
  name: string;
  party: string;
  role: string;
  userId: string | null;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
}

/**
 * When a token was made: the time its UUIDv7 id carries (the audited writer makes every id so), not the
 * row's `recordedAt`, which a revocation moves. A token whose id is not a UUIDv7 falls back on the latter.
 */
function createdAt(r: typeof apiTokens.$inferSelect): Date {
  const hex = r.id.replaceAll("-", "");
  return hex[12] === "7" ? new Date(Number.parseInt(hex.slice(0, 12), 16)) : r.recordedAt;
}

const summaryOf = (r: typeof apiTokens.$inferSelect): TokenSummary => ({
  id: r.id,
  name: r.actorName,
  party: r.party,
  role: r.role,
  userId: r.userId,
  createdAt: createdAt(r).toISOString(),
  expiresAt: r.expiresAt?.toISOString() ?? null,
  revokedAt: r.revokedAt?.toISOString() ?? null,
});

/**
 * Bearer tokens, for systems and scripts. A token is owned by a user (it acts as that user, in one of the
 * user's roles, and stops working when the user is disabled or loses the role) or by a system account
 * (`userId` null: it acts under its own name). It is shown once, at creation; only its SHA-256 is stored.
 * Lookups are cached for `TOKEN_CACHE_MS` so that a busy API does not hit the database on every request.
 */
export function tokenService(db: Db, clock: () => Date = () => new Date()) {
  const cache = new Map<string, { actor: Actor | null; until: number }>();
  return {
    /** A token of `party`, written by an administrator of that party (or the console's). */
    async create(options: {
      actor: Actor;
      name: string;
      party: string;
      role: Role;
      userId?: string | null | undefined;
      expiresAt?: Date | null | undefined;
    }) {
      if (options.actor.party !== options.party) {
        throw new AppError("ACTOR_NOT_PERMITTED", "a token is made by an actor of its own party", {
          party: options.party,
        });
      }
      requirePermission(options.actor, "admin:manage");
      if (options.role === "system" && options.userId) {
        throw new AppError("VALIDATION_FAILED", "role: a user's token cannot act as the system", {
          issues: [{ field: "role", rule: "not system for a user's token" }],
        });
      }
      const now = clock();
      if (options.expiresAt && options.expiresAt.getTime() <= now.getTime()) {
        throw new AppError("VALIDATION_FAILED", "expiresAt: must be in the future", {
          issues: [{ field: "expiresAt", rule: "must be in the future" }],
        });
      }
      if (options.userId) {
        const [user] = await asActor(db, options.actor, () =>
          db
            .select({ party: users.party, roles: users.roles, disabledAt: users.disabledAt })
            .from(users)
            .where(and(eq(users.id, options.userId!), eq(users.party, options.actor.party))),
        );
        if (!user) throw new AppError("NOT_FOUND", "no such user", { entity: "user" });
        if (user.disabledAt || !user.roles.includes(options.role)) {
          throw new AppError("VALIDATION_FAILED", `role: the user does not hold ${options.role}`, {
            issues: [{ field: "role", rule: `one of the user's roles: ${user.roles.join(", ")}` }],
          });
        }
      }
      const token = `trs_${randomBytes(32).toString("base64url")}`;
      const row = await write(
        db,
        options.actor,
        (w) =>
          w.insertOne(apiTokens, {
            party: options.party,
            actorName: options.name,
            role: options.role,
            tokenHash: sha256(token),
            userId: options.userId ?? null,
            expiresAt: options.expiresAt ?? null,
          }),
        { now },
      );
      return { id: row.id, token, name: row.actorName, party: row.party, role: row.role as Role };
    },

    async authenticate(token: string, now = clock().getTime()): Promise<Actor | null> {
      const hash = sha256(token);
      const hit = cache.get(hash);
      if (hit && hit.until > now) return hit.actor;
      // Whose a token is, is not known before it is looked up: the system's read.
      const [row] = await asSystem(db, () =>
        db
          .select({ token: apiTokens, user: users })
          .from(apiTokens)
          .leftJoin(users, eq(users.id, apiTokens.userId))
          .where(and(eq(apiTokens.tokenHash, hash), isNull(apiTokens.revokedAt)))
          .limit(1),
      );
      let actor: Actor | null = null;
      let until = now + TOKEN_CACHE_MS;
      if (row && (!row.token.expiresAt || row.token.expiresAt.getTime() > now)) {
        const t = row.token;
        if (!t.userId) actor = { id: t.id, name: t.actorName, party: t.party, role: t.role as Role };
        else if (row.user && !row.user.disabledAt && row.user.roles.includes(t.role)) {
          // A user's token acts as the user: the audit chain names them.
          actor = {
            id: row.user.id,
            name: row.user.displayName,
            party: row.user.party,
            role: t.role as Role,
          };
        }
        if (t.expiresAt) until = Math.min(until, t.expiresAt.getTime());
      }
      cache.set(hash, { actor, until });
      return actor;
    },

    /** Revokes a token of the administrator's party: at once in this process (404 for another party's). */
    async revoke(o: { actor: Actor; tokenId: string }) {
      requirePermission(o.actor, "admin:manage");
      const now = clock();
      const row = await write(
        db,
        o.actor,
        async (w) => {
          const [before] = await w.tx
            .select()
            .from(apiTokens)
            .where(and(eq(apiTokens.id, o.tokenId), eq(apiTokens.party, o.actor.party)));
          if (!before) throw new AppError("NOT_FOUND", "no such token", { entity: "api_token" });
          if (before.revokedAt) return before;
          return w.update(apiTokens, before.id, { revokedAt: now }, { before, kind: "api_token.revoked" });
        },
        { now },
      );
      cache.delete(row.tokenHash);
      return summaryOf(row);
    },

    /** Drops every cached lookup: after revoking tokens in bulk (a user disabled). */
    forget() {
      cache.clear();
    },

    /** The tokens of the administrator's party, newest made first; `userId` only that user's. */
    async list(o: { actor: Actor; userId?: string | undefined; limit?: number }) {
      requirePermission(o.actor, "admin:manage");
      const rows = await asActor(db, o.actor, () =>
        db
          .select()
          .from(apiTokens)
          .where(
            and(eq(apiTokens.party, o.actor.party), o.userId ? eq(apiTokens.userId, o.userId) : undefined),
          )
          // UUIDv7 ids sort by the time they were made: newest first, whatever was revoked since.
          .orderBy(desc(apiTokens.id))
          .limit(o.limit ?? 200),
      );
      return { items: rows.map(summaryOf) };
    },
  };
}

export type TokenService = ReturnType<typeof tokenService>;
