import { and, asc, eq, gte, inArray, isNotNull, isNull, lte, sql } from "drizzle-orm";
import { z } from "zod";
import { asSystem, guarded } from "../auth/access.ts";
import type { Actor, Role } from "../auth/roles.ts";
import { toIsoDate } from "../cases/calendar.ts";
import { sentStates } from "../cases/workflow.ts";
import type { Db } from "../db/client.ts";
import { toCount } from "../db/client.ts";
import { everyone, inOrder, visible } from "../db/query.ts";
import {
  administrations,
  affiliations,
  cases,
  handovers,
  operationPeople,
  operations,
  organisations,
} from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { ACount, ADay, AUuid, aList, aText } from "../http/answers.ts";
import { ZDay, ZUuid } from "../http/schemas.ts";
import { primaryOf, type SentRow, suppressSmallCells, tally } from "./tally.ts";

export const ZStatsQuery = z
  .object({
    /** First and last day of handovers counted. */
    from: ZDay.optional(),
    to: ZDay.optional(),
    administrationId: ZUuid.optional(),
  })
  .refine((q) => !(q.from && q.to) || q.from <= q.to, { message: "must not be before from", path: ["to"] });
export type StatsQuery = z.infer<typeof ZStatsQuery>;

/** A figure under a key; in the public figures a cell under `smallCell` people is suppressed (people null). */
const ATally = z
  .strictObject({
    key: aText(200),
    people: ACount.nullable(),
    suppressed: z.literal(true).optional(),
  })
  .meta({ id: "Tally" });
const tallies = aList(ATally, 10_000);

/** The figures (`tally.ts`): in full for the sending state's officials, the public figures for anyone else. */
export const AStats = z
  .strictObject({
    from: ADay.nullable(),
    to: ADay.nullable(),
    /** People sent, each once. */
    total: ACount,
    /** Handovers counted: more than `total` when someone was handed over more than once. Not in the public figures. */
    handovers: ACount.optional(),
    operations: aList(
      z.strictObject({
        id: AUuid,
        code: aText(40),
        date: ADay,
        /** Null in the public figures when the operation is a small cell (its destinations are then empty). */
        people: ACount.nullable(),
        aircraft: ACount,
        legalBasis: aText(200),
        destinations: aList(aText(3), 100),
        suppressed: z.literal(true).optional(),
      }),
    ),
    administrations: tallies,
    /** Every affiliation counts: a person of two organisations counts under both (may exceed the total). */
    organisations: tallies,
    /** Each person once, under their primary affiliation: adds up to the total. */
    primaryOrganisations: tallies,
    destinations: tallies,
    legalBases: tallies,
    /** The public figures: every sending state's, small cells suppressed. */
    public: z.literal(true).optional(),
  })
  .meta({ id: "Stats" });

/**
 * People sent (`tally.ts` says who counts): each handover whose case took its last step, in the range of
 * handover days.
 */
