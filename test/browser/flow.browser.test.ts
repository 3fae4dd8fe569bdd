/**
 * The whole flow in the browser, as its officials walk it: a request filed → its case analysed → the
 * council approves → the requesting state's assurance (the step it blocked shows why until it comes) →
 * an operation planned → the handover recorded and confirmed → the dashboard's total one higher. Once in
 * Spanish and once in English, each with its own person.
 */
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CaseScreen, CouncilScreen, HandoversScreen, type Language, RequestsScreen } from "./flow.pages.ts";
import { account, type BrowserWorld, hasChromium, startWorld } from "./harness.ts";
import { BoardPage } from "./operations.pages.ts";
import { DashboardPage, SignInPage } from "./pages.ts";

const words = {
  es: {
    underAnalysis: "En análisis",
    proposed: "Propuesto al Consejo",
    assurances: "Garantías confirmadas",
    ready: "Listo para el traslado",
    assigned: "Asignado a un operativo",
    needsAssurance: "Necesita la garantía de no aplicar la pena de muerte",
    operations: "Operativos",
    newOperation: "Nuevo operativo",
    code: /^Clave/,
    callsign: /^Indicativo/,
    create: "Crear el operativo",
    destination: (name: string) => `Destino: ${name}`,
    add: (name: string) => `Agregar al operativo: ${name}`,
    adopt: "Adoptar este plan",
    markReady: "Marcar listo",
    depart: "Registrar la salida",
    release: "Liberar a Estados Unidos",
    status: "operation-status",
  },
  en: {
    underAnalysis: "Under analysis",
    proposed: "Proposed to the council",
    assurances: "Assurances confirmed",
    ready: "Ready for transfer",
    assigned: "Assigned to an operation",
    needsAssurance: "Needs a no-death-penalty assurance",
    operations: "Operations",
    newOperation: "New operation",
    code: /^Code/,
    callsign: /^Callsign/,
    create: "Create the operation",
    destination: (name: string) => `Destination: ${name}`,
    add: (name: string) => `Add to the operation: ${name}`,
    adopt: "Adopt this plan",
    markReady: "Mark ready",
    depart: "Record departure",
    release: "Release to United States",
    status: "operation-status",
  },
};

describe.skipIf(!hasChromium)("from a request to a signed handover, in the browser", () => {
  let world: BrowserWorld;
  beforeAll(async () => {
    world = await startWorld();
  }, 300_000);
  afterAll(async () => {
    await world?.close();
  });

  /** A page signed in as the demo account of this party and role. */
  async function as(party: string, role: string, language: Language): Promise<Page> {
    const { page } = await world.open("/sign-in", language);
    await new SignInPage(page, language).signIn(account(world, party, role));
    return page;
  }
  const done = (page: Page) => page.context().close();

  async function total(language: Language): Promise<string> {
    const page = await as("MX", "secretariat", language);
    const figure = await new DashboardPage(page).total();
    await done(page);
    return figure;
  }

  for (const [language, person, expected] of [
    ["es", { givenNames: "Prisciliano", familyNames: "Ejemplar Recorrido" }, ["92", "93"]],
    ["en", { givenNames: "Ruperto", familyNames: "Ensayo Recorrido" }, ["93", "94"]],
  ] as const) {
    it(`walks it in ${language === "es" ? "Spanish" : "English"}: the total goes from ${expected[0]} to ${expected[1]}`, async () => {
      const w = words[language];
      const name = `${person.givenNames} ${person.familyNames}`;
      const code = `FLOW-${language.toUpperCase()}`;
      expect(await total(language)).toBe(expected[0]);

      // The foreign ministry files the request and opens its case.
      let page = await as("MX", "foreign-ministry", language);
      const casePath = await new RequestsScreen(page, language).fileAndOpenCase(person);
      await done(page);

      // The secretariat analyses and proposes the person to the council.
      page = await as("MX", "secretariat", language);
      let kase = new CaseScreen(page, language);
      await kase.open(casePath);
      await kase.take(w.underAnalysis, "File received; criminal record and custody risk analysed.");
      await kase.take(w.proposed, "Proposed for transfer at the requesting state's request.");
      await done(page);

      // The council approves.
      page = await as("MX", "decision-authority", language);
      await new CouncilScreen(page, language).approve(
        name,
        "Approved: a threat to national security while in custody.",
      );
      await done(page);

      // The assurances cannot be confirmed before the requesting state gives its own: the page says why.
      page = await as("MX", "secretariat", language);
      kase = new CaseScreen(page, language);
      await kase.open(casePath);
      expect(await kase.blockedReasons()).toContain(w.needsAssurance);
      await done(page);
      page = await as("US", "request-officer", language);
      await new RequestsScreen(page, language).giveAssurance(person.familyNames);
      await done(page);
      page = await as("MX", "secretariat", language);
      kase = new CaseScreen(page, language);
      await kase.open(casePath);
      await kase.take(w.assurances, "The no-death-penalty assurance is on file.");
      await done(page);

      // Custody makes the person ready.
      page = await as("MX", "custody-officer", language);
      kase = new CaseScreen(page, language);
      await kase.open(casePath);
      await kase.take(w.ready, "Medical check done; escort assigned.");
      await done(page);

      // The planner builds the operation, plans it, boards the case, and the operation leaves.
      page = await as("MX", "operations-planner", language);
      await page.goto("/operations");
      await page.getByRole("button", { name: w.newOperation }).click();
      const dialog = page.getByRole("dialog");
      await dialog.getByLabel(w.code).fill(code);
      await dialog.getByLabel(w.callsign).fill(`${code}-1`);
      await dialog.getByRole("button", { name: w.create }).click();
      await page.waitForURL(/\/operations\/[0-9a-f-]{36}$/);
      const operationPath = new URL(page.url()).pathname;
      await page.getByLabel(w.destination(name)).first().click();
      await page.getByRole("option", { name: /^IAD/ }).click();
      await page.getByRole("button", { name: w.add(name) }).click();
      const board = new BoardPage(page, language);
      await page.getByTestId("person-card").filter({ hasText: name }).waitFor();
      await board.runPlanner(2);
      await page.getByRole("button", { name: w.adopt }).click();
      await page
        .getByTestId(w.status)
        .filter({ hasText: language === "es" ? "Planeado" : "Planned" })
        .waitFor();
      kase = new CaseScreen(page, language);
      await kase.open(casePath);
      await kase.take(w.assigned, "Seated on the adopted plan.", { operation: code });
      await page.goto(operationPath);
      await page.getByRole("button", { name: w.markReady }).click();
      await page
        .getByTestId(w.status)
        .filter({ hasText: language === "es" ? "Listo" : "Ready" })
        .waitFor();
      await page.getByRole("button", { name: w.release }).click();
      await page.getByRole("button", { name: w.depart }).click();
      await page
        .getByTestId(w.status)
        .filter({ hasText: language === "es" ? "En vuelo" : "In flight" })
        .waitFor();
      await done(page);

      // Custody records the handover at the destination; the receiving state confirms it.
      page = await as("MX", "custody-officer", language);
      let handovers = new HandoversScreen(page, language);
      await handovers.chooseOperation(code);
      await handovers.record(name);
      await done(page);
      page = await as("US", "receiving-officer", language);
      handovers = new HandoversScreen(page, language);
      await handovers.chooseOperation(code);
      await handovers.confirm(name);
      await done(page);

      expect(await total(language)).toBe(expected[1]);
    }, 600_000);
  }
});
