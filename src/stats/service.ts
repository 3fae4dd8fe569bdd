import { and, asc, eq, gte, inArray, isNotNull, isNull, lte, sql } from "drizzle-orm";
import { z } from "zod";
import { toIsoDate } from "../cases/calendar.ts";
import { sentStates } from "../cases/workflow.ts";
import type { Db } from "../db/client.ts";
import { toCount } from "../db/client.ts";
import {
  administrations,
  affiliations,
  cases,
  handovers,
  operationPeople,
  operations,
  organisations,
} from "../db/schema.ts";
import { ZDay, ZUuid } from "../http/schemas.ts";
import { primaryOf, type SentRow, tally } from "./tally.ts";

export const ZStatsQuery = z.object({
  /** First and last day of handovers counted. */
  from: ZDay.optional(),
  to: ZDay.optional(),
  administrationId: ZUuid.optional(),
});
export type StatsQuery = z.infer<typeof ZStatsQuery>;

/**
 * People sent (`tally.ts` says who counts): each handover whose case took its last step, in the range of
 * handover days.
 */
export function statsService(db: Db) {
  return {
    async stats(query: StatsQuery = {}) {
      let from = query.from;
      let to = query.to;
      if (query.administrationId) {
        const [adm] = await db
          .select()
          .from(administrations)
          .where(eq(administrations.id, query.administrationId));
        if (adm) {
          from = from && from > adm.beganOn ? from : adm.beganOn;
          if (adm.endedOn) to = to && to < adm.endedOn ? to : adm.endedOn;
        }
      }
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
        .innerJoin(cases, eq(cases.id, handovers.caseId))
        .innerJoin(operations, eq(handovers.operationId, operations.id))
        .where(
          and(
            inArray(cases.state, [...sentStates]),
            from ? gte(handovers.occurredAt, new Date(`${from}T00:00:00Z`)) : undefined,
            to ? lte(handovers.occurredAt, new Date(`${to}T23:59:59.999Z`)) : undefined,
          ),
        );
      const personIds = [...new Set(handed.map((r) => r.personId))];
      const opIds = [...new Set(handed.map((r) => r.operationId))];
      const [affs, adms, fleet] = await Promise.all([
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
              .where(inArray(affiliations.personId, personIds))
              .orderBy(asc(affiliations.id))
          : [],
        db.select().from(administrations),
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
      return { from: from ?? null, to: to ?? null, ...tally(sent) };
    },
  };
}
