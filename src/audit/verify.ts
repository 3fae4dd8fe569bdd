import { and, asc, desc, eq, gt, isNotNull, isNull, lte, sql } from "drizzle-orm";
import { type Db, toCount } from "../db/client.ts";
import { auditEvents, auditHead } from "../db/schema.ts";
import { bodyOf, canonical, GENESIS_HASH, hashEvent, imageOf, sha256 } from "./chain.ts";
import { auditedTables, type EntityName } from "./entities.ts";
import { linkPending } from "./link.ts";

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
 *
 * It streams: the chain is read in pages of events by position, each table in pages of rows by id with
 * the last events of those rows beside them, and the rows that are missing are found by the database
 * (the last event of each entity against its table). Its memory stays that of a page, however long the
 * chain.
 */
export async function verifyAudit(db: Db, options: { maxProblems?: number } = {}): Promise<VerifyReport> {
  const maxProblems = options.maxProblems ?? 50;
  // Events of transactions that committed but were not linked yet (a process stopped in between) are
  // linked first, as the writers would have.
  await linkPending(db);
  const problems: VerifyProblem[] = [];
  const add = (p: VerifyProblem) => {
    if (problems.length < maxProblems) problems.push(p);
  };
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
      // The last linked event of each id in this page's range (one range scan of the entity index):
      // hash of its canonical after-image, "" when it deleted the row.
      const last = new Map<string, string>();
      const events = await db
        .selectDistinctOn([auditEvents.entityId], {
          entityId: auditEvents.entityId,
          after: auditEvents.after,
        })
        .from(auditEvents)
        .where(
          and(
            eq(auditEvents.entity, entity),
            gt(auditEvents.entityId, after),
            lte(auditEvents.entityId, rows[rows.length - 1]!.id),
            isNotNull(auditEvents.seq),
          ),
        )
        .orderBy(auditEvents.entityId, desc(auditEvents.seq));
      for (const e of events) last.set(e.entityId, e.after == null ? "" : sha256(canonical(e.after)));
      for (const row of rows) {
        rowsChecked++;
        const expected = last.get(row.id);
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
        after = row.id;
      }
    }
  }
  // Rows whose last event left them in place but that are not there, in the order their entities first
  // appear in the chain; the database finds them, and only as many as can still be reported are read.
  if (problems.length < maxProblems) {
    const exists = sql.join(
      Object.entries(auditedTables).map(
        ([entity, table]) =>
          sql`when ${entity} then exists (select 1 from ${table} t where t.id = l.entity_id)`,
      ),
      sql` `,
    );
    const missing = await db.execute(sql`
      select l.entity, l.entity_id from (
        select entity, entity_id, min(seq) as first_seq,
          (array_agg(after is null order by seq desc))[1] as deleted
        from audit_events where seq is not null and entity in (${sql.join(
          Object.keys(auditedTables).map((e) => sql`${e}`),
          sql`, `,
        )}) group by entity, entity_id) l
      where not l.deleted and not (case l.entity ${exists} else false end)
      order by l.first_seq limit ${maxProblems - problems.length}`);
    for (const m of (missing as unknown as { rows: { entity: string; entity_id: string }[] }).rows) {
      add({
        where: "row",
        entity: m.entity,
        entityId: m.entity_id,
        message: `${m.entity} ${m.entity_id} is missing: it was deleted behind the application's back`,
      });
    }
  }
  return { ok: problems.length === 0, eventsChecked, rowsChecked, problems };
}
