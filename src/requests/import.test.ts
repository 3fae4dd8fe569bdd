import { execFile } from "node:child_process";
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Readable } from "node:stream";
import { promisify } from "node:util";
import { count, desc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestDatabase, testDatabase } from "../../test/db.ts";
import { verifyAudit } from "../audit/verify.ts";
import { write } from "../audit/write.ts";
import { consoleActor } from "../auth/tokens.ts";
import { type Db, toCount } from "../db/client.ts";
import {
  affiliations,
  auditEvents,
  cases,
  charges,
  imports,
  organisations,
  people,
  requests,
} from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { exportRecords } from "./export.ts";
import { importFile, importRequests, readCsvRecords, readJsonRecords } from "./import.ts";

const root = join(import.meta.dirname, "../..");
const exampleCsv = join(root, "examples/requests.csv");
const exampleJson = join(root, "examples/requests.json");
const actor = consoleActor("MX", "foreign-ministry");
// These tests import the example files' people again and again into one database: the duplicate check at
// intake (tested on its own in src/people/intake-duplicates.test.ts) is told to let them through.
const allowDuplicates = true;

let database: TestDatabase;
let db: Db;
const tmp = mkdtempSync(join(tmpdir(), "traslado-import-"));
beforeAll(async () => {
  database = await testDatabase();
  db = database.db;
});
afterAll(async () => {
  await database.close();
  rmSync(tmp, { recursive: true, force: true });
});

async function counts(d: Db = db) {
  const n = async (
    table: typeof requests | typeof people | typeof charges | typeof cases | typeof auditEvents,
  ) => toCount((await d.select({ n: count() }).from(table))[0]?.n);
  return {
    requests: await n(requests),
    people: await n(people),
    charges: await n(charges),
    cases: await n(cases),
    auditEvents: await n(auditEvents),
  };
}

const delta = (after: Awaited<ReturnType<typeof counts>>, before: Awaited<ReturnType<typeof counts>>) => ({
  requests: after.requests - before.requests,
  people: after.people - before.people,
  charges: after.charges - before.charges,
  cases: after.cases - before.cases,
  auditEvents: after.auditEvents - before.auditEvents,
});

const csv = (lines: string[]) => Readable.from([`${lines.join("\n")}\n`]);
const header =
  "request_ref,given_names,family_names,requesting_state,requesting_agency,type,channel,diplomatic_note,statute,description,capital_eligible";

/** The import's error, with each issue as the CLI prints it. */
async function rejection(promise: Promise<unknown>): Promise<string[]> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  expect((err as AppError).code).toBe("VALIDATION_FAILED");
  return ((err as AppError).details.issues ?? []).map((i) => `${i.field}: ${i.rule}`);
}

