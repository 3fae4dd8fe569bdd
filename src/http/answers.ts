import { getTableColumns, getTableName } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { errorBody } from "./errors.ts";
import { aText } from "./schemas.ts";

/**
 * The schemas of the API's answers: documentation, not a gate. They are given to each route as
 * `schema.response`, so the OpenAPI document describes every answer (named: `.meta({ id })` makes a
 * component a client generator names, `Person`, `CaseFile`…); the answers themselves go out as the
 * services built them (`sendAsIs`), never parsed or re-encoded per request. The tests check every answer
 * against its schema (`checkAnswers`), so a schema that drifts from what a route sends fails the suite.
 */

/** An identifier as the API sends it (UUIDv7, lower case). */
export const AUuid = z.uuid().meta({ maxLength: 36 });
/** A moment, as `Date.prototype.toJSON` writes it (UTC, milliseconds, `Z`). */
export const ATimestamp = z.iso.datetime().max(30);
/** A calendar day, YYYY-MM-DD. */
export const ADay = z.iso.date().max(10);
/** A party (state) as rows record it: an ISO 3166-1 alpha-2 code. */
export const AParty = aText(2);
/** An integer column (PostgreSQL `integer`). */
export const AInt = z
  .number()
  .int()
  .min(-(2 ** 31))
  .max(2 ** 31 - 1);
/** A count or a small figure. */
export const ACount = z
  .number()
  .int()
  .min(0)
  .max(2 ** 31 - 1);
/** Free text the API took in: at most the 2,000 characters its longest text field accepts. */
export const AText = aText(2000);
export { aText };
/** A list the API answers, bounded for the document (no answer holds more). */
export const aList = <T extends z.ZodType>(item: T, max = 10_000) => z.array(item).max(max);

/** Answer schemas of the columns every audited row has (`base` in src/db/schema.ts). */
const baseColumns: Record<string, z.ZodType> = {
  id: AUuid,
  party: AParty,
  /** `*`: shared with every party (reference data). */
  sharedWith: aList(aText(2), 300),
  version: AInt.min(1),
  recordedAt: ATimestamp.describe(
    "When the record was last written: each change moves it (its history, GET …/history, has every write, the first included)",
  ),
};

/**
 * The answer schema of a row of `table` as the API sends it (drizzle's row through JSON, or `rowJson`): one
 * key per column, timestamps as ISO strings, days as YYYY-MM-DD, a nullable column as `null` when empty.
 * `columns` gives a column's schema where its type says too little (a jsonb column's shape, an enum, a
 * text's bound); every jsonb column needs one. Unknown keys are refused (`strictObject`), so the tests
 * catch a field sent and not documented.
 */
export function rowSchema<T extends PgTable>(
  table: T,
  columns: Partial<Record<keyof T["_"]["columns"] & string, z.ZodType>> = {},
) {
  const shape: Record<string, z.ZodType> = {};
  for (const [key, column] of Object.entries(getTableColumns(table))) {
    const given = (columns as Record<string, z.ZodType | undefined>)[key] ?? baseColumns[key];
    let s: z.ZodType;
    if (given) s = given;
    else
      switch (column.columnType) {
        case "PgUUID":
          s = AUuid;
          break;
        case "PgText":
          s = AText;
          break;
        case "PgInteger":
          s = AInt;
          break;
        case "PgBigInt53":
          s = z.number().int();
          break;
        case "PgDoublePrecision":
          s = z.number();
          break;
        case "PgBoolean":
          s = z.boolean();
          break;
        case "PgDateString":
          s = ADay;
          break;
        case "PgTimestamp":
          s = ATimestamp;
          break;
        default:
          throw new Error(
            `rowSchema: ${getTableName(table)}.${column.name} (${column.columnType}) needs its schema given`,
          );
      }
    shape[key] = column.notNull ? s : s.nullable();
  }
  return z.strictObject(shape);
}

/** A page of a list (`pageOf` in src/db/query.ts): the items, and the cursor of the next page. */
export const pageSchema = <T extends z.ZodType>(item: T, id: string) =>
  z
    .strictObject({
      items: aList(item, 500),
      /** Pass as `cursor` to get the next page; null on the last page. */
      nextCursor: AUuid.nullable(),
    })
    .meta({ id, description: "One page of the list, in creation order" });

/** The serialiser of every documented answer: the value as JSON, exactly as it would go without a schema. */
export const sendAsIs = () => (data: unknown) => JSON.stringify(data);

/** An answer that did not match its schema (`checkAnswers`). */
export interface AnswerMismatch {
  route: string;
  status: number;
  problems: string;
}

/**
 * For the tests: every answer that has a schema for its status (`schema.response`) is parsed and checked
 * against it as it leaves. A mismatch turns the answer into a 500 whose message says what differs, and is
 * handed to `onMismatch` (the test app fails the test file with it). Not for production: it parses every
 * answer again.
 */
export function checkAnswers(app: FastifyInstance, onMismatch: (m: AnswerMismatch) => void) {
  app.addHook("onSend", async (req, reply, payload) => {
    const schemas = req.routeOptions.schema?.response as Record<string, unknown> | undefined;
    const schema = schemas?.[reply.statusCode];
    if (!(schema instanceof z.ZodType) || typeof payload !== "string") return payload;
    const result = schema.safeParse(JSON.parse(payload));
    if (result.success) return payload;
    const mismatch = {
      route: `${req.method} ${req.routeOptions.url}`,
      status: reply.statusCode,
      problems: z.prettifyError(result.error),
    };
    onMismatch(mismatch);
    reply.code(500).type("application/json; charset=utf-8");
    return JSON.stringify(
      errorBody(
        "INTERNAL",
        `${mismatch.route} ${mismatch.status}: the answer does not match its schema:\n${mismatch.problems}`,
      ),
    );
  });
}
