import { and, asc, desc, eq, inArray, isNull, ne } from "drizzle-orm";
import { z } from "zod";
import { type Writer, write } from "../audit/write.ts";
import { guarded } from "../auth/access.ts";
import type { Actor } from "../auth/roles.ts";
import type { Db } from "../db/client.ts";
import { getById, inOrder, visible } from "../db/query.ts";
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
import { AppError, issuesError } from "../errors.ts";
import { text, ZUuid } from "../http/schemas.ts";
import {
  checkPlan,
  manifestText,
  type Plan,
  type PlanInput,
  planFromAssignment,
  type Violation,
  ZPlanInput,
} from "../planner/index.ts";
import type { Call } from "../use-case.ts";
import { listOpen, type OperationStatus } from "./lifecycle.ts";
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
  /**
   * A plan drawn by hand instead of searched for: the aircraft of each listed person (a historical
   * operation as it flew). Its routes and manifests are built as the planner builds them, and every rule it
   * breaks is reported; such a plan can be adopted only if it breaks none.
   */
  assignment: z
    .record(ZUuid, ZUuid)
    .refine((a) => Object.keys(a).length <= 2000, "at most 2000 people")
    .meta({ maxProperties: 2000 })
    .optional(),
});
export type PlanRequest = z.infer<typeof ZPlanRequest>;

/**
 * A change to the fleet. People are added and removed through `POST /api/operations/{id}/people` and
 * `DELETE /api/operations/{id}/people/{personId}`, which re-plan the same way.
 */
