/**
 * Browser tests: the real server (the API and the built web app) on a database of the test file's own
 * with the demo data and the demo accounts, driven through Debian's Chromium by playwright-core
 * (`npx playwright install` cannot download here; `.ci/run` installs the chromium package). When
 * Chromium is not on the machine, the browser tests are skipped (`hasChromium`).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { createDemoAccounts, type DemoAccount } from "../../src/auth/demo-accounts.ts";
import { seedDemo } from "../../src/seed/demo.ts";
import { type TestApp, testApp } from "../app.ts";
import { chromiumPath, hasChromium } from "./chromium.ts";

export { chromiumPath, hasChromium };

const flags = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface BrowserWorld {
  t: TestApp;
  baseUrl: string;
  browser: Browser;
  accounts: DemoAccount[];
  /** A new browser context (its own cookies), in a language, with a page open on `path`. */
  open(path: string, language?: "es" | "en"): Promise<{ context: BrowserContext; page: Page }>;
  close(): Promise<void>;
}

/** Builds the web app if web/ changed, starts the server on the demo data, launches Chromium. */
export async function startWorld(): Promise<BrowserWorld> {
  const { ensureWebBuilt } = await import("../../bin/build-web.js");
  await ensureWebBuilt({ quiet: true });
  // Plain HTTP on 127.0.0.1: the session cookie is not `Secure` in development.
  const t = await testApp({}, { auth: { NODE_ENV: "development" } });
  await seedDemo(t.s);
  const dir = mkdtempSync(join(tmpdir(), "traslado-browser-"));
  const { accounts } = await createDemoAccounts(t.s, dir);
  rmSync(dir, { recursive: true, force: true });
  await t.app.listen({ port: 0, host: "127.0.0.1" });
  const address = t.app.server.address();
  if (!address || typeof address === "string") throw new Error("the server did not listen on a port");
  const baseUrl = `http://127.0.0.1:${address.port}`;
  const browser = await chromium.launch({ executablePath: chromiumPath, args: flags });
  return {
    t,
    baseUrl,
    browser,
    accounts,
    async open(path, language = "es") {
      const context = await browser.newContext({
        baseURL: baseUrl,
        locale: language === "es" ? "es-MX" : "en-GB",
        viewport: { width: 1280, height: 900 },
      });
      // The app keeps the chosen language; start each context in the one asked for.
      await context.addInitScript((lng) => localStorage.setItem("traslado.language", lng), language);
      const page = await context.newPage();
      await page.goto(path);
      return { context, page };
    },
    async close() {
      await browser.close();
      await t.close();
    },
  };
}

/** The demo account of a party and role. */
export function account(world: BrowserWorld, party: string, role: string): DemoAccount {
  const a = world.accounts.find((x) => x.party === party && x.role === role);
  if (!a) throw new Error(`no demo account ${party} ${role}`);
  return a;
}

/** Runs axe-core in the page: the serious and critical violations, by rule id and the elements hit. */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  const source = readFileSync(join(import.meta.dirname, "../../node_modules/axe-core/axe.min.js"), "utf8");
  await page.evaluate(source);
  const results = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as {
        axe: {
          run: (
            o: unknown,
          ) => Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }>;
        };
      }
    ).axe;
    return axe.run({ runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } });
  });
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}
