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

  it("passes axe on every screen, each seen by the role that uses it", async () => {
    const auth = await world.t.as("secretariat");
    const read = async <T>(url: string) => (await world.t.app.inject({ url, headers: auth })).json() as T;
    const caseOne = (
      await read<{ items: { id: string; personId: string }[] }>("/api/cases?state=under-analysis&limit=1")
    ).items[0];
    const operation = (
      await read<{ items: { id: string; code: string }[] }>("/api/operations?limit=10")
    ).items.find((o) => o.code === "SEC-2026-01-20");
    const screens: [party: string, role: string, path: string, shown: string][] = [
      ["MX", "secretariat", "/people", "Personas"],
      ["MX", "secretariat", `/people/${caseOne?.personId}`, "Identidad"],
      ["MX", "secretariat", "/cases", "Casos"],
      ["MX", "secretariat", `/cases/${caseOne?.id}`, "Diagrama de estados"],
      ["MX", "secretariat", "/council", "Acta de la sesión"],
      ["MX", "operations-planner", "/operations", "Operativos"],
      ["MX", "operations-planner", `/operations/${operation?.id}`, "FAM-DEMO-01"],
      ["MX", "custody-officer", "/handovers", "Entregas"],
      ["US", "receiving-officer", "/handovers", "Entregas"],
      ["MX", "auditor", "/audit", "Auditoría"],
      ["US", "request-officer", "/requests", "Registro de una solicitud"],
      ["MX", "foreign-ministry", "/notifications", "Marcar todas como leídas"],
    ];
    const problems: string[] = [];
    for (const [party, role, path, shown] of screens) {
      const { context, page } = await world.open("/sign-in", "es");
      await new SignInPage(page, "es").signIn(account(world, party, role));
      await page.goto(path);
      await page.getByText(shown).first().waitFor();
      await page.waitForLoadState("networkidle");
      for (const p of await accessibilityProblems(page)) problems.push(`${party} ${role} ${path}: ${p}`);
      await context.close();
    }
    expect(problems.join("\n")).toBe("");
    // A sign-in and a page per screen: a minute is not enough for thirteen on a busy machine.
  }, 300_000);

  it("signs in by keyboard alone", async () => {
    const { context, page } = await world.open("/sign-in", "en");
    const a = account(world, "MX", "secretariat");
    await page.getByLabel("Username").focus();
    await page.keyboard.type(a.username);
    await page.keyboard.press("Tab");
    await page.keyboard.type(a.password);
    await page.keyboard.press("Enter");
    expect(await new DashboardPage(page).total()).toBe("92");
    // The menu's links are reached with Tab and followed with Enter.
    const cases = page
      .getByRole("navigation", { name: "Main navigation" })
      .getByRole("link", { name: "Cases" });
    for (let i = 0; i < 40 && !(await cases.evaluate((el) => el === document.activeElement)); i++)
      await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/cases$/);
    await context.close();
  });

  it("verifies the audit chain from the audit page and says it is intact", async () => {
    const { context, page } = await world.open("/sign-in", "es");
    await new SignInPage(page, "es").signIn(account(world, "MX", "auditor"));
    await page.goto("/audit");
    await page.getByRole("button", { name: "Verificar la cadena" }).click();
    const verdict = page.getByRole("status").filter({ hasText: "Cadena íntegra" });
    await verdict.waitFor({ timeout: 120_000 });
    expect(await verdict.textContent()).toMatch(/Cadena íntegra: [\d.,\s]+ eventos/);
    await context.close();
  }, 180_000);
});
