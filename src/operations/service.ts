import { and, asc, eq, exists, gte, inArray, isNull, lte, notExists, sql } from "drizzle-orm";
import { type Tx, type Writer, write } from "../audit/write.ts";
import { guarded } from "../auth/access.ts";
import type { Actor } from "../auth/roles.ts";
import { actBefore, actMoment, stillToCome } from "../cases/calendar.ts";
import type { caseService, PreparedStep } from "../cases/service.ts";
import { type CaseState, isTerminal, type Policy, type Track } from "../cases/workflow.ts";
import type { Db } from "../db/client.ts";
import { everyone, getById, inOrder, missingRefs, pageOf, visible } from "../db/query.ts";
import {
  administrations,
  aircraft,
  cases,
  handoverConfirmations,
  handovers,
  legs,
  operationPeople,
  operations,
  people,
  places,
  plans,
  releases,
  requests,
} from "../db/schema.ts";
import { AppError, type FieldIssue, issuesError, supersededError } from "../errors.ts";
import { checkPlan, type Plan } from "../planner/index.ts";
import type { Call } from "../use-case.ts";
import {
  decideAdoption,
  decideHandover,
  decideListChange,
  decideMove,
  type OperationFacts,
  type OperationStatus,
  onBoard,
  type Refusal,
} from "./lifecycle.ts";
import type { PlanRunner } from "./plan-runner.ts";
import { peopleOfPlan, type planningService } from "./planning.ts";
import type {
  AddPerson,
  AdoptPlan,
  ConfirmHandover,
  CreateAdministration,
  CreateHandover,
  CreateOperation,
  CreatePlace,
  CreateRelease,
  ListHandovers,
  ListOperations,
  ListReleases,
  OperationStatusChange,
  RemovePerson,
} from "./schemas.ts";

type CaseService = ReturnType<typeof caseService>;
type PlanningService = ReturnType<typeof planningService>;
type OperationRow = typeof operations.$inferSelect;
type ListingRow = typeof operationPeople.$inferSelect;

const refused = (r: Refusal) => new AppError(r.code, r.message, r.details ?? {});
const invalid = (issues: FieldIssue[]) => issuesError("REFERENCE_INVALID", issues);
/** A value that breaks a rule of its own (a time still to come, out of order), not a reference. */
const badValue = (issues: FieldIssue[]) => issuesError("VALIDATION_FAILED", issues);

/** An operation as its lifecycle reads it, with the rows it was read from. */
interface Loaded {
  op: OperationRow;
  listings: ListingRow[];
  facts: OperationFacts;
  /** Versions of the listed people's cases, and the handovers, as read: checked again when writing. */
  seen: { cases: Map<string, number>; handovers: number };
}

/**
 * Operations: their people, plans, lifecycle and handovers. The lifecycle's rules are pure
 * (`lifecycle.ts`); this reads the facts, has them decided, and writes each act — the operation's row, the
 * steps of the cases on board, the listings, the handover — in one audited transaction. Facts are read
 * before the transaction (the planner runs off the event loop meanwhile); the transaction then locks the
 * operation's row and checks that nothing it decided on moved, or answers 409.
 */
