import { and, asc, desc, eq, gt, gte, inArray, isNull, lt, lte, sql } from "drizzle-orm";
import type { IdempotencyRecord, Tx, Writer } from "../audit/write.ts";
import { write } from "../audit/write.ts";
import { asActor, guarded } from "../auth/access.ts";
import type { Actor } from "../auth/roles.ts";
import type { Db } from "../db/client.ts";
import { JsonText } from "../db/json.ts";
import { getById, pageFrom, requireRefs, visible } from "../db/query.ts";
import {
  caseStatuses,
  cases,
  caseTransitions,
  deadlines,
  decisions,
  legalHolds,
  operationPeople,
  operations,
  people,
  requests,
} from "../db/schema.ts";
import { perHandle } from "../db/scope.ts";
import { AppError, notFound } from "../errors.ts";
import type { Call } from "../use-case.ts";
import { addDays, toIsoDate } from "./calendar.ts";
import { coveringAssurances } from "./coverage.ts";
import { type CaseDocument, caseDocumentReader, dropEarlierCaseFiles } from "./document.ts";
import { type NewCaseInput, newCase } from "./open.ts";
import type { ListCases, ListDeadlines, OpenCase, TransitionBody } from "./schemas.ts";
import { checkSteps } from "./step-check.ts";
import { defaultDueSoonDays, treatyById } from "./treaty-parameters.ts";
import {
  type CaseFacts,
  type CaseState,
  type Deadline,
  type Decision,
  deadlineStatus,
  decide,
  offenceKey,
  type Policy,
  sharedStatusOf,
  type Track,
} from "./workflow.ts";

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

/** What reads the record: the database, or a transaction of it. */
type Reader = Db | Tx;

/** The columns of a charge the legal track reads. */
const chargeFacts = { id: true, capitalEligible: true, statute: true } as const;
const operationFacts = { id: true, code: true, status: true } as const;

/** A case with everything its legal track reads (of its history, only when its latest step occurred). */
function caseQuery(reader: Reader, id: string | ReturnType<typeof sql.placeholder>) {
  return reader.query.cases.findFirst({
    where: eq(cases.id, id),
    with: {
      deadlines: { where: eq(deadlines.status, "open") },
      // Its latest step, which the next may not be dated before.
      history: {
        columns: { transition: true, occurredAt: true },
        orderBy: desc(caseTransitions.occurredAt),
        limit: 1,
      },
      request: { columns: { id: true, requestingState: true }, with: { charges: { columns: chargeFacts } } },
      operation: { columns: operationFacts },
      status: true,
      person: {
        columns: { id: true },
        with: {
          holds: true,
          assurances: true,
          cases: { columns: { barredOffences: true } },
          requests: { columns: { id: true }, with: { charges: { columns: chargeFacts } } },
          listings: {
            columns: { operationId: true },
            where: isNull(operationPeople.removedAt),
            with: { operation: { columns: operationFacts, with: { assurances: true } } },
          },
        },
      },
    },
  });
}

/**
 * Loads a case the actor's party may see (another party's answers the same 404 as a missing one). The
 * statement is prepared under a name, so that each connection parses and plans it once: planning it costs
 * ten times more than running it.
 */
function caseLoader(db: Db) {
  const query = perHandle(db, () => caseQuery(db, sql.placeholder("id")).prepare("case_for_step"));
  return async (id: string, actor: Pick<Actor, "party">) => {
    const row = await query().execute({ id });
    if (!row || !(row.party === actor.party || row.sharedWith.includes(actor.party))) {
      throw notFound("case");
    }
    return row;
  };
}
type LoadedCase = Awaited<ReturnType<ReturnType<typeof caseLoader>>>;

