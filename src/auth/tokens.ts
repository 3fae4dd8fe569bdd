import { randomBytes } from "node:crypto";
import { and, eq, isNull } from "drizzle-orm";
import { sha256 } from "../audit/chain.ts";
import { write } from "../audit/write.ts";
import type { Db } from "../db/client.ts";
import { apiTokens } from "../db/schema.ts";
import type { Actor, Role } from "./roles.ts";

/** The actor the CLI acts as when an operator runs it on the server's machine. */
export const consoleActor = (party = "MX"): Actor => ({
  id: "console",
  name: "Console operator",
  party,
  role: "admin",
});

const CACHE_MS = 30_000;

/**
 * Bearer tokens. A token is shown once, at creation; only its SHA-256 is stored. Lookups are cached for a
 * short time so that a busy API does not hit the database on every request.
 */
export function tokenService(db: Db) {
  const cache = new Map<string, { actor: Actor | null; until: number }>();
  return {
    async create(options: { actor: Actor; name: string; party: string; role: Role }) {
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
      const [row] = await db
        .select()
        .from(apiTokens)
        .where(and(eq(apiTokens.tokenHash, hash), isNull(apiTokens.revokedAt)))
        .limit(1);
      const actor: Actor | null = row
        ? { id: row.id, name: row.actorName, party: row.party, role: row.role as Role }
        : null;
      cache.set(hash, { actor, until: now + CACHE_MS });
      return actor;
    },
  };
}
