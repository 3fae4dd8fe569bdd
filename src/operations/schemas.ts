import { z } from "zod";
import { crossCheck, crossChecked } from "../http/cross-check.ts";
import { ZAirport, ZDay, ZOccurredAt, ZPageQuery, ZParty, ZShort, ZText, ZUuid } from "../http/schemas.ts";
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