export function operationService(
  db: Db,
  deps: { cases: CaseService; planning: PlanningService; runner: PlanRunner },
) {
  const { planning } = deps;

  async function load(operationId: string, actor: Actor): Promise<Loaded> {
    const op = await getById(db, operations, "operation", operationId, actor);
    const [listed, handed, adoptedRows] = await inOrder([
      db
        .select({
          listing: operationPeople,
          givenNames: people.givenNames,
          familyNames: people.familyNames,
          case: {
            id: cases.id,
            track: cases.track,
            state: cases.state,
            operationId: cases.operationId,
            version: cases.version,
          },
        })
        .from(operationPeople)
        .innerJoin(people, eq(operationPeople.personId, people.id))
        .leftJoin(cases, eq(cases.id, operationPeople.caseId))
        .where(eq(operationPeople.operationId, operationId))
        .orderBy(asc(operationPeople.id)),
      db
        .select({ personId: handovers.personId, occurredAt: handovers.occurredAt })
        .from(handovers)
        // The standing handovers only: a superseded one keeps the time corrected away.
        .where(and(eq(handovers.operationId, operationId), isNull(handovers.supersededBy))),
      db
        .select()
        .from(plans)
        .where(and(eq(plans.operationId, operationId), eq(plans.status, "adopted"))),
    ]);
    const adopted = adoptedRows[0] ?? null;
    const handedAt = new Map(handed.map((h) => [h.personId, h.occurredAt]));
    const facts: OperationFacts = {
      id: op.id,
      code: op.code,
      status: op.status as OperationStatus,
      operationDate: op.operationDate,
      departedAt: op.departedAt,
      people: listed.map((l) => ({
        personId: l.listing.personId,
        name: `${l.givenNames} ${l.familyNames}`,
        caseId: l.listing.caseId,
        removed: l.listing.removedAt !== null,
        case: l.case
          ? {
              id: l.case.id,
              track: l.case.track as Track,
              state: l.case.state as CaseState,
              operationId: l.case.operationId,
            }
          : null,
        handedOver: handedAt.has(l.listing.personId),
        handedOverAt: handedAt.get(l.listing.personId) ?? null,
      })),
      adoptedPlan: adopted
        ? {
            id: adopted.id,
            assignment: (adopted.plan as Plan).assignment,
            // The adopted plan checked against today's record: a rivalry recorded since, a person removed.
            violations:
              op.status === "planned" || op.status === "ready"
                ? checkPlan(await planning.inputFor(operationId, { actor }), adopted.plan as Plan)
                : [],
          }
        : null,
    };
    return {
      op,
      listings: listed.map((l) => l.listing),
      facts,
      seen: {
        cases: new Map(listed.flatMap((l) => (l.case ? [[l.case.id, l.case.version] as const] : []))),
        handovers: handed.length,
      },
    };
  }

  /**
   * Inside the write: locks the operation's row (`update` for its own moves, `share` for a handover, which
   * others may record at the same time) and checks that the operation, its people's cases and its
   * handovers are as they were read. Otherwise 409: someone acted meanwhile.
   */
  async function lockUnchanged(tx: Tx, l: Loaded, mode: "update" | "share", expectedVersion?: number) {
    const [row] = await tx
      .select({ version: operations.version })
      .from(operations)
      .where(eq(operations.id, l.op.id))
      .for(mode);
    const expected = expectedVersion ?? l.op.version;
    if (!row || row.version !== expected) {
      throw new AppError(
        "VERSION_CONFLICT",
        `operation ${l.op.code} is at version ${row?.version ?? "(gone)"}, not ${expected}: someone changed it first; reload and retry`,
        { currentVersion: row?.version ?? null, expectedVersion: expected },
      );
    }
    // A handover concerns one person: their case's version guards its own step, and other handovers may be
    // recorded at the same time.
    if (mode === "share") return;
    const ids = [...l.seen.cases.keys()];
    const now = ids.length
      ? await tx.select({ id: cases.id, version: cases.version }).from(cases).where(inArray(cases.id, ids))
      : [];
    const moved = now.filter((c) => l.seen.cases.get(c.id) !== c.version).map((c) => c.id);
    const handed = await tx
      .select({ id: handovers.id })
      .from(handovers)
      .where(and(eq(handovers.operationId, l.op.id), isNull(handovers.supersededBy)));
    if (moved.length || handed.length !== l.seen.handovers) {
      throw new AppError(
        "VERSION_CONFLICT",
        `the people of operation ${l.op.code} changed while this was decided: reload and retry`,
        { casesChanged: moved },
      );
    }
  }

  /** The case steps a move takes, decided by each case's legal track (refusals name the person). */
  async function prepareSteps(
    actor: Actor,
    l: Loaded,
    steps: { caseId: string; personId: string; transition: string }[],
    input: { legalBasis: string; reasons: string; occurredAt: string },
    now: Date,
  ): Promise<PreparedStep[]> {
    const out: PreparedStep[] = [];
    for (const step of steps) {
      try {
        out.push(
          await deps.cases.prepare({
            actor,
            caseId: step.caseId,
            input: { transition: step.transition, ...input },
            now,
            via: "operation",
          }),
        );
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        const name = l.facts.people.find((p) => p.personId === step.personId)?.name ?? step.personId;
        throw new AppError(err.code, `${name} (case ${step.caseId}): ${err.message}`, {
          ...err.details,
          caseId: step.caseId,
          personId: step.personId,
        });
      }
    }
    return out;
  }

  /** The listings' seats from the adopted plan (or cleared, with none), as updates through the writer. */
  async function seat(w: Writer, listings: ListingRow[], plan: Plan | null) {
    const seatOf = new Map<string, { aircraftId: string; seat: string }>();
    for (const a of plan?.aircraft ?? [])
      for (const m of a.manifest) seatOf.set(m.personId, { aircraftId: a.aircraftId, seat: String(m.seat) });
    for (const l of listings) {
      const next = l.removedAt ? undefined : seatOf.get(l.personId);
      const aircraftId = next?.aircraftId ?? null;
      const s = next?.seat ?? null;
      if (l.aircraftId === aircraftId && l.seat === s) continue;
      await w.update(
        operationPeople,
        l.id,
        { aircraftId, seat: s },
        { before: l, kind: "operation_person.seated" },
      );
    }
  }

  /** When the list of people changes, the adopted plan no longer holds: it is superseded and seats cleared. */
  async function unadopt(w: Writer, l: Loaded) {
    const { adopted } = await planning.plansOf(l.op.id, w.tx);
    if (!adopted) return;
    await w.update(plans, adopted.id, { status: "superseded" }, { before: adopted });
    await seat(w, l.listings, null);
  }

  /** The case that carries a person on an operation: the one named, or the person's only open case. */
  async function caseFor(
    actor: Actor,
    personId: string,
    caseId: string | undefined,
    field: string,
    operationId?: string,
  ): Promise<{ caseId: string } | { issue: FieldIssue }> {
    const rows = await db
      .select({ id: cases.id, track: cases.track, state: cases.state, operationId: cases.operationId })
      .from(cases)
      .where(and(eq(cases.personId, personId), visible(cases, actor)));
    const open = rows.filter((c) => !isTerminal(c.state as CaseState));
    const chosen = caseId ? rows.find((c) => c.id === caseId) : open.length === 1 ? open[0] : undefined;
    if (caseId && !chosen)
      return { issue: { field: `${field}.caseId`, rule: "must be a case of this person" } };
    if (!chosen) {
      return {
        issue: open.length
          ? {
              field: `${field}.caseId`,
              rule: `required: the person has ${open.length} open cases (${open.map((c) => `${c.id} ${c.track}`).join(", ")})`,
            }
          : { field: `${field}.personId`, rule: "has no open case: open one before listing the person" },
      };
    }
    if (isTerminal(chosen.state as CaseState)) {
      return { issue: { field: `${field}.caseId`, rule: `the case is closed (${chosen.state})` } };
    }
    if (chosen.operationId && chosen.operationId !== operationId) {
      return {
        issue: { field: `${field}.caseId`, rule: `on board another operation (${chosen.operationId})` },
      };
    }
    return { caseId: chosen.id };
  }

  /** Airports named by an operation must be known places with coordinates (the planner needs them). */
  async function airportIssues(
    actor: Actor,
    codes: { field: string; code: string }[],
  ): Promise<FieldIssue[]> {
    const wanted = [...new Set(codes.map((c) => c.code))];
    const known = new Set(
      wanted.length
        ? (
            await db
              .select({ code: places.code })
              .from(places)
              .where(and(eq(places.kind, "airport"), inArray(places.code, wanted), visible(places, actor)))
          ).map((r) => r.code)
        : [],
    );
    return codes
      .filter((c) => !known.has(c.code))
      .map((c) => ({ field: c.field, rule: `unknown airport ${c.code}: add it to /api/places first` }));
  }

  /** Re-plans a change of people from the plan work stands on, moving as few people as possible. */
  async function replanFor(
    actor: Actor,
    operationId: string,
    change:
      | {
          kind: "add-person";
          listing: { personId: string; destinationAirport: string; keepApartFrom: string[] };
        }
      | { kind: "remove-person"; personId: string },
    options: { timeLimitMs: number; seed: number },
  ) {
    const { adopted, draft } = await planning.plansOf(operationId);
    const base = draft ?? adopted;
    if (!base) return null;
    if (change.kind === "add-person") {
      const withPerson = await planning.inputFor(operationId, { actor, extra: change.listing });
      const before = {
        ...withPerson,
        people: withPerson.people.filter((p) => p.id !== change.listing.personId),
      };
      const person = withPerson.people.find((p) => p.id === change.listing.personId)!;
      return deps.runner.run({
        kind: "replan",
        previous: base.plan as Plan,
        input: before,
        change: { kind: "add-person", person },
        options,
      });
    }
    return deps.runner.run({
      kind: "replan",
      previous: base.plan as Plan,
      input: await planning.inputFor(operationId, { actor }),
      change: { kind: "remove-person", personId: change.personId },
      options,
    });
  }

  return {
    load,

    create: ({ actor, input, idempotency }: Call<CreateOperation>) =>
      guarded(db, actor, "operation:create", async () => {
        const [clash] = await db
          .select({ id: operations.id })
          .from(operations)
          .where(eq(operations.code, input.code));
        const issues: FieldIssue[] = [];
        if (clash) {
          throw new AppError("DUPLICATE", `an operation with code ${input.code} already exists`, {
            issues: [{ field: "code", rule: "must be unique" }],
            existingId: clash.id,
          });
        }
        issues.push(
          ...(await missingRefs(
            db,
            [
              { field: "administrationId", table: administrations, id: input.administrationId },
              ...input.people.map((p, i) => ({
                field: `people[${i}].personId`,
                table: people,
                id: p.personId,
              })),
            ],
            actor,
          )),
          ...(await airportIssues(actor, [
            { field: "stagingAirport", code: input.stagingAirport },
            ...input.aircraft.flatMap((a, i) =>
              a.stagingAirport ? [{ field: `aircraft[${i}].stagingAirport`, code: a.stagingAirport }] : [],
            ),
            ...input.people.map((p, i) => ({
              field: `people[${i}].destinationAirport`,
              code: p.destinationAirport,
            })),
          ])),
        );
        const caseIds: string[] = [];
        for (const [i, p] of input.people.entries()) {
          if (issues.some((x) => x.field === `people[${i}].personId`)) continue;
          const found = await caseFor(actor, p.personId, p.caseId, `people[${i}]`);
          if ("issue" in found) issues.push(found.issue);
          else caseIds[i] = found.caseId;
        }
        if (issues.length) throw invalid(issues);
        const { aircraft: fleet, people: listed, ...op } = input;
        return write(
          db,
          actor,
          async (w) => {
            const row = await w.insertOne(operations, { ...op, status: "planning" });
            const planes = await w.insert(
              aircraft,
              fleet.map((a) => ({
                ...a,
                operationId: row.id,
                stagingAirport: a.stagingAirport ?? op.stagingAirport,
              })),
            );
            const entries = await w.insert(
              operationPeople,
              listed.map((p, i) => ({ ...p, caseId: caseIds[i]!, operationId: row.id })),
            );
            return { ...row, aircraft: planes, people: entries, legs: [] };
          },
          { idempotency },
        );
      }),

    get: (id: string, actor: Actor) =>
      guarded(db, actor, "operation:read", async () => {
        const row = await getById(db, operations, "operation", id, actor);
        const [planes, listed, legRows, handed, drafts] = await inOrder([
          db.select().from(aircraft).where(eq(aircraft.operationId, id)).orderBy(asc(aircraft.callsign)),
          db
            .select({
              entry: operationPeople,
              givenNames: people.givenNames,
              familyNames: people.familyNames,
              riskFlags: people.riskFlags,
              caseState: cases.state,
              caseOperationId: cases.operationId,
            })
            .from(operationPeople)
            .innerJoin(people, eq(operationPeople.personId, people.id))
            .leftJoin(cases, eq(cases.id, operationPeople.caseId))
            .where(eq(operationPeople.operationId, id))
            .orderBy(asc(operationPeople.id)),
          db
            .select()
            .from(legs)
            .where(eq(legs.operationId, id))
            .orderBy(asc(legs.aircraftId), asc(legs.sequence)),
          db.select().from(handovers).where(eq(handovers.operationId, id)),
          db
            .select({ id: plans.id, status: plans.status, recordedAt: plans.recordedAt })
            .from(plans)
            .where(eq(plans.operationId, id))
            .orderBy(asc(plans.id)),
        ]);
        return {
          ...row,
          aircraft: planes,
          legs: legRows,
          people: listed.map((p) => ({
            ...p.entry,
            name: `${p.givenNames} ${p.familyNames}`,
            riskFlags: p.riskFlags,
            caseState: p.caseState,
            /** Listed and removed, listed (a candidate), on board, or handed over. */
            standing: p.entry.removedAt
              ? "removed"
              : handed.some((h) => h.personId === p.entry.personId)
                ? "handed-over"
                : p.caseOperationId === id
                  ? "on-board"
                  : "listed",
          })),
          handovers: handed,
          plans: drafts,
        };
      }),

    /**
     * Lists a person on the operation (a candidate until their case joins it) and re-plans from the current
     * plan with the fewest moves. A planned or ready operation goes back to planning: its new plan must be
     * adopted.
     */
    addPerson: ({ actor, input, idempotency, operationId }: Call<AddPerson> & { operationId: string }) =>
      guarded(db, actor, "operation:plan", async () => {
        const l = await load(operationId, actor);
        const ok = decideListChange(l.facts, { role: actor.role, change: "add" });
        if (!ok.ok) throw refused(ok);
        const issues: FieldIssue[] = [
          ...(await missingRefs(db, [{ field: "personId", table: people, id: input.personId }], actor)),
          ...(await airportIssues(actor, [{ field: "destinationAirport", code: input.destinationAirport }])),
        ];
        const existing = l.listings.find((x) => x.personId === input.personId);
        if (existing && !existing.removedAt) {
          throw new AppError("DUPLICATE", `the person is already listed on operation ${l.op.code}`, {
            issues: [{ field: "personId", rule: "already listed" }],
            existingId: existing.id,
          });
        }
        const listed = new Set(l.listings.filter((x) => !x.removedAt).map((x) => x.personId));
        input.keepApartFrom.forEach((q, j) => {
          if (!listed.has(q))
            issues.push({ field: `keepApartFrom[${j}]`, rule: "must be a person listed on the operation" });
        });
        let caseId: string | undefined;
        if (!issues.some((i) => i.field === "personId")) {
          const found = await caseFor(actor, input.personId, input.caseId, "(body)", operationId);
          if ("issue" in found)
            issues.push({ ...found.issue, field: found.issue.field.replace("(body).", "") });
          else caseId = found.caseId;
        }
        if (issues.length) throw invalid(issues);
        const listing = {
          personId: input.personId,
          destinationAirport: input.destinationAirport,
          keepApartFrom: input.keepApartFrom,
        };
        const replanned = await replanFor(
          actor,
          operationId,
          { kind: "add-person", listing },
          { timeLimitMs: input.timeLimitMs, seed: input.seed },
        );
        return write(
          db,
          actor,
          async (w) => {
            await lockUnchanged(w.tx, l, "update", input.expectedVersion);
            const fields = {
              caseId: caseId!,
              destinationAirport: input.destinationAirport,
              chargingDistrict: input.chargingDistrict ?? null,
              keepApartFrom: input.keepApartFrom,
              removedAt: null,
              removalReason: null,
              aircraftId: null,
              seat: null,
            };
            const entry = existing
              ? await w.update(operationPeople, existing.id, fields, {
                  before: existing,
                  kind: "operation_person.relisted",
                })
              : await w.insertOne(operationPeople, { ...fields, personId: input.personId, operationId });
            await unadopt(w, l);
            const op = await w.update(
              operations,
              operationId,
              { status: ok.to },
              { before: l.op, kind: "operation.person_added" },
            );
            const plan = replanned
              ? await planning.storeDraft(w, operationId, {
                  input: replanned.input,
                  plan: replanned.plan,
                  seed: input.seed,
                })
              : null;
            return {
              operation: op,
              listing: entry,
              plan: plan
                ? { planId: plan.id, status: plan.status, version: plan.version, plan: plan.plan }
                : null,
              moves: replanned?.moves ?? [],
            };
          },
          { idempotency },
        );
      }),

    /**
     * Takes a person off the operation (an injunction, a withdrawn request): the listing stays, marked
     * removed with the reason; a person on board leaves with their case's `remove-from-operation`; the
     * operation re-plans with the fewest moves and, if it was planned or ready, goes back to planning.
     */
    removePerson: ({
      actor,
      input,
      idempotency,
      operationId,
      personId,
    }: Call<RemovePerson> & { operationId: string; personId: string }) =>
      guarded(db, actor, "operation:plan", async () => {
        const l = await load(operationId, actor);
        const ok = decideListChange(l.facts, { role: actor.role, change: "remove" });
        if (!ok.ok) throw refused(ok);
        const listing = l.listings.find((x) => x.personId === personId && !x.removedAt);
        if (!listing) {
          throw new AppError("NOT_FOUND", `the person is not listed on operation ${l.op.code}`, {
            entity: "operation person",
          });
        }
        const person = l.facts.people.find((p) => p.personId === personId)!;
        const now = new Date();
        const steps = onBoard(l.facts, person)
          ? await prepareSteps(
              actor,
              l,
              [{ caseId: person.case!.id, personId, transition: "remove-from-operation" }],
              { legalBasis: input.legalBasis, reasons: input.reason, occurredAt: now.toISOString() },
              now,
            )
          : [];
        const replanned = await replanFor(
          actor,
          operationId,
          { kind: "remove-person", personId },
          { timeLimitMs: input.timeLimitMs, seed: input.seed },
        );
        return write(
          db,
          actor,
          async (w) => {
            await lockUnchanged(w.tx, l, "update", input.expectedVersion);
            const left = [];
            for (const step of steps) left.push(await deps.cases.apply(w, step));
            const entry = await w.update(
              operationPeople,
              listing.id,
              { removedAt: now, removalReason: input.reason, aircraftId: null, seat: null },
              { before: listing, kind: "operation_person.removed", reason: input.reason },
            );
            await unadopt(w, { ...l, listings: l.listings.filter((x) => x.id !== listing.id) });
            const op = await w.update(
              operations,
              operationId,
              { status: ok.to },
              { before: l.op, kind: "operation.person_removed", reason: input.reason },
            );
            const plan = replanned
              ? await planning.storeDraft(w, operationId, {
                  input: replanned.input,
                  plan: replanned.plan,
                  seed: input.seed,
                })
              : null;
            return {
              operation: op,
              listing: entry,
              case: left[0]?.case ?? null,
              plan: plan
                ? { planId: plan.id, status: plan.status, version: plan.version, plan: plan.plan }
                : null,
              moves: replanned?.moves ?? [],
            };
          },
          { idempotency },
        );
      }),

    /**
     * Adopts a draft plan (the newest, unless named): the operation becomes planned, each listed person gets
     * the aircraft and seat the plan gives them, and the legs are the plan's routes.
     */
    adopt: ({ actor, input, idempotency, operationId }: Call<AdoptPlan> & { operationId: string }) =>
      guarded(db, actor, "operation:plan", async () => {
        const l = await load(operationId, actor);
        const { draft, drafts } = await planning.plansOf(operationId);
        const chosen = input.planId ? drafts.find((d) => d.id === input.planId) : draft;
        if (!chosen) {
          throw new AppError(
            "NOT_FOUND",
            input.planId
              ? `planId: not a current draft of operation ${l.op.code}`
              : `operation ${l.op.code} has no draft plan to adopt: POST …/plan first`,
            { entity: "plan" },
          );
        }
        const plan = chosen.plan as Plan;
        const violations = checkPlan(await planning.inputFor(operationId, { actor }), plan);
        const ok = decideAdoption(l.facts, {
          role: actor.role,
          plan: {
            id: chosen.id,
            status: chosen.status,
            people: peopleOfPlan(chosen),
            assignment: plan.assignment,
            violations,
          },
        });
        if (!ok.ok) throw refused(ok);
        const oldLegs = await db.select().from(legs).where(eq(legs.operationId, operationId));
        return write(
          db,
          actor,
          async (w) => {
            await lockUnchanged(w.tx, l, "update", input.expectedVersion);
            const { adopted } = await planning.plansOf(operationId, w.tx);
            if (adopted) await w.update(plans, adopted.id, { status: "superseded" }, { before: adopted });
            const stored = await w.update(
              plans,
              chosen.id,
              { status: "adopted" },
              { before: chosen, kind: "plan.adopted" },
            );
            await seat(w, l.listings, plan);
            for (const leg of oldLegs) await w.remove(legs, leg.id);
            await w.insert(
              legs,
              plan.aircraft.flatMap((a) =>
                a.route.slice(1).map((to, k) => ({
                  operationId,
                  aircraftId: a.aircraftId,
                  sequence: k + 1,
                  fromAirport: a.route[k]!,
                  toAirport: to,
                })),
              ),
            );
            const op = await w.update(
              operations,
              operationId,
              { status: ok.to },
              { before: l.op, kind: "operation.plan_adopted" },
            );
            return {
              operation: op,
              plan: { planId: stored.id, status: stored.status, version: stored.version, plan },
            };
          },
          { idempotency },
        );
      }),

    /**
     * Moves the operation along its lifecycle (`lifecycle.ts`). Departing takes every case on board in
     * transit, and cancelling returns each to the state it came from, in the same write.
     */
    setStatus: ({
      actor,
      input,
      idempotency,
      operationId,
      now = new Date(),
    }: Call<OperationStatusChange> & { operationId: string; now?: Date }) =>
      guarded(db, actor, "operation:move", async () => {
        const l = await load(operationId, actor);
        const occurredAt = input.occurredAt ? new Date(input.occurredAt) : now;
        const move = decideMove(l.facts, { to: input.status, role: actor.role, occurredAt }, { now });
        if (!move.ok) throw refused(move);
        const steps = await prepareSteps(
          actor,
          l,
          move.caseSteps,
          {
            legalBasis: input.legalBasis ?? l.op.legalBasis,
            reasons: input.reason ?? `Operation ${l.op.code}: ${move.from} → ${move.to}`,
            occurredAt: occurredAt.toISOString(),
          },
          now,
        );
        return write(
          db,
          actor,
          async (w) => {
            await lockUnchanged(w.tx, l, "update", input.expectedVersion);
            const moved = [];
            for (const step of steps) moved.push((await deps.cases.apply(w, step)).case);
            const op = await w.update(
              operations,
              operationId,
              {
                status: move.to,
                ...(move.departedAt ? { departedAt: move.departedAt } : {}),
                ...(move.completedAt ? { completedAt: move.completedAt } : {}),
              },
              { before: l.op, kind: "operation.status_changed", occurredAt },
            );
            return { ...op, cases: moved.map((c) => ({ id: c.id, state: c.state, version: c.version })) };
          },
          { idempotency, now },
        );
      }),

    list: (q: ListOperations, actor: Actor) =>
      guarded(db, actor, "operation:read", () =>
        pageOf(
          db,
          operations,
          [
            q.status ? eq(operations.status, q.status) : undefined,
            q.from ? gte(operations.operationDate, q.from) : undefined,
            q.to ? lte(operations.operationDate, q.to) : undefined,
          ],
          q,
          actor,
        ),
      ),

    /**
     * Records a person's handover at the destination: one act with their case's last step (`hand-over`, or
     * the treaty's `surrender`), accepted only for a person on board an operation in transit, at a stop of
     * their aircraft's route, not before the operation date.
     */
    handOver: ({
      actor,
      input,
      idempotency,
      now = new Date(),
      policy,
    }: Call<CreateHandover> & { now?: Date; policy?: Policy }) =>
      guarded(db, actor, "handover:create", async () => {
        const issues = await missingRefs(
          db,
          [
            { field: "operationId", table: operations, id: input.operationId },
            { field: "personId", table: people, id: input.personId },
          ],
          actor,
        );
        if (issues.length) throw invalid(issues);
        const l = await load(input.operationId, actor);
        const occurredAt = new Date(input.occurredAt);
        const listing = l.listings.find((x) => x.personId === input.personId && !x.removedAt);
        const { adopted } = await planning.plansOf(input.operationId);
        const route =
          (adopted?.plan as Plan | undefined)?.aircraft.find((a) => a.aircraftId === listing?.aircraftId)
            ?.route ?? null;
        const ok = decideHandover(
          l.facts,
          { personId: input.personId, place: input.place, occurredAt, route },
          now,
        );
        if (!ok.ok) throw refused(ok);
        if (input.caseId && input.caseId !== ok.caseId) {
          throw invalid([
            {
              field: "caseId",
              rule: `must be the case that carries the person on the operation (${ok.caseId})`,
            },
          ]);
        }
        const step = await deps.cases.prepare({
          actor,
          caseId: ok.caseId,
          input: {
            transition: ok.transition,
            legalBasis: input.legalBasis ?? l.op.legalBasis,
            reasons: input.reasons ?? `Handed over at ${input.place} to ${input.receivingAgency}`,
            occurredAt: input.occurredAt,
          },
          now,
          via: "handover",
          ...(policy ? { policy } : {}),
        });
        const { legalBasis: _b, reasons: _r, ...record } = input;
        return write(
          db,
          actor,
          async (w) => {
            await lockUnchanged(w.tx, l, "share");
            const taken = await deps.cases.apply(w, step);
            // The handover record is shared with the receiving state, which confirms it on its side.
            const handover = await w.insertOne(
              handovers,
              {
                ...record,
                caseId: ok.caseId,
                occurredAt,
                sharedWith: l.op.receivingState !== actor.party ? [l.op.receivingState] : [],
              },
              { occurredAt },
            );
            return {
              ...handover,
              case: { id: taken.case.id, state: taken.case.state, version: taken.case.version },
            };
          },
          { idempotency, now },
        );
      }),

    getHandover: (id: string, actor: Actor) =>
      guarded(db, actor, "handover:read", async () => {
        const handover = await getById(db, handovers, "handover", id, actor);
        const [confirmation] = await db
          .select()
          .from(handoverConfirmations)
          .where(and(eq(handoverConfirmations.handoverId, id), visible(handoverConfirmations, actor)));
        return { ...handover, confirmation: confirmation ?? null };
      }),

    /** Handovers, each with its confirmation (null before the receiving state confirms). */
    listHandovers: (q: ListHandovers, actor: Actor) =>
      guarded(db, actor, "handover:read", async () => {
        // A confirmation the reader may see: the receiving state's, shared with the sending state.
        const confirmedBy = db
          .select({ one: sql`1` })
          .from(handoverConfirmations)
          .where(
            and(eq(handoverConfirmations.handoverId, handovers.id), visible(handoverConfirmations, actor)),
          );
        const page = await pageOf(
          db,
          handovers,
          [
            q.operationId ? eq(handovers.operationId, q.operationId) : undefined,
            q.personId ? eq(handovers.personId, q.personId) : undefined,
            q.place ? eq(handovers.place, q.place) : undefined,
            q.confirmed === "true" ? exists(confirmedBy) : undefined,
            // Still to confirm: standing handovers only (a superseded one is not confirmed any more).
            q.confirmed === "false" ? and(notExists(confirmedBy), isNull(handovers.supersededBy)) : undefined,
          ],
          q,
          actor,
        );
        const ids = page.items.map((h) => h.id);
        const confirmations = ids.length
          ? await db
              .select()
              .from(handoverConfirmations)
              .where(
                and(inArray(handoverConfirmations.handoverId, ids), visible(handoverConfirmations, actor)),
              )
          : [];
        const byHandover = new Map(confirmations.map((c) => [c.handoverId, c]));
        return {
          ...page,
          items: page.items.map((h) => ({ ...h, confirmation: byHandover.get(h.id) ?? null })),
        };
      }),

    /**
     * The receiving state confirms a handover the sending state recorded: its own record, shared with the
     * sending state. Once per handover.
     */
    confirmHandover: ({
      actor,
      input,
      idempotency,
      handoverId,
    }: Call<ConfirmHandover> & { handoverId: string }) =>
      guarded(db, actor, "handover:confirm", async () => {
        const handover = await getById(db, handovers, "handover", handoverId, actor);
        if (handover.party === actor.party || !handover.sharedWith.includes(actor.party)) {
          throw new AppError(
            "HANDOVER_REFUSED",
            `the receiving state confirms a handover (${handover.sharedWith.join(", ") || "none recorded"}), not ${actor.party}`,
            { issues: [{ field: "handoverId", rule: "must be a handover to the caller's state" }] },
          );
        }
        if (handover.supersededBy) throw supersededError("handover", handover.supersededBy, "confirm");
        const [done] = await db
          .select({ id: handoverConfirmations.id })
          .from(handoverConfirmations)
          .where(
            and(eq(handoverConfirmations.handoverId, handoverId), visible(handoverConfirmations, actor)),
          );
        if (done) {
          throw new AppError("DUPLICATE", "this handover is already confirmed", {
            issues: [{ field: "handoverId", rule: "confirmed already" }],
            existingId: done.id,
          });
        }
        const occurredAt = new Date(input.occurredAt);
        const ahead = stillToCome(occurredAt, new Date());
        if (ahead) throw badValue([{ field: "occurredAt", rule: ahead }]);
        if (actBefore(occurredAt, handover.occurredAt)) {
          throw badValue([
            { field: "occurredAt", rule: `not before the handover ${actMoment(handover.occurredAt)}` },
          ]);
        }
        return write(
          db,
          actor,
          (w) =>
            w.insertOne(
              handoverConfirmations,
              { ...input, handoverId, occurredAt, notes: input.notes ?? null, sharedWith: [handover.party] },
              { occurredAt },
            ),
          { idempotency },
        );
      }),

    /**
     * Releases to a requesting state what it may know of an operation: its date, staging airport and status,
     * and, for that state's own people only, their destination, aircraft and seat. A snapshot shared with
     * that state, in the audit chain; a later release supersedes it.
     */
    release: ({ actor, input, idempotency, operationId }: Call<CreateRelease> & { operationId: string }) =>
      guarded(db, actor, "release:create", async () => {
        const l = await load(operationId, actor);
        if (input.toParty === actor.party)
          throw invalid([{ field: "toParty", rule: "must be another state" }]);
        const { adopted } = await planning.plansOf(operationId);
        const callsign = new Map(
          ((adopted?.plan as Plan | undefined)?.aircraft ?? []).map((a) => [
            a.aircraftId,
            a.name ?? a.aircraftId,
          ]),
        );
        const listed = l.listings.filter((x) => !x.removedAt);
        // Their own people: those of the operation whose case answers a request of theirs.
        const theirs = listed.length
          ? await db
              .select({ caseId: cases.id })
              .from(cases)
              .innerJoin(requests, eq(requests.id, cases.requestId))
              .where(
                and(
                  inArray(
                    cases.id,
                    listed.flatMap((x) => (x.caseId ? [x.caseId] : [])),
                  ),
                  eq(requests.requestingState, input.toParty),
                ),
              )
          : [];
        const own = new Set(theirs.map((t) => t.caseId));
        // Not to a state that has no part in it (nor a code of no state): what it would learn is not its own.
        if (own.size === 0 && input.toParty !== l.op.receivingState)
          throw invalid([
            {
              field: "toParty",
              rule: `the operation's receiving state (${l.op.receivingState}) or a state with people on board`,
            },
          ]);
        const people = listed
          .filter((x) => x.caseId && own.has(x.caseId))
          .map((x) => ({
            personId: x.personId,
            name: l.facts.people.find((p) => p.personId === x.personId)?.name ?? "",
            destination: x.destinationAirport,
            aircraft: x.aircraftId ? (callsign.get(x.aircraftId) ?? null) : null,
            seat: x.seat,
          }));
        return write(
          db,
          actor,
          (w) =>
            w.insertOne(releases, {
              operationId,
              toParty: input.toParty,
              operationCode: l.op.code,
              operationDate: l.op.operationDate,
              stagingAirport: l.op.stagingAirport,
              status: l.op.status,
              people,
              notes: input.notes ?? null,
              sharedWith: [input.toParty],
            }),
          { idempotency },
        );
      }),

    listReleases: (q: ListReleases, actor: Actor) =>
      guarded(db, actor, "release:read", () =>
        pageOf(db, releases, [q.operationId ? eq(releases.operationId, q.operationId) : undefined], q, actor),
      ),
    getRelease: (id: string, actor: Actor) =>
      guarded(db, actor, "release:read", () => getById(db, releases, "release", id, actor)),
  };
}

