/**
 * The planner's input and output, as plain data. `ZPlanInput` validates operation data (the API uses it
 * beside its route; the CLI uses it on `--input`); `Plan` is what gets stored as a draft.
 */
import { z } from "zod";

export const ZAirport = z.object({
  code: z.string().min(1),
  name: z.string().optional(),
  lat: z.number().min(-90).max(90),
  lon: z.number().min(-180).max(180),
});
export type Airport = z.infer<typeof ZAirport>;

export const ZOrganisation = z.object({
  name: z.string().min(1),
  /** A cell inside a cartel inherits its parent's rivalries. */
  parent: z.string().optional(),
  /** Organisations whose members must never share an aircraft with this one's (symmetric). */
  rivals: z.array(z.string()).default([]),
});
export type Organisation = z.infer<typeof ZOrganisation>;

export const ZPlanPerson = z.object({
  id: z.string().min(1),
  name: z.string().optional(),
  organisation: z.string().optional(),
  /** Destination airport code, where the person leaves the aircraft. */
  destination: z.string().min(1),
  /** Staging airport the person boards at (needed only with several staging airports). */
  staging: z.string().optional(),
  /** Origin facility, shown on the manifest. */
  origin: z.string().optional(),
  highRisk: z.boolean().default(false),
  riskFlags: z.array(z.string()).default([]),
  /** People this person must never share an aircraft with (symmetric). */
  keepApartFrom: z.array(z.string()).default([]),
});
export type PlanPerson = z.infer<typeof ZPlanPerson>;

/** A person as a message names them: by name where the input gives one (the API's does), else by id. */
export const personLabel = (p: Pick<PlanPerson, "id" | "name">): string => p.name ?? p.id;

export const ZAircraft = z.object({
  id: z.string().min(1),
  name: z.string().optional(),
  /** Seats for people and guards together. */
  seats: z.number().int().positive(),
  /** Most destination stops on its route (K). */
  maxStops: z.number().int().positive(),
  /** Longest leg it can fly, in km. */
  rangeKm: z.number().positive().optional(),
  /** Staging airport it departs from (defaults to the first staging airport). */
  staging: z.string().optional(),
});
export type Aircraft = z.infer<typeof ZAircraft>;

export const ZGuardRule = z.object({
  perPerson: z.number().int().min(0).default(1),
  perHighRisk: z.number().int().min(0).default(2),
  /** Risk flags that make a person high-risk (besides `highRisk: true`). */
  highRiskFlags: z.array(z.string()).default(["escape-risk", "violent"]),
});
export type GuardRule = z.infer<typeof ZGuardRule>;

export const ZPlanInput = z
  .object({
    operation: z.string().optional(),
    staging: z.array(z.string().min(1)).min(1),
    airports: z.array(ZAirport).min(1),
    organisations: z.array(ZOrganisation).default([]),
    people: z.array(ZPlanPerson),
    fleet: z.array(ZAircraft),
    guards: ZGuardRule.default({ perPerson: 1, perHighRisk: 2, highRiskFlags: ["escape-risk", "violent"] }),
  })
  .superRefine((v, ctx) => {
    const airports = new Set(v.airports.map((a) => a.code));
    const orgs = new Set(v.organisations.map((o) => o.name));
    const ids = new Set<string>();
    const issue = (path: (string | number)[], message: string) =>
      ctx.addIssue({ code: "custom", path, message });
    v.staging.forEach((s, k) => {
      if (!airports.has(s)) issue(["staging", k], `unknown airport ${s}`);
    });
    v.organisations.forEach((o, k) => {
      if (o.parent && !orgs.has(o.parent))
        issue(["organisations", k, "parent"], `unknown organisation ${o.parent}`);
      o.rivals.forEach((r, j) => {
        if (!orgs.has(r)) issue(["organisations", k, "rivals", j], `unknown organisation ${r}`);
      });
    });
    v.people.forEach((p, k) => {
      if (ids.has(p.id)) issue(["people", k, "id"], `duplicate person ${p.id}`);
      ids.add(p.id);
      if (!airports.has(p.destination))
        issue(["people", k, "destination"], `unknown airport ${p.destination}`);
      if (p.staging && !v.staging.includes(p.staging))
        issue(["people", k, "staging"], `not a staging airport: ${p.staging}`);
      if (p.organisation && !orgs.has(p.organisation))
        issue(["people", k, "organisation"], `unknown organisation ${p.organisation}`);
    });
    v.people.forEach((p, k) => {
      p.keepApartFrom.forEach((q, j) => {
        if (!ids.has(q)) issue(["people", k, "keepApartFrom", j], `unknown person ${q}`);
      });
    });
    const fleetIds = new Set<string>();
    v.fleet.forEach((a, k) => {
      if (fleetIds.has(a.id)) issue(["fleet", k, "id"], `duplicate aircraft ${a.id}`);
      fleetIds.add(a.id);
      if (a.staging && !v.staging.includes(a.staging))
        issue(["fleet", k, "staging"], `not a staging airport: ${a.staging}`);
    });
  });
