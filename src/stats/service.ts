import { and, eq, gte, inArray, lte, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../db/client.ts";
import { toCount } from "../db/client.ts";
import {
  administrations,
  affiliations,
  aircraft,
  operationPeople,
  operations,
  organisations,
} from "../db/schema.ts";
import { ZDay, ZUuid } from "../http/schemas.ts";
import { type SentRow, tally } from "./tally.ts";

export const ZStatsQuery = z.object({
  from: ZDay.optional(),
  to: ZDay.optional(),
  administrationId: ZUuid.optional(),
});
export type StatsQuery = z.infer<typeof ZStatsQuery>;

/** People sent: everyone on a completed operation, in the date range. */
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
      const rows = await db
        .select({
          operationId: operations.id,
          code: operations.code,
          date: operations.operationDate,
          legalBasis: operations.legalBasis,
          personId: operationPeople.personId,
          destination: operationPeople.destinationAirport,
        })
        .from(operationPeople)
        .innerJoin(operations, eq(operationPeople.operationId, operations.id))
        .where(
          and(
            eq(operations.status, "completed"),
            from ? gte(operations.operationDate, from) : undefined,
            to ? lte(operations.operationDate, to) : undefined,
          ),
        );
      const personIds = [...new Set(rows.map((r) => r.personId))];
      const opIds = [...new Set(rows.map((r) => r.operationId))];
      const [affs, adms, fleet] = await Promise.all([
        personIds.length
          ? db
              .select({ personId: affiliations.personId, name: organisations.name })
              .from(affiliations)
              .innerJoin(organisations, eq(affiliations.organisationId, organisations.id))
              .where(inArray(affiliations.personId, personIds))
          : [],
        db.select().from(administrations),
        opIds.length
          ? db
              .select({ operationId: aircraft.operationId, n: sql`count(*)` })
              .from(aircraft)
              .where(inArray(aircraft.operationId, opIds))
              .groupBy(aircraft.operationId)
          : [],
      ]);
      const orgsOf = new Map<string, string[]>();
      for (const a of affs) orgsOf.set(a.personId, [...(orgsOf.get(a.personId) ?? []), a.name]);
      const planes = new Map(fleet.map((f) => [f.operationId, toCount(f.n)]));
      const administrationOn = (day: string) =>
        adms.find((a) => a.beganOn <= day && (!a.endedOn || day <= a.endedOn))?.name ?? null;
      const sent: SentRow[] = rows.map((r) => ({
        ...r,
        organisations: orgsOf.get(r.personId) ?? [],
        administration: administrationOn(r.date),
        aircraft: planes.get(r.operationId) ?? 0,
      }));
      return { from: from ?? null, to: to ?? null, ...tally(sent) };
    },
  };
}
