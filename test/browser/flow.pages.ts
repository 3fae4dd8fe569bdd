/**
 * Page objects of the flow from a request to a signed handover, in either language: each screen's steps
 * by the names its user reads.
 */
import type { Page } from "playwright-core";

export type Language = "es" | "en";

const words = {
  es: {
    intake: "Registro de una solicitud",
    givenNames: /^Nombre\(s\)/,
    familyNames: /^Apellidos/,
    agency: /^Autoridad requirente/,
    note: /^Nota diplomática/,
    statute: /^Disposición/,
    description: /^Descripción/,
    capital: "Admite pena de muerte",
    file: "Registrar la solicitud",
    openCase: "Abrir caso",
    reasons: /^Motivos/,
    record: "Registrar",
    giveAssurance: "Dar una garantía",
    giver: /^Quién la da/,
    requestActions: "Ver y actuar sobre sus solicitudes",
    search: "Buscar por nombre o alias",
    decision: "Registrar la decisión",
    operation: /^Operativo/,
    occurredAt: /^Fecha y hora/,
    dispatchingOfficer: /^Oficial que entrega/,
    dispatchingAgency: /^Institución que entrega/,
    receivingOfficer: /^Oficial que recibe/,
    receivingAgency: /^Institución que recibe/,
    condition: /^Condición de la persona/,
    recordHandover: "Registrar la entrega",
    confirm: "Confirmar la recepción",
    confirmed: "Confirmada por el Estado receptor",
  },
  en: {
    intake: "Request intake",
    givenNames: /^Given names/,
    familyNames: /^Family names/,
    agency: /^Requesting agency/,
    note: /^Diplomatic note/,
    statute: /^Statute/,
    description: /^Description/,
    capital: "Capital-eligible",
    file: "File the request",
    openCase: "Open a case",
    reasons: /^Reasons/,
    record: "Record",
    giveAssurance: "Give an assurance",
    giver: /^Given by/,
    requestActions: "See and act on their requests",
    search: "Search by name or alias",
    decision: "Record the decision",
    operation: /^Operation/,
    occurredAt: /^Date and time/,
    dispatchingOfficer: /^Dispatching officer/,
    dispatchingAgency: /^Dispatching agency/,
    receivingOfficer: /^Receiving officer/,
    receivingAgency: /^Receiving agency/,
    condition: /^Condition of the person/,
    recordHandover: "Record the handover",
    confirm: "Confirm receipt",
    confirmed: "Confirmed by the receiving state",
  },
};

export class RequestsScreen {
  constructor(
    readonly page: Page,
    readonly language: Language,
  ) {}

  /** Files a security-transfer request for a new person with one capital-eligible charge; opens its case. */
  async fileAndOpenCase(person: { givenNames: string; familyNames: string }): Promise<string> {
    const w = words[this.language];
    await this.page.goto("/requests");
    const intake = this.page.getByRole("region", { name: w.intake });
    await intake.getByLabel(w.givenNames).fill(person.givenNames);
    await intake.getByLabel(w.familyNames).fill(person.familyNames);
    await intake.getByLabel(w.agency).fill("US Department of Justice");
    await intake.getByLabel(w.note).fill(`DEMO-NOTE-${person.familyNames.replace(/\W+/g, "-")}`);
    await intake.getByLabel(w.statute).fill("21 U.S.C. § 848(e)");
    await intake.getByLabel(w.description).fill("Killing in furtherance of a continuing criminal enterprise");
    await intake.getByLabel(w.capital).check();
    await intake.getByRole("button", { name: w.file }).click();
    const filed = this.page.getByTestId("intake-filed");
    const refused = this.page.getByTestId("intake-refused");
    await filed.or(refused).first().waitFor();
    if (await refused.isVisible()) throw new Error(`the request was refused: ${await refused.textContent()}`);
    await filed.getByRole("button", { name: w.openCase }).click();
    await this.page.waitForURL(/\/cases\/[0-9a-f-]{36}$/);
    return new URL(this.page.url()).pathname;
  }

