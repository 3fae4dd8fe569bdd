/**
 * The first wall (issue 10): every service call checks the actor's permission (`permissions.ts`) and
 * works in the actor's access scope, where reads see only the rows of the actor's party and the rows
 * shared with it. The second wall, PostgreSQL's row-level security, applies the same rule underneath
 * (`src/db/scope.ts`); the conditions here are written out so that a list or a read by id never depends
 * on the database alone.
 */
import type { Db } from "../db/client.ts";
import { scopeOf, scopingOf } from "../db/scope.ts";
import { AppError } from "../errors.ts";
import { allows, type Permission, permissions } from "./permissions.ts";
import type { Actor } from "./roles.ts";

/** Throws 403 `ACTOR_NOT_PERMITTED` unless the actor's role holds the permission. */
export function requirePermission(actor: Actor, permission: Permission): void {
  if (allows(actor.role, permission)) return;
  const def = permissions[permission];
  throw new AppError(
    "ACTOR_NOT_PERMITTED",
    `role ${actor.role} may not ${def.description}; allowed: ${def.roles.join(", ")}`,
    { permission, role: actor.role, allowedRoles: [...def.roles] },
  );
}

/**
 * Runs a service call: checks the permission, then runs `fn` in the actor's access scope (one
 * transaction under row-level security; a raw database — a test's — runs it as it is).
 */
export function guarded<T>(db: Db, actor: Actor, permission: Permission, fn: () => Promise<T>): Promise<T> {
  requirePermission(actor, permission);
  return asActor(db, actor, fn);
}

/** `fn` in the actor's access scope, without a permission check (the caller made it). */
export function asActor<T>(db: Db, actor: Pick<Actor, "party" | "id">, fn: () => Promise<T>): Promise<T> {
  const scoping = scopingOf(db);
  return scoping ? scoping.scoped(scopeOf(actor), fn) : fn();
}

/** `fn` in the system's scope (sign-in, token lookup, the audit linker and verify). */
export function asSystem<T>(db: Db, fn: () => Promise<T>): Promise<T> {
  const scoping = scopingOf(db);
  return scoping ? scoping.scoped("system", fn) : fn();
}
