import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { apiTypes, apiTypesFile } from "../bin/web-api-types.ts";

describe("the web app's API types", () => {
  it("are the ones generated from the OpenAPI document (regenerate with `npm run web:api-types`)", async () => {
    expect(readFileSync(apiTypesFile, "utf8") === (await apiTypes())).toBe(true);
  });
});
