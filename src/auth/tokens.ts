import { randomBytes } from "node:crypto";
import { and, eq, isNull } from "drizzle-orm";
import { sha256 } from "../audit/chain.ts";
import { write } from "../audit/write.ts";
import type { Db } from "../db/client.ts";
import { apiTokens } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { asSystem, requirePermission } from "./access.ts";
import type { Actor, Role } from "./roles.ts";

/** The actor the CLI acts as when an operator runs it on the server's machine. */
export const consoleActor = (party = "MX", role: Role = "admin"): Actor => ({
  id: `console:${party}:${role}`,
  name: "Console operator",
  party,
  role,
});

const CACHE_MS = 30_000;

/**
 * Bearer tokens. A token is shown once, at creation; only its SHA-256 is stored. Lookups are cached for a
 * short time so that a busy API does not hit the database on every request.
 */
export function tokenService(db: Db) {
  const cache = new Map<string, { actor: Actor | null; until: number }>();
  return {
    /** A token of `party`, written by an actor of that party (an administrator, or the console's). */
    async create(options: { actor: Actor; name: string; party: string; role: Role }) {
      if (options.actor.party !== options.party) {
        throw new AppError("ACTOR_NOT_PERMITTED", "a token is made by an actor of its own party", {
          party: options.party,
        });
      }
      requirePermission(options.actor, "admin:manage");
      const token = `trs_${randomBytes(32).toString("base64url")}`;
      const row = await write(db, options.actor, (w) =>
        w.insertOne(apiTokens, {
          party: options.party,
          actorName: options.name,
          role: options.role,
          tokenHash: sha256(token),
        }),
      );
      return { id: row.id, token, name: row.actorName, party: row.party, role: row.role as Role };
    },

    async authenticate(token: string, now = Date.now()): Promise<Actor | null> {
      const hash = sha256(token);
      const hit = cache.get(hash);
      if (hit && hit.until > now) return hit.actor;
      // Whose a token is, is not known before it is looked up: the system's read.
      const [row] = await asSystem(db, () =>
        db
          .select()
          .from(apiTokens)
          .where(and(eq(apiTokens.tokenHash, hash), isNull(apiTokens.revokedAt)))
          .limit(1),
      );
      const actor: Actor | null = row
        ? { id: row.id, name: row.actorName, party: row.party, role: row.role as Role }
        : null;
      cache.set(hash, { actor, until: now + CACHE_MS });
      return actor;
    },
  };
}
