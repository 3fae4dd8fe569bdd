import { and, asc, eq, gt, type SQL } from "drizzle-orm";
import type { AuditedTable } from "../audit/entities.ts";
import type { Row } from "../audit/write.ts";
import { AppError } from "../errors.ts";
import type { Db } from "./client.ts";

export interface Page<T> {
  items: T[];
  /** Pass as `cursor` to get the next page; null on the last page. */
  nextCursor: string | null;
}

/**
 * One page of rows in creation order (ids are UUIDv7, time-ordered), after `cursor`.
 * Keyset pagination: stable under concurrent inserts, and as fast on page 1,000 as on page 1.
 */
export async function pageOf<T extends AuditedTable>(
  db: Db,
  table: T,
  conditions: (SQL | undefined)[],
  page: { limit: number; cursor?: string | undefined },
): Promise<Page<Row<T>>> {
  const where = and(...conditions, page.cursor ? gt(table.id, page.cursor) : undefined);
  // biome-ignore lint/suspicious/noExplicitAny: drizzle cannot type a select over a union of tables
  const rows = (await (db.select().from(table as any) as any)
    .where(where)
    .orderBy(asc(table.id))
    .limit(page.limit + 1)) as Row<T>[];
  const more = rows.length > page.limit;
  const items = more ? rows.slice(0, page.limit) : rows;
  const lastItem = items[items.length - 1] as { id: string } | undefined;
  return { items, nextCursor: more && lastItem ? lastItem.id : null };
}

export async function getById<T extends AuditedTable>(db: Db, table: T, entity: string, id: string) {
  // biome-ignore lint/suspicious/noExplicitAny: see pageOf
  const [row] = (await (db.select().from(table as any) as any).where(eq(table.id, id)).limit(1)) as Row<T>[];
  if (!row) throw new AppError("NOT_FOUND", `${entity} ${id} not found`, { entity, id });
  return row;
}

/** Checks that every referenced id exists; names every field that does not, in one answer. */
export async function requireRefs(
  db: Db,
  refs: { field: string; table: AuditedTable; id: string | null | undefined }[],
) {
  const issues = await missingRefs(db, refs);
  if (issues.length > 0) {
    throw new AppError("REFERENCE_INVALID", issues.map((i) => `${i.field}: ${i.rule}`).join("; "), {
      issues,
    });
  }
}

/** The fields of `refs` whose id names no record. */
export async function missingRefs(
  db: Db,
  refs: { field: string; table: AuditedTable; id: string | null | undefined }[],
): Promise<{ field: string; rule: string }[]> {
  const issues: { field: string; rule: string }[] = [];
  for (const ref of refs) {
    if (!ref.id) continue;
    // biome-ignore lint/suspicious/noExplicitAny: see pageOf
    const [row] = await (db.select({ id: ref.table.id }).from(ref.table as any) as any)
      .where(eq(ref.table.id, ref.id))
      .limit(1);
    if (!row) issues.push({ field: ref.field, rule: "must reference an existing record" });
  }
  return issues;
}
