import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accessibilityProblems, account, type BrowserWorld, hasChromium, startWorld } from "./harness.ts";
import { DashboardPage, Frame, PublicPage, SignInPage } from "./pages.ts";

describe.skipIf(!hasChromium)("the web app in Chromium", () => {
  let world: BrowserWorld;
  beforeAll(async () => {
    world = await startWorld();
  }, 300_000);
  afterAll(async () => {
    await world?.close();
  });

  it("shows the public figures with no sign-in, in Spanish and English, small cells withheld", async () => {
    for (const language of ["es", "en"] as const) {
      const { context, page } = await world.open("/public", language);
      const figures = new PublicPage(page);
      expect(await figures.total()).toBe("92");
      expect(await figures.statement("es")).toContain("92 personas han sido enviadas");
      expect(await figures.statement("en")).toContain("92 people have been sent");
      // A destination of fewer than 3 people is withheld, in the page's language.
      await page
        .getByText(language === "es" ? "menos de 3" : "fewer than 3")
        .first()
        .waitFor();
      expect(await page.locator("html").getAttribute("lang")).toBe(language);
      expect(await accessibilityProblems(page)).toEqual([]);
      await context.close();
    }
  });

  it("signs an official in and out; the dashboard's total is the record's 92, in either language", async () => {
    const { context, page } = await world.open("/", "es");
    await new SignInPage(page, "es").signIn(account(world, "MX", "secretariat"));
    expect(await new DashboardPage(page).total()).toBe("92");
    const frame = new Frame(page, "es");
    expect(await frame.menu()).toEqual(
      expect.arrayContaining(["Tablero", "Personas", "Casos", "Consejo", "Operativos"]),
    );
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.getByRole("radio", { name: "English" }).click({ force: true });
    await page.getByRole("heading", { name: "Dashboard" }).waitFor();
    expect(await page.locator("html").getAttribute("lang")).toBe("en");
    await new Frame(page, "en").signOut();
    // Signed out on the server: the API refuses the old cookie.
    const answer = await page.request.get("/api/stats");
    expect(answer.status()).toBe(401);
    await context.close();
  });

  it("offers a requesting state's officer only its own screens", async () => {
    const { context, page } = await world.open("/", "en");
    await new SignInPage(page, "en").signIn(account(world, "US", "request-officer"));
    const menu = await new Frame(page, "en").menu();
    expect(menu).toEqual(expect.arrayContaining(["Requests", "Handovers"]));
    for (const hidden of ["Cases", "Council", "Operations", "Audit"]) expect(menu).not.toContain(hidden);
    await context.close();
  });

  it("asks a decision authority for a second factor before anything else", async () => {
    const { context, page } = await world.open("/", "en");
    await new SignInPage(page, "en").signIn(account(world, "MX", "decision-authority"));
    expect(await new DashboardPage(page).total()).toBe("92");
    await context.close();
  });
});
