import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestApp, testApp } from "../../test/app.ts";
import { buildPerson } from "../../test/factories.ts";
import { asActor } from "../auth/access.ts";
import type { Role } from "../auth/roles.ts";
import { seedDemoIfEmpty } from "../seed/demo.ts";
import { namesAgree, normaliseName } from "./names.ts";
import variants from "./search-variants.json" with { type: "json" };

const now = new Date("2026-03-02T12:00:00Z");

describe("names, compared word by word", () => {
  it("takes out accents, case and punctuation", () => {
    expect(normaliseName("Pérez-Gómez, José Á.")).toBe("perez gomez jose a");
  });
  it("agrees across order, initials and a typo; not across a different word", () => {
    expect(namesAgree("José Ángel Pérez Gómez", "Perez-Gomez, Jose A.")).toBe(true);
    expect(namesAgree("Jose Perez Gomes", "José Pérez Gómez")).toBe(true);
    expect(namesAgree("Test Person 1", "Test Person 2")).toBe(false);
    expect(namesAgree("Ana Pérez", "Ana Pérez Gómez")).toBe(true);
    expect(namesAgree("Ana Pérez", "Juan Pérez")).toBe(false);
  });
});

describe("people search (GET /api/people?q=)", () => {
  let t: TestApp;
  let idByName: Map<string, string>;
  const search = async (q: string, role: Role = "foreign-ministry", party = "MX", limit = 3) => {
    const res = await t.app.inject({
      url: `/api/people?q=${encodeURIComponent(q)}&limit=${limit}`,
      headers: await t.as(role, party),
    });
    expect(res.statusCode, res.body).toBe(200);
    return res.json().items as {
      id: string;
      givenNames: string;
      familyNames: string;
      score: number;
      matchedBy: string;
    }[];
  };

  beforeAll(async () => {
    t = await testApp();
    await seedDemoIfEmpty(t.s, { now });
    const all = await t.s.people.list({ limit: 500 }, { id: "t", name: "t", party: "MX", role: "auditor" });
    idByName = new Map(all.items.map((p) => [`${p.givenNames} ${p.familyNames}`, p.id]));
  }, 120_000);
  afterAll(() => t?.close());

  it(`finds the right demo person in the top 3 for each of the ${variants.length} variants (recall printed)`, async () => {
    expect(variants.length).toBeGreaterThanOrEqual(200);
    const missed: string[] = [];
    const byKind = new Map<string, { found: number; of: number }>();
    for (const v of variants) {
      const expectedId = idByName.get(v.expected);
      expect(expectedId, v.expected).toBeDefined();
      const top = await search(v.variant);
      const found = top.some((p) => p.id === expectedId);
      const k = byKind.get(v.kind) ?? { found: 0, of: 0 };
      byKind.set(v.kind, { found: k.found + (found ? 1 : 0), of: k.of + 1 });
      if (!found)
        missed.push(
          `${v.kind}: "${v.variant}" → ${top.map((p) => `${p.givenNames} ${p.familyNames} ${p.score}`).join(" | ")}`,
        );
    }
    const recall = (variants.length - missed.length) / variants.length;
    console.info(
      `person search recall@3: ${(recall * 100).toFixed(1)}% (${variants.length - missed.length}/${variants.length}); ${[
        ...byKind,
      ]
        .map(([k, v]) => `${k} ${v.found}/${v.of}`)
        .join(", ")}`,
    );
    expect(missed).toEqual([]);
  }, 120_000);

  it("ranks best first with a score, an identifier exactly and first", async () => {
    const top = await search("Aurelio Pradoverde Ficticio", "foreign-ministry", "MX", 10);
    expect(`${top[0]!.givenNames} ${top[0]!.familyNames}`).toBe("Aurelio Pradoverde Ficticio");
    expect(top[0]!.matchedBy).toBe("name");
    for (let i = 1; i < top.length; i++) expect(top[i]!.score).toBeLessThanOrEqual(top[i - 1]!.score);
    const byId = await search("DEMO-USMS-10000");
    expect(byId.map((p) => [p.id, p.score, p.matchedBy])).toEqual([
      [idByName.get("Aurelio Pradoverde Ficticio"), 1, "identifier"],
    ]);
    // An identifier is matched exactly, not by similarity.
    expect(await search("DEMO-USMS-1000")).toEqual([]);
  });

  it("stays behind the access wall: another state finds none of the sending state's own people", async () => {
    const own = await buildPerson(t, { givenNames: "Wendolín", familyNames: "Xochiquetzal Ybarra" });
    expect((await search("Wendolin Xochiquetzal")).map((p) => p.id)).toEqual([own.id]);
    // A Guatemalan officer who may read people sees only what Guatemala owns or was shared.
    expect((await search("Wendolin Xochiquetzal", "request-officer", "GT")).map((p) => p.id)).toEqual([]);
  });

  // Review M6: the answer above is re-read under row-level security, which would hide another party's ids
  // even if the SECURITY DEFINER function's own party rule broke. Its ids are asked for directly here.
  it("the search function itself (SECURITY DEFINER) gives a party no id of another party's people", async () => {
    const own = await buildPerson(t, { givenNames: "Eulogio", familyNames: "Zacarías Quintero" });
    const ids = (party: string) =>
      asActor(t.database.app, { party, id: `search-test-${party}` }, async () =>
        (
          (await t.database.app.execute(
            sql`select id from public.traslado_person_search(${"Eulogio Zacarias Quintero"}, 10)`,
          )) as unknown as { rows: { id: string }[] }
        ).rows.map((r) => r.id),
      );
    // The function finds the person for its own party (so the next line can fail)...
    expect(await ids("MX")).toContain(own.id);
    // ...and not for Guatemala, which neither owns the record nor was given it.
    expect(await ids("GT")).not.toContain(own.id);
  });
});
