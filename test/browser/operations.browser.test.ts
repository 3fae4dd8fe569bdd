import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accessibilityProblems, account, type BrowserWorld, hasChromium, startWorld } from "./harness.ts";
import { BoardPage, createPlanningOperation, OperationsPage } from "./operations.pages.ts";
import { Frame, SignInPage } from "./pages.ts";

describe.skipIf(!hasChromium)("the operations planner's board in Chromium", () => {
  let world: BrowserWorld;
  beforeAll(async () => {
    world = await startWorld();
  }, 600_000);
  afterAll(async () => {
    await world?.close();
  });

  it("shows the January 2026 operation: seven aircraft, each with its people", async () => {
    const { context, page } = await world.open("/", "es");
    await new SignInPage(page, "es").signIn(account(world, "MX", "operations-planner"));
    await new Frame(page, "es").go("Operativos");
    await new OperationsPage(page).open("SEC-2026-01-20");
    const board = new BoardPage(page, "es");
    expect(await board.aircraft()).toEqual([1, 2, 3, 4, 5, 6, 7].map((n) => `FAM-DEMO-0${n}`));
    // Every person listed on the operation, on the board.
    const listed = (await (
      await page.request.get(page.url().replace("/operations/", "/api/operations/"))
    ).json()) as {
      people: { name: string }[];
    };
    expect(listed.people).toHaveLength(37);
    expect((await board.people()).sort()).toEqual(listed.people.map((p) => p.name).sort());
    // A flown operation is not planned any more: nothing to run, nobody to drag.
    expect(await page.getByRole("button", { name: "Planificar", exact: true }).count()).toBe(0);
    expect(await page.getByRole("button", { name: /^Mover a / }).count()).toBe(0);
    expect(await accessibilityProblems(page)).toEqual([]);
    await context.close();
  });

  it("plans an operation, shows its bound, and names the rule a keyboard move would break", async () => {
    const { context, page } = await world.open("/", "en");
    await new SignInPage(page, "en").signIn(account(world, "MX", "operations-planner"));
    const { id, keptApart } = await createPlanningOperation(page, "TEST-BOARD-1");
    await page.goto(`/operations/${id}`);
    const board = new BoardPage(page, "en");
    expect(await board.aircraft()).toEqual(["TEST-BOARD-1-A", "TEST-BOARD-1-B"]);

    // Two people must be kept apart: no plan has fewer than two aircraft, and this one is proven to need two.
    await board.runPlanner(3);
    expect(await board.optimality()).toBe("Proven optimal");
    expect(await board.lowerBound()).toBe("2");
    const [first, second] = keptApart;
    const theirs = "TEST-BOARD-1-A";
    const onA = await board.peopleOn(theirs);
    expect(onA.includes(first) && onA.includes(second)).toBe(false);
    const mine = onA.includes(first) ? second : first;

    // Held over the other aircraft, the move's broken rule is named before it is dropped.
    const check = await board.dragByKeyboardOnto(mine, theirs);
    expect(check).toContain(`${keptApart[0]} and ${keptApart[1]} must be kept apart: both on ${theirs}`);
    expect(await accessibilityProblems(page)).toEqual([]);
    const dialog = await board.drop();
    expect(dialog).toContain("must be kept apart");
    expect(await accessibilityProblems(page)).toEqual([]);

    // Applied anyway, the draft keeps the move and the board lists the rule it breaks; the server agrees.
    await board.applyAnyway();
    expect(await board.planViolations()).toContain("must be kept apart");
    expect(await board.peopleOn(theirs)).toContain(mine);
    const plan = (await (await page.request.get(`/api/operations/${id}/plan`)).json()) as { status: string };
    expect(plan.status).toBe("rules-broken");

    // Taking one of the pair off re-plans; the board says who changes aircraft.
    const moves = await board.takeOff(mine, "Injunction (test)");
    expect(moves).toContain(mine);
    expect(moves).toContain("Leaves the operation");
    await expect.poll(async () => (await board.people()).includes(mine)).toBe(false);
    await context.close();
  });

  it("is not offered to a requesting state's officer, even at its address", async () => {
    const { context, page } = await world.open("/", "en");
    await new SignInPage(page, "en").signIn(account(world, "US", "request-officer"));
    expect(await new Frame(page, "en").menu()).not.toContain("Operations");
    await page.goto("/operations");
    await page.getByRole("alert").filter({ hasText: "Your role does not allow this." }).waitFor();
    expect(await page.getByRole("table").count()).toBe(0);
    await context.close();
  });
});
