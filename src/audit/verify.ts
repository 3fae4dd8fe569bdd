import { and, asc, desc, eq, gt, inArray, isNotNull, isNull, lt, lte, sql } from "drizzle-orm";
import type { PublicKey } from "../crypto/signing-key.ts";
import { type Db, toCount } from "../db/client.ts";
import { auditEvents, auditHead } from "../db/schema.ts";
import { bodyOf, canonical, GENESIS_HASH, hashEvent, imageOf, sha256 } from "./chain.ts";
import { checkpointFaults, checkpointsInOrder, latestCheckpoint } from "./checkpoint.ts";
import { auditedTables, type EntityName } from "./entities.ts";
import { linkPending } from "./link.ts";

export interface VerifyProblem {
  /**
   * chain: an event is missing, altered or out of place; row: a row differs from its audited after-image;
   * checkpoint: a signed checkpoint does not hold (bad signature, another key, its event's hash changed);
   * document: a stored document's content is missing or no longer has the hash it was received with.
   */
  where: "chain" | "row" | "checkpoint" | "document";
  seq?: number;
  entity?: string;
  entityId?: string;
  message: string;
}

export interface VerifyReport {
  ok: boolean;
  /** full: the whole chain from the genesis hash, every row; since-checkpoint: see `verifySinceCheckpoint`. */
  mode: "full" | "since-checkpoint";
  /** The checkpoint a since-checkpoint verify started from. */
  from?: { seq: number; createdAt: Date };
  eventsChecked: number;
  rowsChecked: number;
  checkpointsChecked: number;
  /** Documents whose content was read and checked against its hash (0 when not asked: `documents`). */
  documentsChecked: number;
  /** The last event the verify reached (position 0 and the genesis hash for an empty chain). */
  chainEnd: { seq: number; hash: string };
  problems: VerifyProblem[];
}

export interface VerifyOptions {
  maxProblems?: number;
  /** The deployment's public key, to check checkpoints' signatures with; null when there is none. */
  key?: PublicKey | null;
  /** Told after each page of events: how many were checked of how many there were when the walk began. */
  onProgress?: (p: VerifyProgress) => void;
  /**
   * Checks every stored document's content against its hash, reporting each that fails; returns how many
   * were checked (`documentService().verifyAll`). Run by both modes: content is not in the chain.
   */
  documents?: (add: (p: VerifyProblem) => void) => Promise<number>;
}

export interface VerifyProgress {
  eventsChecked: number;
  /** The events to walk, counted when the walk began (events linked while it walks are walked too). */
  eventsTotal: number;
}

const PAGE = 5000;

type LinkedEvent = Omit<typeof auditEvents.$inferSelect, "seq" | "prevHash" | "hash"> & {
  seq: number;
  prevHash: string;
  hash: string;
};

/** Collects problems, up to `max`. */
function problemList(max: number) {
  const problems: VerifyProblem[] = [];
  return { problems, add: (p: VerifyProblem) => void (problems.length < max && problems.push(p)) };
}
type Add = (p: VerifyProblem) => void;

/**
 * Recomputes the hash chain from the genesis hash, then checks that every audited row equals its last
 * after-image: a row edited, inserted or deleted behind the application's back, or an event edited,
 * inserted or deleted, is reported. On its way it checks every signed checkpoint: its signature under the
 * deployment's key, that its event's chain hash is the one signed, and that none was removed between
 * others. Problems come in chain order, then table order; the first is the first bad entry.
 *
 * It streams: the chain is read in pages of events by position, each table in pages of rows by id with
 * the last events of those rows beside them, and the rows that are missing are found by the database
 * (the last event of each entity against its table). Its memory stays that of a page, however long the
 * chain.
 */
