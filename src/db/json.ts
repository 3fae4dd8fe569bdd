import { getTableColumns, getTableName, type SQL, sql } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";

/**
 * SQL that builds, inside the database, the JSON a row of `table` is sent as: the same keys as drizzle
 * maps the row to, timestamps written as `Date.prototype.toJSON` writes them (UTC, milliseconds, `Z`),
 * dates as `YYYY-MM-DD`, jsonb columns as their JSON. A read that only forwards rows to a client can
 * then take the database's text as it is, with no parsing, mapping or re-serialising in between.
 *
 * The SQL is made from the schema alone (column names and types), never from input.
 */
/**
 * Column types whose JSON PostgreSQL writes as the application would send the value drizzle maps them to.
 * Others (numeric as strings, timestamps without time zone or in string mode, dates in date mode, 64-bit
 * integers) would differ, so `rowJson` refuses them rather than send something else.
 */
const supported = new Set([
  "PgUUID",
  "PgText",
  "PgInteger",
  "PgBoolean",
  "PgJsonb",
  "PgDateString",
  "PgDoublePrecision",
  "PgBigInt53",
  "PgTimestamp",
]);
const isUtcDate = (column: object) => (column as { withTimezone?: boolean }).withTimezone === true;

export function rowJson(
  table: PgTable,
  alias: string = getTableName(table),
  /**
   * Computed values: a column's key replaces what is read (e.g. a status relative to today), any other
   * key is added after the columns (e.g. a row's children as a JSON array).
   */
  overrides: Record<string, SQL> = {},
): SQL {
  const q = (name: string) => `"${name.replace(/"/g, '""')}"`;
  const key = (name: string) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`rowJson: bad key ${name}`);
    return sql.raw(`'${name}'`);
  };
  const columns = getTableColumns(table);
  const added = Object.keys(overrides)
    .filter((k) => !(k in columns))
    .map((k) => sql`${key(k)}, ${overrides[k]}`);
  const pairs = Object.entries(columns).map(([k, column]) => {
    const override = overrides[k];
    if (override) return sql`${key(k)}, ${override}`;
    const ref = `${q(alias)}.${q(column.name)}`;
    if (!supported.has(column.columnType) || (column.columnType === "PgTimestamp" && !isUtcDate(column))) {
      throw new Error(
        `rowJson: ${getTableName(table)}.${column.name} (${column.columnType}) is not built like drizzle maps it; add the type here`,
      );
    }
    const value =
      column.columnType === "PgTimestamp"
        ? `to_char(date_trunc('milliseconds', ${ref} at time zone 'UTC'), 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`
        : ref;
    return sql`${key(k)}, ${sql.raw(value)}`;
  });
  pairs.push(...added);
  // json_build_object takes at most 100 arguments.
  if (pairs.length > 50) throw new Error(`rowJson: ${getTableName(table)} has more than 50 columns`);
  return sql`json_build_object(${sql.join(pairs, sql.raw(", "))})`;
}

/** JSON text built by the database, to be sent to a client as it is (see `rowJson`). */
export class JsonText {
  constructor(readonly text: string) {}
}
