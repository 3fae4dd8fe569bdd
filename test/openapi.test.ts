import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestApp, testApp } from "./app.ts";

/** Issue 10, part 9: the API contract, as a client generator or a reviewer reads /openapi.json. */

interface Operation {
  operationId?: string;
  tags?: string[];
  parameters?: { in: string }[];
  requestBody?: unknown;
  responses: Record<string, { content?: Record<string, { schema: { $ref?: string } }>; headers?: object }>;
  "x-permission"?: string;
}

let t: TestApp;
let doc: {
  info: { contact?: object; license?: { name: string } };
  servers?: unknown[];
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown> };
};
beforeAll(async () => {
  t = await testApp();
  doc = (await t.app.inject({ url: "/openapi.json" })).json();
});
afterAll(() => t.close());

const operations = () =>
  Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({
      name: `${method.toUpperCase()} ${path}`,
      path,
      method,
      op,
    })),
  );

describe("the OpenAPI document", () => {
  it("states its servers, contact and licence", () => {
    expect(doc.servers).toHaveLength(1);
    expect(doc.info.contact).toBeDefined();
    expect(doc.info.license?.name).toBe("Apache-2.0");
  });

  it("gives every operation a unique operationId and a tag", () => {
    const ids = operations().map(({ name, op }) => {
      expect(op.operationId, name).toMatch(/^[a-z][A-Za-z]+$/);
      expect(op.tags?.length, name).toBeGreaterThan(0);
      return op.operationId;
    });
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(
      expect.arrayContaining(["listCases", "takeCaseTransition", "createPerson", "listPeople"]),
    );
  });

  it("documents every error answer an API operation can give, with the one error schema", () => {
    expect(doc.components.schemas.Error).toBeDefined();
    for (const { name, path, method, op } of operations()) {
      if (!path.startsWith("/api/")) continue;
      const expected = ["401", "429", "500"];
      if (op["x-permission"] !== "public") expected.push("403");
      if (op.parameters?.some((p) => p.in === "path")) expected.push("404");
      if (op.requestBody || op.parameters?.length) expected.push("400");
      if (op.requestBody) expected.push("413");
      if (method !== "get") expected.push("409", "422");
      for (const code of expected) {
        const answer = op.responses[code];
        expect(answer, `${name} ${code}`).toBeDefined();
        expect(answer!.content?.["application/json"]?.schema.$ref, `${name} ${code}`).toBe(
          "#/components/schemas/Error",
        );
      }
      // Every answer of the API names the client's rate limit.
      for (const [code, answer] of Object.entries(op.responses))
        if (!code.startsWith("5"))
          expect(answer.headers, `${name} ${code}`).toHaveProperty("RateLimit-Remaining");
    }
  });

  it("states the media types of an answer that is not JSON: the manifests as text or PDF bytes", () => {
    const ok = doc.paths["/api/operations/{id}/plan/manifest"]?.get?.responses["200"];
    expect(Object.keys(ok?.content ?? {})).toEqual(["text/plain", "application/pdf"]);
    expect(ok?.content?.["application/pdf"]?.schema).toMatchObject({ type: "string", format: "binary" });
  });

  it("describes every success answer with a named or described schema, never a bare object", () => {
    const undescribed: string[] = [];
    for (const { name, op } of operations())
      for (const [code, answer] of Object.entries(op.responses)) {
        if (!code.startsWith("2")) continue;
        const content = Object.entries(answer.content ?? {});
        if (content.length === 0) undescribed.push(`${name} ${code}: no content`);
        for (const [type, { schema }] of content) {
          const s = schema as { $ref?: string; type?: string; properties?: object; items?: object };
          const described =
            s.$ref !== undefined ||
            (s.type === "object" && s.properties !== undefined) ||
            (s.type === "array" && s.items !== undefined) ||
            (s.type === "string" && type !== "application/json");
          if (!described) undescribed.push(`${name} ${code} ${type}`);
        }
      }
    expect(undescribed).toEqual([]);
    // Every reference names a component of the document; the web app's types are named after them.
    const refs = JSON.stringify(doc).match(/#\/components\/schemas\/[A-Za-z]+/g) ?? [];
    for (const ref of new Set(refs)) expect(doc.components.schemas, ref).toHaveProperty(ref.split("/")[3]!);
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(["Person", "Request", "CaseFile", "CaseStep", "OperationFile", "Plan", "Stats"]),
    );
  });

  it("bounds every string and array of a request", () => {
    const unbounded: string[] = [];
    const walk = (s: Record<string, unknown> | undefined, where: string) => {
      if (!s || typeof s !== "object") return;
      if (s.type === "string" && s.maxLength === undefined && s.enum === undefined) unbounded.push(where);
      if (s.type === "array" && s.maxItems === undefined) unbounded.push(where);
      for (const [k, v] of Object.entries(s))
        if (v && typeof v === "object") walk(v as Record<string, unknown>, `${where}.${k}`);
    };
    for (const { name, op } of operations()) {
      walk(op.requestBody as Record<string, unknown>, `${name} body`);
      walk({ p: op.parameters } as Record<string, unknown>, `${name} parameters`);
    }
    expect(unbounded).toEqual([]);
  });
});