export async function verifyAudit(db: Db, options: VerifyOptions = {}): Promise<VerifyReport> {
  const started = new Date();
  // Events of transactions that committed but were not linked yet (a process stopped in between) are
  // linked first, as the writers would have.
  await linkPending(db);
  const { problems, add } = problemList(options.maxProblems ?? 50);

  // Checkpoints are walked beside the chain: each is checked when the walk reaches its event.
  const checkpoints = checkpointsInOrder(db);
  let next = (await checkpoints.next()).value;
  let previousCheckpoint = 0;
  let checkpointsChecked = 0;
  const checkCheckpoint = (eventHash: string | undefined) => {
    const c = next!;
    checkpointsChecked++;
    if (c.fromSeq !== previousCheckpoint)
      add({
        where: "checkpoint",
        seq: c.seq,
        message: `checkpoint at event ${c.seq} follows one at event ${c.fromSeq}, but the checkpoint before it is at event ${previousCheckpoint}: a checkpoint was removed`,
      });
    for (const message of checkpointFaults(c, options.key ?? null, eventHash))
      add({ where: "checkpoint", seq: c.seq, message });
    previousCheckpoint = c.seq;
  };
  const walk = await walkChain(
    db,
    { seq: 0, hash: GENESIS_HASH },
    started,
    add,
    options.onProgress,
    async (page) => {
      for (const e of page) {
        while (next && next.seq <= e.seq) {
          checkCheckpoint(next.seq === e.seq ? e.hash : undefined);
          next = (await checkpoints.next()).value;
        }
      }
    },
  );
  // Checkpoints past the end of the chain: their events are gone.
  for (; next; next = (await checkpoints.next()).value) checkCheckpoint(undefined);

  const rowsChecked = await checkEveryRow(db, add);
  // Rows whose last event left them in place but that are not there, in the order their entities first
  // appear in the chain; the database finds them, and only as many as can still be reported are read.
  const room = (options.maxProblems ?? 50) - problems.length;
  if (room > 0) await findMissingRows(db, room, add);
  const documentsChecked = options.documents ? await options.documents(add) : 0;
  return {
    ok: problems.length === 0,
    mode: "full",
    eventsChecked: walk.eventsChecked,
    rowsChecked,
    checkpointsChecked,
    documentsChecked,
    chainEnd: walk.end,
    problems,
  };
}

/**
 * Verifies from the latest signed checkpoint: its signature under the deployment's key, that its event is
 * intact and still has the chain hash it signed, then the events after it (recomputed from the signed hash,
 * as the full verify does) and the rows those events changed (each against its last after-image, present
 * or deleted as that event left it). Its time grows with the events since the checkpoint, not with the
 * chain. With no checkpoint yet it is the full verify.
 *
 * What it cannot see, by design: an event before the checkpoint altered without touching the checkpoint's
 * own event (its hash is no longer recomputed), a row edited or deleted behind the application's back
 * whose entity has no event since the checkpoint, and a row inserted behind the application's back (it has
 * no event at all). The full verify (`verifyAudit`) sees all of these: run it periodically.
 */
export async function verifySinceCheckpoint(db: Db, options: VerifyOptions = {}): Promise<VerifyReport> {
  const started = new Date();
  await linkPending(db);
  const checkpoint = await latestCheckpoint(db);
  if (!checkpoint) return verifyAudit(db, options);
  const { problems, add } = problemList(options.maxProblems ?? 50);

  const [stored] = await db.select().from(auditEvents).where(eq(auditEvents.seq, checkpoint.seq));
  for (const message of checkpointFaults(checkpoint, options.key ?? null, stored?.hash ?? undefined))
    add({ where: "checkpoint", seq: checkpoint.seq, message });
  if (stored)
    checkEvent(
      { ...stored, seq: checkpoint.seq, prevHash: stored.prevHash ?? "", hash: stored.hash ?? "" },
      add,
    );

  let rowsChecked = 0;
  const from = { seq: checkpoint.seq, hash: checkpoint.hash };
  const walk = await walkChain(db, from, started, add, options.onProgress, async (page) => {
    rowsChecked += await checkRowsChangedBy(db, page, add);
  });
  const documentsChecked = options.documents ? await options.documents(add) : 0;
  return {
    ok: problems.length === 0,
    mode: "since-checkpoint",
    from: { seq: checkpoint.seq, createdAt: checkpoint.createdAt },
    eventsChecked: walk.eventsChecked,
    rowsChecked,
    checkpointsChecked: 1,
    documentsChecked,
    chainEnd: walk.end,
    problems,
  };
}

/** Whether an event's content still gives its stored hash. */
function checkEvent(e: LinkedEvent, add: Add) {
  if (hashEvent(e.prevHash, bodyOf(e, e.seq)) !== e.hash) {
    add({
      where: "chain",
      seq: e.seq,
      entity: e.entity,
      entityId: e.entityId,
      message: `event ${e.seq} (${e.kind} of ${e.entity} ${e.entityId}) was altered: its hash does not match its content`,
    });
  }
}

