/**
 * audit verify as it was before it streamed (commit ac4d8a5): it kept the last after-image of every
 * entity in a map. Kept here as the reference the streaming one must agree with, report for report.
 */
import { asc, gt, isNull, sql } from "drizzle-orm";
import { bodyOf, canonical, GENESIS_HASH, hashEvent, imageOf, sha256 } from "../src/audit/chain.ts";
import { auditedTables, type EntityName } from "../src/audit/entities.ts";
import { linkPending } from "../src/audit/link.ts";
import { type Db, toCount } from "../src/db/client.ts";
import { auditEvents, auditHead } from "../src/db/schema.ts";

export interface VerifyProblem {
  /** chain: an event is missing, altered or out of place; row: a row differs from its audited after-image. */
  where: "chain" | "row";
  seq?: number;
  entity?: string;
  entityId?: string;
  message: string;
}

export interface VerifyReport {
  ok: boolean;
  eventsChecked: number;
  rowsChecked: number;
  problems: VerifyProblem[];
}

const PAGE = 5000;

/**
 * Recomputes the hash chain from the genesis hash, then checks that every audited row equals its last
 * after-image: a row edited, inserted or deleted behind the application's back, or an event edited,
 * inserted or deleted, is reported. Problems come in chain order, then table order; the first is the
 * first bad entry.
 */
export async function verifyAuditInMemory(
  db: Db,
  options: { maxProblems?: number } = {},
): Promise<VerifyReport> {
  const maxProblems = options.maxProblems ?? 50;
  // Events of transactions that committed but were not linked yet (a process stopped in between) are
  // linked first, as the writers would have.
  await linkPending(db);
  const problems: VerifyProblem[] = [];
  const add = (p: VerifyProblem) => {
    if (problems.length < maxProblems) problems.push(p);
  };
  // entity:id → hash of the canonical last after-image ("" when the last event deleted the row)
  const last = new Map<string, string>();
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  let eventsChecked = 0;
  let cursor = 0;
  for (;;) {
    const page = await db
      .select()
      .from(auditEvents)
      .where(gt(auditEvents.seq, cursor))
      .orderBy(asc(auditEvents.seq))
      .limit(PAGE);
    if (page.length === 0) break;
    for (const row of page) {
      // The page holds linked events only (seq > cursor), so seq, prev_hash and hash are set.
      const e = { ...row, seq: row.seq!, prevHash: row.prevHash ?? "", hash: row.hash ?? "" };
      eventsChecked++;
      if (e.seq !== expectedSeq) {
        add({
          where: "chain",
          seq: e.seq,
          message: `event ${expectedSeq}${e.seq > expectedSeq + 1 ? `–${e.seq - 1}` : ""} is missing (found ${e.seq} next)`,
        });
      }
      if (e.prevHash !== prevHash) {
        add({ where: "chain", seq: e.seq, message: `event ${e.seq} does not link to the event before it` });
      }
      if (hashEvent(e.prevHash, bodyOf(e, e.seq)) !== e.hash) {
        add({
          where: "chain",
          seq: e.seq,
          entity: e.entity,
          entityId: e.entityId,
          message: `event ${e.seq} (${e.kind} of ${e.entity} ${e.entityId}) was altered: its hash does not match its content`,
        });
      }
      last.set(`${e.entity}:${e.entityId}`, e.after == null ? "" : sha256(canonical(e.after)));
      prevHash = e.hash;
      expectedSeq = e.seq + 1;
      cursor = e.seq;
    }
  }
  const [head] = await db.select().from(auditHead);
  if (head && (head.seq !== expectedSeq - 1 || head.hash !== prevHash)) {
    add({
      where: "chain",
      seq: head.seq,
      message: `the chain ends at event ${expectedSeq - 1}, but its head says ${head.seq}: events at the end were removed or the head was altered`,
    });
  }

  const [unlinked] = await db.select({ n: sql`count(*)` }).from(auditEvents).where(isNull(auditEvents.seq));
  if (toCount(unlinked?.n) > 0) {
    add({ where: "chain", message: `${toCount(unlinked?.n)} event(s) could not be linked into the chain` });
  }

  let rowsChecked = 0;
  for (const [entity, table] of Object.entries(auditedTables) as [
    EntityName,
    (typeof auditedTables)[EntityName],
  ][]) {
    let after = "00000000-0000-0000-0000-000000000000";
    for (;;) {
      // biome-ignore lint/suspicious/noExplicitAny: one loop over every audited table
      const rows = (await (db.select().from(table as any) as any)
        .where(gt(table.id, after))
        .orderBy(asc(table.id))
        .limit(PAGE)) as { id: string }[];
      if (rows.length === 0) break;
      for (const row of rows) {
        rowsChecked++;
        const key = `${entity}:${row.id}`;
        const expected = last.get(key);
        if (expected === undefined || expected === "") {
          add({
            where: "row",
            entity,
            entityId: row.id,
            message:
              expected === undefined
                ? `${entity} ${row.id} has no audit event: it was inserted behind the application's back`
                : `${entity} ${row.id} was deleted by the application but exists again`,
          });
        } else if (sha256(canonical(imageOf(row))) !== expected) {
          add({
            where: "row",
            entity,
            entityId: row.id,
            message: `${entity} ${row.id} differs from its last audited after-image: it was edited behind the application's back`,
          });
        }
        last.delete(key);
        after = row.id;
      }
    }
  }
  for (const [key, expected] of last) {
    if (expected === "") continue;
    const [entity, entityId] = key.split(":") as [string, string];
    add({
      where: "row",
      entity,
      entityId,
      message: `${entity} ${entityId} is missing: it was deleted behind the application's back`,
    });
  }
  return { ok: problems.length === 0, eventsChecked, rowsChecked, problems };
}
