/**
 * Printable manifests per aircraft (seat, person, organisation, risk, guards, stop where they leave), as
 * plain text. The PDF (manifest-pdf.ts) prints the same lines.
 */
import { z } from "zod";
import type { AircraftPlan, Plan } from "./model.ts";

/** What an operation file may say for the printed summary, besides what the planner reads. */
export const ZManifestFacts = z.object({
  date: z.iso.date().optional(),
  legalBasis: z.string().min(1).optional(),
  receivingState: z.string().min(1).optional(),
});
export type ManifestFacts = z.infer<typeof ZManifestFacts>;

export const km = (x: number) => `${Math.round(x).toLocaleString("en-US")} km`;

/** A column of width `n`: cut short with "…" when longer, always followed by a space before the next. */
function pad(s: string, n: number): string {
  return s.length >= n ? `${s.slice(0, n - 2)}… ` : s.padEnd(n);
}

/**
 * The API's aircraft and people are known by record ids (UUIDs), which mean nothing on paper: an aircraft
 * is printed by its callsign and a person by the last 8 characters of the id (the random part: the first
 * ones of ids created together are alike). An operation file's ids are already short ("FAM-1", "P01").
 */
export const recordId = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const aircraftLabel = (a: AircraftPlan) =>
  recordId.test(a.aircraftId)
    ? (a.name ?? a.aircraftId)
    : a.name && a.name !== a.aircraftId
      ? `${a.aircraftId} (${a.name})`
      : a.aircraftId;
export const personRef = (id: string) => (recordId.test(id) ? id.slice(-8) : id);

/** The plan in two lines: its status and size, then its people and guards (and who has no seat). */
export function planSummary(plan: Plan): { plan: string; people: string } {
  const people = plan.aircraft.reduce((s, a) => s + a.people, 0);
  const guards = plan.aircraft.reduce((s, a) => s + a.guards, 0);
  const optimal = plan.provenOptimal
    ? `proven optimal: no plan can use fewer than ${plan.lowerBound}`
    : `lower bound ${plan.lowerBound}`;
  return {
    plan: `${plan.status} · ${plan.aircraftUsed} aircraft (${optimal}) · ${km(plan.distanceKm)} flown`,
    people: `${people} people, ${guards} guards${plan.unassigned.length ? ` · WITHOUT A SEAT: ${plan.unassigned.join(", ")}` : ""}`,
  };
}

function headline(plan: Plan): string[] {
  const summary = planSummary(plan);
  return [
    `OPERATION ${plan.operation ?? "(no code)"} — TRANSFER PLAN`,
    `Status: ${summary.plan}`,
    summary.people,
  ];
}

/** The route with each leg's distance: "TLC → SAT (1,139 km) → IAD (2,189 km)". */
export function routeLine(a: AircraftPlan): string {
  const parts = [a.route[0] ?? a.staging];
  for (const leg of a.legs) parts.push(`${leg.to} (${km(leg.distanceKm)})`);
  return parts.join(" → ");
}

export function riskOf(m: AircraftPlan["manifest"][number]): string {
  if (m.riskFlags.length > 0) return m.riskFlags.join(",");
  return m.highRisk ? "high" : "-";
}

/** A readable manifest per aircraft with its route. */
export function manifestText(plan: Plan): string {
  const lines = headline(plan);
  for (const a of plan.aircraft) {
    lines.push("");
    lines.push(
      `AIRCRAFT ${aircraftLabel(a)} · ${a.seatsUsed}/${a.seats} seats · ${a.people} people, ${a.guards} guards`,
    );
    lines.push(`Route: ${routeLine(a)} · total ${km(a.distanceKm)}`);
    lines.push(
      `  ${pad("Seat", 5)}${pad("Person", 10)}${pad("Name", 32)}${pad("Organisation", 16)}${pad("Risk", 14)}${pad("Guards (seats)", 16)}Leaves at`,
    );
    for (const m of a.manifest) {
      const guards = m.guards ? `${m.guards} (${m.guardSeats.join(", ")})` : "0";
      lines.push(
        `  ${pad(String(m.seat), 5)}${pad(personRef(m.personId), 10)}${pad(m.name ?? "", 32)}${pad(m.organisation ?? "-", 16)}${pad(riskOf(m), 14)}${pad(guards, 16)}${m.leavesAt} (stop ${m.stop})`,
      );
    }
  }
  if (plan.obstacles.length) {
    lines.push("", "WHY NO COMPLETE PLAN:");
    for (const o of plan.obstacles) lines.push(`  - ${o.message}`);
  }
  if (plan.suggestions.length) {
    lines.push("", "SMALLEST CHANGES FOUND:");
    for (const s of plan.suggestions) lines.push(`  - ${s.message}`);
  }
  return `${lines.join("\n")}\n`;
}
