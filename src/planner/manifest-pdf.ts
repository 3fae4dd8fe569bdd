/**
 * The printed manifests, as a PDF a crew can carry. Page 1 is the operation's summary: its facts, each
 * aircraft with its route, seats and guards, each destination with its people and guards, the totals and
 * the route map. Then a page (or more) per aircraft: its route and stops, its manifest, and a signature
 * block (captain, escort lead, a receiving officer at each stop).
 *
 * Text is set in DejaVu Sans, embedded from the dejavu-fonts-ttf package (PDFKit keeps only the glyphs
 * used): the PDF standard fonts are not Unicode, and printed each route's "→" as "!'". Built in memory
 * and returned as bytes; what the caller knows of the operation (its record, or an operation file) and the
 * time of printing come in as arguments.
 */
import PDFDocument from "pdfkit";
import {
  aircraftLabel,
  km,
  type ManifestFacts,
  personRef,
  planSummary,
  recordId,
  riskOf,
  routeLine,
} from "./manifest.ts";
import type { AircraftPlan, Airport, Plan } from "./model.ts";
import { packageFile } from "./package-file.ts";
import { drawRouteMap, routeColour } from "./route-map.ts";

export interface ManifestPrint {
  /** The airports of the plan's input: their names for the tables, their coordinates for the map. */
  airports: Airport[];
  /** The operation's facts, as far as the caller knows them; what is absent is left out. */
  operation?: ManifestFacts & { code?: string; stagingAirport?: string };
  /** A draft is marked as such on every page: its seats and routes may still change. */
  planStatus?: "adopted" | "draft";
  printedAt?: Date;
}

let fonts: { body: Buffer; bold: Buffer } | undefined;
function loadFonts() {
  fonts ??= {
    body: packageFile("dejavu-fonts-ttf/ttf/DejaVuSans.ttf"),
    bold: packageFile("dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf"),
  };
  return fonts;
}

// A4 landscape, in points.
const M = 36;
const W = 841.89;
const H = 595.28;
/** The lowest a line of content may reach: below it are the footer's page number and the operation. */
const BOTTOM = H - 44;
const ink = "#1a1a1a";
const muted = "#5a5a5a";
const rule = "#b8b8b8";

/** The callsign alone, for lists. */
const callsign = (a: AircraftPlan) => (recordId.test(a.aircraftId) ? (a.name ?? a.aircraftId) : a.aircraftId);
const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
/** The route as airports only: "TLC → SAT → IAD". */
const shortRoute = (a: AircraftPlan) => a.route.join(" → ");

interface Column {
  title: string;
  width: number;
  align?: "left" | "right";
}

interface Row {
  cells: string[];
  /** A colour swatch before the first cell (the aircraft's colour on the map). */
  swatch?: string;
  bold?: boolean;
}

/**
 * A table from `doc.y` down, each row as tall as its longest cell wraps to; past the bottom it goes on at
 * the top of a new page, under its header again.
 */
function table(doc: PDFKit.PDFDocument, x: number, columns: Column[], rows: Row[], size = 8.5) {
  const pad = 3;
  const width = columns.reduce((s, c) => s + c.width, 0);
  let y = doc.y;
  const cellWidth = (k: number, swatch: boolean) => columns[k]!.width - 2 * pad - (swatch ? 11 : 0);
  const draw = (row: Row, header: boolean) => {
    doc.font(header || row.bold ? "Bold" : "Body").fontSize(size);
    const h =
      Math.max(
        ...row.cells.map((t, k) =>
          doc.heightOfString(t || " ", { width: cellWidth(k, k === 0 && !!row.swatch) }),
        ),
      ) +
      2 * pad;
    if (y + h > BOTTOM) {
      doc.addPage();
      y = M;
      if (!header) draw({ cells: columns.map((c) => c.title) }, true);
      doc.font(row.bold ? "Bold" : "Body").fontSize(size);
    }
    let cx = x;
    row.cells.forEach((t, k) => {
      let tx = cx + pad;
      if (k === 0 && row.swatch) {
        doc.rect(tx, y + pad + 1, 8, 8).fill(row.swatch);
        tx += 11;
      }
      doc.fillColor(header ? muted : ink).text(t, tx, y + pad, {
        width: cellWidth(k, k === 0 && !!row.swatch),
        align: columns[k]!.align ?? "left",
      });
      cx += columns[k]!.width;
    });
    y += h;
    doc
      .moveTo(x, y)
      .lineTo(x + width, y)
      .lineWidth(header ? 0.8 : 0.3)
      .stroke(header ? muted : rule);
  };
  draw({ cells: columns.map((c) => c.title) }, true);
  for (const r of rows) draw(r, false);
  doc.x = x;
  doc.y = y + 10;
}

