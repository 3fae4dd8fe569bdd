import { and, asc, eq, gte, lt, lte, sql } from "drizzle-orm";
import type { IdempotencyRecord } from "../audit/write.ts";
import { write } from "../audit/write.ts";
import type { Actor } from "../auth/roles.ts";
import type { Db } from "../db/client.ts";
import { JsonText } from "../db/json.ts";
import { getById, pageOf, requireRefs } from "../db/query.ts";
import {
  assurances,
  cases,
  caseTransitions,
  deadlines,
  legalHolds,
  operations,
  people,
  requests,
} from "../db/schema.ts";
import { AppError } from "../errors.ts";
import type { Call } from "../use-case.ts";
import { addDays, toIsoDate } from "./calendar.ts";
import { type CaseDocument, caseDocumentReader } from "./document.ts";
import type { ListCases, ListDeadlines, OpenCase, TransitionBody } from "./schemas.ts";
import {
  type CaseFacts,
  type CaseState,
  type Deadline,
  deadlineStatus,
  decide,
  initialState,
  offenceKey,
  type Policy,
  type Track,
  type TreatyParameters,
  usMexico1978,
} from "./workflow.ts";

const parameterSets: Record<string, TreatyParameters> = { [usMexico1978.id]: usMexico1978 };

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

/** The columns of a charge the legal track reads. */
const chargeFacts = { id: true, capitalEligible: true, statute: true } as const;

/**
 * A case with everything its legal track reads (not its history), in one statement, prepared once per
 * connection: planning this statement costs ten times more than running it.
 */
function caseLoader(db: Db) {
  const query = db.query.cases
    .findFirst({
      where: eq(cases.id, sql.placeholder("id")),
      with: {
        deadlines: { where: eq(deadlines.status, "open") },
        request: { columns: { id: true }, with: { charges: { columns: chargeFacts } } },
        operation: { columns: { id: true }, with: { assurances: true } },
        person: {
          columns: { id: true },
          with: {
            holds: true,
            assurances: true,
            cases: { columns: { barredOffences: true } },
            requests: { columns: { id: true }, with: { charges: { columns: chargeFacts } } },
          },
        },
      },
    })
    .prepare("case_with_open_deadlines");
  return async (id: string) => {
    const row = await query.execute({ id });
    if (!row) throw new AppError("NOT_FOUND", `case ${id} not found`, { entity: "case", id });
    return row;
  };
}
type LoadedCase = Awaited<ReturnType<ReturnType<typeof caseLoader>>>;

/** Everything `decide` needs to know about a case, from what `loadCase` read. */
function factsOf(
  c: LoadedCase,
  operationId: string | null,
  operationAssurances: (typeof assurances.$inferSelect)[],
): CaseFacts {
  const chargeRows = c.request ? c.request.charges : c.person.requests.flatMap((r) => r.charges);
  const assuranceRows = [
    ...c.person.assurances.filter((a) => a.scope === "person"),
    ...(operationId === c.operationId ? (c.operation?.assurances ?? []) : operationAssurances).filter(
      (a) => a.scope === "operation",
    ),
  ];
  return {
    track: c.track as Track,
    state: c.state as CaseState,
    holds: c.person.holds
      .filter((h) => h.caseId === null || h.caseId === c.id)
      .map((h) => ({
        id: h.id,
        kind: h.kind,
        blocksSurrender: h.blocksSurrender,
        status: h.status as "active" | "lifted" | "bypassed",
      })),
    charges: chargeRows.map((ch) => ({
      id: ch.id,
      capitalEligible: ch.capitalEligible,
      offenceKey: offenceKey(ch.statute),
    })),
    assurances: assuranceRows.map((a) => ({
      id: a.id,
      kind: a.kind as CaseFacts["assurances"][number]["kind"],
      status: a.status as CaseFacts["assurances"][number]["status"],
    })),
    operationId,
    deadlines: c.deadlines.filter((d) => d.status === "open").map(asDeadline),
    barredOffences: [...new Set(c.person.cases.flatMap((x) => x.barredOffences))],
  };
}

/** The case row itself, without the parts `loadCase` attached. */
function caseRow(c: LoadedCase): typeof cases.$inferSelect {
  const { deadlines: _d, request: _r, operation: _o, person: _p, ...row } = c;
  return row;
}

/** The filters of a case list. */
const caseConditions = (query: ListCases) => [
  query.track ? eq(cases.track, query.track) : undefined,
  query.state ? eq(cases.state, query.state) : undefined,
  query.personId ? eq(cases.personId, query.personId) : undefined,
  query.operationId ? eq(cases.operationId, query.operationId) : undefined,
  query.openRisk ? sql`jsonb_array_length(${cases.openRisks}) > 0` : undefined,
];

export function caseService(db: Db, policy: Policy) {
  const loadCase = caseLoader(db);
  const readDocument = caseDocumentReader(db);
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

    /** The case file (see `caseDocumentReader`) as an object. */
    async get(id: string, now = new Date()) {
      return JSON.parse(await readDocument(id, now)) as CaseDocument;
    },

    /** The case file as the database built it, for the API to send as it is. */
    async document(id: string, now = new Date()) {
      return new JsonText(await readDocument(id, now));
    },

    async list(query: ListCases) {
      return pageOf(db, cases, caseConditions(query), query);
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
      const loaded = await loadCase(caseId);
      const row = caseRow(loaded);
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
      const operationAssurances =
        operationId && operationId !== row.operationId
          ? await db.select().from(assurances).where(eq(assurances.operationId, operationId))
          : [];
      const facts = factsOf(loaded, operationId, operationAssurances);
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
            { expectedVersion, occurredAt, kind: "case.transitioned", before: row },
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
          // The open deadlines were loaded with the case; each update is guarded by the version read.
          for (const d of loaded.deadlines) {
            if (d.status !== "open" || !decision.stopDeadlines.includes(d.kind as Deadline["kind"])) continue;
            await w.update(
              deadlines,
              d.id,
              { status: lapse ? "lapsed" : "met", closedOn: day },
              { occurredAt, before: d, expectedVersion: d.version },
            );
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
            const hold = loaded.person.holds.find((h) => h.id === holdId);
            if (!hold) throw new Error(`hold ${holdId} was not loaded with case ${caseId}`);
            await w.update(
              legalHolds,
              holdId,
              { status: "bypassed" },
              { occurredAt, before: hold, expectedVersion: hold.version },
            );
          }
          return {
            case: updated,
            transition: history,
            openRisks: decision.openRisks,
            deadlinesStarted: decision.startDeadlines,
          };
        },
        // Everything written is known from the loaded case: one statement, one round trip.
        { idempotency: options.idempotency, now, deferred: true },
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
