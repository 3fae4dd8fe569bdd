import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestApp, testApp } from "../../test/app.ts";
import { consoleActor } from "../auth/tokens.ts";
import { toCount } from "../db/client.ts";
import { AppError } from "../errors.ts";
import { importRequests, readCsvRecords } from "../requests/import.ts";

/** A new person at intake who is likely one already recorded: 409 with the likely ones, unless told. */
describe("likely duplicates at intake", () => {
  let t: TestApp;
  const count = async (table: string) =>
    toCount(
      (
        (await t.database.db.execute(`select count(*) as n from ${table}`)) as unknown as {
          rows: { n: unknown }[];
        }
      ).rows[0]!.n,
    );
  const request = (person: Record<string, unknown>, more: Record<string, unknown> = {}) => ({
    person: { fictional: true, ...person },
    requestingState: "US",
    requestingAgency: "US Department of Justice",
    type: "formal-extradition",
    channel: "written-request",
    charges: [{ statute: "21 U.S.C. § 846", description: "Conspiracy to distribute cocaine" }],
    ...more,
  });
  const post = async (body: object) =>
    t.app.inject({
      method: "POST",
      url: "/api/requests",
      headers: await t.as("foreign-ministry"),
      payload: body,
    });
  let first: string;
  /** CSV lines imported by the foreign ministry's console. */
  const importLines = (lines: string[], allowDuplicates?: boolean, batchSize?: number) =>
    importRequests({
      db: t.database.app,
      actor: consoleActor("MX", "foreign-ministry"),
      records: readCsvRecords(Readable.from([`${lines.join("\n")}\n`])),
      ...(allowDuplicates ? { allowDuplicates } : {}),
      ...(batchSize ? { batchSize } : {}),
    });
  /** The issues of an import that must be refused; it writes no person and no request. */
  const importRefused = async (lines: string[], batchSize?: number) => {
    const [people, requests] = [await count("people"), await count("requests")];
    const err = await importLines(lines, false, batchSize).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect([await count("people"), await count("requests")]).toEqual([people, requests]);
    return (err as AppError).details.issues!;
  };
  const importAllowingDuplicates = (lines: string[]) => importLines(lines, true);

  beforeAll(async () => {
    t = await testApp();
    const res = await post(
      request({
        givenNames: "José Ángel",
        familyNames: "Pérez Gómez",
        dateOfBirth: "1974-05-09",
        identifiers: [{ kind: "interpol-notice", value: "DEMO-A-7777/2025" }],
      }),
    );
    expect(res.statusCode, res.body).toBe(201);
    first = res.json().personId;
  });
  afterAll(() => t?.close());

  it("answers 409 LIKELY_DUPLICATE listing the likely person, and writes nothing", async () => {
    const [people, requests] = [await count("people"), await count("requests")];
    const res = await post(request({ givenNames: "Jose A.", familyNames: "Perez-Gomez" }));
    expect(res.statusCode).toBe(409);
    const error = res.json().error;
    expect(error.code).toBe("LIKELY_DUPLICATE");
    expect(error.issues).toEqual([{ field: "person", rule: "likely a person already recorded" }]);
    expect(error.details.candidates).toEqual([
      {
        id: first,
        givenNames: "José Ángel",
        familyNames: "Pérez Gómez",
        dateOfBirth: "1974-05-09",
        score: expect.any(Number),
        matchedBy: "name",
      },
    ]);
    expect([await count("people"), await count("requests")]).toEqual([people, requests]);
  });

  it("finds one by an identifier of theirs, whatever the name", async () => {
    const res = await post(
      request({
        givenNames: "Rigoberto",
        familyNames: "Nadie",
        identifiers: [{ kind: "interpol-notice", value: "DEMO-A-7777/2025" }],
      }),
    );
    expect(res.statusCode).toBe(409);
    expect(res.json().error.details.candidates).toEqual([
      expect.objectContaining({ id: first, matchedBy: "identifier", score: 1 }),
    ]);
  });

  it("does not stop a different person: another date of birth, or a name that differs by a word", async () => {
    const born = await post(
      request({ givenNames: "José Ángel", familyNames: "Pérez Gómez", dateOfBirth: "1990-01-01" }),
    );
    expect(born.statusCode, born.body).toBe(201);
    const other = await post(request({ givenNames: "José Ángel", familyNames: "Pérez Salinas" }));
    expect(other.statusCode, other.body).toBe(201);
  });

  it("with a date of birth, finds the one born that day and one recorded without a date; not one born another day", async () => {
    const sameDay = await post(
      request({ givenNames: "Jose A.", familyNames: "Perez-Gomez", dateOfBirth: "1974-05-09" }),
    );
    expect(sameDay.statusCode).toBe(409);
    expect(sameDay.json().error.details.candidates).toEqual([
      expect.objectContaining({ id: first, matchedBy: "name", dateOfBirth: "1974-05-09" }),
    ]);

    const undated = await post(request({ givenNames: "Rigoberta", familyNames: "Menchaca Ruiz" }));
    expect(undated.statusCode, undated.body).toBe(201);
    const people = await count("people");
    const dated = await post(
      request({ givenNames: "Rigoberta", familyNames: "Menchaca-Ruíz", dateOfBirth: "1981-02-03" }),
    );
    expect(dated.statusCode).toBe(409);
    expect(dated.json().error.details.candidates).toEqual([
      expect.objectContaining({ id: undated.json().personId, matchedBy: "name", dateOfBirth: null }),
    ]);
    // Found by identifier too when the date of birth is given, and nothing written by either refusal.
    const byIdent = await post(
      request({
        givenNames: "Rigoberto",
        familyNames: "Nadie",
        dateOfBirth: "2001-01-01",
        identifiers: [{ kind: "interpol-notice", value: "DEMO-A-7777/2025" }],
      }),
    );
    expect(byIdent.statusCode).toBe(409);
    expect(byIdent.json().error.details.candidates).toEqual([
      expect.objectContaining({ id: first, matchedBy: "identifier" }),
    ]);
    expect(await count("people")).toBe(people);
  });

  it("records the person with allowDuplicate: true", async () => {
    const people = await count("people");
    const res = await post({
      ...request({ givenNames: "Jose A.", familyNames: "Perez-Gomez" }),
      allowDuplicate: true,
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().personId).not.toBe(first);
    expect(await count("people")).toBe(people + 1);
  });

  it("an import refuses a row whose new person is likely recorded, names the line, writes nothing; --allow-duplicates imports it", async () => {
    const header =
      "request_ref,given_names,family_names,date_of_birth,requesting_state,requesting_agency,type,channel,statute,description";
    const lines = [
      header,
      "R1,Brígida,Nueva Persona,1980-02-02,US,DOJ,formal-extradition,written-request,18 USC 1,desc", // line 2: new
      "R2,JOSE ANGEL,PEREZ-GOMES,1974-05-09,US,DOJ,formal-extradition,written-request,18 USC 2,desc", // line 3
    ];
    const issues = await importRefused(lines);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ field: "line 3: person" });
    expect(issues[0]!.rule).toContain(first);
    expect(await importAllowingDuplicates(lines)).toMatchObject({ requests: 2, people: 2 });
  });

  it("an import refuses a new person likely the same as an earlier new person of the file, naming that line; others pass", async () => {
    const header =
      "request_ref,person_ref,given_names,family_names,date_of_birth,requesting_state,requesting_agency,type,channel,statute,description";
    const row = (ref: string, person: string, names: string, born: string) =>
      `${ref},${person},${names},${born},US,DOJ,formal-extradition,written-request,18 USC 1,desc`;
    const lines = [
      header,
      row("W1", "", "Casimira,Ontiveros Lugo", "1988-03-03"), // line 2
      row("W2", "", "Casimira,Ontiveros Lugo", "1991-07-07"), // line 3: the same name, born another day
      row("W3", "", "Eleuterio,Bracamontes", ""), // line 4: no date of birth
      row("W4", "P1", "CASIMIRA,ONTIVEROS-LUGO", "1988-03-03"), // line 5: line 2 again
      row("W5", "P1", "CASIMIRA,ONTIVEROS-LUGO", "1988-03-03"), // line 6: the same person_ref
      row("W6", "", "Eleuterio,Bracamontes Ruiz", "1970-01-01"), // line 7: line 4, who has no date
    ];
    const issues = await importRefused(lines);
    expect(issues.map((i) => i.field)).toEqual(["line 5: person", "line 6: person_ref", "line 7: person"]);
    expect(issues[0]!.rule).toContain("the new person at line 2");
    expect(issues[2]!.rule).toContain("the new person at line 4");
    expect(await importAllowingDuplicates(lines)).toMatchObject({ requests: 6, people: 5 });
  });

  it("an import refuses a new person likely one of its earlier batches, naming that line; others pass", async () => {
    // Batches of two: lines 2–3 are written before lines 4–5 and 6–7 are checked. The earlier batch's people
    // born on a known day are compared from the import's temporary table, the one without a date from `people`.
    const header =
      "request_ref,given_names,family_names,date_of_birth,requesting_state,requesting_agency,type,channel,statute,description";
    const row = (ref: string, names: string, born: string) =>
      `${ref},${names},${born},US,DOJ,formal-extradition,written-request,18 USC 1,desc`;
    const lines = [
      header,
      row("B1", "Hermenegilda,Zúñiga Olvera", "1979-11-30"), // line 2
      row("B2", "Anacleto,Verástegui", ""), // line 3: no date of birth
      row("B3", "HERMENEGILDA,ZUNIGA-OLBERA", "1979-11-30"), // line 4: line 2, unaccented, a typo
      row("B4", "Hermenegilda,Zúñiga Olvera", "1982-01-15"), // line 5: the same name, born another day
      row("B5", "Anacleto,Verástegui Soto", "1966-06-06"), // line 6: line 3, who has no date
      row("B6", "Filiberta,Quezada", "1979-11-30"), // line 7: born the day of line 2, another name
      row("B7", "H.,Zúñiga Olvera", "1979-11-30"), // line 8: line 2, by an initial
    ];
    const issues = await importRefused(lines, 2);
    expect(issues.map((i) => i.field)).toEqual(["line 4: person", "line 6: person", "line 8: person"]);
    expect(issues[0]!.rule).toContain("likely the same person as the new person at line 2;");
    expect(issues[2]!.rule).toContain("likely the same person as the new person at line 2;");
    // Line 3's person, written by the import (not yet committed), is found in `people` by the search.
    expect(issues[1]!.rule).toMatch(/^likely a person already recorded: [0-9a-f-]{36} \(name /);
    // The same file, allowed, writes all seven.
    expect(await importLines(lines, true, 2)).toMatchObject({ requests: 7, people: 7 });
  });

  it("an import compares with earlier people gathered by day as with those not yet gathered, in file order", async () => {
    // Batches of one: the first 25 people are gathered into one text for their day, the next ones not yet.
    const header =
      "request_ref,given_names,family_names,date_of_birth,requesting_state,requesting_agency,type,channel,statute,description";
    const row = (ref: string, names: string) =>
      `${ref},${names},1979-11-30,US,DOJ,formal-extradition,written-request,18 USC 1,desc`;
    // "Gathered Person 10" to "39", lines 2 to 31: no two agree (their numbers stand for nothing else).
    const people = Array.from({ length: 30 }, (_, i) => row(`G${i}`, `Gathered,Person ${10 + i}`));
    const lines = [
      header,
      ...people,
      row("D1", "GATHERED,PERSON-10"), // line 32: line 2, gathered
      row("D2", "Gathered,Person 38"), // line 33: line 30, not yet gathered
      row("D3", "Gathered,Person"), // line 34: agrees with all of them: the first, line 2
    ];
    const issues = await importRefused(lines, 1);
    expect(issues.map((i) => i.field)).toEqual(["line 32: person", "line 33: person", "line 34: person"]);
    expect(issues.map((i) => i.rule.match(/new person at (line \d+)/)?.[1])).toEqual([
      "line 2",
      "line 30",
      "line 2",
    ]);
    expect(await importLines(lines, true, 1)).toMatchObject({ requests: 33, people: 33 });
  });
});
