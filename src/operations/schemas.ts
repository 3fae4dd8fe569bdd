import { z } from "zod";
import { ACase } from "../cases/schemas.ts";
import { securityStates, treatyStates } from "../cases/tracks.ts";
import {
  administrations,
  aircraft,
  handoverConfirmations,
  handovers,
  legs,
  operationPeople,
  operations,
  places,
  releases,
} from "../db/schema.ts";
import {
  ACount,
  AInt,
  AParty,
  AText,
  ATimestamp,
  AUuid,
  aList,
  aText,
  pageSchema,
  rowSchema,
} from "../http/answers.ts";
import { crossCheck, crossChecked } from "../http/cross-check.ts";
import { ZAirport, ZDay, ZOccurredAt, ZPageQuery, ZParty, ZShort, ZText, ZUuid } from "../http/schemas.ts";
import { riskFlags } from "../people/schemas.ts";
import { operationStatuses } from "./lifecycle.ts";

export { operationStatuses };

export const ZAircraftInput = z.strictObject({
  callsign: ZShort,
  model: ZShort.optional(),
  seats: z.number().int().min(1).max(1000),
  maxStops: z.number().int().min(1).max(20),
  rangeKm: z.number().int().min(1).optional(),
  /** Defaults to the operation's staging airport. */
  stagingAirport: ZAirport.optional(),
});

export const ZCreateOperation = z
  .strictObject({
    code: z
      .string()
      .trim()
      .regex(/^[A-Z0-9][A-Z0-9-]{1,39}$/, "must be 2–40 capitals, digits or dashes")
      .meta({ maxLength: 40 }),
    legalBasis: ZShort,
    operationDate: ZDay,
    stagingAirport: ZAirport,
    receivingState: ZParty,
    administrationId: ZUuid.optional(),
    notes: ZText.optional(),
    aircraft: z.array(ZAircraftInput).max(200).default([]),
    people: z
      .array(
        z.strictObject({
          personId: ZUuid,
          /** The case that carries the person; defaults to the person's only open case. */
          caseId: ZUuid.optional(),
          destinationAirport: ZAirport,
          chargingDistrict: ZShort.optional(),
          /** Other people of this operation who must never share an aircraft with this one. */
          keepApartFrom: z.array(ZUuid).max(100).default([]),
        }),
      )
      .max(2000)
      .default([]),
  })
  .superRefine(
    crossCheck((o, ctx) => {
      const seen = new Map<string, number>();
      o.people.forEach((p, i) => {
        if (seen.has(p.personId))
          ctx.addIssue({
            code: "custom",
            path: ["people", i, "personId"],
            message: `duplicate of people[${seen.get(p.personId)}]`,
          });
        seen.set(p.personId, i);
      });
      o.people.forEach((p, i) => {
        p.keepApartFrom.forEach((q, j) => {
          if (!seen.has(q))
            ctx.addIssue({
              code: "custom",
              path: ["people", i, "keepApartFrom", j],
              message: "must be a person of this operation",
            });
        });
      });
      const callsigns = new Map<string, number>();
      o.aircraft.forEach((a, i) => {
        if (callsigns.has(a.callsign))
          ctx.addIssue({
            code: "custom",
            path: ["aircraft", i, "callsign"],
            message: `duplicate of aircraft[${callsigns.get(a.callsign)}]`,
          });
        callsigns.set(a.callsign, i);
      });
    }),
    crossChecked,
  );
export type CreateOperation = z.infer<typeof ZCreateOperation>;

export const ZListOperations = ZPageQuery.extend({
  status: z.enum(operationStatuses).optional(),
  from: ZDay.optional(),
  to: ZDay.optional(),
});
export type ListOperations = z.infer<typeof ZListOperations>;

export const ZCreateHandover = z.strictObject({
  operationId: ZUuid,
  personId: ZUuid,
  /** The case that carries the person; it is the one on board, and is checked against it. */
  caseId: ZUuid.optional(),
  place: ZAirport,
  occurredAt: ZOccurredAt,
  dispatchingOfficer: ZShort,
  dispatchingAgency: ZShort,
  receivingOfficer: ZShort,
  receivingAgency: ZShort,
  condition: ZText,
  documents: z.array(ZShort).max(50).default([]),
  /** Recorded on the case's step; default the operation's legal basis and a sentence naming the place. */
  legalBasis: ZShort.optional(),
  reasons: ZText.optional(),
});
export type CreateHandover = z.infer<typeof ZCreateHandover>;

export const ZListHandovers = ZPageQuery.extend({
  operationId: ZUuid.optional(),
  personId: ZUuid.optional(),
  place: ZAirport.optional(),
  /** `false`: the handovers the receiving state has not confirmed yet; `true`: those it has. */
  confirmed: z.enum(["true", "false"]).optional(),
});
export type ListHandovers = z.infer<typeof ZListHandovers>;