export const ZReplanRequest = z.strictObject({
  change: z.strictObject({
    kind: z.literal("aircraft-unavailable"),
    aircraftId: ZUuid,
    reason: text(500, { required: false, trim: false }).optional(),
  }),
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

/** An extra person to plan for, as if listed (to re-plan when they are added). */
export interface ExtraListing {
  personId: string;
  destinationAirport: string;
  keepApartFrom: string[];
}

/** The people of a plan, from its stored input. */
export const peopleOfPlan = (row: PlanRow) => (row.input as PlanInput).people.map((p) => p.id);

/**
 * Planning an operation: builds the planner's input from the record (the people listed, not removed, with
 * their organisation, destination, risk flags and keep-apart list; the fleet; airports; rivalries, with
 * cells inheriting their parent's), runs the planner off the event loop, and keeps each result as a draft
 * plan. A draft becomes the operation's plan only when adopted (`operationService.adopt`).
 */
export function planningService(db: Db, runner: PlanRunner) {
  async function inputFor(
    operationId: string,
    options: { actor: Actor; guards?: PlanRequest["guards"]; extra?: ExtraListing; without?: string },
  ): Promise<PlanInput> {
    const { actor } = options;
    const op = await getById(db, operations, "operation", operationId, actor);
    const [fleet, listed, orgs, rivals] = await inOrder([
      db
        .select()
        .from(aircraft)
        .where(and(eq(aircraft.operationId, operationId), visible(aircraft, actor)))
        .orderBy(asc(aircraft.callsign)),
      db
        .select({ entry: operationPeople, person: people })
        .from(operationPeople)
        .innerJoin(people, eq(operationPeople.personId, people.id))
        .where(
          and(
            eq(operationPeople.operationId, operationId),
            isNull(operationPeople.removedAt),
            visible(operationPeople, actor),
          ),
        )
        .orderBy(asc(operationPeople.id)),
      db.select().from(organisations).where(visible(organisations, actor)),
      db.select().from(rivalries).where(visible(rivalries, actor)),
    ]);
    const entries: { entry: ExtraListing; person: typeof people.$inferSelect }[] = listed.filter(
      (l) => l.entry.personId !== options.without,
    );
    if (options.extra) {
      entries.push({
        entry: options.extra,
        person: await getById(db, people, "person", options.extra.personId, actor),
      });
    }
    const personIds = entries.map((o) => o.entry.personId);
    const affs = personIds.length
      ? await db
          .select()
          .from(affiliations)
          .where(and(inArray(affiliations.personId, personIds), visible(affiliations, actor)))
          .orderBy(asc(affiliations.id))
      : [];
    const orgName = new Map(orgs.map((o) => [o.id, o.name]));
    // The most specific current affiliation (no end date; the last recorded, such as a faction of a cartel,
    // which inherits the cartel's rivals); otherwise the latest recorded.
    const orgOf = new Map<string, string>();
    for (const a of affs)
      if (!orgOf.has(a.personId) || !a.toOn) orgOf.set(a.personId, orgName.get(a.organisationId)!);
    const staging = [...new Set([op.stagingAirport, ...fleet.map((a) => a.stagingAirport)])];
    const codes = [...new Set([...staging, ...entries.map((o) => o.entry.destinationAirport)])];
    const airportRows = await db
      .select()
      .from(places)
      .where(and(eq(places.kind, "airport"), inArray(places.code, codes), visible(places, actor)));
    const missing = airportRows.filter((a) => a.lat == null || a.lon == null).map((a) => a.code);
    if (missing.length) {
      throw new AppError(
        "REFERENCE_INVALID",
        `airports without coordinates cannot be planned: ${missing.join(", ")}`,
      );
    }
    const ids = new Set(personIds);
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
      people: entries.map(({ entry, person }) => ({
        id: entry.personId,
        name: `${person.givenNames} ${person.familyNames}`,
        ...(orgOf.has(entry.personId) ? { organisation: orgOf.get(entry.personId) } : {}),
        destination: entry.destinationAirport,
        ...(person.custodyFacility ? { origin: person.custodyFacility } : {}),
        riskFlags: person.riskFlags,
        keepApartFrom: entry.keepApartFrom.filter((q) => ids.has(q)),
      })),
      fleet: fleet.map((a) => ({
        id: a.id,
        name: a.callsign,
        seats: a.seats,
        maxStops: a.maxStops,
        ...(a.rangeKm ? { rangeKm: a.rangeKm } : {}),
        staging: a.stagingAirport,
      })),
      ...(options.guards ? { guards: { ...options.guards, highRiskFlags: ["escape-risk", "violent"] } } : {}),
    });
    if (!parsed.success) {
      throw new AppError(
        "REFERENCE_INVALID",
        `the operation's record cannot be planned: ${parsed.error.issues[0]?.message}`,
      );
    }
    return parsed.data;
  }

  /** The operation's plans that are not superseded: its adopted plan and its newest draft, if any. */
  async function plansOf(operationId: string, reader: Pick<Db, "select"> = db) {
    const rows = await reader
      .select()
      .from(plans)
      .where(and(eq(plans.operationId, operationId), ne(plans.status, "superseded")))
      .orderBy(desc(plans.id));
    return {
      adopted: rows.find((r) => r.status === "adopted") ?? null,
      draft: rows.find((r) => r.status !== "adopted") ?? null,
      drafts: rows.filter((r) => r.status !== "adopted"),
    };
  }

  /** The plan work starts from: the newest draft, else the adopted plan. */
  async function current(operationId: string): Promise<PlanRow> {
    const { adopted, draft } = await plansOf(operationId);
    const row = draft ?? adopted;
    if (!row)
      throw new AppError("NOT_FOUND", "the operation has no plan yet: POST …/plan first", { entity: "plan" });
    return row;
  }

  /** Planning is for operations of the actor's party that have not flown. */
  async function requirePlannable(operationId: string, actor: Actor) {
    const op = await getById(db, operations, "operation", operationId, actor);
    if (!listOpen.includes(op.status as OperationStatus)) {
      throw new AppError(
        "OPERATION_UNDER_WAY",
        `operation ${op.code} is ${op.status}: it is no longer planned`,
        {
          operationStatus: op.status,
        },
      );
    }
    return op;
  }

  /** Stores a new draft; older drafts are superseded (the adopted plan stays until another is adopted). */
  async function storeDraft(
    w: Writer,
    operationId: string,
    draft: { input: PlanInput; plan: Plan; seed: number; status?: string },
  ) {
    const { drafts } = await plansOf(operationId, w.tx);
    for (const o of drafts) await w.update(plans, o.id, { status: "superseded" }, { before: o });
    return w.insertOne(plans, {
      operationId,
      status: draft.status ?? (draft.plan.status === "rules-broken" ? "rules-broken" : "draft"),
      input: draft.input,
      plan: draft.plan,
      seed: draft.seed,
    });
  }

  return {
    inputFor,
    plansOf,
    storeDraft,

    plan: ({ actor, input, idempotency, operationId }: Call<PlanRequest> & { operationId: string }) =>
      guarded(db, actor, "operation:plan", async () => {
        await requirePlannable(operationId, actor);
        const planInput = await inputFor(operationId, {
          actor,
          ...(input.guards ? { guards: input.guards } : {}),
        });
        let result: Plan;
        let violations: Violation[] = [];
        if (input.assignment) {
          const listed = new Set(planInput.people.map((p) => p.id));
          const issues = Object.keys(input.assignment)
            .filter((id) => !listed.has(id))
            .map((id) => ({ field: `assignment.${id}`, rule: "must be a person listed on the operation" }));
          const fleet = new Set(planInput.fleet.map((a) => a.id));
          for (const [id, aircraftId] of Object.entries(input.assignment))
            if (!fleet.has(aircraftId))
              issues.push({ field: `assignment.${id}`, rule: "must be an aircraft of the operation" });
          if (issues.length) {
            throw issuesError("REFERENCE_INVALID", issues);
          }
          ({ plan: result, violations } = planFromAssignment(planInput, input.assignment));
        } else {
          result = await runner.run({
            kind: "plan",
            input: planInput,
            options: { timeLimitMs: input.timeLimitMs, seed: input.seed },
          });
          // What a read of the draft says too: none when it seats everyone, the people without a seat when not.
          violations = checkPlan(planInput, result);
        }
        return write(
          db,
          actor,
          async (w) => ({
            ...view(await storeDraft(w, operationId, { input: planInput, plan: result, seed: input.seed })),
            violations,
          }),
          { idempotency },
        );
      }),

    get: (operationId: string, actor: Actor) =>
      guarded(db, actor, "operation:read", async () => {
        await getById(db, operations, "operation", operationId, actor);
        const row = await current(operationId);
        // Every rule it breaks, against the record it was planned on (a rules-broken draft says which).
        return { ...view(row), violations: checkPlan(row.input as PlanInput, row.plan as Plan) };
      }),

    /** Re-plans after an aircraft becomes unavailable, moving as few people as possible. */
    replan: ({ actor, input, idempotency, operationId }: Call<ReplanRequest> & { operationId: string }) =>
      guarded(db, actor, "operation:plan", async () => {
        await requirePlannable(operationId, actor);
        const row = await current(operationId);
        if (input.expectedVersion && input.expectedVersion !== row.version) {
          throw new AppError(
            "VERSION_CONFLICT",
            `the plan is at version ${row.version}, not ${input.expectedVersion}`,
            { currentVersion: row.version, expectedVersion: input.expectedVersion },
          );
        }
        const result = await runner.run({
          kind: "replan",
          previous: row.plan as Plan,
          input: await inputFor(operationId, { actor }),
          change: input.change,
          options: { timeLimitMs: input.timeLimitMs, seed: input.seed },
        });
        return write(
          db,
          actor,
          async (w) => {
            const stored = await storeDraft(w, operationId, {
              input: result.input,
              plan: result.plan,
              seed: input.seed,
            });
            return { ...view(stored), moves: result.moves };
          },
          { idempotency },
        );
      }),

    /**
     * An officer moves a person by hand; the draft keeps the move, and every rule it breaks is reported. A
     * move made on the adopted plan starts a new draft from it: the adopted plan changes only by adoption.
     */
    move: ({ actor, input, idempotency, operationId }: Call<MoveRequest> & { operationId: string }) =>
      guarded(db, actor, "operation:plan", async () => {
        await requirePlannable(operationId, actor);
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
        const expectedVersion = input.expectedVersion ?? row.version;
        if (expectedVersion !== row.version) {
          throw new AppError(
            "VERSION_CONFLICT",
            `the plan is at version ${row.version}, not ${expectedVersion}: someone changed it first; reload and retry`,
            { currentVersion: row.version, expectedVersion },
          );
        }
        const status = result.violations.length ? "rules-broken" : "draft";
        return write(
          db,
          actor,
          async (w) => {
            const stored =
              row.status === "adopted"
                ? await storeDraft(w, operationId, {
                    input: row.input as PlanInput,
                    plan: result.plan,
                    seed: row.seed,
                    status,
                  })
                : await w.update(
                    plans,
                    row.id,
                    { plan: result.plan, status },
                    { expectedVersion, kind: "plan.person_moved" },
                  );
            return { ...view(stored), violations: result.violations };
          },
          { idempotency },
        );
      }),

    /**
     * The manifests of the adopted plan (of the newest draft while none is adopted, marked as a draft on
     * the PDF), as text or as the printed PDF with the operation's facts, its airports and the time.
     */
    manifest: (operationId: string, format: "text" | "pdf", actor: Actor, now = new Date()) =>
      guarded(db, actor, "operation:read", async () => {
        const op = await getById(db, operations, "operation", operationId, actor);
        const { adopted } = await plansOf(operationId);
        const row = adopted ?? (await current(operationId));
        const plan = row.plan as Plan;
        // PDFKit, the font and the map are loaded when the first PDF is printed, not at start-up.
        const body =
          format === "pdf"
            ? await (await import("../planner/manifest-pdf.ts")).manifestPdf(plan, {
                airports: (row.input as PlanInput).airports,
                operation: {
                  code: op.code,
                  date: op.operationDate,
                  legalBasis: op.legalBasis,
                  stagingAirport: op.stagingAirport,
                  receivingState: op.receivingState,
                },
                planStatus: adopted ? "adopted" : "draft",
                printedAt: now,
              })
            : manifestText(plan);
        return { code: op.code, body };
      }),
  };
}
