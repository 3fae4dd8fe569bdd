import { and, asc, eq, gte, inArray, lte } from "drizzle-orm";
import { write } from "../audit/write.ts";
import type { Db } from "../db/client.ts";
import { getById, pageOf, requireRefs } from "../db/query.ts";
import {
  administrations,
  aircraft,
  cases,
  handovers,
  legs,
  operationPeople,
  operations,
  people,
  places,
  plans,
} from "../db/schema.ts";
import { AppError, type FieldIssue } from "../errors.ts";
import type { Call } from "../use-case.ts";
import type {
  CreateAdministration,
  CreateHandover,
  CreateOperation,
  CreatePlace,
  ListHandovers,
  ListOperations,
  OperationStatusChange,
} from "./schemas.ts";
import { operationStatusMoves } from "./schemas.ts";

const invalid = (issues: FieldIssue[]) =>
  new AppError("REFERENCE_INVALID", issues.map((i) => `${i.field}: ${i.rule}`).join("; "), { issues });

export function operationService(db: Db) {
  /** Airports named by an operation must be known places with coordinates (the planner needs them). */
  async function checkAirports(codes: { field: string; code: string }[]) {
    const known = new Set(
      (
        await db
          .select({ code: places.code })
          .from(places)
          .where(
            and(eq(places.kind, "airport"), inArray(places.code, [...new Set(codes.map((c) => c.code))])),
          )
      ).map((r) => r.code),
    );
    const issues = codes
      .filter((c) => !known.has(c.code))
      .map((c) => ({ field: c.field, rule: `unknown airport ${c.code}: add it to /api/places first` }));
    if (issues.length) throw invalid(issues);
  }

  async function checkPeople(input: CreateOperation) {
    const ids = input.people.map((p) => p.personId);
    const found = new Set(
      ids.length
        ? (await db.select({ id: people.id }).from(people).where(inArray(people.id, ids))).map((r) => r.id)
        : [],
    );
    const caseIds = input.people.flatMap((p) => (p.caseId ? [p.caseId] : []));
    const caseRows = caseIds.length
      ? await db
          .select({ id: cases.id, personId: cases.personId })
          .from(cases)
          .where(inArray(cases.id, caseIds))
      : [];
    const caseOf = new Map(caseRows.map((c) => [c.id, c.personId]));
    const issues: FieldIssue[] = [];
    input.people.forEach((p, i) => {
      if (!found.has(p.personId))
        issues.push({ field: `people[${i}].personId`, rule: "must reference an existing person" });
      if (p.caseId && caseOf.get(p.caseId) !== p.personId)
        issues.push({ field: `people[${i}].caseId`, rule: "must be a case of this person" });
    });
    if (issues.length) throw invalid(issues);
  }

  return {
    async create({ actor, input, idempotency }: Call<CreateOperation>) {
      const [clash] = await db
        .select({ id: operations.id })
        .from(operations)
        .where(eq(operations.code, input.code));
      if (clash) {
        throw new AppError("DUPLICATE", `an operation with code ${input.code} already exists`, {
          issues: [{ field: "code", rule: "must be unique" }],
          existingId: clash.id,
        });
      }
      await requireRefs(db, [
        { field: "administrationId", table: administrations, id: input.administrationId },
      ]);
      await checkAirports([
        { field: "stagingAirport", code: input.stagingAirport },
        ...input.aircraft.flatMap((a, i) =>
          a.stagingAirport ? [{ field: `aircraft[${i}].stagingAirport`, code: a.stagingAirport }] : [],
        ),
        ...input.people.map((p, i) => ({
          field: `people[${i}].destinationAirport`,
          code: p.destinationAirport,
        })),
        ...input.legs.flatMap((l, i) => [
          { field: `legs[${i}].from`, code: l.from },
          { field: `legs[${i}].to`, code: l.to },
        ]),
      ]);
      await checkPeople(input);
      const { aircraft: fleet, people: manifest, legs: flown, ...op } = input;
      return write(
        db,
        actor,
        async (w) => {
          const row = await w.insertOne(operations, op);
          const planes = await w.insert(
            aircraft,
            fleet.map((a) => ({
              ...a,
              operationId: row.id,
              stagingAirport: a.stagingAirport ?? op.stagingAirport,
            })),
          );
          const byCallsign = new Map(planes.map((p) => [p.callsign, p.id]));
          const onboard = await w.insert(
            operationPeople,
            manifest.map((p) => ({ ...p, operationId: row.id })),
          );
          const legRows = await w.insert(
            legs,
            flown.map((l) => ({
              operationId: row.id,
              aircraftId: byCallsign.get(l.aircraft)!,
              sequence: l.sequence,
              fromAirport: l.from,
              toAirport: l.to,
            })),
          );
          return { ...row, aircraft: planes, people: onboard, legs: legRows };
        },
        { idempotency },
      );
    },

    async get(id: string) {
      const row = await getById(db, operations, "operation", id);
      const [planes, onboard, legRows, handed, drafts] = await Promise.all([
        db.select().from(aircraft).where(eq(aircraft.operationId, id)).orderBy(asc(aircraft.callsign)),
        db
          .select({
            entry: operationPeople,
            givenNames: people.givenNames,
            familyNames: people.familyNames,
            riskFlags: people.riskFlags,
          })
          .from(operationPeople)
          .innerJoin(people, eq(operationPeople.personId, people.id))
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
        people: onboard.map((p) => ({
          ...p.entry,
          name: `${p.givenNames} ${p.familyNames}`,
          riskFlags: p.riskFlags,
        })),
        handovers: handed,
        plans: drafts,
      };
    },

    /** Moves the operation along planning → ready → in-transit → completed (or cancelled before it flies). */
    async setStatus({
      actor,
      input,
      idempotency,
      operationId,
    }: Call<OperationStatusChange> & { operationId: string }) {
      const op = await getById(db, operations, "operation", operationId);
      const allowed = operationStatusMoves[op.status as keyof typeof operationStatusMoves] ?? [];
      if (!allowed.includes(input.status)) {
        throw new AppError(
          "TRANSITION_NOT_ALLOWED",
          `operation ${op.code} is ${op.status}; it can move to ${allowed.length ? allowed.join(", ") : "nothing (final)"}, not ${input.status}`,
          { state: op.status, allowed },
        );
      }
      return write(
        db,
        actor,
        (w) =>
          w.update(
            operations,
            operationId,
            { status: input.status },
            { expectedVersion: input.expectedVersion ?? op.version, kind: "operation.status_changed" },
          ),
        { idempotency },
      );
    },

    list: (q: ListOperations) =>
      pageOf(
        db,
        operations,
        [
          q.status ? eq(operations.status, q.status) : undefined,
          q.from ? gte(operations.operationDate, q.from) : undefined,
          q.to ? lte(operations.operationDate, q.to) : undefined,
        ],
        q,
      ),
  };
}

export function handoverService(db: Db) {
  return {
    async create({ actor, input, idempotency }: Call<CreateHandover>) {
      await requireRefs(db, [
        { field: "operationId", table: operations, id: input.operationId },
        { field: "personId", table: people, id: input.personId },
        { field: "caseId", table: cases, id: input.caseId },
      ]);
      const [onboard] = await db
        .select()
        .from(operationPeople)
        .where(
          and(
            eq(operationPeople.operationId, input.operationId),
            eq(operationPeople.personId, input.personId),
          ),
        );
      if (!onboard) {
        // No handover without an operation that carries the person.
        throw new AppError(
          "OPERATION_MISSING",
          "the person is not on this operation: no handover without an operation",
          {
            issues: [{ field: "personId", rule: "must be on the operation" }],
          },
        );
      }
      const [done] = await db
        .select({ id: handovers.id })
        .from(handovers)
        .where(and(eq(handovers.operationId, input.operationId), eq(handovers.personId, input.personId)));
      if (done) {
        throw new AppError("DUPLICATE", "this person's handover on this operation is already recorded", {
          existingId: done.id,
        });
      }
      const occurredAt = new Date(input.occurredAt);
      return write(
        db,
        actor,
        (w) =>
          w.insertOne(
            handovers,
            { ...input, caseId: input.caseId ?? onboard.caseId, occurredAt },
            { occurredAt },
          ),
        { idempotency },
      );
    },
    get: (id: string) => getById(db, handovers, "handover", id),
    list: (q: ListHandovers) =>
      pageOf(
        db,
        handovers,
        [
          q.operationId ? eq(handovers.operationId, q.operationId) : undefined,
          q.personId ? eq(handovers.personId, q.personId) : undefined,
          q.place ? eq(handovers.place, q.place) : undefined,
        ],
        q,
      ),
  };
}

/** Reference data: places (airports, prisons) and administrations (government terms). */
export function referenceService(db: Db) {
  return {
    places: {
      async create({ actor, input, idempotency }: Call<CreatePlace>) {
        const [clash] = await db.select({ id: places.id }).from(places).where(eq(places.code, input.code));
        if (clash) {
          throw new AppError("DUPLICATE", `a place with code ${input.code} already exists`, {
            issues: [{ field: "code", rule: "must be unique" }],
          });
        }
        return write(db, actor, (w) => w.insertOne(places, input), { idempotency });
      },
      get: (id: string) => getById(db, places, "place", id),
      list: (q: { limit: number; cursor?: string | undefined; kind?: string | undefined }) =>
        pageOf(db, places, [q.kind ? eq(places.kind, q.kind) : undefined], q),
    },
    administrations: {
      create: ({ actor, input, idempotency }: Call<CreateAdministration>) =>
        write(db, actor, (w) => w.insertOne(administrations, input), { idempotency }),
      get: (id: string) => getById(db, administrations, "administration", id),
      list: (q: { limit: number; cursor?: string | undefined }) => pageOf(db, administrations, [], q),
    },
  };
}