/**
 * Reference data: places (airports, prisons) and administrations (government terms), facts of public record
 * that every party reads (shared with everyone).
 */
export function referenceService(db: Db) {
  return {
    places: {
      create: ({ actor, input, idempotency }: Call<CreatePlace>) =>
        guarded(db, actor, "place:create", async () => {
          const [clash] = await db.select({ id: places.id }).from(places).where(eq(places.code, input.code));
          if (clash) {
            throw new AppError("DUPLICATE", `a place with code ${input.code} already exists`, {
              issues: [{ field: "code", rule: "must be unique" }],
            });
          }
          return write(db, actor, (w) => w.insertOne(places, { ...input, sharedWith: [everyone] }), {
            idempotency,
          });
        }),
      get: (id: string, actor: Actor) =>
        guarded(db, actor, "place:read", () => getById(db, places, "place", id, actor)),
      list: (q: { limit: number; cursor?: string | undefined; kind?: string | undefined }, actor: Actor) =>
        guarded(db, actor, "place:read", () =>
          pageOf(db, places, [q.kind ? eq(places.kind, q.kind) : undefined], q, actor),
        ),
    },
    administrations: {
      create: ({ actor, input, idempotency }: Call<CreateAdministration>) =>
        guarded(db, actor, "administration:create", () =>
          write(db, actor, (w) => w.insertOne(administrations, { ...input, sharedWith: [everyone] }), {
            idempotency,
          }),
        ),
      get: (id: string, actor: Actor) =>
        guarded(db, actor, "administration:read", () =>
          getById(db, administrations, "administration", id, actor),
        ),
      list: (q: { limit: number; cursor?: string | undefined }, actor: Actor) =>
        guarded(db, actor, "administration:read", () => pageOf(db, administrations, [], q, actor)),
    },
  };
}