function heading(doc: PDFKit.PDFDocument, text: string, x: number, width: number) {
  if (doc.y + 40 > BOTTOM) doc.addPage();
  doc.font("Bold").fontSize(11).fillColor(ink).text(text, x, doc.y, { width });
  doc.moveDown(0.25);
}

interface Destination {
  code: string;
  people: number;
  guards: number;
  aircraft: string[];
}

/** People and guards leaving at each destination, in the order the aircraft reach them. */
function destinations(plan: Plan): Destination[] {
  const by = new Map<string, Destination>();
  for (const a of plan.aircraft)
    for (const m of a.manifest) {
      const d = by.get(m.leavesAt) ?? { code: m.leavesAt, people: 0, guards: 0, aircraft: [] };
      d.people += 1;
      d.guards += m.guards;
      if (!d.aircraft.includes(callsign(a))) d.aircraft.push(callsign(a));
      by.set(m.leavesAt, d);
    }
  return [...by.values()];
}

function summaryPage(
  doc: PDFKit.PDFDocument,
  plan: Plan,
  print: ManifestPrint,
  place: (code: string) => string,
) {
  const op = print.operation ?? {};
  const leftWidth = 410;
  doc
    .font("Bold")
    .fontSize(16)
    .fillColor(ink)
    .text(`Operation ${op.code ?? plan.operation ?? "(no code)"}: transfer manifests`, M, M, {
      width: W - 2 * M,
    });
  if (print.planStatus === "draft")
    doc
      .font("Bold")
      .fontSize(10)
      .fillColor("#b00020")
      .text("DRAFT PLAN, NOT ADOPTED: seats and routes may still change");
  doc.moveDown(0.5);
  const top = doc.y;
  const staging = [...new Set([op.stagingAirport, ...plan.aircraft.map((a) => a.staging)])].flatMap((c) =>
    c ? [place(c)] : [],
  );
  const facts: [string, string | undefined][] = [
    ["Date", op.date],
    ["Legal basis", op.legalBasis],
    [staging.length > 1 ? "Staging airports" : "Staging airport", staging.join("; ")],
    ["Receiving state", op.receivingState],
    ["Plan", planSummary(plan).plan],
    ["People", planSummary(plan).people],
  ];
  for (const [k, v] of facts) {
    if (!v) continue;
    const y = doc.y;
    doc.font("Bold").fontSize(9).fillColor(muted).text(k, M, y, { width: 95 });
    doc
      .font("Body")
      .fillColor(ink)
      .text(v, M + 95, y, { width: leftWidth - 95 });
    doc.moveDown(0.15);
  }
  doc.moveDown(0.8);

  const tablesTop = doc.y;
  const mapBox = { x: M + leftWidth + 20, y: top, width: W - M - (M + leftWidth + 20), height: 270 };
  if (print.airports.length) {
    drawRouteMap(doc, mapBox, { airports: print.airports, aircraft: plan.aircraft });
    doc
      .font("Body")
      .fontSize(7)
      .fillColor(muted)
      .text(
        "Each aircraft's route in its colour in the table; the line is wider the more people are on board on that leg. Square: staging airport; dot: destination, with the people leaving there. Map data: Natural Earth (world-atlas), US Census Bureau (us-atlas).",
        mapBox.x,
        mapBox.y + mapBox.height + 4,
        { width: mapBox.width },
      );
    doc.y = tablesTop;
  }

  heading(doc, "Aircraft", M, leftWidth);
  table(
    doc,
    M,
    [
      { title: "Aircraft", width: 95 },
      { title: "Route", width: 165 },
      { title: "Seats", width: 50, align: "right" },
      { title: "People", width: 50, align: "right" },
      { title: "Guards", width: 50, align: "right" },
    ],
    plan.aircraft.map((a, i) => ({
      swatch: routeColour(i),
      cells: [
        aircraftLabel(a),
        shortRoute(a),
        `${a.seatsUsed}/${a.seats}`,
        String(a.people),
        String(a.guards),
      ],
    })),
  );
  const dests = destinations(plan);
  heading(doc, "People and guards per destination", M, leftWidth);
  const total = (f: (d: Destination) => number) => String(dests.reduce((s, d) => s + f(d), 0));
  table(
    doc,
    M,
    [
      { title: "Destination", width: 170 },
      { title: "People", width: 45, align: "right" },
      { title: "Guards", width: 45, align: "right" },
      { title: "Aircraft", width: 150 },
    ],
    [
      ...dests.map((d) => ({
        cells: [place(d.code), String(d.people), String(d.guards), d.aircraft.join(", ")],
      })),
      {
        bold: true,
        cells: ["Total", total((d) => d.people), total((d) => d.guards), String(plan.aircraft.length)],
      },
    ],
  );
  const notes: [string, string[]][] = [
    ["Why no complete plan", plan.obstacles.map((o) => o.message)],
    ["Smallest changes found", plan.suggestions.map((s) => s.message)],
  ];
  for (const [title, lines] of notes) {
    if (!lines.length) continue;
    heading(doc, title, M, leftWidth);
    doc.font("Body").fontSize(9).fillColor(ink);
    for (const l of lines) doc.text(`• ${l}`, M, doc.y, { width: leftWidth });
    doc.moveDown(0.5);
  }
}

