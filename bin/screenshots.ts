/**
 * `npm run screenshots`: a picture of each screen of the web app, in docs/screenshots/, taken in Debian's
 * Chromium against the real server on the demo data (the browser tests' harness), signed in as the role
 * that uses the screen. Spanish, the app's first language; the public page in English too.
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { account, hasChromium, startWorld } from "../test/browser/harness.ts";
import { SignInPage } from "../test/browser/pages.ts";
import { pgliteTemplateFile } from "../test/db.ts";
import setup from "../test/global-setup.ts";

if (!hasChromium) {
  process.stderr.write("screenshots: Chromium is not installed (apt-get install chromium)\n");
  process.exit(1);
}
const out = join(import.meta.dirname, "../docs/screenshots");
mkdirSync(out, { recursive: true });
// The migrated database the tests clone, made here when no test run has made it yet.
if (!existsSync(pgliteTemplateFile) && !process.env.TEST_DATABASE_URL) await setup();
const world = await startWorld();

/** A case under analysis in the demo data, as the secretariat reads it: the case and person screens show it. */
async function caseUnderAnalysis(w: typeof world) {
  const auth = await w.t.as("secretariat");
  const cases = (
    await w.t.app.inject({ url: "/api/cases?state=under-analysis&limit=1", headers: auth })
  ).json() as { items: { id: string; personId: string }[] };
  return cases.items[0];
}
try {
  const shots: {
    file: string;
    party: string | null;
    role: string;
    path: (w: typeof world) => Promise<string>;
    language?: "es" | "en";
  }[] = [
    { file: "public-en", party: null, role: "", path: async () => "/public", language: "en" },
    { file: "public", party: null, role: "", path: async () => "/public" },
    { file: "sign-in", party: null, role: "", path: async () => "/sign-in" },
    { file: "dashboard", party: "MX", role: "secretariat", path: async () => "/" },
    { file: "people", party: "MX", role: "secretariat", path: async () => "/people" },
    {
      file: "person",
      party: "MX",
      role: "secretariat",
      path: async (w) => `/people/${(await caseUnderAnalysis(w))?.personId}`,
    },
    { file: "requests", party: "MX", role: "foreign-ministry", path: async () => "/requests" },
    { file: "cases", party: "MX", role: "secretariat", path: async () => "/cases" },
    {
      file: "case",
      party: "MX",
      role: "secretariat",
      path: async (w) => `/cases/${(await caseUnderAnalysis(w))?.id}`,
    },
    { file: "council", party: "MX", role: "secretariat", path: async () => "/council" },
    { file: "operations", party: "MX", role: "operations-planner", path: async () => "/operations" },
    { file: "handovers", party: "US", role: "receiving-officer", path: async () => "/handovers" },
    { file: "audit", party: "MX", role: "auditor", path: async () => "/audit" },
  ];
  for (const s of shots) {
    const language = s.language ?? "es";
    const { context, page } = await world.open(s.party ? "/sign-in" : await s.path(world), language);
    if (s.party) {
      await new SignInPage(page, language).signIn(account(world, s.party, s.role));
      await page.goto(await s.path(world));
    }
    await page.waitForLoadState("networkidle");
    await page.waitForTimeout(500);
    await page.screenshot({ path: join(out, `${s.file}.png`), fullPage: false });
    process.stdout.write(`docs/screenshots/${s.file}.png\n`);
    await context.close();
  }
} finally {
  await world.close();
}