export function statsService(db: Db) {
  /** The days counted: the query's, narrowed to an administration's when one is named. */
  async function rangeOf(query: StatsQuery, scope: { party: string }) {
    let from = query.from;
    let to = query.to;
    if (query.administrationId) {
      const [adm] = await db
        .select()
        .from(administrations)
        .where(and(eq(administrations.id, query.administrationId), visible(administrations, scope)));
      if (!adm)
        throw new AppError(
          "REFERENCE_INVALID",
          `administrationId: no such record ${query.administrationId}`,
          {
            issues: [{ field: "administrationId", rule: "must reference an existing record" }],
          },
        );
      from = from && from > adm.beganOn ? from : adm.beganOn;
      if (adm.endedOn) to = to && to < adm.endedOn ? to : adm.endedOn;
    }
    return { from, to };
  }

  /** The figures of the people `scope`'s party sent, over its record (its own rows and those shared with it). */
  async function figures(query: StatsQuery, scope: { party: string }) {
    const range = await rangeOf(query, scope);
    return { from: range.from ?? null, to: range.to ?? null, ...tally(await sentRows(range, scope)) };
  }

  /** One row per handover counted, of the operations of `scope`'s party, in `range`. */
  async function sentRows(
    range: { from?: string | undefined; to?: string | undefined },
    scope: { party: string },
  ) {
    const { from, to } = range;
    const handed = await db
      .select({
        operationId: operations.id,
        code: operations.code,
        operationDate: operations.operationDate,
        legalBasis: operations.legalBasis,
        personId: handovers.personId,
        destination: handovers.place,
        occurredAt: handovers.occurredAt,
      })
      .from(handovers)
      .innerJoin(cases, and(eq(cases.id, handovers.caseId), visible(cases, scope)))
      // The people this party sent: its own operations only. Another state's operation shared with it (one
      // that brings people to it) is that state's figure, and counting it here would count it twice in the
      // public figures, which add up every sending state's.
      .innerJoin(operations, and(eq(handovers.operationId, operations.id), eq(operations.party, scope.party)))
      .where(
        and(
          visible(handovers, scope),
          // A superseded handover stays in the record beside the one that corrected it: count it once.
          isNull(handovers.supersededBy),
          inArray(cases.state, [...sentStates]),
          from ? gte(handovers.occurredAt, new Date(`${from}T00:00:00Z`)) : undefined,
          to ? lte(handovers.occurredAt, new Date(`${to}T23:59:59.999Z`)) : undefined,
        ),
      );
    const personIds = [...new Set(handed.map((r) => r.personId))];
    const opIds = [...new Set(handed.map((r) => r.operationId))];
    const [affs, adms, fleet] = await inOrder([
      personIds.length
        ? db
            .select({
              personId: affiliations.personId,
              name: organisations.name,
              primary: affiliations.primary,
              toOn: affiliations.toOn,
            })
            .from(affiliations)
            .innerJoin(organisations, eq(affiliations.organisationId, organisations.id))
            .where(and(inArray(affiliations.personId, personIds), visible(affiliations, scope)))
            .orderBy(asc(affiliations.id))
        : [],
      db.select().from(administrations).where(visible(administrations, scope)),
      // Aircraft that carried someone: those the adopted plan seated people on.
      opIds.length
        ? db
            .select({
              operationId: operationPeople.operationId,
              n: sql`count(distinct ${operationPeople.aircraftId})`,
            })
            .from(operationPeople)
            .where(
              and(
                inArray(operationPeople.operationId, opIds),
                isNull(operationPeople.removedAt),
                isNotNull(operationPeople.aircraftId),
              ),
            )
            .groupBy(operationPeople.operationId)
        : [],
    ]);
    const affsOf = new Map<string, typeof affs>();
    for (const a of affs) affsOf.set(a.personId, [...(affsOf.get(a.personId) ?? []), a]);
    const planes = new Map(fleet.map((f) => [f.operationId, toCount(f.n)]));
    const administrationOn = (day: string) =>
      adms.find((a) => a.beganOn <= day && (!a.endedOn || day <= a.endedOn))?.name ?? null;
    const sent: SentRow[] = handed.map(({ occurredAt, ...r }) => {
      const own = affsOf.get(r.personId) ?? [];
      const date = toIsoDate(occurredAt);
      return {
        ...r,
        date,
        organisations: own.map((a) => a.name),
        primaryOrganisation: primaryOf(own)?.name ?? null,
        administration: administrationOn(date),
        aircraft: planes.get(r.operationId) ?? 0,
      };
    });
    return sent;
  }

  return {
    /**
     * The figures. A sending state's officials (a party with operations of its own) see their own
     * figures in full; anyone else (a requesting state's officers and officials, the public) sees the
     * public figures: every sending state's, small cells suppressed.
     */
    stats: (query: StatsQuery, actor: Actor) =>
      guarded(db, actor, "stats:read", async () =>
        internalRoles.has(actor.role) && (await sendsPeople(actor.party))
          ? figures(query, actor)
          : // The public figures are every sending state's: read in the system's scope, not the caller's.
            asSystem(db, () => publicFigures(query)),
      ),

    /** The public figures, with no sign-in (`/public`): aggregates only, small cells suppressed. */
    publicStats: (query: StatsQuery) => asSystem(db, () => publicFigures(query)),
  };

  /** Whether `party` is a sending state: it has operations of its own. */
  async function sendsPeople(party: string): Promise<boolean> {
    const own = await db
      .select({ id: operations.id })
      .from(operations)
      .where(eq(operations.party, party))
      .limit(1);
    return own.length > 0;
  }

  /**
   * Every sending state's figures together, small cells suppressed: aggregates of public record. Counted
   * once over every state's rows, so that a person two states sent counts once, as within one state.
   */
  async function publicFigures(query: StatsQuery) {
    // Administrations are shared with every party: any reader finds one.
    const range = await rangeOf(query, { party: everyone });
    const owners = await db.selectDistinct({ party: operations.party }).from(operations);
    // One after the other: the scope's statements share one connection.
    const rows: SentRow[] = [];
    for (const o of owners) rows.push(...(await sentRows(range, o)));
    return suppressSmallCells({ from: range.from ?? null, to: range.to ?? null, ...tally(rows) });
  }
}

/** The roles whose figures are their own party's record in full. */
const internalRoles = new Set<Role>([
  "foreign-ministry",
  "prosecutor",
  "judge",
  "secretariat",
  "decision-authority",
  "custody-officer",
  "operations-planner",
  "communications",
  "auditor",
  "admin",
]);