/** Name, signature and date-and-time lines for each person who signs for the aircraft's people. */
function signatureBlock(doc: PDFKit.PDFDocument, a: AircraftPlan, place: (code: string) => string) {
  const signers = [
    "Aircraft captain",
    "Escort lead",
    ...a.route.slice(1).map((code, k) => {
      const n = a.manifest.filter((m) => m.stop === k + 1).length;
      return `Receiving officer at ${place(code)} (stop ${k + 1}: ${count(n, "person", "people")})`;
    }),
  ];
  const perRow = 4;
  const gap = 12;
  const boxWidth = (W - 2 * M - (perRow - 1) * gap) / perRow;
  const boxHeight = 112;
  const rows = Math.ceil(signers.length / perRow);
  if (doc.y + 30 + rows * (boxHeight + gap) > BOTTOM) doc.addPage();
  doc
    .font("Bold")
    .fontSize(10)
    .fillColor(ink)
    .text("Signatures", M, doc.y + 6);
  doc
    .font("Body")
    .fontSize(8)
    .fillColor(muted)
    .text(
      "The captain and the escort lead sign on departure for the people listed above; each receiving officer signs for the people who leave the aircraft at their stop.",
      M,
      doc.y,
      { width: W - 2 * M },
    );
  const top = doc.y + 6;
  signers.forEach((title, k) => {
    const x = M + (k % perRow) * (boxWidth + gap);
    const y = top + Math.floor(k / perRow) * (boxHeight + gap);
    doc.rect(x, y, boxWidth, boxHeight).lineWidth(0.5).stroke(muted);
    doc
      .font("Bold")
      .fontSize(8)
      .fillColor(ink)
      .text(title, x + 5, y + 5, { width: boxWidth - 10, height: 30 });
    ["Name", "Signature", "Date and time"].forEach((label, j) => {
      const ly = y + 56 + j * 21;
      doc
        .font("Body")
        .fontSize(7)
        .fillColor(muted)
        .text(label, x + 5, ly - 8, { lineBreak: false });
      doc
        .moveTo(x + 60, ly)
        .lineTo(x + boxWidth - 6, ly)
        .lineWidth(0.4)
        .stroke(rule);
    });
  });
  doc.x = M;
  doc.y = top + rows * (boxHeight + gap);
}

