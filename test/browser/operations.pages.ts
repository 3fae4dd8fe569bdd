/**
 * Page objects of the operations screens: the list and the planner board, by the names a user reads.
 */
import type { Page } from "playwright-core";
import { type CaseState, isTerminal } from "../../src/cases/workflow.ts";

const words = {
  es: {
    run: "Planificar",
    timeLimit: "Tiempo máximo (segundos)",
    move: "Mover a",
    over: "Sobre",
    applyAnyway: "Mover de todos modos",
    takeOff: (name: string) => `Retirar a ${name} del operativo`,
    reason: /^Motivo/,
    confirmTakeOff: "Retirar y replanificar",
  },
  en: {
    run: "Plan",
    timeLimit: "Time limit (seconds)",
    move: "Move",
    over: "Over",
    applyAnyway: "Move anyway",
    takeOff: (name: string) => `Take ${name} off the operation`,
    reason: /^Reason/,
    confirmTakeOff: "Take off and re-plan",
  },
};

export class OperationsPage {
  constructor(readonly page: Page) {}

  /** Opens an operation from the list by its code. */
  async open(code: string) {
    await this.page.getByRole("link", { name: code, exact: true }).click();
    await this.page.getByRole("heading", { level: 2, name: new RegExp(code) }).waitFor();
  }
}

export class BoardPage {
  constructor(
    readonly page: Page,
    readonly language: "es" | "en" = "es",
  ) {}

  private get w() {
    return words[this.language];
  }

  /** The aircraft columns, by their callsigns. */
  async aircraft(): Promise<string[]> {
    const columns = this.page.getByTestId("aircraft-column");
    await columns.first().waitFor();
    return (await columns.getByRole("heading", { level: 3 }).allTextContents()).map((s) => s.trim());
  }

  /** The names of the people on the board (on an aircraft or without a seat). */
  async people(): Promise<string[]> {
    return (await this.page.getByTestId("person-card").getByTestId("person-name").allTextContents()).map(
      (s) => s.trim(),
    );
  }

  /** The people on one aircraft. */
  async peopleOn(callsign: string): Promise<string> {
    return (await this.page.getByRole("region", { name: callsign, exact: true }).textContent()) ?? "";
  }

  /** Runs the planner and waits for its plan. */
  async runPlanner(seconds: number) {
    await this.page.getByLabel(this.w.timeLimit).fill(String(seconds));
    await this.page.getByRole("button", { name: this.w.run, exact: true }).click();
    // A small operation may be planned before the progress shows: either sign will do, then the plan.
    const running = this.page.getByTestId("planner-running");
    const done = this.page.getByTestId("planner-done");
    await running.or(done).first().waitFor({ timeout: 60_000 });
    await done.waitFor({ timeout: 60_000 });
  }

  async optimality(): Promise<string> {
    return ((await this.page.getByTestId("plan-optimal").textContent()) ?? "").trim();
  }

  async lowerBound(): Promise<string> {
    return ((await this.page.getByTestId("plan-lower-bound").textContent()) ?? "").trim();
  }

  /**
   * Picks a person up by keyboard (space on their handle) and goes with the arrow keys to an aircraft;
   * answers what the board shows there (every rule the move would break), the person still held.
   */
  async dragByKeyboardOnto(person: string, callsign: string): Promise<string> {
    await this.page.getByRole("button", { name: `${this.w.move} ${person}`, exact: true }).focus();
    await this.page.keyboard.press("Space");
    const check = this.page.getByTestId("move-check");
    await check.waitFor();
    for (const key of ["ArrowRight", "ArrowLeft"])
      for (let i = 0; i < 10; i++) {
        if ((await check.textContent())?.startsWith(`${this.w.over} ${callsign}`))
          return (await check.textContent()) ?? "";
        await this.page.keyboard.press(key);
      }
    throw new Error(`could not reach ${callsign} by keyboard`);
  }

  /** Drops the person held (space): the dialog that asks to confirm the move. */
  async drop(): Promise<string> {
    await this.page.keyboard.press("Space");
    const dialog = this.page.getByRole("dialog");
    await dialog.waitFor();
    return (await dialog.textContent()) ?? "";
  }

  async applyAnyway() {
    await this.page.getByRole("button", { name: this.w.applyAnyway }).click();
    await this.page.getByRole("dialog").waitFor({ state: "hidden" });
  }

  /** The rules the current plan breaks, as the board lists them. */
  async planViolations(): Promise<string> {
    const v = this.page.getByTestId("plan-violations");
    await v.waitFor();
    return (await v.textContent()) ?? "";
  }

  /** Takes a person off the operation; answers the table of who changes aircraft. */
  async takeOff(person: string, reason: string): Promise<string> {
    await this.page.getByRole("button", { name: this.w.takeOff(person) }).click();
    await this.page.getByLabel(this.w.reason).fill(reason);
    await this.page.getByRole("button", { name: this.w.confirmTakeOff }).click();
    const moves = this.page.getByTestId("who-moves");
    await moves.waitFor({ timeout: 60_000 });
    return (await moves.textContent()) ?? "";
  }
}

/**
 * A new operation in planning, made through the API with the signed-in planner's session: people with an
 * open case, two aircraft, and two people who must be kept apart. Answers its id and the pair's names.
 */
export async function createPlanningOperation(page: Page, code: string) {
  const session = (await (await page.request.get("/auth/session")).json()) as { csrfToken: string };
  const headers = { "x-csrf-token": session.csrfToken };
  const cases = (await (await page.request.get("/api/cases?limit=200")).json()) as {
    items: { id: string; personId: string; state: string; operationId: string | null }[];
  };
  const open = cases.items.filter((c) => !isTerminal(c.state as CaseState) && !c.operationId);
  const people = [...new Map(open.map((c) => [c.personId, c])).values()].slice(0, 6).map((c, i) => ({
    personId: c.personId,
    caseId: c.id,
    destinationAirport: i % 2 ? "JFK" : "IAH",
    keepApartFrom: [] as string[],
  }));
  const [first, second] = people;
  if (!first || !second || people.length < 6) throw new Error("the demo has too few open cases");
  second.keepApartFrom = [first.personId];
  const created = await page.request.post("/api/operations", {
    headers,
    data: {
      code,
      legalBasis: "Ley de Seguridad Nacional art. 5",
      operationDate: "2027-03-01",
      stagingAirport: "NLU",
      receivingState: "US",
      aircraft: [
        { callsign: `${code}-A`, seats: 8, maxStops: 2, rangeKm: 5400 },
        { callsign: `${code}-B`, seats: 8, maxStops: 2, rangeKm: 5400 },
      ],
      people,
    },
  });
  if (created.status() !== 201)
    throw new Error(`creating ${code}: ${created.status()} ${await created.text()}`);
  const { id } = (await created.json()) as { id: string };
  const file = (await (await page.request.get(`/api/operations/${id}`)).json()) as {
    people: { personId: string; name: string }[];
  };
  const name = (personId: string) => file.people.find((p) => p.personId === personId)?.name ?? "";
  return { id, keptApart: [name(first.personId), name(second.personId)] as const };
}