export const ZCreatePlace = z.strictObject({
  code: z
    .string()
    .regex(/^[A-Z0-9]{3,8}$/, "must be 3–8 capitals or digits (IATA code for airports)")
    .meta({ maxLength: 8 }),
  kind: z.enum(["airport", "prison"]),
  name: ZShort,
  lat: z.number().min(-90).max(90).optional(),
  lon: z.number().min(-180).max(180).optional(),
});
export type CreatePlace = z.infer<typeof ZCreatePlace>;
export const ZListPlaces = ZPageQuery.extend({ kind: z.enum(["airport", "prison"]).optional() });

export const ZCreateAdministration = z.strictObject({
  name: ZShort,
  beganOn: ZDay,
  endedOn: ZDay.optional(),
});
export type CreateAdministration = z.infer<typeof ZCreateAdministration>;
export const ZListAdministrations = ZPageQuery;

export const ZOperationStatusChange = z.strictObject({
  status: z.enum(operationStatuses),
  expectedVersion: z.number().int().min(1).optional(),
  /** When it happened (departure, completion): a date-time or a day; defaults to now. */
  occurredAt: ZOccurredAt.optional(),
  /** Recorded on the steps of the cases on board; default the operation's legal basis. */
  legalBasis: ZShort.optional(),
  reason: ZText.optional(),
});
export type OperationStatusChange = z.infer<typeof ZOperationStatusChange>;

const ZReplanOptions = {
  /** Re-plan search time limit; the re-plan moves as few people as possible. */
  timeLimitMs: z.number().int().min(10).max(30_000).default(2000),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .default(1),
  /** The operation's version read (or send `If-Match`). */
  expectedVersion: z.number().int().min(1).optional(),
};

export const ZAddPerson = z.strictObject({
  personId: ZUuid,
  /** The case that carries the person; defaults to the person's only open case. */
  caseId: ZUuid.optional(),
  destinationAirport: ZAirport,
  chargingDistrict: ZShort.optional(),
  keepApartFrom: z.array(ZUuid).max(100).default([]),
  ...ZReplanOptions,
});
export type AddPerson = z.infer<typeof ZAddPerson>;

export const ZRemovePerson = z.strictObject({
  /** Why the person leaves the operation (an injunction, a withdrawn request…). */
  reason: ZText,
  /** Recorded on the case's step when the person was on board. */
  legalBasis: ZShort.default("Operation planning (no statute)"),
  ...ZReplanOptions,
});
export type RemovePerson = z.infer<typeof ZRemovePerson>;

export const ZAdoptPlan = z.strictObject({
  /** The draft to adopt; defaults to the newest. */
  planId: ZUuid.optional(),
  /** The operation's version read. */
  expectedVersion: z.number().int().min(1).optional(),
});
export type AdoptPlan = z.infer<typeof ZAdoptPlan>;

export const ZConfirmHandover = z.strictObject({
  receivingOfficer: ZShort,
  receivingAgency: ZShort,
  /** When custody was taken: a date-time or a day. */
  occurredAt: ZOccurredAt,
  condition: ZText,
  notes: ZText.optional(),
});
export type ConfirmHandover = z.infer<typeof ZConfirmHandover>;

export const ZCreateRelease = z.strictObject({
  /** The requesting state the operation is released to. */
  toParty: ZParty,
  notes: ZText.optional(),
});
export type CreateRelease = z.infer<typeof ZCreateRelease>;

export const ZListReleases = ZPageQuery.extend({ operationId: ZUuid.optional() });
export type ListReleases = z.infer<typeof ZListReleases>;

// Answers (documentation, checked in the tests: src/http/answers.ts)

const AShortText = aText(200);
const AAirportCode = aText(3);
const APlannerId = aText(200);
const AStatus = z.enum(operationStatuses);
/** A stored plan: the newest draft, one that breaks rules (a hand edit), adopted, or superseded. */
const planStatuses = ["draft", "rules-broken", "adopted", "superseded"] as const;

export const AOperation = rowSchema(operations, {
  code: aText(40),
  legalBasis: AShortText,
  stagingAirport: AAirportCode,
  status: AStatus,
  receivingState: AParty,
}).meta({ id: "Operation" });
export const AOperationPage = pageSchema(AOperation, "OperationPage");

export const AAircraft = rowSchema(aircraft, {
  callsign: AShortText,
  model: AShortText,
  stagingAirport: AAirportCode,
}).meta({ id: "Aircraft" });

export const ALeg = rowSchema(legs, { fromAirport: AAirportCode, toAirport: AAirportCode }).meta({
  id: "Leg",
  description: "A flown leg of an aircraft's route",
});

