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
      expect((await accessibilityProblems(page)).join("\n")).toBe("");
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
    expect((await accessibilityProblems(page)).join("\n")).toBe("");
    await page.locator("label", { hasText: "English" }).first().click();
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

  it("shows the API's field errors beside the intake form's fields, and files nothing", async () => {
    const auth = await world.t.as("foreign-ministry");
    const count = async () =>
      (
        (await world.t.app.inject({ url: "/api/requests?limit=500", headers: auth })).json() as {
          items: unknown[];
        }
      ).items.length;
    const before = await count();
    const { context, page } = await world.open("/requests", "es");
    await new SignInPage(page, "es").signIn(account(world, "MX", "foreign-ministry"));
    await page.goto("/requests");
    const intake = page.getByRole("region", { name: "Registro de una solicitud" });
    await intake.getByLabel(/^Nombre\(s\)/).fill("Eleuterio");
    await intake.getByRole("button", { name: "Registrar la solicitud" }).click();
    await page.getByTestId("intake-refused").waitFor();
    // Each missing field says so beside it, in Spanish; the ones filled do not.
    const familyNames = intake.getByLabel(/^Apellidos/);
    expect(await familyNames.getAttribute("aria-invalid")).toBe("true");
    expect(await intake.getByLabel(/^Disposición/).getAttribute("aria-invalid")).toBe("true");
    expect(await intake.getByLabel(/^Nombre\(s\)/).getAttribute("aria-invalid")).not.toBe("true");
    await intake.getByText("obligatorio").first().waitFor();
    expect(await count()).toBe(before);
    // The draft is kept: a reload brings back what was typed.
    await page.reload();
    await page.getByText("Se recuperó su borrador").waitFor();
    expect(
      await page
        .getByRole("region", { name: "Registro de una solicitud" })
        .getByLabel(/^Nombre\(s\)/)
        .inputValue(),
    ).toBe("Eleuterio");
    expect((await accessibilityProblems(page)).join("\n")).toBe("");
    await context.close();
  });
});
