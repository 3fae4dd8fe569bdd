/**
 * The case file (`document.ts`) builds two things in SQL that the legal track computes in TypeScript: each
 * open deadline's status, and the assurances that cover the case. Random records hold the two to each
 * other: whatever the dates, scopes and listings, the SQL says what `deadlineStatus` and
 * `coveringAssurances` say.
 */
import { eq } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { officer, type TestApp, testApp } from "../../test/app.ts";
import { write } from "../audit/write.ts";
import type { Actor } from "../auth/roles.ts";
import { assurances, cases, deadlines, operationPeople, operations, people } from "../db/schema.ts";
import { addDays } from "./calendar.ts";
import { coveringAssurances } from "./coverage.ts";
import { defaultDueSoonDays, treatyById } from "./treaty-parameters.ts";
import { type Deadline, deadlineStatus } from "./workflow.ts";

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(() => t.close());

const actor: Actor = { id: "coverage-test", name: "Coverage test", party: "MX", role: "admin" };
const base = "2026-06-15";

const recordArb = fc.record({
  treaty: fc.constantFrom<string | null>("us-mx-1978", null),
  today: fc.integer({ min: -20, max: 20 }),
  deadlines: fc.array(
    fc.record({
      dueIn: fc.integer({ min: -10, max: 12 }),
      status: fc.constantFrom("open", "open", "open", "met", "lapsed"),
    }),
    { maxLength: 5 },
  ),
  /** Operations: does it list the person, and was the listing removed since? */
  operations: fc.array(fc.record({ lists: fc.boolean(), removed: fc.boolean() }), {
    minLength: 0,
    maxLength: 3,
  }),
  assurances: fc.array(
    fc.record({
      scope: fc.constantFrom("person", "operation"),
      ofThisPerson: fc.boolean(),
      operation: fc.nat(),
      status: fc.constantFrom("requested", "given", "withdrawn"),
    }),
    { maxLength: 5 },
  ),
});

describe("the case file's SQL and the legal track's TypeScript", () => {
  it("agree on deadline statuses and covering assurances, for any record", async () => {
    let compared = { deadlines: 0, covered: 0 };
    await fc.assert(
      fc.asyncProperty(recordArb, async (r) => {
        const built = await write(t.database.db, actor, async (w) => {
          const [person, other] = await w.insert(people, [
            { givenNames: "Coverage", familyNames: "Person", fictional: true },
            { givenNames: "Coverage", familyNames: "Other", fictional: true },
          ]);
          const c = await w.insertOne(cases, {
            track: "treaty",
            state: "judicial-hearing",
            personId: person!.id,
            treatyParameters: r.treaty,
            openedOn: base,
          });
          const ds = await w.insert(
            deadlines,
            r.deadlines.map((d) => ({
              caseId: c.id,
              kind: "evidence",
              startsOn: base,
              dueOn: addDays(base, d.dueIn),
              days: 20,
              unit: "business",
              countsFrom: "day-after",
              legalSource: "test",
              status: d.status,
            })),
          );
          const ops = await w.insert(
            operations,
            r.operations.map(() => ({
              code: `COV-${crypto.randomUUID().slice(0, 8).toUpperCase()}`,
              legalBasis: "test",
              operationDate: base,
              stagingAirport: "TLC",
              status: "planning",
              receivingState: "US",
            })),
          );
          await w.insert(
            operationPeople,
            r.operations.flatMap((o, i) =>
              o.lists
                ? [
                    {
                      operationId: ops[i]!.id,
                      personId: person!.id,
                      caseId: c.id,
                      destinationAirport: "IAD",
                      removedAt: o.removed ? new Date(`${base}T00:00:00Z`) : null,
                    },
                  ]
                : [],
            ),
          );
          const as = await w.insert(
            assurances,
            r.assurances.flatMap((a) =>
              a.scope === "operation" && ops.length === 0
                ? []
                : [
                    {
                      kind: "no-death-penalty",
                      giver: "US Department of Justice",
                      scope: a.scope,
                      personId: a.scope === "person" ? (a.ofThisPerson ? person!.id : other!.id) : null,
                      operationId: a.scope === "operation" ? ops[a.operation % ops.length]!.id : null,
                      status: a.status,
                    },
                  ],
            ),
          );
          return { c, ds, ops, as, person: person! };
        });
        const now = new Date(`${addDays(base, r.today)}T15:00:00Z`);
        const doc = await t.s.cases.get(built.c.id, officer("auditor"), now);

        // Deadlines: an open one's status is `deadlineStatus` under the case's treaty (or the default).
        const dueSoon = treatyById(r.treaty)?.dueSoonDays ?? defaultDueSoonDays;
        for (const d of built.ds) {
          const expected = d.status === "open" ? deadlineStatus(d as Deadline, now, dueSoon) : d.status;
          expect(doc.deadlines.find((x) => x.id === d.id)?.status).toBe(expected);
          compared.deadlines++;
        }
        // Assurances: the rule of `coveringAssurances`, from the person's own and the listing operations'.
        const listing = await t.database.db
          .select()
          .from(operationPeople)
          .where(eq(operationPeople.personId, built.person.id));
        const listedOn = new Set(listing.filter((l) => !l.removedAt).map((l) => l.operationId));
        const covering = coveringAssurances(
          built.as.filter((a) => a.personId === built.person.id),
          built.as.filter((a) => a.operationId !== null && listedOn.has(a.operationId)),
        );
        expect(doc.assurances.map((a) => a.id).sort()).toEqual(covering.map((a) => a.id).sort());
        compared.covered += covering.length;
      }),
      { numRuns: 60, seed: 20260615 },
    );
    // The runs compare real cases: deadlines of every status, and covering assurances of both scopes.
    expect(compared.deadlines).toBeGreaterThan(50);
    expect(compared.covered).toBeGreaterThan(20);
    compared = { deadlines: 0, covered: 0 };
  });
});