export const AOperationPerson = rowSchema(operationPeople, {
  destinationAirport: AAirportCode,
  chargingDistrict: AShortText,
  keepApartFrom: aList(AUuid, 100),
  seat: aText(10),
}).meta({ id: "OperationPerson", description: "A person listed on an operation (removed ones stay listed)" });

export const AHandoverConfirmation = rowSchema(handoverConfirmations, {
  receivingOfficer: AShortText,
  receivingAgency: AShortText,
}).meta({ id: "HandoverConfirmation" });

/** A case after a step taken as part of another act (an operation's move, a handover). */
export const ACaseVersion = z
  .strictObject({ id: AUuid, state: z.enum([...treatyStates, ...securityStates]), version: AInt })
  .meta({ id: "CaseVersion" });

export const AHandover = rowSchema(handovers, {
  place: AAirportCode,
  dispatchingOfficer: AShortText,
  dispatchingAgency: AShortText,
  receivingOfficer: AShortText,
  receivingAgency: AShortText,
  documents: aList(AShortText, 50),
})
  .extend({
    /** The case's last step, taken with the handover: in the answer of a create only. */
    case: ACaseVersion.optional(),
    /** The receiving state's confirmation (null before it confirms): in a read and a list, not a create. */
    confirmation: AHandoverConfirmation.nullable().optional(),
  })
  .meta({ id: "Handover" });
export const AHandoverPage = pageSchema(AHandover, "HandoverPage");

/** The answer of a create: the operation with its aircraft and the people listed (no legs before a plan). */
export const ACreatedOperation = AOperation.extend({
  aircraft: aList(AAircraft, 200),
  people: aList(AOperationPerson, 2000),
  legs: aList(ALeg, 0),
}).meta({ id: "CreatedOperation" });

/** An operation with everything on it (`GET /api/operations/{id}`). */
export const AOperationFile = AOperation.extend({
  aircraft: aList(AAircraft, 200),
  legs: aList(ALeg, 10_000),
  people: aList(
    AOperationPerson.extend({
      name: aText(401),
      riskFlags: aList(z.enum(riskFlags), riskFlags.length),
      caseState: z.enum([...treatyStates, ...securityStates]).nullable(),
      /** Listed and removed, listed (a candidate), on board, or handed over. */
      standing: z.enum(["removed", "listed", "on-board", "handed-over"]),
    }),
    10_000,
  ),
  handovers: aList(AHandover, 10_000),
  plans: aList(z.strictObject({ id: AUuid, status: z.enum(planStatuses), recordedAt: ATimestamp }), 10_000),
}).meta({ id: "OperationFile" });

// The planner's plan (src/planner/model.ts `Plan`), as stored and sent.

const AManifestEntry = z
  .strictObject({
    seat: ACount,
    guardSeats: aList(ACount, 1000),
    personId: APlannerId,
    name: aText(401).optional(),
    organisation: AShortText.optional(),
    highRisk: z.boolean(),
    riskFlags: aList(AShortText, 20),
    guards: ACount,
    leavesAt: AAirportCode,
    stop: ACount,
  })
  .meta({ id: "ManifestEntry" });

const AAircraftPlan = z
  .strictObject({
    aircraftId: APlannerId,
    name: AShortText.optional(),
    staging: AAirportCode,
    seats: ACount,
    seatsUsed: ACount,
    people: ACount,
    guards: ACount,
    /** Airports in flying order, staging first. */
    route: aList(AAirportCode, 100),
    legs: aList(z.strictObject({ from: AAirportCode, to: AAirportCode, distanceKm: z.number() }), 100),
    distanceKm: z.number(),
    manifest: aList(AManifestEntry, 1000),
  })
  .meta({ id: "AircraftPlan" });

const ids = aList(APlannerId, 10_000);

