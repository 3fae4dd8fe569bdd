import { z } from "zod";
import { ZAirport, ZDay, ZPageQuery, ZParty, ZShort, ZText, ZUuid } from "../http/schemas.ts";

export const operationStatuses = ["planning", "ready", "in-transit", "completed", "cancelled"] as const;

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
      .regex(/^[A-Z0-9][A-Z0-9-]{1,39}$/, "must be 2–40 capitals, digits or dashes"),
    legalBasis: ZShort,
    operationDate: ZDay,
    stagingAirport: ZAirport,
    receivingState: ZParty,
    administrationId: ZUuid.optional(),
    status: z.enum(operationStatuses).default("planning"),
    notes: ZText.optional(),
    aircraft: z.array(ZAircraftInput).max(200).default([]),
    people: z
      .array(
        z.strictObject({
          personId: ZUuid,
          caseId: ZUuid.optional(),
          destinationAirport: ZAirport,
          chargingDistrict: ZShort.optional(),
          /** Other people of this operation who must never share an aircraft with this one. */
          keepApartFrom: z.array(ZUuid).max(100).default([]),
        }),
      )
      .max(2000)
      .default([]),
    /** Legs already flown or fixed (historical operations); otherwise the planner proposes them. */
    legs: z
      .array(
        z.strictObject({ aircraft: ZShort, sequence: z.number().int().min(1), from: ZAirport, to: ZAirport }),
      )
      .default([]),
  })
  .superRefine((o, ctx) => {
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
    const callsigns = new Set(o.aircraft.map((a) => a.callsign));
    o.legs.forEach((l, i) => {
      if (!callsigns.has(l.aircraft))
        ctx.addIssue({
          code: "custom",
          path: ["legs", i, "aircraft"],
          message: "must be the callsign of one of aircraft",
        });
    });
  });
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
  caseId: ZUuid.optional(),
  place: ZAirport,
  occurredAt: z.iso.datetime({ offset: true }),
  dispatchingOfficer: ZShort,
  dispatchingAgency: ZShort,
  receivingOfficer: ZShort,
  receivingAgency: ZShort,
  condition: ZText,
  documents: z.array(ZShort).max(50).default([]),
});
export type CreateHandover = z.infer<typeof ZCreateHandover>;

export const ZListHandovers = ZPageQuery.extend({
  operationId: ZUuid.optional(),
  personId: ZUuid.optional(),
  place: ZAirport.optional(),
});
export type ListHandovers = z.infer<typeof ZListHandovers>;

export const ZCreatePlace = z.strictObject({
  code: z.string().regex(/^[A-Z0-9]{3,8}$/, "must be 3–8 capitals or digits (IATA code for airports)"),
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
});
export type OperationStatusChange = z.infer<typeof ZOperationStatusChange>;

/** The order an operation moves in; cancelled is reachable until it has flown. */
export const operationStatusMoves: Record<
  (typeof operationStatuses)[number],
  readonly (typeof operationStatuses)[number][]
> = {
  planning: ["ready", "cancelled"],
  ready: ["planning", "in-transit", "cancelled"],
  "in-transit": ["completed"],
  completed: [],
  cancelled: [],
};
