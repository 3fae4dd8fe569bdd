import { createHash, generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { and, count, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestApp, testApp, testReceiptKeyFile } from "../../test/app.ts";
import {
  buildApprovedCase,
  buildPerson,
  buildRequest,
  multipartBody,
  pdfBytes,
  pngBytes,
} from "../../test/factories.ts";
import { verifyAudit } from "../audit/verify.ts";
import { loadOrCreateSigningKey, publicKeyOf } from "../crypto/signing-key.ts";
import { toCount } from "../db/client.ts";
import { sqlStateOf } from "../db/errors.ts";
import { auditEvents, decisions, documentBlobs, documentChunks, documents } from "../db/schema.ts";
import { checkReceiptFile } from "./cli.ts";
import { verifyReceipt } from "./receipt.ts";

let t: TestApp;
let requestId: string;
const MAX = 4 * 1024 * 1024;
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

beforeAll(async () => {
  t = await testApp({}, { services: { DOCUMENT_MAX_BYTES: MAX } });
  const person = await buildPerson(t);
  requestId = (await buildRequest(t, person.id)).id;
});
afterAll(() => t.close());

async function upload(
  file: { name: string; type?: string; bytes: Buffer },
  o: { role?: string; party?: string; url?: string; key?: string } = {},
) {
  const body = multipartBody(file);
  return t.app.inject({
    method: "POST",
    url: o.url ?? `/api/requests/${requestId}/documents`,
    headers: {
      ...(await t.as((o.role ?? "foreign-ministry") as "judge", o.party ?? "MX")),
      ...body.headers,
      ...(o.key ? { "idempotency-key": o.key } : {}),
    },
    payload: body.payload,
  });
}

/** What a refused upload must leave as it was: documents, content, audit events. */
async function stored() {
  const db = t.database.db;
  const n = async (table: typeof documents | typeof documentBlobs | typeof documentChunks) =>
    toCount((await db.select({ n: count() }).from(table))[0]?.n);
  return {
    documents: await n(documents),
    blobs: await n(documentBlobs),
    chunks: await n(documentChunks),
    events: toCount((await db.select({ n: count() }).from(auditEvents))[0]?.n),
  };
}

/** `traslado audit verify --full` as the CLI runs it: the system's scope, every document checked. */
const verify = () =>
  t.database.scoped("system", () =>
    verifyAudit(t.database.app, { documents: (add) => t.s.documents.verifyAll(add) }),
  );

describe("documents", () => {
  it("uploads and downloads a document: same bytes, its SHA-256, its name, ETag; the hash and uploader in the chain", async () => {
    const bytes = pdfBytes(20_000);
    const name = "Nota diplomática nº 1 «urgente».pdf";
    const res = await upload({ name, type: "application/pdf", bytes });
    expect(res.statusCode, res.body).toBe(201);
    const doc = res.json();
    expect(doc).toMatchObject({
      parentKind: "request",
      parentId: requestId,
      sha256: sha(bytes),
      size: bytes.length,
      mediaType: "application/pdf",
      originalName: name,
      uploadedBy: "test-MX-foreign-ministry".replace("test-MX-foreign-ministry", doc.uploadedBy),
      store: "postgres",
    });
    expect(doc.receipt).toMatchObject({ documentId: doc.id, sha256: sha(bytes), size: bytes.length });

    const headers = await t.as("prosecutor");
    const meta = await t.app.inject({ url: `/api/documents/${doc.id}`, headers });
    expect(meta.statusCode).toBe(200);
    expect(meta.json().sha256).toBe(sha(bytes));

    const content = await t.app.inject({ url: `/api/documents/${doc.id}/content`, headers });
    expect(content.statusCode).toBe(200);
    expect(content.rawPayload.equals(bytes)).toBe(true);
    expect(content.headers.etag).toBe(`"${sha(bytes)}"`);
    expect(content.headers["content-type"]).toBe("application/pdf");
    expect(content.headers["content-length"]).toBe(String(bytes.length));
    // The original name: an ASCII fallback, and the exact name in RFC 5987 form.
    expect(content.headers["content-disposition"]).toContain("attachment;");
    expect(content.headers["content-disposition"]).toContain(
      `filename*=UTF-8''${encodeURIComponent(name).replace(/'/g, "%27")}`,
    );
    const again = await t.app.inject({
      url: `/api/documents/${doc.id}/content`,
      headers: { ...headers, "if-none-match": `"${sha(bytes)}"` },
    });
    expect(again.statusCode).toBe(304);

    const list = await t.app.inject({ url: `/api/requests/${requestId}/documents`, headers });
    expect(list.json().items.map((d: { id: string }) => d.id)).toContain(doc.id);

    const [event] = await t.database.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.entity, "document"), eq(auditEvents.entityId, doc.id)));
    expect(event?.kind).toBe("document.created");
    expect(event?.after).toMatchObject({
      sha256: sha(bytes),
      uploadedBy: doc.uploadedBy,
      size: bytes.length,
    });
    expect(event?.actorId).toBe(doc.uploadedBy);
  });

  it("keeps a document's record as uploaded: the application role may not change or delete it, even for its own party", async () => {
    const res = await upload({ name: "oficio.pdf", type: "application/pdf", bytes: pdfBytes(1_000) });
    expect(res.statusCode, res.body).toBe(201);
    const id = res.json().id as string;
    const refused = (statement: ReturnType<typeof sql>) =>
      t.database
        .scoped({ party: "MX", actorId: "documents-test" }, () => t.database.app.execute(statement))
        .then(
          () => null,
          (err: unknown) => sqlStateOf(err),
        );
    // insufficient_privilege: the role holds no UPDATE or DELETE on the table.
    expect(await refused(sql`update documents set original_name = 'forged.pdf' where id = ${id}`)).toBe(
      "42501",
    );
    expect(await refused(sql`delete from documents where id = ${id}`)).toBe("42501");
    const [row] = await t.database.db.select().from(documents).where(eq(documents.id, id));
    expect(row?.originalName).toBe("oficio.pdf");
  });

  it("streams a document of several chunks in and out, and stores identical content once", async () => {
    const bytes = pdfBytes(3 * 1024 * 1024 + 12_345);
    const before = await stored();
    const first = await upload({ name: "warrant.pdf", bytes });
    const second = await upload({ name: "warrant (copy).pdf", bytes });
    expect(first.statusCode, first.body).toBe(201);
    expect(second.statusCode, second.body).toBe(201);
    const after = await stored();
    expect(after.documents).toBe(before.documents + 2);
    expect(after.blobs).toBe(before.blobs + 1);
    expect(after.chunks).toBe(before.chunks + 4);
    const content = await t.app.inject({
      url: `/api/documents/${second.json().id}/content`,
      headers: await t.as("judge"),
    });
    expect(content.statusCode).toBe(200);
    expect(sha(content.rawPayload)).toBe(sha(bytes));
  });

  it("refuses a file whose content is not what it claims, naming why, and stores nothing", async () => {
    const before = await stored();
    const named = await upload({ name: "note.pdf", bytes: pngBytes });
    expect(named.statusCode).toBe(422);
    expect(named.json().error).toMatchObject({ code: "DOCUMENT_MISLABELLED" });
    expect(named.json().error.message).toContain("named .pdf, but its content is image/png");

    const declared = await upload({ name: "scan", type: "application/pdf", bytes: pngBytes });
    expect(declared.statusCode).toBe(422);
    expect(declared.json().error.message).toContain("declared application/pdf, but its content is image/png");

    const zip = Buffer.concat([Buffer.from("504b0304140000000800", "hex"), Buffer.alloc(6000, 1)]);
    const zipped = await upload({ name: "minutes.pdf", type: "application/pdf", bytes: zip });
    expect(zipped.statusCode).toBe(415);
    expect(zipped.json().error).toMatchObject({ code: "UNSUPPORTED_MEDIA_TYPE" });
    expect(zipped.json().error.message).toContain("application/zip");
    expect(zipped.json().error.issues[0].field).toBe("file");

    expect(await stored()).toEqual(before);
    // A PNG named and declared as one is accepted.
    const png = await upload({ name: "photo.PNG", type: "image/png", bytes: pngBytes });
    expect(png.statusCode, png.body).toBe(201);
    expect(png.json().mediaType).toBe("image/png");
  });

  it("refuses a document past DOCUMENT_MAX_BYTES with 413, by its length or as it streams, and stores nothing", async () => {
    const before = await stored();
    const big = pdfBytes(MAX + 1);
    const declared = await upload({ name: "big.pdf", bytes: big });
    expect(declared.statusCode).toBe(413);
    expect(declared.json().error.code).toBe("PAYLOAD_TOO_LARGE");
    // Without a Content-Length (chunked): refused once the count passes the limit, mid-stream.
    const body = multipartBody({ name: "big.pdf", bytes: big });
    const chunks = [];
    for (let i = 0; i < body.payload.length; i += 256 * 1024)
      chunks.push(body.payload.subarray(i, i + 256 * 1024));
    const streamed = await t.app.inject({
      method: "POST",
      url: `/api/requests/${requestId}/documents`,
      headers: { ...(await t.as("foreign-ministry")), ...body.headers },
      payload: Readable.from(chunks),
    });
    expect(streamed.statusCode).toBe(413);
    expect(streamed.json().error.code).toBe("PAYLOAD_TOO_LARGE");
    expect(await stored()).toEqual(before);
  });

  it("catches a byte flipped in storage: the download refuses it and audit verify names the document", async () => {
    const small = (await upload({ name: "assurance.pdf", bytes: pdfBytes(5000) })).json();
    const large = (await upload({ name: "minutes.pdf", bytes: pdfBytes(2 * 1024 * 1024 + 10) })).json();
    expect((await verify()).ok).toBe(true);
    for (const doc of [small, large])
      await t.database.db.execute(
        sql`update ${documentChunks} set bytes = overlay(bytes placing '\\x58'::bytea from 200 for 1) where blob_id = (select blob_id from ${documentBlobs} where sha256 = ${doc.sha256}) and seq = 0`,
      );
    const headers = await t.as("judge");
    const refused = await t.app.inject({ url: `/api/documents/${small.id}/content`, headers });
    expect(refused.statusCode).toBe(500);
    expect(refused.json().error.code).toBe("DOCUMENT_CORRUPT");
    // Past the first chunk, the answer has begun: it is cut short, never whole.
    const cut = await t.app.inject({ url: `/api/documents/${large.id}/content`, headers }).then(
      (r) => r.rawPayload.length,
      () => 0,
    );
    expect(cut).toBeLessThan(large.size);

    const report = await verify();
    expect(report.ok).toBe(false);
    const named = report.problems.filter((p) => p.where === "document").map((p) => p.entityId);
    expect(named).toEqual(expect.arrayContaining([small.id, large.id]));
    // The chain and the rows themselves are intact: only the content changed.
    expect(report.problems.every((p) => p.where === "document")).toBe(true);
    // Put back (the byte was a space): the content verifies again, and downloads whole.
    for (const doc of [small, large])
      await t.database.db.execute(
        sql`update ${documentChunks} set bytes = overlay(bytes placing '\\x20'::bytea from 200 for 1) where blob_id = (select blob_id from ${documentBlobs} where sha256 = ${doc.sha256}) and seq = 0`,
      );
    expect((await verify()).ok).toBe(true);
  });

  it("signs a receipt that verifies with the deployment's public key, and fails after one byte changes", async () => {
    const res = await upload({ name: "handover receipt.pdf", bytes: pdfBytes(3000) });
    const doc = res.json();
    const key = publicKeyOf(loadOrCreateSigningKey(testReceiptKeyFile).key.pem);
    const served = (
      await t.app.inject({ url: `/api/documents/${doc.id}/receipt`, headers: await t.as("judge") })
    ).json();
    expect(served).toEqual(doc.receipt);
    expect(verifyReceipt(served, key)).toEqual({ ok: true, problems: [] });
    const text = JSON.stringify(served);
    const i = text.indexOf(doc.sha256) + 10;
    const flipped = JSON.parse(`${text.slice(0, i)}${text[i] === "0" ? "1" : "0"}${text.slice(i + 1)}`);
    expect(verifyReceipt(flipped, key).ok).toBe(false);
    expect(verifyReceipt({ ...served, size: served.size + 1 }, key).problems[0]).toContain("signature");

    // `traslado receipt verify FILE --key KEY`: the key as `traslado key show` prints it; one byte of the
    // file changed (a digit of the hash in the JSON text) and it fails.
    const dir = mkdtempSync(join(tmpdir(), "receipt-"));
    writeFileSync(join(dir, "key.txt"), `key id: ${key.keyId}\n${key.pem}`);
    writeFileSync(join(dir, "receipt.json"), JSON.stringify(served, null, 2));
    const good = checkReceiptFile(join(dir, "receipt.json"), join(dir, "key.txt"));
    expect(good.ok).toBe(true);
    expect(good.lines.join("\n")).toContain(key.keyId);
    const bytes = readFileSync(join(dir, "receipt.json"));
    const at = bytes.indexOf(doc.sha256) + 5;
    bytes[at] = bytes[at] === 0x30 ? 0x31 : 0x30;
    writeFileSync(join(dir, "receipt.json"), bytes);
    const bad = checkReceiptFile(join(dir, "receipt.json"), join(dir, "key.txt"));
    expect(bad.ok).toBe(false);
    expect(bad.lines.join("\n")).toContain("signature: does not match");
    // Another deployment's key: refused, naming both keys.
    const other = publicKeyOf(generateKeyPairSync("ed25519").publicKey);
    writeFileSync(join(dir, "other.pem"), other.pem);
    expect(checkReceiptFile(join(dir, "receipt.json"), join(dir, "other.pem")).lines.join("\n")).toContain(
      other.keyId,
    );
  });

  it("lets only who may write the record attach to it, and only who may read it read; others' records are 404", async () => {
    const before = await stored();
    const wrongRole = await upload({ name: "a.pdf", bytes: pdfBytes() }, { role: "judge" });
    expect(wrongRole.statusCode).toBe(403);
    expect(wrongRole.json().error.details.permission).toBe("request:attach");
    // The MX request is logged for the US (shared with it): the US reads it, but does not write it.
    const otherParty = await upload(
      { name: "a.pdf", bytes: pdfBytes() },
      { role: "request-officer", party: "GT" },
    );
    expect(otherParty.statusCode).toBe(404);
    expect((await stored()).documents).toBe(before.documents);

    const doc = (await upload({ name: "b.pdf", bytes: pdfBytes() })).json();
    for (const [role, party] of [
      ["request-officer", "GT"],
      ["receiving-officer", "MX"],
    ] as const) {
      const headers = await t.as(role, party);
      for (const path of ["", "/content", "/receipt"]) {
        const res = await t.app.inject({ url: `/api/documents/${doc.id}${path}`, headers });
        expect(res.statusCode, `${role} ${party} ${path}`).toBe(404);
      }
    }
    const list = await t.app.inject({
      url: `/api/requests/${requestId}/documents`,
      headers: await t.as("request-officer", "GT"),
    });
    expect(list.statusCode).toBe(404);
  });

  it("honours an Idempotency-Key: a retry of the same file gets the first answer and stores nothing; another file under the key is refused", async () => {
    const bytes = pdfBytes(30_000);
    const key = `upload-${crypto.randomUUID()}`;
    const first = await upload({ name: "nota.pdf", type: "application/pdf", bytes }, { key });
    expect(first.statusCode, first.body).toBe(201);
    const before = await stored();
    // The retry of a client that never heard back: the same answer, marked as a replay; no second document.
    const again = await upload({ name: "nota.pdf", type: "application/pdf", bytes }, { key });
    expect(again.statusCode, again.body).toBe(201);
    expect(again.headers["idempotent-replayed"]).toBe("true");
    expect(again.json()).toEqual(first.json());
    expect(await stored()).toEqual(before);
    // Another file (or the same one under another name) under the key: refused, nothing stored.
    const other = await upload(
      { name: "nota.pdf", type: "application/pdf", bytes: pdfBytes(30_000) },
      { key },
    );
    expect(other.statusCode).toBe(422);
    expect(other.json().error.code).toBe("IDEMPOTENCY_KEY_REUSED");
    expect(await stored()).toEqual(before);
    // The key of a JSON request is not an upload's either.
    const person = await buildPerson(t);
    const jsonKey = `json-${crypto.randomUUID()}`;
    await buildRequest(t, person.id, { idempotencyKey: jsonKey });
    const reused = await upload({ name: "nota.pdf", type: "application/pdf", bytes }, { key: jsonKey });
    expect(reused.statusCode).toBe(422);
    expect(reused.json().error.code).toBe("IDEMPOTENCY_KEY_REUSED");
    // The same file under a new key is a new upload, as without one.
    const fresh = await upload({ name: "nota.pdf", type: "application/pdf", bytes }, { key: `${key}-2` });
    expect(fresh.statusCode).toBe(201);
    expect(fresh.json().id).not.toBe(first.json().id);
  });

  it("under one Idempotency-Key, two uploads at once store one document, and both answer it", async () => {
    const bytes = pdfBytes(200_000);
    const key = `upload-${crypto.randomUUID()}`;
    const before = await stored();
    const [a, b] = await Promise.all([
      upload({ name: "a.pdf", type: "application/pdf", bytes }, { key }),
      upload({ name: "a.pdf", type: "application/pdf", bytes }, { key }),
    ]);
    const answers = [a, b].map((r) => r.statusCode);
    // One stores it; the other replays it, or (still in flight when it looked) is told to try again.
    expect(answers).toContain(201);
    const ids = new Set([a, b].filter((r) => r.statusCode === 201).map((r) => r.json().id));
    expect(ids.size).toBe(1);
    for (const r of [a, b])
      if (r.statusCode !== 201) expect(r.json().error.code).toBe("IDEMPOTENCY_IN_PROGRESS");
    expect((await stored()).documents).toBe(before.documents + 1);
  });

  it("attaches only to the standing decision: a superseded one answers 409 naming the one that stands", async () => {
    const c = await buildApprovedCase(t);
    const [decision] = await t.database.db.select().from(decisions).where(eq(decisions.caseId, c.id));
    const res = await t.app.inject({
      method: "POST",
      url: `/api/decisions/${decision!.id}/supersessions`,
      headers: { ...(await t.as("decision-authority")), "if-match": '"1"' },
      payload: { reasons: "Restated", reason: "The minutes were restated" },
    });
    expect(res.statusCode, res.body).toBe(201);
    const standing = res.json().current.id as string;
    const before = await stored();
    const old = await upload(
      { name: "minutes.pdf", bytes: pdfBytes() },
      { role: "decision-authority", url: `/api/decisions/${decision!.id}/documents` },
    );
    expect(old.statusCode).toBe(409);
    expect(old.json().error).toMatchObject({
      code: "RECORD_SUPERSEDED",
      details: { supersededBy: standing },
    });
    expect(await stored()).toEqual(before);
    const current = await upload(
      { name: "minutes.pdf", bytes: pdfBytes() },
      { role: "decision-authority", url: `/api/decisions/${standing}/documents` },
    );
    expect(current.statusCode, current.body).toBe(201);
  });
});
