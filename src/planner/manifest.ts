/**
 * Printable manifests per aircraft (seat, person, organisation, risk, guards, stop where they leave),
 * as plain text and as PDF. Rendering only: the PDF is built in memory and returned as bytes.
 */
import PDFDocument from "pdfkit";
import type { AircraftPlan, Plan } from "./model.ts";

const km = (x: number) => `${Math.round(x).toLocaleString("en-US")} km`;

function pad(s: string, n: number): string {
  return s.length >= n ? `${s.slice(0, n - 1)}…` : s.padEnd(n);
}

function headline(plan: Plan): string[] {
  const people = plan.aircraft.reduce((s, a) => s + a.people, 0);
  const guards = plan.aircraft.reduce((s, a) => s + a.guards, 0);
  const optimal = plan.provenOptimal
    ? `proven optimal: no plan can use fewer than ${plan.lowerBound}`
    : `lower bound ${plan.lowerBound}`;
  return [
    `OPERATION ${plan.operation ?? "(no code)"} — TRANSFER PLAN`,
    `Status: ${plan.status} · ${plan.aircraftUsed} aircraft (${optimal}) · ${km(plan.distanceKm)} flown`,
    `${people} people, ${guards} guards${plan.unassigned.length ? ` · WITHOUT A SEAT: ${plan.unassigned.join(", ")}` : ""}`,
  ];
}

function routeLine(a: AircraftPlan): string {
  const parts = [a.route[0] ?? a.staging];
  for (const leg of a.legs) parts.push(`${leg.to} (${km(leg.distanceKm)})`);
  return parts.join(" → ");
}

function riskOf(m: AircraftPlan["manifest"][number]): string {
  if (m.riskFlags.length > 0) return m.riskFlags.join(",");
  return m.highRisk ? "high" : "-";
}

/** A readable manifest per aircraft with its route. */
export function manifestText(plan: Plan): string {
  const lines = headline(plan);
  for (const a of plan.aircraft) {
    lines.push("");
    lines.push(
      `AIRCRAFT ${a.aircraftId}${a.name ? ` (${a.name})` : ""} · ${a.seatsUsed}/${a.seats} seats · ${a.people} people, ${a.guards} guards`,
    );
    lines.push(`Route: ${routeLine(a)} · total ${km(a.distanceKm)}`);
    lines.push(
      `  ${pad("Seat", 5)}${pad("Person", 8)}${pad("Name", 32)}${pad("Organisation", 16)}${pad("Risk", 14)}${pad("Guards (seats)", 16)}Leaves at`,
    );
    for (const m of a.manifest) {
      const guards = m.guards ? `${m.guards} (${m.guardSeats.join(", ")})` : "0";
      lines.push(
        `  ${pad(String(m.seat), 5)}${pad(m.personId, 8)}${pad(m.name ?? "", 32)}${pad(m.organisation ?? "-", 16)}${pad(riskOf(m), 14)}${pad(guards, 16)}${m.leavesAt} (stop ${m.stop})`,
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

/** The manifests as a PDF document (one page per aircraft), as bytes. */
export function manifestPdf(plan: Plan): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({
      size: "A4",
      layout: "landscape",
      margin: 36,
      info: { Title: `Manifest ${plan.operation ?? ""}` },
    });
    const chunks: Buffer[] = [];
    doc.on("data", (c: Buffer) => chunks.push(c));
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
    doc.font("Helvetica-Bold").fontSize(14).text(headline(plan)[0]!);
    doc.font("Helvetica").fontSize(10);
    for (const l of headline(plan).slice(1)) doc.text(l);
    for (const o of plan.obstacles) doc.text(`Why no complete plan: ${o.message}`);
    for (const s of plan.suggestions) doc.text(`Change: ${s.message}`);
    const cols = [36, 76, 126, 316, 426, 526, 646];
    for (const a of plan.aircraft) {
      doc.addPage();
      doc
        .font("Helvetica-Bold")
        .fontSize(13)
        .text(`Aircraft ${a.aircraftId}${a.name ? ` (${a.name})` : ""}`, 36, 36);
      doc.font("Helvetica").fontSize(10);
      doc.text(
        `${a.seatsUsed}/${a.seats} seats · ${a.people} people, ${a.guards} guards · operation ${plan.operation ?? ""}`,
      );
      doc.text(`Route: ${routeLine(a)} · total ${km(a.distanceKm)}`);
      let y = doc.y + 12;
      const row = (cells: string[], bold = false) => {
        doc.font(bold ? "Helvetica-Bold" : "Helvetica").fontSize(9);
        cells.forEach((t, k) => {
          doc.text(t, cols[k]!, y, { width: (cols[k + 1] ?? 800) - cols[k]! - 6, lineBreak: false });
        });
        y += 16;
        if (y > 540) {
          doc.addPage();
          y = 36;
        }
      };
      row(["Seat", "Person", "Name", "Organisation", "Risk", "Guards (seats)", "Leaves at"], true);
      for (const m of a.manifest)
        row([
          String(m.seat),
          m.personId,
          m.name ?? "",
          m.organisation ?? "-",
          riskOf(m),
          m.guards ? `${m.guards} (${m.guardSeats.join(", ")})` : "0",
          `${m.leavesAt} (stop ${m.stop})`,
        ]);
      y += 24;
      doc
        .font("Helvetica")
        .fontSize(9)
        .text(
          "Dispatching officer: ______________________   Receiving officer: ______________________",
          36,
          y,
        );
    }
    doc.end();
  });
}
