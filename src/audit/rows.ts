import { getTableColumns, is, SQL, sql } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";
import type { Tx } from "./write.ts";

/**
 * Multi-row inserts as one JSON parameter (`jsonb_populate_recordset`), with every column's value known
 * in the application, so no `RETURNING` is needed: the row written is the row returned. Building one bind
 * parameter per cell cost most of a bulk import's time; this is one parameter per statement.
 */
export function columnsOf(table: PgTable) {
  return Object.entries(getTableColumns(table)).filter(
    ([, c]) => !(c as { generatedIdentity?: unknown }).generatedIdentity,
  );
}

/** The full row as the database will hold it: given values, else the column's default, else null. */
export function fullRow(table: PgTable, values: Record<string, unknown>): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const [key, column] of columnsOf(table)) {
    let value = values[key];
    if (value === undefined && column.hasDefault) {
      if (is(column.default, SQL) || column.default === undefined) {
        throw new Error(`column ${column.name} has a database-side default: give its value`);
      }
      value = structuredClone(column.default);
    }
    row[key] = value ?? null;
  }
  return row;
}

// PostgreSQL takes at most 1 GB per parameter; keep statements far smaller.
const CHUNK = 2000;

/** One `insert … select … from jsonb_populate_recordset(…)` of at most a chunk of rows. */
export function insertStatement(table: PgTable, rows: Record<string, unknown>[]): SQL {
  const columns = columnsOf(table);
  const names = sql.join(
    columns.map(([, c]) => sql.identifier(c.name)),
    sql`, `,
  );
  if (rows.length > CHUNK) throw new Error(`insertStatement: at most ${CHUNK} rows`);
  const json = rows.map((r) => {
    const out: Record<string, unknown> = {};
    for (const [key, column] of columns) out[column.name] = r[key];
    return out;
  });
  return sql`insert into ${table} (${names}) select ${names} from jsonb_populate_recordset(null::${table}, ${JSON.stringify(json)}::jsonb)`;
}

export async function insertRows(tx: Tx, table: PgTable, rows: Record<string, unknown>[]) {
  for (let i = 0; i < rows.length; i += CHUNK) {
    await tx.execute(insertStatement(table, rows.slice(i, i + CHUNK)));
  }
}
