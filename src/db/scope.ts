/**
 * Access scopes: every query the services make runs as the application role (`traslado_app`, never a
 * superuser) with whose it is set — the actor's party and id, or the system. PostgreSQL's row-level
 * security (drizzle/0007_row_level_security.sql) then shows that party its own rows and those shared with
 * it, and lets it write only its own: the second wall, under the service layer's checks.
 *
 * The services hold `app`, a handle on the current scope's connection. Used outside a scope it throws:
 * nothing reaches the record without saying whose it is. Scopes nest: an inner scope of the same actor
 * joins the outer one; one of another actor (or the system) switches the settings for its duration. Work
 * to do after the scope's writes have committed (linking the audit chain) is queued on the outermost scope
 * and run when it ends.
 *
 * How the settings are held depends on the database:
 * - On a PostgreSQL server, a scope takes a connection of its own pool (the scopes' pool, or the system's)
 *   and sets the role and the settings on the connection's session (`set_config(..., false)`). The
 *   connection remembers them: the next scope of the same actor on it sends nothing more, so a read by id
 *   is one statement, as it was before the walls. The scopes' pools are not the raw handle's (`db`), which
 *   never carries them. A scope is not a transaction: each write opens its own (`write()`), and reads run
 *   at READ COMMITTED as they would inside one. After a failure the connection's settings are sent again.
 * - On PGlite (one connection shared by every request of the process), a scope is a transaction with the
 *   settings local to it (`set_config(..., true)`); PGlite runs one transaction at a time, so one
 *   request's settings never reach another's statements.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { sql } from "drizzle-orm";
import type pg from "pg";
import type { Actor } from "../auth/roles.ts";
import { AppError } from "../errors.ts";
import type { Db } from "./client.ts";

type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

/** Whose a scope is: an actor of a party, or the system (the audit linker, verify, sign-in). */
export type Scope = { party: string; actorId: string } | "system";

export const appRole = "traslado_app";

interface Context {
  /** The handle the scope's statements go to: PGlite's transaction, or the server connection's. */
  tx: Tx | Db;
  scope: Scope;
  afterCommit: Map<string, () => Promise<void>>;
  /** On a server: the scope's connection, whose session holds the settings. */
  connection?: Connection;
}

/** A pooled server connection, with the handle on it and the scope its session's settings are for. */
interface Connection {
  client: pg.PoolClient;
  db: Db;
  /** `keyOf` the settings the session holds; undefined when not known (new, or after a failure). */
  key: string | undefined;
}

/** The server's pools for scopes: the actors' and the system's (sign-in lookups, the audit linker). */
export interface ScopePools {
  actors: pg.Pool;
  system: pg.Pool;
  /** A handle on one connection (drizzle over a `pg` client), made once per connection. */
  handle(client: pg.PoolClient): Db;
}

const contexts = new AsyncLocalStorage<Context>();

/** The scope of an actor. */
export const scopeOf = (actor: Pick<Actor, "party" | "id">): Scope => ({
  party: actor.party,
  actorId: actor.id,
});

const sameScope = (a: Scope, b: Scope) =>
  a === "system" || b === "system" ? a === b : a.party === b.party && a.actorId === b.actorId;

const keyOf = (scope: Scope) => (scope === "system" ? "system" : `${scope.party}\u0000${scope.actorId}`);

/** The settings of a scope on a server connection's session: one prepared statement, one round trip. */
function sessionSettings(scope: Scope): pg.QueryConfig {
  return {
    name: "traslado_scope",
    text: "select set_config('role', $1, false), set_config('app.system', $2, false), set_config('app.party', $3, false), set_config('app.actor', $4, false)",
    values: scope === "system" ? [appRole, "on", "", ""] : [appRole, "", scope.party, scope.actorId],
  };
}

/** The settings a scope's transaction runs under (PGlite): one statement, one round trip. */
function settings(scope: Scope) {
  return scope === "system"
    ? sql`select set_config('role', ${appRole}, true), set_config('app.system', 'on', true), set_config('app.party', '', true), set_config('app.actor', '', true)`
    : sql`select set_config('role', ${appRole}, true), set_config('app.system', '', true), set_config('app.party', ${scope.party}, true), set_config('app.actor', ${scope.actorId}, true)`;
}

export class OutsideScopeError extends Error {
  constructor(what: string) {
    super(`the record was reached outside an access scope (${what}): say whose the work is with scoped()`);
  }
}

/**
 * The scoping of one database: `app` for the services, `scoped` to run work as an actor or the system.
 * With `pools` (a PostgreSQL server), scopes hold their settings on pooled connections' sessions; without
 * (PGlite), each outermost scope is a transaction of `base`.
 */