/**
 * Walks the chain from the event at `from.seq` (whose hash is `from.hash`) to its end, in pages, checking
 * that each event follows the one before and still gives its hash; `onPage` sees each page after its
 * events were checked. Then the head must be where the chain ends; events linked while it walked are
 * walked too, so a verify running beside writers does not mistake them for a moved head. Last, events
 * committed before the verify started must all be linked.
 */
async function walkChain(
  db: Db,
  from: { seq: number; hash: string },
  started: Date,
  add: Add,
  onProgress: ((p: VerifyProgress) => void) | undefined,
  onPage: (page: LinkedEvent[]) => Promise<void>,
): Promise<{ eventsChecked: number; end: { seq: number; hash: string } }> {
  const eventsTotal = onProgress
    ? toCount(
        (
          await db.select({ n: sql<number>`count(*)` }).from(auditEvents).where(gt(auditEvents.seq, from.seq))
        )[0]?.n,
      )
    : 0;
  onProgress?.({ eventsChecked: 0, eventsTotal });
  let prevHash = from.hash;
  let expectedSeq = from.seq + 1;
  let eventsChecked = 0;
  let cursor = from.seq;
  const walkToEnd = async () => {
    let walked = 0;
    for (;;) {
      const rows = await db
        .select()
        .from(auditEvents)
        .where(gt(auditEvents.seq, cursor))
        .orderBy(asc(auditEvents.seq))
        .limit(PAGE);
      if (rows.length === 0) return walked;
      // The page holds linked events only (seq > cursor), so seq, prev_hash and hash are set.
      const page = rows.map((r) => ({ ...r, seq: r.seq!, prevHash: r.prevHash ?? "", hash: r.hash ?? "" }));
      for (const e of page) {
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
        checkEvent(e, add);
        prevHash = e.hash;
        expectedSeq = e.seq + 1;
        cursor = e.seq;
      }
      walked += page.length;
      await onPage(page);
      onProgress?.({ eventsChecked, eventsTotal: Math.max(eventsTotal, eventsChecked) });
    }
  };
  let head: typeof auditHead.$inferSelect | undefined;
  for (let round = 0; ; round++) {
    const walked = await walkToEnd();
    [head] = await db.select().from(auditHead);
    if (!head || head.seq <= expectedSeq - 1 || (round > 0 && walked === 0)) break;
  }
  if (head && (head.seq !== expectedSeq - 1 || head.hash !== prevHash)) {
    add({
      where: "chain",
      seq: head.seq,
      message: `the chain ends at event ${expectedSeq - 1}, but its head says ${head.seq}: events at the end were removed or the head was altered`,
    });
  }

  // Events committed while it walked are linked by their writers; those from before it started must be.
  await linkPending(db);
  const [unlinked] = await db
    .select({ n: sql`count(*)` })
    .from(auditEvents)
    .where(and(isNull(auditEvents.seq), lt(auditEvents.recordedAt, started)));
  if (toCount(unlinked?.n) > 0) {
    add({ where: "chain", message: `${toCount(unlinked?.n)} event(s) could not be linked into the chain` });
  }
  return { eventsChecked, end: { seq: expectedSeq - 1, hash: prevHash } };
}

/** The hash of a last event's after-image: "" when it deleted the row. */
const expectedImage = (after: unknown) => (after == null ? "" : sha256(canonical(after)));

const missingRow = (entity: string, id: string) =>
  `${entity} ${id} is missing: it was deleted behind the application's back`;

/**
 * What is wrong with an audited row given its last event's after-image hash (`expected`: undefined when it
 * has no event, "" when its last event deleted it); `row` undefined when it is not there.
 */
function rowFault(entity: string, id: string, expected: string | undefined, row: object | undefined) {
  if (row === undefined) return expected ? missingRow(entity, id) : undefined;
  if (expected === undefined)
    return `${entity} ${id} has no audit event: it was inserted behind the application's back`;
  if (expected === "") return `${entity} ${id} was deleted by the application but exists again`;
  if (sha256(canonical(imageOf(row))) !== expected && sha256(canonical(olderImage(entity, row))) !== expected)
    return `${entity} ${id} differs from its last audited after-image: it was edited behind the application's back`;
  return undefined;
}

/**
 * Columns added to an audited table after rows were written (migration 0011: a decision's or a handover's
 * supersession). A row whose last event came before is null there, and its image does not have the key.
 */
