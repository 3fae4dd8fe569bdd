import { and, asc, eq, gte, inArray, isNull, lt, lte, or, sql } from "drizzle-orm";
import type { IdempotencyRecord } from "../audit/write.ts";
import { write } from "../audit/write.ts";
import type { Actor } from "../auth/roles.ts";
import type { Db } from "../db/client.ts";
import { getById, pageOf, requireRefs } from "../db/query.ts";
import {
  assurances,
  cases,
  caseTransitions,
  charges,
  deadlines,
  decisions,
  legalHolds,
  operations,
  people,
  requests,
} from "../db/schema.ts";
import { AppError } from "../errors.ts";
import type { Call } from "../use-case.ts";
import { addDays, toIsoDate } from "./calendar.ts";
import type { ListCases, ListDeadlines, OpenCase, TransitionBody } from "./schemas.ts";
import {
  availableTransitions,
  type CaseFacts,
  type CaseState,
  type Deadline,
  deadlineStatus,
  decide,
  initialState,
  type Policy,
  type Track,
  type TreatyParameters,
  usMexico1978,
} from "./workflow.ts";

const parameterSets: Record<string, TreatyParameters> = { [usMexico1978.id]: usMexico1978 };

/** The offence a charge is for, as the bar of LEI art. 35 compares them. */
export const offenceKey = (statute: string) => statute.trim().toLowerCase().replace(/\s+/g, " ");

type DeadlineRow = typeof deadlines.$inferSelect;
const asDeadline = (d: DeadlineRow): Deadline => ({
  kind: d.kind as Deadline["kind"],
  startsOn: d.startsOn,
  dueOn: d.dueOn,
  days: d.days,
  unit: d.unit as Deadline["unit"],
  countsFrom: d.countsFrom as Deadline["countsFrom"],
  legalSource: d.legalSource,
  ...(d.alternatives ? { alternatives: d.alternatives } : {}),
  ...(d.conflict ? { conflict: d.conflict } : {}),
});