  /** The requesting state gives its no-death-penalty assurance, from the person's page. */
  async giveAssurance(familyNames: string) {
    const w = words[this.language];
    await this.page.goto(`/people?q=${encodeURIComponent(familyNames)}`);
    await this.page
      .getByRole("link", { name: new RegExp(familyNames) })
      .first()
      .click();
    await this.page.getByRole("link", { name: w.requestActions }).click();
    await this.page.getByRole("button", { name: w.giveAssurance }).first().click();
    const dialog = this.page.getByRole("dialog");
    await dialog.getByLabel(w.giver).fill("US Department of Justice, Office of International Affairs");
    await dialog.getByRole("button", { name: w.giveAssurance }).click();
    await dialog.waitFor({ state: "hidden" });
  }
}

export class CaseScreen {
  constructor(
    readonly page: Page,
    readonly language: Language,
  ) {}

  async open(path: string) {
    await this.page.goto(path);
    await this.page.getByTestId("case-state").waitFor();
  }

  async state(): Promise<string> {
    return ((await this.page.getByTestId("case-state").textContent()) ?? "").trim();
  }

  /** The reasons shown for the blocked steps. */
  async blockedReasons(): Promise<string> {
    const blocked = this.page.getByTestId("step-blocked");
    await blocked.first().waitFor();
    return (await blocked.allTextContents()).join("\n");
  }

  /** Takes the step whose button names the state it leads to; waits for the case to be in it. */
  async take(toState: string, reasons: string, choose?: { operation: string }) {
    const w = words[this.language];
    await this.page.getByRole("button", { name: toState, exact: true }).click();
    const dialog = this.page.getByRole("dialog");
    await dialog.getByLabel(w.reasons).fill(reasons);
    if (choose) {
      await dialog.getByLabel(w.operation).first().click();
      await this.page.getByRole("option", { name: new RegExp(choose.operation) }).click();
    }
    await dialog.getByRole("button", { name: w.record, exact: true }).click();
    await dialog.waitFor({ state: "hidden" });
    await this.page.getByTestId("case-state").filter({ hasText: toState }).waitFor();
  }
}

export class CouncilScreen {
  constructor(
    readonly page: Page,
    readonly language: Language,
  ) {}

  /** Records the council's approval of one person. */
  async approve(name: string, reasons: string) {
    const w = words[this.language];
    await this.page.goto("/council");
    const proposal = this.page.getByRole("article", { name });
    await proposal.getByLabel(w.reasons).fill(reasons);
    await proposal.getByRole("button", { name: w.decision }).click();
    await proposal.waitFor({ state: "detached" });
  }
}

export class HandoversScreen {
  constructor(
    readonly page: Page,
    readonly language: Language,
  ) {}

  async chooseOperation(code: string) {
    await this.page.goto("/handovers");
    await this.page.getByLabel(words[this.language].operation).first().click();
    await this.page.getByRole("option", { name: new RegExp(code) }).click();
  }

  async record(name: string) {
    const w = words[this.language];
    await this.page.getByRole("button", { name: `${w.recordHandover}: ${name}` }).click();
    const dialog = this.page.getByRole("dialog");
    await dialog.getByLabel(w.dispatchingOfficer).fill("SSPC escort commander");
    await dialog.getByLabel(w.dispatchingAgency).fill("Secretaría de Seguridad y Protección Ciudadana");
    await dialog.getByLabel(w.receivingOfficer).fill("Deputy US Marshal");
    await dialog.getByLabel(w.receivingAgency).fill("US Marshals Service");
    await dialog.getByLabel(w.condition).fill("Good health; medical certificate attached");
    await dialog.getByRole("button", { name: w.record, exact: true }).click();
    await dialog.waitFor({ state: "hidden" });
  }

  async confirm(name: string) {
    const w = words[this.language];
    await this.page.getByRole("button", { name: `${w.confirm}: ${name}` }).click();
    const dialog = this.page.getByRole("dialog");
    await dialog.getByLabel(w.receivingOfficer).fill("Deputy US Marshal");
    await dialog.getByLabel(w.receivingAgency).fill("US Marshals Service");
    await dialog.getByLabel(w.condition).fill("Received in good health");
    await dialog.getByRole("button", { name: w.record, exact: true }).click();
    await dialog.waitFor({ state: "hidden" });
    await this.page.getByText(w.confirmed).first().waitFor();
  }
}
