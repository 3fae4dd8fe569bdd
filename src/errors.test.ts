import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { errorStatus } from "./errors.ts";

describe("the codes and statuses README.md gives", () => {
  it("are every code of src/errors.ts, each in the row of its status", () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    const start = readme.indexOf("| status | code | when |");
    expect(start).toBeGreaterThan(-1);
    const rows = readme.slice(start).split("\n\n")[0]!.split("\n").slice(2);
    const listed = new Map<string, number>();
    for (const row of rows) {
      const [, status, codes] = row.split("|");
      for (const [, code] of codes!.matchAll(/`([A-Z_]+)`/g)) listed.set(code!, Number(status));
    }
    expect(Object.fromEntries(listed)).toEqual(errorStatus);
  });
});