/** Everything `decide` needs to know about a case, from what `loadCase` read. */
function factsOf(c: LoadedCase, target: CaseFacts["operation"]): CaseFacts {
  const chargeRows = c.request ? c.request.charges : c.person.requests.flatMap((r) => r.charges);
  const listed = c.person.listings.map((l) => l.operation);
  const current = c.operation
    ? { ...c.operation, listsPerson: listed.some((o) => o.id === c.operation!.id) }
    : null;
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
    assurances: coveringAssurances(
      c.person.assurances,
      listed.flatMap((o) => o.assurances),
    ).map((a) => ({
      id: a.id,
      kind: a.kind as CaseFacts["assurances"][number]["kind"],
      status: a.status as CaseFacts["assurances"][number]["status"],
    })),
    operationId: c.operationId,
    operation: target ?? current,
    deadlines: c.deadlines.filter((d) => d.status === "open").map(asDeadline),
    barredOffences: [...new Set(c.person.cases.flatMap((x) => x.barredOffences))],
    ...(c.history[0]
      ? { lastAct: { transition: c.history[0].transition, at: c.history[0].occurredAt } }
      : {}),
  };
}

/** The case row itself, without the parts `loadCase` attached. */
function caseRow(c: LoadedCase): typeof cases.$inferSelect {
  const { deadlines: _d, request: _r, operation: _o, person: _p, status: _s, history: _h, ...row } = c;
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

export interface StepOptions {
  actor: Actor;
  caseId: string;
  input: TransitionBody;
  expectedVersion?: number | undefined;
  now?: Date;
  policy?: Policy;
  /** The act the step is part of (an operation's move, a handover), when it is not taken on its own. */
  via?: "operation" | "handover";
}

/** A step decided and ready to write: what was read, and what the legal track decided. */
export interface PreparedStep {
  actor: Actor;
  caseId: string;
  loaded: LoadedCase;
  row: typeof cases.$inferSelect;
  decision: Extract<Decision, { ok: true }>;
  input: TransitionBody;
  occurredAt: Date;
  expectedVersion: number;
  via: StepOptions["via"];
}

export function caseService(db: Db, policy: Policy) {
  const loadCase = caseLoader(db);
  const readDocument = caseDocumentReader(db);

  /** The operation a joining step names, as the legal track reads it (if the actor's party may see it). */
  async function targetOperation(reader: Reader, operationId: string, personId: string, actor: Actor) {
    const [op] = await reader
      .select({
        id: operations.id,
        code: operations.code,
        status: operations.status,
        listing: operationPeople.id,
      })
      .from(operations)
      .leftJoin(
        operationPeople,
        and(
          eq(operationPeople.operationId, operations.id),
          eq(operationPeople.personId, personId),
          isNull(operationPeople.removedAt),
        ),
      )
      .where(and(eq(operations.id, operationId), visible(operations, actor)));
    return op ? { id: op.id, code: op.code, status: op.status, listsPerson: op.listing !== null } : null;
  }

  /** Reads a case and decides a step of its legal track; refusals are thrown as `AppError`s. */
  async function prepare(options: StepOptions): Promise<PreparedStep> {
    const { actor, caseId, input } = options;
    const now = options.now ?? new Date();
    const loaded = await loadCase(caseId, actor);
    const row = caseRow(loaded);
    const expectedVersion = input.expectedVersion ?? options.expectedVersion ?? row.version;
    if (row.version !== expectedVersion) {
      throw new AppError(
        "VERSION_CONFLICT",
        `case ${caseId} is at version ${row.version}, not ${expectedVersion}: reload and retry`,
        { currentVersion: row.version, expectedVersion },
      );
    }
    const target = input.operationId
      ? await targetOperation(db, input.operationId, row.personId, actor)
      : null;
    const facts = factsOf(loaded, input.operationId ? target : null);
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
        ...(input.operationId ? { operationId: input.operationId } : {}),
        ...(options.via ? { via: options.via } : {}),
      },
      { now, policy: options.policy ?? policy, params: treatyById(row.treatyParameters) },
    );
    if (!decision.ok) throw new AppError(decision.code, decision.message, decision.details ?? {});
    return { actor, caseId, loaded, row, decision, input, occurredAt, expectedVersion, via: options.via };
  }

  /**
   * Writes a decided step through a writer: the new state, the history row, the decision it records, the
   * deadlines stopped and started, the holds bypassed. Every update is guarded by the version read, so a
   * concurrent change makes the whole write fail with 409. A step that boards or leaves an operation also
   * holds the operation's row while it commits, so the operation cannot fly or be cancelled meanwhile.
   */
  async function apply(w: Writer, p: PreparedStep) {
    const { decision, row, loaded, actor, caseId, input, occurredAt } = p;
    const effect = decision.transition.operation;
    const operationId = effect === "join" ? decision.operationId : row.operationId;
    // An operation's own move (p.via) holds its row already, for update.
    if ((effect === "join" || effect === "leave") && operationId && !p.via) {
      await holdOperation(w.tx, operationId, row.personId, effect);
    }
    const risks = [...row.openRisks];
    for (const r of decision.openRisks)
      if (!risks.some((x) => x.code === r.code)) risks.push({ code: r.code, message: r.message });
    const updated = await w.update(
      cases,
      caseId,
      {
        state: decision.to,
        operationId: decision.operationId,
        openRisks: risks,
        barredOffences: [...new Set([...row.barredOffences, ...decision.barOffences])],
      },
      { expectedVersion: p.expectedVersion, occurredAt, kind: "case.transitioned", before: row },
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
    const recorded = decision.decision
      ? await w.insertOne(
          decisions,
          {
            personId: row.personId,
            caseId,
            transitionId: history.id,
            body: decision.decision.body,
            kind: decision.decision.kind,
            outcome: decision.decision.outcome,
            legalBasis: decision.decision.legalBasis,
            reasons: decision.decision.reasons,
            decidedOn: decision.decision.decidedOn,
            appealWindowEndsOn: decision.decision.appealWindowEndsOn,
            bypassedHoldIds: decision.decision.bypassedHoldIds,
          },
          { occurredAt },
        )
      : null;
    // The open deadlines were loaded with the case; each update is guarded by the version read.
    const day = toIsoDate(occurredAt);
    for (const d of loaded.deadlines) {
      if (d.status !== "open" || !decision.stopDeadlines.includes(d.kind as Deadline["kind"])) continue;
      await w.update(
        deadlines,
        d.id,
        { status: decision.stopsAs, closedOn: day },
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
    await shareStatus(
      w,
      row,
      loaded.request?.requestingState ?? null,
      decision.to,
      loaded.status ?? null,
      occurredAt,
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
      decision: recorded,
      openRisks: decision.openRisks,
      deadlinesStarted: decision.startDeadlines,
    };
  }

  return {
    /** Reads a case and decides a step (for an operation's move or a handover, in their own scope). */
    prepare: (options: StepOptions) => asActor(db, options.actor, () => prepare(options)),
    apply,

    open: ({ actor, input, idempotency }: Call<OpenCase>) =>
      guarded(db, actor, "case:create", async () => {
        await requireRefs(
          db,
          [
            { field: "personId", table: people, id: input.personId },
            { field: "requestId", table: requests, id: input.requestId },
          ],
          actor,
        );
        const request = input.requestId
          ? await getById(db, requests, "request", input.requestId, actor)
          : null;
        const opened = newCase({ ...input, request }, await casesOf(db, [input.personId]), new Date());
        if (!opened.ok) throw new AppError(opened.code, opened.message, opened.details);
        return write(
          db,
          actor,
          async (w) => {
            const row = await w.insertOne(cases, opened.row);
            await shareStatus(w, row, request?.requestingState ?? null, row.state as CaseState, null, w.now);
            return row;
          },
          { idempotency },
        );
      }),

    /** Opens many cases in one write (the demo seed), each built by `newCase` as `open` builds one. */
    openMany: (w: Writer, inputs: NewCaseInput[]) => insertCases(w, inputs, w.isDeferred ? db : w.tx),

    /** Drops the kept case files of earlier days (the deadline clock, once a day). */
    dropEarlierFiles: (now = new Date()) => dropEarlierCaseFiles(db, now),

    /** The case file (see `caseDocumentReader`) as an object. */
    get: (id: string, actor: Actor, now = new Date()) =>
      guarded(
        db,
        actor,
        "case:read",
        async () => JSON.parse(await readDocument(id, actor, now)) as CaseDocument,
      ),

    /**
     * The steps of the case's current state, each checked for the actor as `transition` would check it (the
     * same facts, the same checks): allowed, or the reasons why not. A step that boards an operation is
     * weighed with the operation that lists the person (one still being planned first).
     */
    steps: (id: string, actor: Actor, now = new Date()) =>
      guarded(db, actor, "case:read", async () => {
        const loaded = await loadCase(id, actor);
        const row = caseRow(loaded);
        const listed = loaded.person.listings.map((l) => l.operation);
        const candidate =
          listed.find((o) => o.status === "planning" || o.status === "planned") ?? listed[0] ?? null;
        const ctx = { now, policy, params: treatyById(row.treatyParameters) };
        return {
          caseId: row.id,
          track: row.track,
          state: row.state,
          version: row.version,
          transitions: checkSteps(
            factsOf(loaded, null),
            {
              facts: factsOf(loaded, candidate && { ...candidate, listsPerson: true }),
              operationId: candidate?.id ?? null,
            },
            actor,
            ctx,
          ),
        };
      }),

    /** The case file as the database built it, for the API to send as it is. */
    document: (id: string, actor: Actor, now = new Date()) =>
      guarded(db, actor, "case:read", async () => new JsonText(await readDocument(id, actor, now))),

    /**
     * One page of cases, each with its person's name for a list to show (null when the person is out of
     * the reader's reach): joined here, so a list needs no second read of the people.
     */
    list: (query: ListCases, actor: Actor) =>
      guarded(db, actor, "case:read", async () => {
        const rows = await db
          .select({ kase: cases, givenNames: people.givenNames, familyNames: people.familyNames })
          .from(cases)
          .leftJoin(people, and(eq(people.id, cases.personId), visible(people, actor)))
          .where(
            and(
              visible(cases, actor),
              ...caseConditions(query),
              query.cursor ? gt(cases.id, query.cursor) : undefined,
            ),
          )
          .orderBy(asc(cases.id))
          .limit(query.limit + 1);
        return pageFrom(
          rows.map((r) => ({
            ...r.kase,
            personName: r.givenNames === null ? null : `${r.givenNames} ${r.familyNames}`,
          })),
          query.limit,
        );
      }),

    /**
     * Takes a step of a case's legal track on its own. The decision is the pure workflow's; this loads its
     * facts and writes the result in one audited write, refusing a stale version. A step that boards or
     * leaves an operation holds the operation's row while it commits; any other goes out as one statement.
     */
    transition: (options: StepOptions & { idempotency?: IdempotencyRecord | undefined }) =>
      guarded(db, options.actor, "case:transition", async () => {
        const prepared = await prepare(options);
        const effect = prepared.decision.transition.operation;
        return write(db, options.actor, (w) => apply(w, prepared), {
          idempotency: options.idempotency,
          now: options.now ?? new Date(),
          deferred: effect !== "join" && effect !== "leave",
        });
      }),

    /** Open deadlines, upcoming or overdue relative to `now`, with the case and person they run for. */
    deadlines: (query: ListDeadlines, actor: Actor, now = new Date()) =>
      guarded(db, actor, "deadline:read", async () => {
        const today = toIsoDate(now);
        const rows = await db
          .select({
            deadline: deadlines,
            caseState: cases.state,
            track: cases.track,
            treaty: cases.treatyParameters,
            personId: cases.personId,
            givenNames: people.givenNames,
            familyNames: people.familyNames,
          })
          .from(deadlines)
          .innerJoin(cases, eq(deadlines.caseId, cases.id))
          .innerJoin(people, eq(cases.personId, people.id))
          .where(
            and(
              visible(deadlines, actor),
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
            status: deadlineStatus(
              asDeadline(r.deadline),
              now,
              treatyById(r.treaty)?.dueSoonDays ?? defaultDueSoonDays,
            ),
            case: { id: r.deadline.caseId, state: r.caseState, track: r.track },
            person: { id: r.personId, name: `${r.givenNames} ${r.familyNames}` },
          })),
        };
      }),
  };
}

