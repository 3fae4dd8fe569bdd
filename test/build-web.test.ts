import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { buildWeb, keepingEnvironment } from "../bin/build-web.js";

// `traslado serve` builds the web app in the process that then reads its configuration. Vite's build sets
// NODE_ENV to "production" when it is unset; the server then took a first start on an empty data directory
// for production and ran the deadline clock, lapsing the demo's deadlines.
describe("building the web app", () => {
  const nodeEnv = process.env.NODE_ENV;
  const dirs: string[] = [];
  afterEach(() => {
    process.env.NODE_ENV = nodeEnv;
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it("leaves NODE_ENV unset when it was unset", async () => {
    const dir = mkdtempSync(join(tmpdir(), "traslado-web-"));
    dirs.push(dir);
    const into = join(dir, "dist");
    delete process.env.NODE_ENV;
    await buildWeb({ quiet: true, into });
    expect(process.env.NODE_ENV).toBeUndefined();
    expect(readFileSync(join(into, "index.html"), "utf8")).toContain("<script");
    expect(existsSync(join(into, ".build.json"))).toBe(true);
  }, 120_000);

  it("puts back what a step added, changed or removed, also when the step fails", async () => {
    process.env.TRASLADO_TEST_KEPT = "kept";
    delete process.env.TRASLADO_TEST_ADDED;
    await expect(
      keepingEnvironment(async () => {
        process.env.TRASLADO_TEST_ADDED = "added";
        delete process.env.TRASLADO_TEST_KEPT;
        throw new Error("the build failed");
      }),
    ).rejects.toThrow("the build failed");
    expect(process.env.TRASLADO_TEST_ADDED).toBeUndefined();
    expect(process.env.TRASLADO_TEST_KEPT).toBe("kept");
    delete process.env.TRASLADO_TEST_KEPT;
  });
});