export function caseService(db: Db, policy: Policy) {
  /** Everything `decide` needs to know about a case, read from the record. */
  async function factsOf(row: typeof cases.$inferSelect, operationId: string | null): Promise<CaseFacts> {
    const [holds, chargeRows, assuranceRows, open, personCases] = await Promise.all([
      db
        .select()
        .from(legalHolds)
        .where(
          and(
            eq(legalHolds.personId, row.personId),
            or(isNull(legalHolds.caseId), eq(legalHolds.caseId, row.id)),
          ),
        ),
      db
        .select({ id: charges.id, statute: charges.statute, capitalEligible: charges.capitalEligible })
        .from(charges)
        .innerJoin(requests, eq(charges.requestId, requests.id))
        .where(row.requestId ? eq(requests.id, row.requestId) : eq(requests.personId, row.personId)),
      db
        .select()
        .from(assurances)
        .where(
          or(
            and(eq(assurances.scope, "person"), eq(assurances.personId, row.personId)),
            operationId
              ? and(eq(assurances.scope, "operation"), eq(assurances.operationId, operationId))
              : undefined,
          ),
        ),
      db
        .select()
        .from(deadlines)
        .where(and(eq(deadlines.caseId, row.id), eq(deadlines.status, "open"))),
      db.select({ barred: cases.barredOffences }).from(cases).where(eq(cases.personId, row.personId)),
    ]);
    return {
      track: row.track as Track,
      state: row.state as CaseState,
      holds: holds.map((h) => ({
        id: h.id,
        kind: h.kind,
        blocksSurrender: h.blocksSurrender,
        status: h.status as "active" | "lifted" | "bypassed",
      })),
      charges: chargeRows.map((c) => ({
        id: c.id,
        capitalEligible: c.capitalEligible,
        offenceKey: offenceKey(c.statute),
      })),
      assurances: assuranceRows.map((a) => ({
        id: a.id,
        kind: a.kind as CaseFacts["assurances"][number]["kind"],
        status: a.status as CaseFacts["assurances"][number]["status"],
      })),
      operationId,
      deadlines: open.map(asDeadline),
      barredOffences: [...new Set(personCases.flatMap((c) => c.barred))],
    };
  }

  return {
    async open({ actor, input, idempotency }: Call<OpenCase>) {
      await requireRefs(db, [
        { field: "personId", table: people, id: input.personId },
        { field: "requestId", table: requests, id: input.requestId },
      ]);
      if (input.requestId) {
        const request = await getById(db, requests, "request", input.requestId);
        if (request.personId !== input.personId) {
          throw new AppError("REFERENCE_INVALID", "requestId: the request names another person", {
            issues: [{ field: "requestId", rule: "must be a request for personId" }],
          });
        }
      }
      return write(
        db,
        actor,
        (w) =>
          w.insertOne(cases, {
            track: input.track,
            state: initialState(input.track),
            personId: input.personId,
            requestId: input.requestId ?? null,
            treatyParameters: input.treatyParameters,
            openedOn: input.openedOn ?? toIsoDate(w.now),
          }),
        { idempotency },
      );
    },

    async get(id: string, now = new Date()) {
      const row = await getById(db, cases, "case", id);
      const [history, dls, holds, decs, facts] = await Promise.all([
        db
          .select()
          .from(caseTransitions)
          .where(eq(caseTransitions.caseId, id))
          .orderBy(asc(caseTransitions.occurredAt), asc(caseTransitions.id)),
        db.select().from(deadlines).where(eq(deadlines.caseId, id)).orderBy(asc(deadlines.dueOn)),
        db.select().from(legalHolds).where(eq(legalHolds.personId, row.personId)),
        db
          .select()
          .from(decisions)
          .where(
            or(eq(decisions.caseId, id), and(isNull(decisions.caseId), eq(decisions.personId, row.personId))),
          ),
        factsOf(row, row.operationId),
      ]);
      return {
        ...row,
        history,
        deadlines: dls.map((d) => ({
          ...d,
          ...(d.status === "open" ? { status: deadlineStatus(asDeadline(d), now) } : {}),
        })),
        holds,
        decisions: decs,
        charges: facts.charges,
        assurances: facts.assurances,
        availableTransitions: availableTransitions(row.track as Track, row.state as CaseState).map((t) => ({
          name: t.name,
          to: t.to,
          by: t.by,
          guards: t.guards,
          legalSource: t.legalSource,
        })),
      };
    },

    async list(query: ListCases) {
      return pageOf(
        db,
        cases,
        [
          query.track ? eq(cases.track, query.track) : undefined,
          query.state ? eq(cases.state, query.state) : undefined,
          query.personId ? eq(cases.personId, query.personId) : undefined,
          query.operationId ? eq(cases.operationId, query.operationId) : undefined,
          query.openRisk ? sql`jsonb_array_length(${cases.openRisks}) > 0` : undefined,
        ],
        query,
      );
    },

    /**
     * Takes a transition of a case's legal track. The decision is the pure workflow's; this loads its
     * facts and writes the result — new state, history row, deadlines started and stopped, holds
     * bypassed — in one audited transaction, refusing a stale version.
     */
    async transition(options: {
      actor: Actor;
      caseId: string;
      input: TransitionBody;
      expectedVersion?: number | undefined;
      idempotency?: IdempotencyRecord | undefined;
      now?: Date;
      policy?: Policy;
    }) {
      const { actor, caseId, input } = options;
      const now = options.now ?? new Date();
      const row = await getById(db, cases, "case", caseId);
      const expectedVersion = input.expectedVersion ?? options.expectedVersion ?? row.version;
      if (row.version !== expectedVersion) {
        throw new AppError(
          "VERSION_CONFLICT",
          `case ${caseId} is at version ${row.version}, not ${expectedVersion}: reload and retry`,
          {
            currentVersion: row.version,
            expectedVersion,
          },
        );
      }
      if (input.operationId)
        await requireRefs(db, [{ field: "operationId", table: operations, id: input.operationId }]);
      const operationId = input.operationId ?? row.operationId;
      const facts = await factsOf(row, operationId);
      const params = parameterSets[row.treatyParameters] ?? usMexico1978;
      const occurredAt = input.occurredAt ? new Date(input.occurredAt) : now;
      const decision = decide(
        facts,
        {
          transition: input.transition,
          actor,
          occurredAt,
          legalBasis: input.legalBasis,
          reasons: input.reasons,
          ...(input.bypass ? { bypass: input.bypass } : {}),
        },
        { now, policy: options.policy ?? policy, params },
      );
      if (!decision.ok) {
        throw new AppError(decision.code, decision.message, decision.details ?? {});
      }
      const day = toIsoDate(occurredAt);
      const lapse = decision.transition.name.startsWith("lapse-");
      return write(
        db,
        actor,
        async (w) => {
          const risks = [...row.openRisks];
          for (const r of decision.openRisks)
            if (!risks.some((x) => x.code === r.code)) risks.push({ code: r.code, message: r.message });
          const updated = await w.update(
            cases,
            caseId,
            {
              state: decision.to,
              operationId:
                decision.to === "ready-for-transfer" && decision.from === "assigned-to-operation"
                  ? null
                  : operationId,
              openRisks: risks,
              barredOffences: [...new Set([...row.barredOffences, ...decision.barOffences])],
            },
            { expectedVersion, occurredAt, kind: "case.transitioned" },
          );
          const history = await w.insertOne(
            caseTransitions,
            {
              caseId,
              transition: decision.transition.name,
              fromState: decision.from,
              toState: decision.to,
              actorId: actor.id,
              actorName: actor.name,
              actorRole: actor.role,
              occurredAt,
              legalBasis: input.legalBasis,
              reasons: input.reasons,
              bypass: input.bypass ?? null,
              openRisks: decision.openRisks.map((r) => ({ code: r.code, message: r.message })),
            },
            { occurredAt },
          );
          if (decision.stopDeadlines.length > 0) {
            const stopping = await w.tx
              .select()
              .from(deadlines)
              .where(
                and(
                  eq(deadlines.caseId, caseId),
                  eq(deadlines.status, "open"),
                  inArray(deadlines.kind, decision.stopDeadlines),
                ),
              );
            for (const d of stopping) {
              await w.update(
                deadlines,
                d.id,
                { status: lapse ? "lapsed" : "met", closedOn: day },
                { occurredAt },
              );
            }
          }
          await w.insert(
            deadlines,
            decision.startDeadlines.map((d) => ({
              caseId,
              kind: d.kind,
              startsOn: d.startsOn,
              dueOn: d.dueOn,
              days: d.days,
              unit: d.unit,
              countsFrom: d.countsFrom ?? "day-after",
              legalSource: d.legalSource,
              alternatives: d.alternatives ?? null,
              conflict: d.conflict ?? null,
              status: "open",
            })),
            { occurredAt },
          );
          for (const holdId of decision.bypassedHoldIds) {
            await w.update(legalHolds, holdId, { status: "bypassed" }, { occurredAt });
          }
          return {
            case: updated,
            transition: history,
            openRisks: decision.openRisks,
            deadlinesStarted: decision.startDeadlines,
          };
        },
        { idempotency: options.idempotency, now },
      );
    },

    /** Open deadlines, upcoming or overdue relative to `now`, with the case and person they run for. */
    async deadlines(query: ListDeadlines, now = new Date()) {
      const today = toIsoDate(now);
      const rows = await db
        .select({
          deadline: deadlines,
          caseState: cases.state,
          track: cases.track,
          personId: cases.personId,
          givenNames: people.givenNames,
          familyNames: people.familyNames,
        })
        .from(deadlines)
        .innerJoin(cases, eq(deadlines.caseId, cases.id))
        .innerJoin(people, eq(cases.personId, people.id))
        .where(
          and(
            eq(deadlines.status, "open"),
            query.caseId ? eq(deadlines.caseId, query.caseId) : undefined,
            query.status === "overdue" ? lt(deadlines.dueOn, today) : undefined,
            query.status === "upcoming"
              ? and(gte(deadlines.dueOn, today), lte(deadlines.dueOn, addDays(today, query.withinDays)))
              : undefined,
          ),
        )
        .orderBy(asc(deadlines.dueOn))
        .limit(query.limit);
      return {
        asOf: today,
        items: rows.map((r) => ({
          ...r.deadline,
          status: deadlineStatus(asDeadline(r.deadline), now),
          case: { id: r.deadline.caseId, state: r.caseState, track: r.track },
          person: { id: r.personId, name: `${r.givenNames} ${r.familyNames}` },
        })),
      };
    },
  };
}