/**
 * What the requesting state is told of its case (`tracks.ts` `shared`): a status row of the case's owner,
 * shared with the requesting state, written with the step that changes it — an explicit crossing, in the
 * audit chain. A case without a request, or one the requesting state runs itself, shares nothing.
 */
async function shareStatus(
  w: Writer,
  row: typeof cases.$inferSelect,
  requestingState: string | null,
  state: CaseState,
  current: typeof caseStatuses.$inferSelect | null,
  occurredAt: Date,
) {
  if (!row.requestId || !requestingState || requestingState === row.party) return;
  const status = sharedStatusOf(state);
  if (current?.status === status) return;
  const since = toIsoDate(occurredAt);
  if (current) {
    await w.update(
      caseStatuses,
      current.id,
      { status, since },
      { before: current, occurredAt, kind: "case_status.shared" },
    );
  } else {
    await w.insertOne(
      caseStatuses,
      {
        caseId: row.id,
        requestId: row.requestId,
        status,
        since,
        party: row.party,
        sharedWith: [requestingState],
      },
      { occurredAt },
    );
  }
}

/** Cases of these people, on any track, as `newCase` weighs them. */
export async function casesOf(reader: Reader, personIds: string[]) {
  if (personIds.length === 0) return [];
  const out: { id: string; personId: string; track: string; state: string }[] = [];
  for (let i = 0; i < personIds.length; i += 1000) {
    out.push(
      ...(await reader
        .select({ id: cases.id, personId: cases.personId, track: cases.track, state: cases.state })
        .from(cases)
        .where(inArray(cases.personId, personIds.slice(i, i + 1000)))),
    );
  }
  return out;
}

