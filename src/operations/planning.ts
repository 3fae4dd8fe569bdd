import { and, asc, desc, eq, inArray, ne } from "drizzle-orm";
import { z } from "zod";
import { write } from "../audit/write.ts";
import type { Db } from "../db/client.ts";
import { getById } from "../db/query.ts";
import {
  affiliations,
  aircraft,
  operationPeople,
  operations,
  organisations,
  people,
  places,
  plans,
  rivalries,
} from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { ZUuid } from "../http/schemas.ts";
import { manifestPdf, manifestText, type Plan, type PlanInput, ZPlanInput } from "../planner/index.ts";
import type { Call } from "../use-case.ts";
import type { PlanRunner } from "./plan-runner.ts";

export const ZPlanRequest = z.strictObject({
  /** Search time limit; the plan returns as soon as it is proven optimal. */
  timeLimitMs: z.number().int().min(10).max(30_000).default(2000),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .default(1),
  guards: z
    .strictObject({
      perPerson: z.number().int().min(0).max(10),
      perHighRisk: z.number().int().min(0).max(10),
    })
    .optional(),
});
export type PlanRequest = z.infer<typeof ZPlanRequest>;

export const ZReplanRequest = z.strictObject({
  change: z.discriminatedUnion("kind", [
    z.strictObject({
      kind: z.literal("remove-person"),
      personId: ZUuid,
      reason: z.string().max(500).optional(),
    }),
    z.strictObject({
      kind: z.literal("aircraft-unavailable"),
      aircraftId: ZUuid,
      reason: z.string().max(500).optional(),
    }),
  ]),
  timeLimitMs: z.number().int().min(10).max(30_000).default(2000),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .default(1),
  /** The version of the current draft plan that the change is made against. */
  expectedVersion: z.number().int().min(1).optional(),
});
export type ReplanRequest = z.infer<typeof ZReplanRequest>;

export const ZMoveRequest = z.strictObject({
  personId: ZUuid,
  aircraftId: ZUuid,
  expectedVersion: z.number().int().min(1).optional(),
});
export type MoveRequest = z.infer<typeof ZMoveRequest>;

type PlanRow = typeof plans.$inferSelect;
const view = (row: PlanRow) => ({
  planId: row.id,
  operationId: row.operationId,
  status: row.status,
  version: row.version,
  seed: row.seed,
  plan: row.plan as Plan,
});

/**
 * Planning an operation: builds the planner's input from the record (people on board with their
 * organisation, destination, risk flags and keep-apart list; the fleet; airports; rivalries, with cells
 * inheriting their parent's), runs the planner off the event loop, and keeps each result as a draft plan.
 */