function aircraftPages(
  doc: PDFKit.PDFDocument,
  plan: Plan,
  print: ManifestPrint,
  a: AircraftPlan,
  index: number,
  place: (code: string) => string,
) {
  doc.addPage();
  doc.rect(M, M + 3, 11, 11).fill(routeColour(index));
  doc
    .font("Bold")
    .fontSize(14)
    .fillColor(ink)
    .text(`Aircraft ${aircraftLabel(a)}`, M + 17, M);
  const op = print.operation ?? {};
  const code = op.code ?? plan.operation;
  doc
    .font("Body")
    .fontSize(9)
    .fillColor(muted)
    .text([code && `Operation ${code}`, op.date].filter(Boolean).join(" · "), M, doc.y, {
      width: W - 2 * M,
    });
  doc.moveDown(0.4);
  doc.font("Body").fontSize(10).fillColor(ink);
  doc.text(`Route: ${routeLine(a)} · total ${km(a.distanceKm)}`, M, doc.y, { width: W - 2 * M });
  doc.text(`${a.seatsUsed} of ${a.seats} seats used · ${a.people} people · ${a.guards} guards`);
  doc.moveDown(0.3);
  doc.font("Body").fontSize(9);
  doc.text(`Departs from ${place(a.route[0] ?? a.staging)}`);
  a.route.slice(1).forEach((stop, k) => {
    const leaving = a.manifest.filter((m) => m.stop === k + 1);
    const guards = leaving.reduce((s, m) => s + m.guards, 0);
    doc.text(
      `Stop ${k + 1}: ${place(stop)}: ${count(leaving.length, "person leaves", "people leave")}, with ${count(guards, "guard", "guards")}`,
    );
  });
  doc.moveDown(0.8);
  table(
    doc,
    M,
    [
      { title: "Seat", width: 36, align: "right" },
      { title: "Ref.", width: 62 },
      { title: "Name", width: 190 },
      { title: "Organisation", width: 110 },
      { title: "Risk", width: 100 },
      { title: "Guards (seats)", width: 110 },
      { title: "Leaves at", width: W - 2 * M - 608 },
    ],
    a.manifest.map((m) => ({
      cells: [
        String(m.seat),
        personRef(m.personId),
        m.name ?? "",
        m.organisation ?? "-",
        riskOf(m),
        m.guards ? `${m.guards} (${m.guardSeats.join(", ")})` : "0",
        `${m.leavesAt} (stop ${m.stop})`,
      ],
    })),
    9,
  );
  if (a.manifest.some((m) => recordId.test(m.personId)))
    doc
      .font("Body")
      .fontSize(7.5)
      .fillColor(muted)
      .text("Ref.: the last 8 characters of the person's record id.", M, doc.y - 6);
  signatureBlock(doc, a, place);
}

/** Operation, plan status, time of printing and page number at the foot of every page. */
function footers(doc: PDFKit.PDFDocument, plan: Plan, print: ManifestPrint) {
  const { start, count } = doc.bufferedPageRange();
  const code = print.operation?.code ?? plan.operation;
  const when =
    print.printedAt && `printed ${print.printedAt.toISOString().slice(0, 16).replace("T", " ")} UTC`;
  const status =
    print.planStatus && (print.planStatus === "draft" ? "DRAFT plan, not adopted" : "adopted plan");
  for (let i = start; i < start + count; i++) {
    doc.switchToPage(i);
    // Text below the bottom margin would otherwise start a new page.
    doc.page.margins.bottom = 0;
    doc
      .font("Body")
      .fontSize(7.5)
      .fillColor(muted)
      .text([code && `Operation ${code}`, status, when].filter(Boolean).join(" · "), M, H - 28, {
        lineBreak: false,
      })
      .text(`Page ${i - start + 1} of ${count}`, W - M - 80, H - 28, { width: 80, align: "right" });
  }
}

/** The manifests as a PDF: the operation's summary and route map on page 1, then each aircraft's pages. */
export function manifestPdf(plan: Plan, print: ManifestPrint): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const code = print.operation?.code ?? plan.operation ?? "";
    const doc = new PDFDocument({
      size: "A4",
      layout: "landscape",
      margin: M,
      bufferPages: true,
      info: { Title: `Manifests of operation ${code}`, Subject: "Transfer manifests per aircraft" },
    });
    const chunks: Buffer[] = [];
    doc.on("data", (c: Buffer) => chunks.push(c));
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
    const { body, bold } = loadFonts();
    doc.registerFont("Body", body);
    doc.registerFont("Bold", bold);
    const names = new Map(print.airports.map((a) => [a.code, a.name]));
    // "IAD, Washington Dulles"; the code alone where the airport has no other name.
    const place = (code: string) => {
      const name = names.get(code);
      return name && name !== code ? `${code}, ${name}` : code;
    };
    summaryPage(doc, plan, print, place);
    plan.aircraft.forEach((a, i) => {
      aircraftPages(doc, plan, print, a, i, place);
    });
    footers(doc, plan, print);
    doc.end();
  });
}
