/**
 * Who read which record by id (issue 10, "who looked at this person's record"), and the refusals the
 * audit chain must show.
 *
 * Reads are many and each is cheap to note: they are kept in memory and appended to `reads` in batches
 * (one multi-row insert in the system's scope) every second, every `batch` reads, and at shutdown. A read
 * is noted once its answer was sent; a batch that cannot be written stays queued for the next attempt
 * (up to `maxQueued`, past which the oldest are dropped and counted in `dropped`).
 */
import { sql } from "drizzle-orm";
import { v7 as uuidv7 } from "uuid";
import { asSystem } from "../auth/access.ts";
import type { Permission } from "../auth/permissions.ts";
import type { Actor } from "../auth/roles.ts";
import type { Db } from "../db/client.ts";
import { reads } from "../db/schema.ts";
import { write } from "./write.ts";

export interface ReadLogOptions {
  flushMs?: number;
  batch?: number;
  maxQueued?: number;
}

interface Read {
  at: Date;
  actor_id: string;
  actor_name: string;
  party: string;
  entity: string;
  entity_id: string;
  route: string;
}

export function readLog(db: Db, options: ReadLogOptions = {}) {
  const { flushMs = 1000, batch = 500, maxQueued = 100_000 } = options;
  let queued: Read[] = [];
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let dropped = 0;
  /** A flush is writing: a full batch waits for it to end rather than queue a flush of its own. */
  let writing = false;

  async function writeQueued(): Promise<void> {
    writing = true;
    try {
      await writeSome();
    } finally {
      writing = false;
    }
  }

  async function writeSome(): Promise<void> {
    // What was queued when this flush began: reads noted while it writes wait for their own full batch or
    // the timer. (Writing them at once too kept an insert of a few rows always in flight under load: 1,492
    // inserts for 24,341 reads in 5 s, about 25 µs of the database's time a read.)
    let left = queued.length;
    while (left > 0) {
      const rows = queued.slice(0, Math.min(batch, left));
      // One array parameter a column for the whole batch: a statement of 7 parameters a row cost more than
      // the read it notes, and one JSON parameter 8.7–9.3 µs of the database's time a row against 7.3–7.7 for
      // the arrays (docs/BENCHMARKS.md).
      const column = <K extends Exclude<keyof Read, "at">>(k: K) => sql.param(rows.map((r) => r[k]));
      const at = sql.param(rows.map((r) => r.at.toISOString()));
      await asSystem(db, () =>
        db.execute(sql`insert into ${reads} (at, actor_id, actor_name, party, entity, entity_id, route)
          select * from unnest(${at}::timestamptz[], ${column("actor_id")}::text[],
            ${column("actor_name")}::text[], ${column("party")}::text[], ${column("entity")}::text[],
            ${column("entity_id")}::uuid[], ${column("route")}::text[])`),
      );
      queued = queued.slice(rows.length);
      left -= rows.length;
    }
  }

  /** Writes what is queued; one flush at a time, in order. */
  function flush(): Promise<void> {
    if (timer) clearTimeout(timer);
    timer = undefined;
    running = running.then(writeQueued, writeQueued);
    return running;
  }

  return {
    /** Notes that `actor` read the `entity` record `entityId` through `route`. */
    record(actor: Actor, entity: string, entityId: string, route: string, at = new Date()) {
      queued.push({
        at,
        actor_id: actor.id,
        actor_name: actor.name,
        party: actor.party,
        entity,
        entity_id: entityId,
        route,
      });
      if (queued.length > maxQueued) {
        dropped += queued.length - maxQueued;
        queued = queued.slice(queued.length - maxQueued);
      }
      if (queued.length >= batch && !writing) void flush().catch(() => {});
      else timer ??= setTimeout(() => void flush().catch(() => {}), flushMs).unref();
    },
    flush,
    /** Reads noted and not yet written; reads dropped because the database would not take them. */
    get pending() {
      return { queued: queued.length, dropped };
    },
  };
}

export type ReadLog = ReturnType<typeof readLog>;

/** The record a read by id of a route with this permission reads (`/cases/:id` with `case:read`…). */
export const recordRead: Partial<Record<Permission, string>> = {
  "person:read": "person",
  "organisation:read": "organisation",
  "request:read": "request",
  "case:read": "case",
  "hold:read": "legal_hold",
  "assurance:read": "assurance",
  "decision:read": "decision",
  "operation:read": "operation",
  "release:read": "release",
  "handover:read": "handover",
  "document:read": "document",
};

/**
 * A refused call, in the audit chain: who, which permission, which route, and the id in the path. Written
 * in its own transaction (the refused call wrote nothing).
 */
export async function noteRefusal(
  db: Db,
  actor: Actor,
  refusal: { permission: string; route: string; reason: string; targetId?: string | undefined },
): Promise<void> {
  await write(db, actor, async (w) => {
    w.note("access", uuidv7(), "access.refused", {
      permission: refusal.permission,
      route: refusal.route,
      // Which rule refused it, in words that name roles and steps, never a person.
      reason: refusal.reason,
      ...(refusal.targetId ? { targetId: refusal.targetId } : {}),
    });
  });
}
