/**
 * The board's data from the API's answers: the operation (fleet, people listed), its current plan (who is
 * on which aircraft, each person's guards and organisation as the planner counted them), the organisations
 * (parents and rivals) and the airports. The rule check (`rules.ts`) runs over it.
 */
import type { Answer } from "../../api/client.ts";
import type { Board, BoardOrganisation, BoardPerson } from "./rules.ts";

export type OperationFile = Answer<"/api/operations/{id}", "get">;
export type PlanAnswer = Answer<"/api/operations/{id}/plan", "get">;
export type Plan = PlanAnswer["plan"];
export type AircraftPlan = Plan["aircraft"][number];
export type ManifestEntry = AircraftPlan["manifest"][number];
export type Organisations = Answer<"/api/organisations", "get">["items"];
export type Places = Answer<"/api/places", "get">["items"];

/** The operations a planner may still plan: not flown, not cancelled. */
export const plannable = ["planning", "planned", "ready"];

/** Risk flags that make a person high-risk, and the guard rule, as the server plans by default. */
const highRiskFlags = ["escape-risk", "violent"];

/**
 * Guards of a person the plan left without a seat: the plan's own rule, read off the people it seated
 * (a plan may be made with other guard numbers than the default 1, and 2 for a high-risk person).
 */
function guardRule(plan: Plan | undefined) {
  const entries = plan?.aircraft.flatMap((a) => a.manifest) ?? [];
  return {
    perPerson: entries.find((m) => !m.highRisk)?.guards ?? 1,
    perHighRisk: entries.find((m) => m.highRisk)?.guards ?? 2,
  };
}

export function organisationsOf(items: Organisations): BoardOrganisation[] {
  const name = new Map(items.map((o) => [o.id, o.name]));
  return items.map((o) => {
    const parent = o.parentId ? name.get(o.parentId) : undefined;
    return {
      name: o.name,
      ...(parent ? { parent } : {}),
      rivals: o.rivalIds.flatMap((id) => name.get(id) ?? []),
    };
  });
}

export function airportsOf(items: Places) {
  return new Map(
    items.flatMap((a) =>
      a.lat != null && a.lon != null
        ? ([[a.code, { code: a.code, name: a.name, lat: a.lat, lon: a.lon }]] as const)
        : [],
    ),
  );
}

export function buildBoard(
  op: OperationFile,
  plan: Plan | undefined,
  organisations: BoardOrganisation[],
  airports: ReturnType<typeof airportsOf>,
): Board {
  const entries = new Map<string, ManifestEntry>();
  for (const a of plan?.aircraft ?? []) for (const m of a.manifest) entries.set(m.personId, m);
  const rule = guardRule(plan);
  const people: BoardPerson[] = op.people
    .filter((p) => !p.removedAt)
    .map((p) => {
      const m = entries.get(p.personId);
      const high = m?.highRisk ?? p.riskFlags.some((f) => highRiskFlags.includes(f));
      return {
        id: p.personId,
        name: p.name,
        ...(m?.organisation ? { organisation: m.organisation } : {}),
        destination: p.destinationAirport,
        guards: m?.guards ?? (high ? rule.perHighRisk : rule.perPerson),
        keepApartFrom: p.keepApartFrom,
      };
    });
  return {
    people,
    fleet: op.aircraft.map((a) => ({
      id: a.id,
      callsign: a.callsign,
      seats: a.seats,
      maxStops: a.maxStops,
      ...(a.rangeKm ? { rangeKm: a.rangeKm } : {}),
      staging: a.stagingAirport,
    })),
    airports,
    organisations,
  };
}

/** One colour per aircraft, the same on the map and on its column. */
export const aircraftColors = [
  "teal",
  "blue",
  "grape",
  "orange",
  "red",
  "indigo",
  "lime",
  "cyan",
  "pink",
  "yellow",
];
export const colorOf = (index: number) =>
  `var(--mantine-color-${aircraftColors[index % aircraftColors.length]}-8)`;
