import { and, asc, eq, gt, type SQL, sql } from "drizzle-orm";
import type { AuditedTable } from "../audit/entities.ts";
import type { Row } from "../audit/write.ts";
import { issuesError, notFound } from "../errors.ts";
import type { Db } from "./client.ts";

export interface Page<T> {
  items: T[];
  /** Pass as `cursor` to get the next page; null on the last page. */
  nextCursor: string | null;
}

/** Who reads: rows of this party, and rows shared with it. */
export interface Reader {
  party: string;
}

/** `shared_with` of rows every party may read: reference data of public record (places, administrations). */
export const everyone = "*";

/**
 * Rows the reader's party may see: its own, those shared with it, and those shared with everyone (the
 * first wall; row-level security is the second).
 */
export const visible = (table: AuditedTable, reader: Reader): SQL =>
  sql`(${table.party} = ${reader.party} or ${table.sharedWith} ?| array[${reader.party}, ${everyone}])`;

/**
 * One page of the rows `reader` may see, in creation order (ids are UUIDv7, time-ordered), after `cursor`.
 * Keyset pagination: stable under concurrent inserts, and as fast on page 1,000 as on page 1.
 */
export async function pageOf<T extends AuditedTable>(
  db: Db,
  table: T,
  conditions: (SQL | undefined)[],
  page: { limit: number; cursor?: string | undefined },
  reader: Reader,
): Promise<Page<Row<T>>> {
  const where = and(
    visible(table, reader),
    ...conditions,
    page.cursor ? gt(table.id, page.cursor) : undefined,
  );
  // biome-ignore lint/suspicious/noExplicitAny: drizzle cannot type a select over a union of tables
  const rows = (await (db.select().from(table as any) as any)
    .where(where)
    .orderBy(asc(table.id))
    .limit(page.limit + 1)) as Row<T>[];
  return pageFrom(rows, page.limit);
}

/** The page of `rows` read as `pageOf` reads them: in id order, `limit + 1` at most (one more tells there is a next page). */
export function pageFrom<T extends { id: string }>(rows: T[], limit: number): Page<T> {
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  const lastItem = items[items.length - 1];
  return { items, nextCursor: more && lastItem ? lastItem.id : null };
}

/**
 * A row by id, if `reader` may see it: one outside the reader's reach answers the same 404 as one that does
 * not exist. Without a reader (the service's own reads inside a checked call), any row.
 */
export async function getById<T extends AuditedTable>(
  db: Db,
  table: T,
  entity: string,
  id: string,
  reader?: Reader,
) {
  // biome-ignore lint/suspicious/noExplicitAny: see pageOf
  const [row] = (await (db.select().from(table as any) as any)
    .where(and(eq(table.id, id), reader ? visible(table, reader) : undefined))
    .limit(1)) as Row<T>[];
  if (!row) throw notFound(entity);
  return row;
}

/** Checks that every referenced id exists; names every field that does not, in one answer. */
export async function requireRefs(
  db: Db,
  refs: { field: string; table: AuditedTable; id: string | null | undefined }[],
  reader: Reader,
) {
  const issues = await missingRefs(db, refs, reader);
  if (issues.length > 0) {
    throw issuesError("REFERENCE_INVALID", issues);
  }
}

/** The fields of `refs` whose id names no record the reader may see. */
export async function missingRefs(
  db: Db,
  refs: { field: string; table: AuditedTable; id: string | null | undefined }[],
  reader: Reader,
): Promise<{ field: string; rule: string }[]> {
  const issues: { field: string; rule: string }[] = [];
  for (const ref of refs) {
    if (!ref.id) continue;
    // biome-ignore lint/suspicious/noExplicitAny: see pageOf
    const [row] = await (db.select({ id: ref.table.id }).from(ref.table as any) as any)
      .where(and(eq(ref.table.id, ref.id), visible(ref.table, reader)))
      .limit(1);
    if (!row) issues.push({ field: ref.field, rule: "must reference an existing record" });
  }
  return issues;
}

/**
 * Runs queries one after another, for `Promise.all`'s shape: inside a scope every statement goes to one
 * connection, where concurrent queries only queue (and `pg` 9 will refuse them). Drizzle's queries are
 * lazy, so none starts before its turn.
 */
export async function inOrder<T extends readonly unknown[]>(
  queries: readonly [...T],
): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const out: unknown[] = [];
  for (const q of queries) out.push(await q);
  return out as { -readonly [K in keyof T]: Awaited<T[K]> };
}