/**
 * Opens many cases in one write (the import, the demo seed): each built by `newCase`, as `open` builds one,
 * weighing the person's cases so far and those opened earlier in the same write. Throws the first refusal,
 * naming the input's index.
 */
export async function insertCases(w: Writer, inputs: NewCaseInput[], reader: Reader) {
  const existing = await casesOf(reader, [...new Set(inputs.map((i) => i.personId))]);
  const byPerson = new Map<string, { id: string; track: string; state: string }[]>();
  for (const c of existing) byPerson.set(c.personId, [...(byPerson.get(c.personId) ?? []), c]);
  const rows = inputs.map((input, i) => {
    const own = byPerson.get(input.personId) ?? [];
    const opened = newCase(input, own, w.now);
    if (!opened.ok) throw new AppError(opened.code, `cases[${i}]: ${opened.message}`, opened.details);
    own.push({ id: `(cases[${i}])`, track: opened.row.track, state: opened.row.state });
    byPerson.set(input.personId, own);
    return opened.row;
  });
  const written = await w.insert(cases, rows);
  await w.insert(
    caseStatuses,
    written.flatMap((c, i) => {
      const requestingState = inputs[i]!.request?.requestingState;
      return c.requestId && requestingState && requestingState !== c.party
        ? [
            {
              caseId: c.id,
              requestId: c.requestId,
              status: sharedStatusOf(c.state as CaseState),
              since: c.openedOn,
              party: c.party,
              sharedWith: [requestingState],
            },
          ]
        : [];
    }),
  );
  return written;
}

/**
 * Holds the operation's row (FOR SHARE) while a case boards or leaves it, and checks it is still being
 * planned: an operation's own moves lock the row to update it, so they wait for this commit and then see
 * the case where it is.
 */
async function holdOperation(tx: Tx, operationId: string, personId: string, effect: "join" | "leave") {
  const [op] = await tx
    .select({ code: operations.code, status: operations.status })
    .from(operations)
    .where(eq(operations.id, operationId))
    .for("share");
  const [listing] = await tx
    .select({ id: operationPeople.id })
    .from(operationPeople)
    .where(
      and(
        eq(operationPeople.operationId, operationId),
        eq(operationPeople.personId, personId),
        isNull(operationPeople.removedAt),
      ),
    );
  const planned = op && (op.status === "planning" || op.status === "planned");
  if (!planned || (effect === "join" && !listing)) {
    throw new AppError(
      "VERSION_CONFLICT",
      `operation ${op?.code ?? operationId} changed while this step was decided (it is ${op?.status ?? "gone"}${effect === "join" && !listing ? ", and no longer lists the person" : ""}): reload and retry`,
      { operationId },
    );
  }
}
