import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { pdfLines } from "../../test/pdf-text.ts";
import { runPlanCommand } from "./cli.ts";

const dir = mkdtempSync(join(tmpdir(), "traslado-plan-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const example = new URL("../../examples/january-2026.json", import.meta.url).pathname;
const run = (input: string, pdf: string) =>
  runPlanCommand({ input, pdf, format: "text", timeLimitMs: "5000", seed: "1" }, () => {});

describe("traslado plan --pdf", () => {
  it("prints the operation file's facts and routes on page 1", async () => {
    const out = join(dir, "january.pdf");
    expect(await run(example, out)).toBe(0);
    const [first] = await pdfLines(readFileSync(out));
    expect(first).toContain("Operation OP-2026-01-20: transfer manifests");
    expect(first).toContain("Date 2026-01-20");
    expect(first?.join("\n")).toMatch(/Legal basis Ley de Seguridad Nacional/);
    expect(first?.join("\n")).toMatch(/TLC → [A-Z]{3} → [A-Z]{3}/);
  });

  it("refuses a bad date in the operation file, naming it, and writes no PDF", async () => {
    const bad = join(dir, "bad-date.json");
    writeFileSync(bad, JSON.stringify({ ...JSON.parse(readFileSync(example, "utf8")), date: "20 January" }));
    const out = join(dir, "bad.pdf");
    await expect(run(bad, out)).rejects.toThrow(/bad-date\.json: date: /);
    expect(existsSync(out)).toBe(false);
  });
});