const addedColumns: Record<string, readonly string[]> = {
  decision: ["supersedes", "supersededBy"],
  handover: ["supersedes", "supersededBy"],
};

/** The row's image as an event written before its table's added columns would hold it. */
function olderImage(entity: string, row: object): Record<string, unknown> {
  const image = imageOf(row);
  for (const column of addedColumns[entity] ?? []) if (image[column] === null) delete image[column];
  return image;
}

const tableEntries = Object.entries(auditedTables) as [EntityName, (typeof auditedTables)[EntityName]][];
const selectFrom = (db: Db, table: (typeof auditedTables)[EntityName]) =>
  // biome-ignore lint/suspicious/noExplicitAny: one query over every audited table
  db.select().from(table as any) as any;

/** Every row of every audited table against its entity's last event, a page of rows at a time. */
async function checkEveryRow(db: Db, add: Add): Promise<number> {
  let rowsChecked = 0;
  for (const [entity, table] of tableEntries) {
    let after = "00000000-0000-0000-0000-000000000000";
    for (;;) {
      const rows = (await selectFrom(db, table)
        .where(gt(table.id, after))
        .orderBy(asc(table.id))
        .limit(PAGE)) as { id: string }[];
      if (rows.length === 0) break;
      // The last linked event of each id in this page's range (one range scan of the entity index).
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
      for (const e of events) last.set(e.entityId, expectedImage(e.after));
      for (const row of rows) {
        rowsChecked++;
        const message = rowFault(entity, row.id, last.get(row.id), row);
        if (message) add({ where: "row", entity, entityId: row.id, message });
        after = row.id;
      }
    }
  }
  return rowsChecked;
}

/** Rows whose last event left them in place but that are not there, in chain order, up to `limit`. */
async function findMissingRows(db: Db, limit: number, add: Add) {
  const exists = sql.join(
    tableEntries.map(
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
        tableEntries.map(([e]) => sql`${e}`),
        sql`, `,
      )}) group by entity, entity_id) l
    where not l.deleted and not (case l.entity ${exists} else false end)
    order by l.first_seq limit ${limit}`);
  for (const m of (missing as unknown as { rows: { entity: string; entity_id: string }[] }).rows) {
    add({
      where: "row",
      entity: m.entity,
      entityId: m.entity_id,
      message: missingRow(m.entity, m.entity_id),
    });
  }
}

/**
 * The rows a page of events changed, each checked once, at its entity's last event (an event with no later
 * one of the same entity: one probe of the entity index each): present and equal to its after-image, or
 * absent if that event deleted it. Returns how many rows it checked.
 *
 * Beside running writers: the rows are read first, then which events are last, counting events not linked
 * yet as later ones. A row a write changed meanwhile has that write's event (committed with it), so it is
 * left to the next verify rather than reported as changed behind the application's back.
 */
async function checkRowsChangedBy(db: Db, page: LinkedEvent[], add: Add): Promise<number> {
  const audited = page.filter((e) => e.entity in auditedTables);
  if (audited.length === 0) return 0;
  const present = new Map<string, object>();
  for (const [entity, table] of tableEntries) {
    const ids = [...new Set(audited.filter((e) => e.entity === entity).map((e) => e.entityId))];
    if (ids.length === 0) continue;
    const rows = (await selectFrom(db, table).where(inArray(table.id, ids))) as { id: string }[];
    for (const r of rows) present.set(`${entity}/${r.id}`, r);
  }
  const lastRows = await db.execute(sql`
    select e.seq from audit_events e
    where e.seq >= ${audited[0]!.seq} and e.seq <= ${audited[audited.length - 1]!.seq}
      and e.entity in (${sql.join(
        tableEntries.map(([e]) => sql`${e}`),
        sql`, `,
      )})
      and not exists (select 1 from audit_events l
        where l.entity = e.entity and l.entity_id = e.entity_id and (l.seq > e.seq or l.seq is null))`);
  const isLast = new Set(
    (lastRows as unknown as { rows: { seq: unknown }[] }).rows.map((r) => Number(r.seq)),
  );
  let rowsChecked = 0;
  for (const e of audited) {
    if (!isLast.has(e.seq)) continue;
    rowsChecked++;
    const message = rowFault(
      e.entity,
      e.entityId,
      expectedImage(e.after),
      present.get(`${e.entity}/${e.entityId}`),
    );
    if (message) add({ where: "row", entity: e.entity, entityId: e.entityId, message });
  }
  return rowsChecked;
}
