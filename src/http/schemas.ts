import { z } from "zod";

/** Shared schema pieces; each route's own schemas live beside it. */

/**
 * An identifier. Lower-cased as it is read: PostgreSQL hands uuids back lower-case, so an upper-case id
 * would otherwise compare unequal in the application (a self-rivalry passing as two organisations) and
 * differ from its own row in the audit chain's after-image.
 */
export const ZUuid = z.uuid().toLowerCase().meta({ maxLength: 36 });

/*
 * `meta({ maxLength })`: the length a pattern or format already bounds, stated in the OpenAPI document (a
 * client generator and the OWASP rules read maxLength, not the pattern). A second check would add a second
 * issue to the one a client reads, and stop the cross-field checks of the body (`cross-check.ts`).
 */

/** A calendar day, YYYY-MM-DD, that exists. */
export const ZDay = z
  .string()
  // Not a date at all: said once, not also as "not a real calendar date".
  .regex(/^\d{4}-\d{2}-\d{2}$/, { message: "must be a date YYYY-MM-DD", abort: true })
  .refine(
    (s) => {
      const d = new Date(`${s}T00:00:00Z`);
      return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s);
    },
    { message: "must be a real calendar date", abort: true },
  )
  .meta({ maxLength: 10 });

/** A day that has come (UTC), such as a date of birth or the day custody began: not after today. */
export const ZPastDay = ZDay.refine((s) => s <= new Date().toISOString().slice(0, 10), "not after today");

/**
 * When something happened in the world: a date-time with its offset (`2026-01-20T17:00:00Z`), or a calendar
 * day (`2026-01-20`), taken as the start of that day in UTC. Rules that compare such moments with an
 * operation's date compare calendar days.
 */
const OCCURRED_AT_RULE = "must be a date-time with its offset (2026-01-20T17:00:00Z) or a day (2026-01-20)";
export const ZOccurredAt = z.union(
  [
    // Its own message too: a string that is not a day (`tomorrow`) fails the day's pattern, which aborts,
    // and the union then reports this branch's issue alone.
    z.iso.datetime({ offset: true, error: OCCURRED_AT_RULE }).max(40),
    ZDay.transform((d) => `${d}T00:00:00.000Z`),
  ],
  { error: (issue) => (issue.input === undefined ? "required" : OCCURRED_AT_RULE) },
);

/** A party: a state, as an ISO 3166-1 alpha-2 code. */
export const ZParty = z
  .string()
  .regex(/^[A-Z]{2}$/, "must be an ISO 3166-1 alpha-2 code such as MX or US")
  .meta({ maxLength: 2 });

export const ZAirport = z
  .string()
  .regex(/^[A-Z]{3}$/, "must be a three-letter IATA airport code")
  .meta({ maxLength: 3 });

/**
 * Text PostgreSQL can store: no NUL character (U+0000, which a `text` column refuses) and no lone surrogate
 * (half of a UTF-16 pair, which is no character at all and fails the UTF-8 encoding). Pairs, emoji included,
 * are fine. Stated as a pattern so the OpenAPI document carries it.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the NUL character is the one this pattern refuses
const wellFormed = /^(?:[^\u0000\ud800-\udfff]|[\ud800-\udbff][\udc00-\udfff])*$/;
export const WELL_FORMED_RULE = "must not contain a NUL character (U+0000) or a lone surrogate";
/** Whether PostgreSQL can store `s` as text (for the few strings read outside a schema: headers). */
export const isWellFormed = (s: string) => wellFormed.test(s);

/**
 * Every free text the API takes, in bodies, query strings and headers: well-formed (above) and at most `max`
 * characters. `required` (the default) trims it and refuses an empty one.
 */
export function text(max: number, o: { required?: boolean; trim?: boolean } = {}) {
  let s = z.string();
  if (o.trim ?? true) s = s.trim();
  if (o.required ?? true) s = s.min(1, "required");
  return s.max(max).regex(wellFormed, WELL_FORMED_RULE);
}

/** A string an answer carries: at most `max` characters, well-formed (the pattern states it in the document). */
export const aText = (max: number) => z.string().max(max).regex(wellFormed);

export const ZText = text(2000);
export const ZShort = text(200);

export const ZPageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  /** The `nextCursor` of the previous page. */
  cursor: ZUuid.optional(),
});
export type PageQuery = z.infer<typeof ZPageQuery>;

export const ZIdParams = z.object({ id: ZUuid });

// The system routes' answers (documentation, checked in the tests: answers.ts)

const AMigrations = z
  .strictObject({
    applied: z.number().int().min(0).max(10_000),
    /** The tag of the last migration applied. */
    latest: aText(200).nullable(),
    expected: z.number().int().min(0).max(10_000),
  })
  .meta({ id: "MigrationLevel" });
const ADatabaseKind = z.enum(["pglite", "postgres"]);

export const AHealth = z
  .strictObject({ status: z.literal("ok"), database: ADatabaseKind, migrations: AMigrations })
  .meta({ id: "Health" });
export const ALiveness = z.strictObject({ status: z.literal("ok") }).meta({ id: "Liveness" });
/** 200 `ready`; 503 `unready`, naming each problem (the migrations are absent when the database did not answer). */
export const AReadiness = z
  .strictObject({
    status: z.enum(["ready", "unready"]),
    database: ADatabaseKind,
    migrations: AMigrations.optional(),
    problems: z.array(aText(1000)).max(10).optional(),
  })
  .meta({ id: "Readiness" });
