import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrationsFolder } from "../src/db/client.ts";
import { type TestApp, testApp } from "./app.ts";

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(() => t.close());

describe("health, OpenAPI and docs", () => {
  it("GET /health answers with the database kind and migration level", async () => {
    const res = await t.app.inject({ url: "/health" });
    expect(res.statusCode).toBe(200);
    const journal = JSON.parse(readFileSync(join(migrationsFolder, "meta/_journal.json"), "utf8"));
    const last = journal.entries.at(-1);
    expect(res.json()).toMatchObject({
      status: "ok",
      database: process.env.TEST_DATABASE_URL ? "postgres" : "pglite",
      migrations: { applied: journal.entries.length, expected: journal.entries.length, latest: last.tag },
    });
  });

  it("serves an OpenAPI document built from the route schemas", async () => {
    const res = await t.app.inject({ url: "/openapi.json" });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\./);
    for (const path of [
      "/api/people",
      "/api/organisations",
      "/api/requests",
      "/api/assurances",
      "/api/holds",
      "/api/decisions",
      "/api/cases",
      "/api/cases/{id}/transitions",
      "/api/operations",
      "/api/handovers",
      "/api/deadlines",
      "/api/stats",
    ]) {
      expect(Object.keys(doc.paths)).toContain(path);
    }
    const charges =
      doc.paths["/api/requests"].post.requestBody.content["application/json"].schema.properties.charges;
    expect(charges.items.required).toContain("statute");
  });

  it("documents the success status each operation really answers with", async () => {
    const doc = (await t.app.inject({ url: "/openapi.json" })).json();
    const success = (path: string, method: string) =>
      Object.keys(doc.paths[path][method].responses).filter((c) => c.startsWith("2"));
    for (const [path, ops] of Object.entries<Record<string, unknown>>(doc.paths))
      for (const method of Object.keys(ops))
        expect(success(path, method), `${method} ${path}`).toHaveLength(1);
    // Every create answers 201.
    for (const path of [
      "/api/people",
      "/api/requests",
      "/api/cases",
      "/api/operations",
      "/api/handovers",
      "/api/places",
    ])
      expect(success(path, "post")).toEqual(["201"]);
    expect(success("/api/cases/{id}/transitions", "post")).toEqual(["201"]);
    expect(success("/api/operations/{id}/status", "post")).toEqual(["200"]);
    expect(success("/api/operations/{id}/people/{personId}", "delete")).toEqual(["200"]);
    // And the live answer agrees.
    const live = await t.app.inject({
      method: "POST",
      url: "/api/places",
      headers: await t.as("operations-planner"),
      payload: { code: "MEX", kind: "airport", name: "Mexico City", lat: 19.43, lon: -99.07 },
    });
    expect(String(live.statusCode)).toBe(success("/api/places", "post")[0]);
  });

  it("serves browsable docs at /docs", async () => {
    const res = await t.app.inject({ url: "/docs/" });
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/swagger/i);
  });

  it("answers an unknown route with a 404 error body", async () => {
    const res = await t.app.inject({ url: "/api/nothing", headers: await t.as("auditor") });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe("NOT_FOUND");
  });

  it("names a bad query parameter", async () => {
    const res = await t.app.inject({ url: "/api/cases?limit=100000", headers: await t.as("auditor") });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.issues[0].field).toBe("query.limit");
  });
});
