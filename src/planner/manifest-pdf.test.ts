import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { pdfLines } from "../../test/pdf-text.ts";
import { parsePlanInput } from "./compile.ts";
import { ZManifestFacts } from "./manifest.ts";
import { manifestPdf } from "./manifest-pdf.ts";
import type { Plan, PlanInput } from "./model.ts";
import { plan } from "./solve.ts";

// The January 2026 operation's shape: 37 fictional people with Spanish names, six destinations.
const data = JSON.parse(readFileSync(new URL("../../examples/january-2026.json", import.meta.url), "utf8"));
const input = parsePlanInput(data);
const facts = ZManifestFacts.parse(data);
const operation = { code: "OP-2026-01-20", stagingAirport: "TLC", ...facts };

/** Guards per person by the operation's rule (one; two for a high-risk person). */
const guardsOf = (p: PlanInput["people"][number]) =>
  p.highRisk || p.riskFlags.some((f) => input.guards.highRiskFlags.includes(f))
    ? input.guards.perHighRisk
    : input.guards.perPerson;

/** The page of an aircraft's manifest: the page whose first line names it. */
const pageOf = (pages: string[][], aircraftId: string) =>
  pages.find((p) => p[0]?.startsWith(`Aircraft ${aircraftId}`)) ?? [];

let planned: Plan;
let pages: string[][];
let pdf: Buffer;

beforeAll(async () => {
  planned = plan(input, { seed: 1, timeLimitMs: 5000 });
  pdf = await manifestPdf(planned, {
    airports: input.airports,
    operation,
    planStatus: "adopted",
    printedAt: new Date("2026-01-19T22:00:00Z"),
  });
  pages = await pdfLines(pdf);
});

describe("the printed manifests (PDF) of the January 2026 operation", () => {
  it("prints every route with its arrows, on page 1 and on its aircraft's page with each leg's distance", () => {
    expect(planned.status).toBe("planned");
    const all = pages.flat().join("\n");
    // The standard PDF fonts printed "→" as "!'".
    expect(all).not.toMatch(/!['’]/);
    for (const a of planned.aircraft) {
      expect(a.route.length).toBeGreaterThan(1);
      expect(pages[0]!.join("\n")).toContain(a.route.join(" → "));
      const legs = a.legs.map((l) => `${l.to} (${Math.round(l.distanceKm).toLocaleString("en-US")} km)`);
      expect(pageOf(pages, a.aircraftId)).toContain(
        `Route: ${[a.route[0], ...legs].join(" → ")} · total ${Math.round(a.distanceKm).toLocaleString("en-US")} km`,
      );
    }
  });

  it("prints every person's name with its accents on the page of their aircraft", () => {
    expect(input.people.filter((p) => /[áéíóúñü]/i.test(p.name ?? "")).length).toBeGreaterThan(10);
    for (const p of input.people) {
      const page = pageOf(pages, planned.assignment[p.id]!).join("\n");
      expect(page, p.id).toContain(p.name);
    }
  });

  it("puts the operation's summary on page 1: facts, aircraft, people and guards per destination, totals, map", () => {
    const first = pages[0]!;
    expect(first[0]).toBe("Operation OP-2026-01-20: transfer manifests");
    expect(first).toContain("Date 2026-01-20");
    expect(first).toContain(`Legal basis ${facts.legalBasis}`);
    expect(first).toContain("Staging airport TLC, Toluca International, Mexico State");
    expect(first).toContain("Receiving state US");
    expect(first).toContain("Aircraft");
    expect(first).toContain("People and guards per destination");
    const destinations = [...new Set(input.people.map((p) => p.destination))];
    expect(destinations).toHaveLength(6);
    for (const code of destinations) {
      const leaving = input.people.filter((p) => p.destination === code);
      const guards = leaving.reduce((s, p) => s + guardsOf(p), 0);
      // The table's row (the airport's name may wrap onto a second line) and the map's label.
      expect(
        first.some((l) => new RegExp(`^${code}, .* ${leaving.length} ${guards} `).test(l)),
        code,
      ).toBe(true);
      expect(first.join("\n")).toContain(`${code} ${leaving.length}`);
    }
    const guards = input.people.reduce((s, p) => s + guardsOf(p), 0);
    expect(first).toContain(`Total ${input.people.length} ${guards} ${planned.aircraftUsed}`);
    for (const a of planned.aircraft)
      expect(first.some((l) => l.startsWith(`${a.aircraftId} (${a.name}) ${a.route.join(" → ")}`))).toBe(
        true,
      );
    expect(pages).toHaveLength(1 + planned.aircraftUsed);
    expect(first.at(-1)).toBe(
      `Operation OP-2026-01-20 · adopted plan · printed 2026-01-19 22:00 UTC Page 1 of ${pages.length}`,
    );
  });

  it("keeps a signature block per aircraft: captain, escort lead, a receiving officer at each stop", () => {
    for (const a of planned.aircraft) {
      const page = pageOf(pages, a.aircraftId).join("\n");
      expect(page).toContain("Aircraft captain");
      expect(page).toContain("Escort lead");
      for (const stop of a.route.slice(1)) expect(page).toContain(`Receiving officer at ${stop}`);
      expect(page.match(/Signature/g)?.length).toBe(1 + 2 + a.route.length - 1);
    }
  });

  it("embeds its Unicode font and uses none of the standard PDF fonts", () => {
    const raw = pdf.toString("latin1");
    expect(raw).toContain("DejaVuSans");
    expect(raw).toContain("/FontFile2");
    expect(raw).not.toMatch(/\/BaseFont \/(Helvetica|Times|Courier)/);
  });

  it("marks a draft plan as such on page 1 and at the foot of every page", async () => {
    const draft = await pdfLines(
      await manifestPdf(planned, { airports: input.airports, operation, planStatus: "draft" }),
    );
    expect(draft[0]).toContain("DRAFT PLAN, NOT ADOPTED: seats and routes may still change");
    for (const page of draft)
      expect(page.at(-1)).toMatch(/^Operation OP-2026-01-20 · DRAFT plan, not adopted Page/);
  });

  it("carries a long manifest over to the next page under its header, every name printed once", async () => {
    // Everyone on one large aircraft through all six destinations (rivalries set aside for the test).
    const one = parsePlanInput({
      ...data,
      organisations: input.organisations.map((o) => ({ ...o, rivals: [] })),
      people: input.people.map((p) => ({ ...p, keepApartFrom: [] })),
      fleet: [{ id: "XC-100", seats: 100, maxStops: 6, staging: "TLC" }],
    });
    const big = plan(one, { seed: 1, timeLimitMs: 2000 });
    expect(big.aircraft).toHaveLength(1);
    const bigPages = await pdfLines(await manifestPdf(big, { airports: one.airports, operation }));
    const manifestPages = bigPages.slice(1);
    expect(manifestPages.length).toBeGreaterThan(1);
    for (const page of manifestPages.slice(0, 2))
      expect(page).toContain("Seat Ref. Name Organisation Risk Guards (seats) Leaves at");
    const text = manifestPages.flat().join("\n");
    for (const p of one.people) expect(text.split(p.name!).length - 1, p.id).toBe(1);
    expect(text).toContain(`Route: ${big.aircraft[0]!.route[0]} → `);
    expect(big.aircraft[0]!.route).toHaveLength(7);
    for (const stop of big.aircraft[0]!.route.slice(1))
      expect(text).toContain(`Receiving officer at ${stop}`);
  });
});