describe("import", () => {
  it("imports the example CSV: one request per request_ref, one person per person_ref, every row audited", async () => {
    const before = await counts();
    const result = await importFile({ db, actor, allowDuplicates, file: exampleCsv, openCases: true });
    expect(result).toMatchObject({
      records: 4,
      requests: 4,
      people: 3,
      charges: 6,
      cases: 4,
      rejectedRecords: 0,
    });
    // 3 people + 4 requests + 6 charges + 4 cases (+ the 4 statuses shared with the US) and the record of the
    // import, each with its audit event
    expect(delta(await counts(), before)).toEqual({
      requests: 4,
      people: 3,
      charges: 6,
      cases: 4,
      auditEvents: 22,
    });
    const kinds = await db
      .select({ kind: auditEvents.kind, n: count() })
      .from(auditEvents)
      .groupBy(auditEvents.kind);
    expect(Object.fromEntries(kinds.map((k) => [k.kind, toCount(k.n)]))).toMatchObject({
      "person.created": 3,
      "request.created": 4,
      "charge.created": 6,
      "case.created": 4,
    });
    // R-003 and R-004 are security transfers; R-004's person (P-001) also has the treaty case of R-001.
    const security = await db.select().from(cases).where(eq(cases.track, "security"));
    expect(security).toHaveLength(2);
    expect((await verifyAudit(db)).ok).toBe(true);
    // Where its time went: the phases within the whole; no duplicate check was asked for.
    const t = result.timings;
    expect(t.total).toBeGreaterThan(0);
    expect(t.check + t.write + t.audit).toBeLessThanOrEqual(t.total);
    expect([t.duplicatesRecorded, t.duplicatesInFile]).toEqual([0, 0]);
  });

  it("imports the example JSON", async () => {
    const before = await counts();
    const result = await importFile({ db, actor, allowDuplicates, file: exampleJson });
    expect(result).toMatchObject({ records: 3, requests: 3, people: 3, charges: 4, cases: 0 });
    expect(delta(await counts(), before)).toEqual({
      requests: 3,
      people: 3,
      charges: 4,
      cases: 0,
      auditEvents: 11,
    });
  });

  it("refuses a file already imported, naming when, and writes nothing; --again imports it on purpose", async () => {
    const before = await counts();
    const err = await importFile({ db, actor, allowDuplicates, file: exampleJson }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe("DUPLICATE");
    expect((err as AppError).message).toMatch(
      /requests\.json: this file was already imported on \d{4}-\d{2}-\d{2} \(3 request/,
    );
    expect((err as AppError).details.issues).toEqual([
      { field: "file", rule: expect.stringMatching(/already imported/) },
    ]);
    expect(await counts()).toEqual(before);

    // The same bytes under another name are the same file.
    const copy = join(tmp, "copy-of-requests.json");
    writeFileSync(copy, readFileSync(exampleJson));
    await expect(importFile({ db, actor, allowDuplicates, file: copy })).rejects.toMatchObject({
      code: "DUPLICATE",
    });
    expect(await counts()).toEqual(before);

    const again = await importFile({ db, actor, allowDuplicates, file: copy, again: true });
    expect(again).toMatchObject({ requests: 3, people: 3, charges: 4 });
    const recorded = await db.select().from(imports).where(eq(imports.format, "json"));
    expect(recorded.map((r) => [r.fileName, r.requests])).toEqual([
      ["requests.json", 3],
      ["copy-of-requests.json", 3],
    ]);
    expect(new Set(recorded.map((r) => r.fileSha256)).size).toBe(1);
  });

  it("of two imports of one file at once, one writes and the other is refused", async () => {
    const file = join(tmp, "race.csv");
    writeFileSync(
      file,
      [header, "R1,Raza,Dos,US,DOJ,formal-extradition,written-request,,18 USC 2,race,false"].join("\n"),
    );
    const before = await counts();
    const outcomes = await Promise.allSettled([
      importFile({ db, actor, allowDuplicates, file }),
      importFile({ db, actor, allowDuplicates, file }),
    ]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(["fulfilled", "rejected"]);
    const refused = outcomes.find((o) => o.status === "rejected") as PromiseRejectedResult;
    expect(refused.reason).toMatchObject({ code: "DUPLICATE" });
    expect(delta(await counts(), before)).toMatchObject({ requests: 1, people: 1, charges: 1 });
  });

  it("names every bad CSV line and field, and writes nothing", async () => {
    const before = await counts();
    const issues = await rejection(
      importRequests({
        db,
        allowDuplicates,
        actor,
        records: await readCsvRecords(
          csv([
            header,
            "A,Ana,Uno,US,DOJ,formal-extradition,written-request,,18 USC 1,first charge,false", // line 2: good
            "A,,,,,,,,,second charge without statute,maybe", // line 3
            "B,Bea,Dos,USA,DOJ,formal-extradition,diplomatic-note,,18 USC 2,desc,", // line 4
            "C,Caro,Tres,US,DOJ,formal-extradition,written-request,,18 USC 3,desc,false", // line 5: good
            "D,,Cuatro,US,DOJ,formal-extradition,written-request,,18 USC 4,desc,false", // line 6
          ]),
        ),
      }),
    );
    expect(issues).toEqual([
      "line 3: charges[1].capitalEligible (capital_eligible): must be true or false",
      "line 3: charges[1].statute: required",
      "line 4: requestingState (requesting_state): must be an ISO 3166-1 alpha-2 code such as MX or US",
      "line 4: diplomaticNote (diplomatic_note): required when channel is diplomatic-note",
      "line 6: person.givenNames (given_names): required",
    ]);
    expect(await counts()).toEqual(before);
  });

  it("names every bad JSON record by index and field, and writes nothing", async () => {
    const before = await counts();
    const good = {
      person: { givenNames: "Eva", familyNames: "Cinco" },
      requestingState: "US",
      requestingAgency: "DOJ",
      type: "formal-extradition",
      channel: "written-request",
      charges: [{ statute: "18 USC 5", description: "desc" }],
    };
    const issues = await rejection(
      importRequests({
        db,
        allowDuplicates,
        actor,
        records: readJsonRecords(
          Readable.from([
            JSON.stringify([
              good,
              { ...good, charges: [{ description: "no statute" }] },
              { ...good, charges: [] },
              { ...good, personId: "0199a3b2-0000-7000-8000-000000000000", person: undefined, extra: 1 },
            ]),
          ]),
        ),
      }),
    );
    expect(issues).toEqual([
      "index 1: charges[0].statute: required",
      "index 2: charges: at least one charge is required",
      "index 3: extra: unknown field",
    ]);
    expect(await counts()).toEqual(before);
  });

  it("imports a person's affiliations by organisation name or alias, the first primary; an unknown one is named", async () => {
    const [org] = await write(db, actor, (w) =>
      w.insert(organisations, [{ name: `Import Cartel ${Date.now()}`, aliases: ["Cártel de Prueba"] }]),
    );
    const file = (affiliations: string) =>
      csv([
        "request_ref,given_names,family_names,affiliations,requesting_state,requesting_agency,type,channel,statute,description",
        `R1,Ana,Afiliada,${affiliations},US,DOJ,security-transfer,written-request,18 USC 1,desc`,
      ]);
    const before = await counts();
    const issues = await rejection(
      importRequests({
        db,
        allowDuplicates,
        actor,
        records: await readCsvRecords(file("Cártel de Prueba:plaza boss;Nowhere Cartel")),
      }),
    );
    expect(issues).toEqual([
      "line 2: person.affiliations[1].organisationId (affiliations): unknown organisation Nowhere Cartel",
    ]);
    expect(await counts()).toEqual(before);
    const result = await importRequests({
      db,
      allowDuplicates,
      actor,
      records: await readCsvRecords(file(`cártel de prueba:plaza boss;${org!.name}`)),
    });
    expect(result.people).toBe(1);
    const [person] = await db.select().from(people).where(eq(people.familyNames, "Afiliada"));
    const rows = await db.select().from(affiliations).where(eq(affiliations.personId, person!.id));
    expect(rows.map((a) => ({ org: a.organisationId, role: a.role, primary: a.primary }))).toEqual([
      { org: org!.id, role: "plaza boss", primary: true },
      { org: org!.id, role: null, primary: false },
    ]);
  });

  it("with open-cases, a person who has an open case on the track is named, and nothing is written", async () => {
    const first = await importRequests({
      db,
      allowDuplicates,
      actor,
      openCases: true,
      records: await readCsvRecords(
        csv([
          "request_ref,given_names,family_names,requesting_state,requesting_agency,type,channel,statute,description",
          "S1,Dos,Veces,US,DOJ,security-transfer,written-request,18 USC 1,desc",
        ]),
      ),
    });
    expect(first.cases).toBe(1);
    const [person] = await db.select().from(people).where(eq(people.familyNames, "Veces"));
    const before = await counts();
    const issues = await rejection(
      importRequests({
        db,
        allowDuplicates,
        actor,
        openCases: true,
        records: await readCsvRecords(
          csv([
            "request_ref,person_id,requesting_state,requesting_agency,type,channel,statute,description",
            `S2,${person!.id},US,DOJ,security-transfer,written-request,18 USC 2,desc`,
            `S3,${person!.id},CO,FGN,formal-extradition,written-request,CP 1,desc`,
          ]),
        ),
      }),
    );
    expect(issues).toEqual([
      expect.stringMatching(
        /^line 2: personId: no case can be opened: person already has an open security case /,
      ),
      expect.stringMatching(/^line 3: treaty: no case can be opened: request names no extradition treaty/),
    ]);
    expect(await counts()).toEqual(before);
  });

  it("reports a personId that names no person", async () => {
    const issues = await rejection(
      importRequests({
        db,
        allowDuplicates,
        actor,
        records: await readCsvRecords(
          csv([
            "request_ref,person_id,requesting_state,requesting_agency,type,channel,statute,description",
            "X,0199a3b2-0000-7000-8000-000000000000,US,DOJ,formal-extradition,written-request,18 USC 6,desc",
          ]),
        ),
      }),
    );
    expect(issues).toEqual(["line 2: personId: must reference an existing person"]);
  });

  it("refuses rows of one request that are not consecutive, or disagree", async () => {
    const issues = await rejection(
      importRequests({
        db,
        allowDuplicates,
        actor,
        records: await readCsvRecords(
          csv([
            header,
            "A,Ana,Uno,US,DOJ,formal-extradition,written-request,,18 USC 1,desc,false",
            "A,Ana,Uno,MX,DOJ,formal-extradition,written-request,,18 USC 2,desc,false",
            "B,Bea,Dos,US,DOJ,formal-extradition,written-request,,18 USC 3,desc,false",
            "A,Ana,Uno,US,DOJ,formal-extradition,written-request,,18 USC 4,desc,false",
          ]),
        ),
      }),
    );
    expect(issues).toEqual([
      "line 3: requesting_state: differs from line 2 of request_ref A (leave it empty or repeat it)",
      "line 5: request_ref: A is already used by the request at line 2; a request's rows must be consecutive",
    ]);
  });

  it("names the first 1,000 issues of a file with more, and says how many more; nothing is written", async () => {
    const before = await counts();
    const good = (i: number) =>
      `G${i},Gil,Bueno,US,DOJ,formal-extradition,written-request,,18 USC 1,desc,false`;
    const bad = (i: number) => `B${i},Bad,Row,US,DOJ,formal-extradition,written-request,,,no statute,false`;
    // Good records first (written in the first batches), then 1,200 bad ones.
    const lines = [
      header,
      ...Array.from({ length: 30 }, (_, i) => good(i)),
      ...Array.from({ length: 1200 }, (_, i) => bad(i)),
    ];
    const issues = await rejection(
      importRequests({ db, actor, allowDuplicates, batchSize: 10, records: readCsvRecords(csv(lines)) }),
    );
    expect(issues).toHaveLength(1001);
    expect(issues[0]).toBe("line 32: charges[0].statute: required");
    expect(issues[999]).toBe("line 1031: charges[0].statute: required");
    expect(issues[1000]).toBe("(more): 200 further issue(s), not listed (the first 1000 are)");
    expect(await counts()).toEqual(before);
  });

  it("streams a JSON file and refuses one whose top level is not an array", async () => {
    const file = join(tmp, "one.json");
    writeFileSync(file, JSON.stringify({ requests: [] }));
    const err = await importFile({ db, actor, allowDuplicates, file }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).message).toBe("the JSON file must hold an array of requests");
    writeFileSync(file, '[{"requestingState": "US"}, {"person": ');
    const cut = await importFile({ db, actor, allowDuplicates, file }).catch((e: unknown) => e);
    expect((cut as AppError).message).toMatch(/^not valid JSON: /);
  });

  it("with partial, imports the valid records and reports the bad ones", async () => {
    const before = await counts();
    const result = await importRequests({
      db,
      allowDuplicates,
      actor,
      partial: true,
      records: await readCsvRecords(
        csv([
          header,
          "A,Ana,Uno,US,DOJ,formal-extradition,written-request,,18 USC 1,first,false",
          "A,,,,,,,,18 USC 1b,second,true",
          "B,Bea,Dos,US,DOJ,formal-extradition,written-request,,,no statute,false",
          "C,Caro,Tres,US,DOJ,security-transfer,other,,18 USC 3,desc,false",
        ]),
      ),
    });
    expect(result).toMatchObject({ records: 3, requests: 2, people: 2, charges: 3, rejectedRecords: 1 });
    expect(result.rejected).toEqual([{ location: "line 4", field: "charges[0].statute", rule: "required" }]);
    expect(delta(await counts(), before)).toEqual({
      requests: 2,
      people: 2,
      charges: 3,
      cases: 0,
      auditEvents: 7,
    });
  });

  it("asks the server for memory for what it remembers of the file, and goes on with the session's when refused", async () => {
    // This session has had temporary tables (the imports above): PostgreSQL refuses to change its
    // temp_buffers now, and the import keeps the session's.
    for (const tempBuffers of ["24MB", "40MB"]) {
      const before = await counts();
      const records = readCsvRecords(createReadStream(exampleCsv));
      const result = await importRequests({ db, actor, allowDuplicates, records, tempBuffers });
      expect(result).toMatchObject({ requests: 4, people: 3, charges: 6 });
      expect(delta(await counts(), before)).toMatchObject({ requests: 4, people: 3, charges: 6 });
    }
  });

  it("writes in batches inside one transaction: a failure in a later batch leaves nothing", async () => {
    const before = await counts();
    const records = Array.from({ length: 5 }, (_, i) => ({
      location: `index ${i}`,
      ordinal: i,
      input: {
        person: { givenNames: "Batch", familyNames: `Person ${i}` },
        requestingState: "US",
        requestingAgency: "DOJ",
        type: "formal-extradition",
        channel: "written-request",
        charges: [{ statute: "18 USC 7", description: "desc" }],
      },
    }));
    let batches = 0;
    await expect(
      importRequests({
        db,
        allowDuplicates,
        actor,
        records,
        batchSize: 2,
        onProgress: ({ requests }) => {
          if (requests > 0 && ++batches === 2) throw new Error("disk full");
        },
      }),
    ).rejects.toThrow("disk full");
    expect(await counts()).toEqual(before);
  });

  it("exports requests as CSV that re-imports to the same requests, people and charges", async () => {
    const other = await testDatabase();
    try {
      await importFile({ db: other.db, actor, file: exampleCsv });
      const first = await exportCsv(other.db);
      const file = join(tmp, "export.csv");
      writeFileSync(file, first);

      const fresh = await testDatabase();
      try {
        const result = await importFile({ db: fresh.db, actor, file });
        expect(result).toMatchObject({ requests: 4, people: 3, charges: 6, rejectedRecords: 0 });
        const second = await exportCsv(fresh.db);
        // Same rows but for the ids (request_ref, person_ref), which are new.
        const withoutIds = (text: string) => text.split("\n").map((l) => l.split(",").slice(2).join(","));
        expect(withoutIds(second)).toEqual(withoutIds(first));
      } finally {
        await fresh.close();
      }
    } finally {
      await other.close();
    }
  });

  it("exports other entities and the audit chain as JSON arrays and CSV", async () => {
    const peopleJson = JSON.parse(await exportText(db, "people", "json"));
    const n = await counts();
    expect(peopleJson).toHaveLength(n.people);
    expect(peopleJson[0]).toHaveProperty("givenNames");
    // The export is in the audit chain: who took what, in which format, how many.
    const [noted] = await db.select().from(auditEvents).orderBy(desc(auditEvents.arrival)).limit(1);
    expect(noted).toMatchObject({
      entity: "export",
      kind: "export.written",
      actorId: "console:MX:auditor",
      after: { entity: "people", format: "json", count: n.people },
    });
    const audit = JSON.parse(await exportText(db, "audit", "json", 7));
    expect(audit).toHaveLength(n.auditEvents);
    expect(audit.map((e: { seq: number }) => e.seq)).toEqual([...audit.keys()].map((i) => i + 1));
    const casesCsv = (await exportText(db, "cases", "csv", 2)).trim().split("\n");
    expect(casesCsv[0]).toMatch(/^id,party,shared_with,version,recorded_at,track,state/);
    expect(casesCsv).toHaveLength(n.cases + 1);
    expect(JSON.parse(await exportText(db, "handovers", "json"))).toEqual([]);
  });
});

async function exportText(
  d: Db,
  entity: Parameters<typeof exportRecords>[0]["entity"],
  format: "csv" | "json",
  pageSize?: number,
) {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on("data", (c: Buffer) => chunks.push(c));
  await exportRecords({
    db: d,
    actor: consoleActor("MX", "auditor"),
    entity,
    format,
    out,
    ...(pageSize ? { pageSize } : {}),
  });
  out.end();
  return Buffer.concat(chunks).toString("utf8");
}

const exportCsv = (d: Db) => exportText(d, "requests", "csv", 2);

describe("traslado import (the CLI)", () => {
  it("exits 2, names the bad line and field, and imports nothing; then imports a good file", async () => {
    const dataDir = mkdtempSync(join(tmp, "data-"));
    const bad = join(tmp, "bad.csv");
    writeFileSync(
      bad,
      [
        header,
        "A,Ana,Uno,US,DOJ,formal-extradition,written-request,,18 USC 1,desc,false",
        "A,,,,,,,,,second charge,false",
      ].join("\n"),
    );
    // The CLI runs on embedded PGlite in its own data directory, whichever database the tests use.
    const { DATABASE_URL: _url, ...env } = process.env;
    const run = (...args: string[]) =>
      promisify(execFile)(process.execPath, [join(root, "bin/traslado.js"), ...args], {
        cwd: root,
        env: { ...env, DATA_DIR: dataDir, SEED_DEMO: "false" },
      }).then(
        (r) => ({ code: 0, ...r }),
        (e: { code: number; stdout: string; stderr: string }) => e,
      );
    const failed = await run("import", bad);
    expect(failed.code).toBe(2);
    expect(failed.stderr).toContain("1 of 1 record(s) are invalid: nothing was imported");
    expect(failed.stderr).toContain("line 3: charges[1].statute: required");

    const ok = await run("import", exampleCsv, "--open-cases");
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/imported 4 request\(s\): 3 new people, 6 charge\(s\), 4 case\(s\) opened/);
    const twice = await run("import", exampleCsv);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toMatch(/requests\.csv: this file was already imported on .*nothing was imported/);
    expect(twice.stderr).toContain("--again");
    rmSync(dataDir, { recursive: true, force: true });
  }, 180_000); // three fresh processes, each opening an embedded database: slow on a loaded machine
});