/** Operation data as written (defaults optional). */
export type PlanInputData = z.input<typeof ZPlanInput>;
/** Operation data after validation (defaults filled). */
export type PlanInput = z.output<typeof ZPlanInput>;

export interface PlanOptions {
  /** Search time limit in milliseconds (default 1000). The plan returns as soon as it is proven optimal. */
  timeLimitMs?: number;
  /** Random seed (default 1): same seed, same input, same plan — unless the time limit cuts the search. */
  seed?: number;
  /** Cap on search iterations, for runs that must be reproducible whatever the machine. */
  maxIterations?: number;
  /** Clock used for the time limit and `elapsedMs` (default `performance.now`). */
  clock?: () => number;
  /** Look for the smallest change that makes an infeasible operation feasible (default true). */
  suggestChanges?: boolean;
}

export interface Leg {
  from: string;
  to: string;
  distanceKm: number;
}

export interface ManifestEntry {
  /** Seat of the person; the guards sit in the seats listed in `guardSeats`. */
  seat: number;
  guardSeats: number[];
  personId: string;
  name?: string;
  organisation?: string;
  highRisk: boolean;
  riskFlags: string[];
  guards: number;
  /** Airport where the person leaves the aircraft, and which stop that is (1 = first). */
  leavesAt: string;
  stop: number;
}

export interface AircraftPlan {
  aircraftId: string;
  name?: string;
  staging: string;
  seats: number;
  seatsUsed: number;
  people: number;
  guards: number;
  /** Airports in flying order, staging first. */
  route: string[];
  legs: Leg[];
  distanceKm: number;
  manifest: ManifestEntry[];
}

export type ObstacleKind =
  | "seats"
  | "rivals"
  | "keep-apart"
  | "stops"
  | "person-too-large"
  | "no-aircraft-at-staging"
  | "range"
  | "search";

export interface Obstacle {
  kind: ObstacleKind;
  message: string;
  people?: string[];
  aircraft?: string[];
  /** Aircraft needed by this obstacle alone, against those available. */
  needed?: number;
  available?: number;
}

export type Suggestion =
  | { kind: "add-aircraft"; count: number; seats: number; maxStops: number; staging: string; message: string }
  | { kind: "separate-operation"; people: string[]; message: string };

export interface PlanBounds {
  seats: number;
  clique: number;
  cliqueRoom: number;
  stops: number;
  organisations: number;
  best: number;
  /** People who pairwise cannot share an aircraft (the clique behind `clique`). */
  cliquePeople: string[];
  /** Mutually rival organisations behind `organisations`. */
  rivalOrganisations: string[];
  binding: "seats" | "clique" | "clique-room" | "stops" | "organisations";
}

export interface Plan {
  operation?: string;
  /**
   * `planned`: every person has a seat, every rule holds. `infeasible`: proven impossible (see `obstacles`).
   * `no-plan-found`: none found in time, none ruled out. `rules-broken`: a hand edit broke rules (`checkPlan`).
   */
  status: "planned" | "infeasible" | "no-plan-found" | "rules-broken";
  aircraftUsed: number;
  lowerBound: number;
  provenOptimal: boolean;
  distanceKm: number;
  elapsedMs: number;
  seed: number;
  bounds: PlanBounds;
  aircraft: AircraftPlan[];
  /** Aircraft id of each person (absent when unplaced). */
  assignment: Record<string, string>;
  unassigned: string[];
  obstacles: Obstacle[];
  suggestions: Suggestion[];
}

export type PlanChange =
  | { kind: "remove-person"; personId: string; reason?: string }
  | { kind: "aircraft-unavailable"; aircraftId: string; reason?: string }
  | { kind: "add-person"; person: z.input<typeof ZPlanPerson> };

export interface PersonMove {
  personId: string;
  from: string | null;
  to: string | null;
}

export interface ReplanResult {
  plan: Plan;
  /** The operation with the change applied (what the new plan is for). */
  input: PlanInput;
  /** People whose aircraft changed (a removed person is listed with `to: null`). */
  moves: PersonMove[];
}

export type ViolationRule =
  | "unassigned"
  | "duplicate"
  | "unknown-person"
  | "unknown-aircraft"
  | "capacity"
  | "rivals"
  | "keep-apart"
  | "stops"
  | "route"
  | "staging"
  | "range";

export interface Violation {
  rule: ViolationRule;
  message: string;
  aircraftId?: string;
  people?: string[];
}