export const APlan = z
  .strictObject({
    operation: AShortText.optional(),
    /**
     * `planned`: every person has a seat, every rule holds. `infeasible`: proven impossible (see `obstacles`).
     * `no-plan-found`: none found in time, none ruled out. `rules-broken`: a hand edit broke rules.
     */
    status: z.enum(["planned", "infeasible", "no-plan-found", "rules-broken"]),
    aircraftUsed: ACount,
    lowerBound: ACount,
    provenOptimal: z.boolean(),
    distanceKm: z.number(),
    elapsedMs: z.number(),
    seed: AInt,
    bounds: z
      .strictObject({
        seats: ACount,
        clique: ACount,
        cliqueRoom: ACount,
        stops: ACount,
        organisations: ACount,
        best: ACount,
        cliquePeople: ids,
        rivalOrganisations: aList(AShortText, 10_000),
        binding: z.enum(["seats", "clique", "clique-room", "stops", "organisations"]),
      })
      .meta({ id: "PlanBounds" }),
    aircraft: aList(AAircraftPlan, 200),
    /** Aircraft id of each person (absent when unplaced). */
    assignment: z.record(APlannerId, APlannerId).meta({ maxProperties: 10_000 }),
    unassigned: ids,
    obstacles: aList(
      z
        .strictObject({
          kind: z.enum([
            "seats",
            "rivals",
            "keep-apart",
            "stops",
            "person-too-large",
            "no-aircraft-at-staging",
            "range",
            "search",
          ]),
          message: AText,
          people: ids.optional(),
          aircraft: ids.optional(),
          needed: ACount.optional(),
          available: ACount.optional(),
        })
        .meta({ id: "Obstacle" }),
      1000,
    ),
    suggestions: aList(
      z
        .discriminatedUnion("kind", [
          z.strictObject({
            kind: z.literal("add-aircraft"),
            count: ACount,
            seats: ACount,
            maxStops: ACount,
            staging: AAirportCode,
            message: AText,
          }),
          z.strictObject({ kind: z.literal("separate-operation"), people: ids, message: AText }),
        ])
        .meta({ id: "Suggestion" }),
      100,
    ),
  })
  .meta({ id: "Plan" });

export const AViolation = z
  .strictObject({
    rule: z.enum([
      "unassigned",
      "duplicate",
      "unknown-person",
      "unknown-aircraft",
      "capacity",
      "rivals",
      "keep-apart",
      "stops",
      "route",
      "staging",
      "range",
    ]),
    message: AText,
    aircraftId: APlannerId.optional(),
    people: ids.optional(),
  })
  .meta({ id: "Violation", description: "A rule a plan breaks" });

/** A person whose aircraft a re-plan changed (`to: null`: taken off). */
export const APersonMove = z
  .strictObject({ personId: APlannerId, from: APlannerId.nullable(), to: APlannerId.nullable() })
  .meta({ id: "PersonMove" });

/** A stored plan of an operation: what the plan answers below extend (not itself an answer). */
export const AOperationPlan = z.strictObject({
  planId: AUuid,
  operationId: AUuid,
  status: z.enum(planStatuses),
  version: AInt,
  seed: AInt,
  plan: APlan,
});

/** A stored plan (`GET /api/operations/{id}/plan`), a plan searched for or drawn by hand, or edited by a move, with every rule it breaks. */
export const ACheckedPlan = AOperationPlan.extend({ violations: aList(AViolation, 10_000) }).meta({
  id: "CheckedPlan",
});

/** A re-plan after a change to the fleet, with the people it moves. */
export const AReplan = AOperationPlan.extend({ moves: aList(APersonMove, 10_000) }).meta({ id: "Replan" });

/** A plan stored with a change, as the change's answer tells it. */
const AStoredPlan = z.strictObject({
  planId: AUuid,
  status: z.enum(planStatuses),
  version: AInt,
  plan: APlan,
});

/** A person listed on or taken off an operation: the operation, the listing, the new draft plan and its moves. */
export const AListChange = z
  .strictObject({
    operation: AOperation,
    listing: AOperationPerson,
    /** A person on board leaves with their case's step: the case after it (null when not on board). Removal only. */
    case: ACase.nullable().optional(),
    /** The re-plan, stored as a draft (null when there was no plan to start from). */
    plan: AStoredPlan.nullable(),
    moves: aList(APersonMove, 10_000),
  })
  .meta({ id: "OperationListChange" });

export const AAdoptedPlan = z
  .strictObject({ operation: AOperation, plan: AStoredPlan })
  .meta({ id: "AdoptedPlan" });

/** The operation after a move, with the cases that moved with it. */
export const AOperationMoved = AOperation.extend({ cases: aList(ACaseVersion, 10_000) }).meta({
  id: "OperationMoved",
});

export const ARelease = rowSchema(releases, {
  toParty: AParty,
  operationCode: aText(40),
  stagingAirport: AAirportCode,
  status: AStatus,
  people: aList(
    z.strictObject({
      personId: AUuid,
      name: aText(401),
      destination: AAirportCode,
      aircraft: AShortText.nullable(),
      seat: aText(10).nullable(),
    }),
    2000,
  ),
}).meta({ id: "Release" });
export const AReleasePage = pageSchema(ARelease, "ReleasePage");

export const APlace = rowSchema(places, {
  code: aText(10),
  kind: z.enum(["airport", "prison"]),
  name: AShortText,
}).meta({ id: "Place" });
export const APlacePage = pageSchema(APlace, "PlacePage");

export const AAdministration = rowSchema(administrations, { name: AShortText }).meta({
  id: "Administration",
});
export const AAdministrationPage = pageSchema(AAdministration, "AdministrationPage");
