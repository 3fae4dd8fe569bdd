import Fastify from "fastify";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { type AnswerMismatch, checkAnswers, sendAsIs } from "../src/http/answers.ts";

/** The answer schemas: documentation in production, checked as answers leave in the tests. */
async function appWith(check: boolean) {
  const app = Fastify();
  app.setSerializerCompiler(sendAsIs);
  const mismatches: AnswerMismatch[] = [];
  if (check) checkAnswers(app, (m) => mismatches.push(m));
  const schema = { response: { 200: z.strictObject({ n: z.number(), when: z.iso.datetime() }) } };
  app.get("/good", { schema }, async () => ({ n: 1, when: new Date("2026-01-20T17:00:00Z") }));
  app.get("/bad", { schema }, async () => ({ n: "one", when: "2026-01-20T17:00:00.000Z", extra: true }));
  // JSON the database built, sent as text (`sendJson` in resource.ts), is checked the same way.
  app.get("/text", { schema }, async (_req, reply) =>
    reply.type("application/json; charset=utf-8").send('{"n": 2, "when": "yesterday"}'),
  );
  await app.ready();
  return { app, mismatches };
}

describe("answers checked against their schemas", () => {
  it("lets a matching answer through unchanged", async () => {
    const { app, mismatches } = await appWith(true);
    const res = await app.inject({ url: "/good" });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ n: 1, when: "2026-01-20T17:00:00.000Z" });
    expect(mismatches).toEqual([]);
  });

  it("turns a mismatch into a 500 naming each field, and reports it", async () => {
    const { app, mismatches } = await appWith(true);
    const bad = await app.inject({ url: "/bad" });
    expect(bad.statusCode).toBe(500);
    expect(bad.json().error.message).toMatch(/GET \/bad 200: the answer does not match its schema/);
    expect(bad.json().error.message).toMatch(/extra/);
    expect(bad.json().error.message).toMatch(/→ at n/);
    const text = await app.inject({ url: "/text" });
    expect(text.statusCode).toBe(500);
    expect(text.json().error.message).toMatch(/→ at when/);
    expect(mismatches.map((m) => m.route)).toEqual(["GET /bad", "GET /text"]);
  });

  it("without the check (production), sends the answer as built: nothing parsed, filtered or refused", async () => {
    const { app } = await appWith(false);
    const res = await app.inject({ url: "/bad" });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ n: "one", when: "2026-01-20T17:00:00.000Z", extra: true });
  });
});