export function scoping(base: Db, pools?: ScopePools) {
  const app = new Proxy(base, {
    get(target, prop, receiver) {
      const ctx = contexts.getStore();
      if (!ctx) {
        // Reading the schema's shape (drizzle's `_`) is harmless; running anything is not.
        if (prop === "_" || typeof prop === "symbol") return Reflect.get(target, prop, receiver);
        throw new OutsideScopeError(String(prop));
      }
      const value = Reflect.get(ctx.tx as object, prop);
      return typeof value === "function" ? value.bind(ctx.tx) : value;
    },
  }) as Db;

  const connections = new WeakMap<pg.PoolClient, Connection>();

  /** Sets `scope` on the connection's session unless it holds it already. */
  async function hold(c: Connection, scope: Scope) {
    const key = keyOf(scope);
    if (c.key === key) return;
    c.key = undefined;
    await c.client.query(sessionSettings(scope));
    c.key = key;
  }

  async function onConnection<T>(scope: Scope, fn: () => Promise<T>, p: ScopePools): Promise<T> {
    const client = await (scope === "system" ? p.system : p.actors).connect();
    let c = connections.get(client);
    if (!c) {
      c = { client, db: p.handle(client), key: undefined };
      connections.set(client, c);
    }
    const afterCommit = new Map<string, () => Promise<void>>();
    let result: T;
    try {
      await hold(c, scope);
      result = await contexts.run({ tx: c.db, scope, afterCommit, connection: c }, fn);
    } catch (err) {
      // A rollback may have put back settings changed inside a transaction: send them again next time.
      c.key = undefined;
      // An error the server did not answer (a broken connection) ends the connection, not just the scope.
      const answered = err instanceof Error && "severity" in err;
      client.release(answered || isExpected(err) ? undefined : (err as Error));
      throw err;
    }
    client.release();
    for (const job of afterCommit.values()) await job();
    return result;
  }

  async function scoped<T>(scope: Scope, fn: () => Promise<T>): Promise<T> {
    const outer = contexts.getStore();
    if (outer) {
      if (sameScope(outer.scope, scope)) return fn();
      // Another scope inside this one, on its connection: its settings for the duration of `fn`, then back.
      const c = outer.connection;
      if (c) await hold(c, scope);
      else await (outer.tx as Tx).execute(settings(scope));
      try {
        return await contexts.run({ ...outer, scope }, fn);
      } finally {
        if (c) await hold(c, outer.scope);
        else await (outer.tx as Tx).execute(settings(outer.scope));
      }
    }
    if (pools) return onConnection(scope, fn, pools);
    const afterCommit = new Map<string, () => Promise<void>>();
    const result = await base.transaction(async (tx) => {
      await tx.execute(settings(scope));
      return contexts.run({ tx, scope, afterCommit }, fn);
    });
    for (const job of afterCommit.values()) await job();
    return result;
  }

  return {
    app,
    scoped,
    /**
     * Whether a scope is a transaction (PGlite): a statement that may fail on purpose then runs in a
     * savepoint, so that the scope stays usable. On a server a scope is not one.
     */
    transactional: !pools,
    /** Runs `job` once the outermost scope has committed (once per key), or at once outside a scope. */
    async afterCommit(key: string, job: () => Promise<void>) {
      const ctx = contexts.getStore();
      if (ctx) ctx.afterCommit.set(key, job);
      else await job();
    },
    /** The scope the current code runs in, if any. */
    current: (): Scope | undefined => contexts.getStore()?.scope,
    /**
     * The handle the current scope's statements go to (undefined outside a scope). On a server it is the
     * same object for every scope on one connection: a statement prepared on it can be kept and reused.
     */
    handle: (): object | undefined => contexts.getStore()?.tx,
  };
}

export type Scoping = ReturnType<typeof scoping>;

/** Errors the services raise on purpose (a refusal, a conflict, a failed guard): the connection is sound. */
const isExpected = (err: unknown) => err instanceof AppError;

const registry = new WeakMap<object, Scoping>();

/** Records the scoping behind an `app` handle, so that code given the handle can open scopes on it. */
export function registerScoping(app: Db, s: Scoping) {
  registry.set(app, s);
}

/** The scoping behind an `app` handle; undefined for a raw database (a test's, the migration runner's). */
export function scopingOf(db: Db): Scoping | undefined {
  return registry.get(db);
}

/**
 * A statement kept per connection: `build` runs once for each handle the scopes of `db` run on (a server
 * connection's handle lives as long as the connection; PGlite's is its transaction's), and the statement
 * it prepared is reused on that handle. Outside a scope, or on a raw database, the handle is `db` itself.
 */
export function perHandle<Q>(db: Db, build: () => Q): () => Q {
  const made = new WeakMap<object, Q>();
  return () => {
    const handle = scopingOf(db)?.handle() ?? db;
    let q = made.get(handle);
    if (q === undefined) {
      q = build();
      made.set(handle, q);
    }
    return q;
  };
}