export function planningService(db: Db, runner: PlanRunner) {
  async function inputFor(operationId: string, guards?: PlanRequest["guards"]): Promise<PlanInput> {
    const op = await getById(db, operations, "operation", operationId);
    const [fleet, onboard, orgs, rivals] = await Promise.all([
      db.select().from(aircraft).where(eq(aircraft.operationId, operationId)).orderBy(asc(aircraft.callsign)),
      db
        .select({ entry: operationPeople, person: people })
        .from(operationPeople)
        .innerJoin(people, eq(operationPeople.personId, people.id))
        .where(eq(operationPeople.operationId, operationId))
        .orderBy(asc(operationPeople.id)),
      db.select().from(organisations),
      db.select().from(rivalries),
    ]);
    const personIds = onboard.map((o) => o.entry.personId);
    const affs = personIds.length
      ? await db
          .select()
          .from(affiliations)
          .where(inArray(affiliations.personId, personIds))
          .orderBy(asc(affiliations.id))
      : [];
    const orgName = new Map(orgs.map((o) => [o.id, o.name]));
    // The current affiliation (no end date) wins; otherwise the latest recorded.
    const orgOf = new Map<string, string>();
    for (const a of affs)
      if (!orgOf.has(a.personId) || !a.toOn) orgOf.set(a.personId, orgName.get(a.organisationId)!);
    const staging = [...new Set([op.stagingAirport, ...fleet.map((a) => a.stagingAirport)])];
    const codes = [...new Set([...staging, ...onboard.map((o) => o.entry.destinationAirport)])];
    const airportRows = await db
      .select()
      .from(places)
      .where(and(eq(places.kind, "airport"), inArray(places.code, codes)));
    const missing = airportRows.filter((a) => a.lat == null || a.lon == null).map((a) => a.code);
    if (missing.length) {
      throw new AppError(
        "REFERENCE_INVALID",
        `airports without coordinates cannot be planned: ${missing.join(", ")}`,
      );
    }
    const parsed = ZPlanInput.safeParse({
      operation: op.code,
      staging,
      airports: airportRows.map((a) => ({ code: a.code, name: a.name, lat: a.lat!, lon: a.lon! })),
      organisations: orgs.map((o) => ({
        name: o.name,
        ...(o.parentId ? { parent: orgName.get(o.parentId) } : {}),
        rivals: rivals.flatMap((r) =>
          r.orgA === o.id ? [orgName.get(r.orgB)!] : r.orgB === o.id ? [orgName.get(r.orgA)!] : [],
        ),
      })),
      people: onboard.map(({ entry, person }) => ({
        id: entry.personId,
        name: `${person.givenNames} ${person.familyNames}`,
        ...(orgOf.has(entry.personId) ? { organisation: orgOf.get(entry.personId) } : {}),
        destination: entry.destinationAirport,
        ...(person.custodyFacility ? { origin: person.custodyFacility } : {}),
        riskFlags: person.riskFlags,
        keepApartFrom: entry.keepApartFrom,
      })),
      fleet: fleet.map((a) => ({
        id: a.id,
        name: a.callsign,
        seats: a.seats,
        maxStops: a.maxStops,
        ...(a.rangeKm ? { rangeKm: a.rangeKm } : {}),
        staging: a.stagingAirport,
      })),
      ...(guards ? { guards: { ...guards, highRiskFlags: ["escape-risk", "violent"] } } : {}),
    });
    if (!parsed.success) {
      throw new AppError(
        "REFERENCE_INVALID",
        `the operation's record cannot be planned: ${parsed.error.issues[0]?.message}`,
      );
    }
    return parsed.data;
  }

  async function current(operationId: string): Promise<PlanRow> {
    const [row] = await db
      .select()
      .from(plans)
      .where(and(eq(plans.operationId, operationId), ne(plans.status, "superseded")))
      .orderBy(desc(plans.id))
      .limit(1);
    if (!row)
      throw new AppError("NOT_FOUND", `operation ${operationId} has no plan yet: POST …/plan first`, {
        operationId,
      });
    return row;
  }

  return {
    inputFor,

    async plan({ actor, input, idempotency, operationId }: Call<PlanRequest> & { operationId: string }) {
      const planInput = await inputFor(operationId, input.guards);
      const result = await runner.run({
        kind: "plan",
        input: planInput,
        options: { timeLimitMs: input.timeLimitMs, seed: input.seed },
      });
      return write(
        db,
        actor,
        async (w) => {
          const old = await w.tx
            .select({ id: plans.id })
            .from(plans)
            .where(and(eq(plans.operationId, operationId), ne(plans.status, "superseded")));
          for (const o of old) await w.update(plans, o.id, { status: "superseded" });
          return view(
            await w.insertOne(plans, {
              operationId,
              status: "draft",
              input: planInput,
              plan: result,
              seed: input.seed,
            }),
          );
        },
        { idempotency },
      );
    },

    async get(operationId: string) {
      return view(await current(operationId));
    },

    /** Re-plans after a change, moving as few people as possible; a removed person leaves the operation. */
    async replan({ actor, input, idempotency, operationId }: Call<ReplanRequest> & { operationId: string }) {
      const row = await current(operationId);
      if (input.expectedVersion && input.expectedVersion !== row.version) {
        throw new AppError(
          "VERSION_CONFLICT",
          `the draft plan is at version ${row.version}, not ${input.expectedVersion}`,
        );
      }
      const result = await runner.run({
        kind: "replan",
        previous: row.plan as Plan,
        input: row.input as PlanInput,
        change: input.change,
        options: { timeLimitMs: input.timeLimitMs, seed: input.seed },
      });
      return write(
        db,
        actor,
        async (w) => {
          await w.update(plans, row.id, { status: "superseded" }, { expectedVersion: row.version });
          if (input.change.kind === "remove-person") {
            const personId = input.change.personId;
            const [entry] = await w.tx
              .select({ id: operationPeople.id })
              .from(operationPeople)
              .where(
                and(eq(operationPeople.operationId, operationId), eq(operationPeople.personId, personId)),
              );
            if (entry) await w.remove(operationPeople, entry.id);
          }
          const stored = await w.insertOne(plans, {
            operationId,
            status: "draft",
            input: result.input,
            plan: result.plan,
            seed: input.seed,
          });
          return { ...view(stored), moves: result.moves };
        },
        { idempotency },
      );
    },

    /** An officer moves a person by hand; the draft keeps the move, and every rule it breaks is reported. */
    async move({ actor, input, idempotency, operationId }: Call<MoveRequest> & { operationId: string }) {
      const row = await current(operationId);
      const result = await runner.run({
        kind: "move",
        previous: row.plan as Plan,
        input: row.input as PlanInput,
        personId: input.personId,
        aircraftId: input.aircraftId,
      });
      const bad = result.violations.filter(
        (v) => v.rule === "unknown-person" || v.rule === "unknown-aircraft",
      );
      if (bad.length) {
        throw new AppError("REFERENCE_INVALID", bad.map((v) => v.message).join("; "), {
          issues: bad.map((v) => ({
            field: v.rule === "unknown-person" ? "personId" : "aircraftId",
            rule: v.message,
          })),
        });
      }
      return write(
        db,
        actor,
        async (w) => {
          const stored = await w.update(
            plans,
            row.id,
            { plan: result.plan, status: result.violations.length ? "rules-broken" : "draft" },
            { expectedVersion: input.expectedVersion ?? row.version, kind: "plan.person_moved" },
          );
          return { ...view(stored), violations: result.violations };
        },
        { idempotency },
      );
    },

    async manifest(operationId: string, format: "text" | "pdf") {
      const plan = (await current(operationId)).plan as Plan;
      return format === "pdf" ? manifestPdf(plan) : manifestText(plan);
    },
  };
}
