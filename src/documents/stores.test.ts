/**
 * The directory and S3-compatible stores behind the same API: a round trip, identical content stored once,
 * a refused upload leaving nothing, a byte flipped in storage caught. The object store is s3rver, an
 * S3-compatible server run in this process on a free port (the AWS SDK speaks real HTTP to it).
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import S3rver from "s3rver";
import { afterAll, describe, expect, it } from "vitest";
import { type TestApp, testApp } from "../../test/app.ts";
import { buildPerson, buildRequest, multipartBody, pdfBytes, pngBytes } from "../../test/factories.ts";
import { type DocumentStore, directoryStore, s3Store } from "./store.ts";

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");
const closers: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const close of closers.reverse()) await close();
});

interface Case {
  name: string;
  make: () => Promise<{
    store: DocumentStore;
    keys: () => Promise<string[]>;
    damage: (sha256: string) => Promise<void>;
  }>;
}

const cases: Case[] = [
  {
    name: "directory",
    make: async () => {
      const dir = mkdtempSync(join(tmpdir(), "documents-dir-"));
      const files = () =>
        readdirSync(dir, { recursive: true, withFileTypes: true })
          .filter((e) => e.isFile())
          .map((e) => e.name);
      return {
        store: directoryStore(dir),
        keys: async () => files(),
        damage: async (sha256) => {
          const path = join(dir, sha256.slice(0, 2), sha256);
          const bytes = readFileSync(path);
          bytes[100] = (bytes[100] ?? 0) ^ 1;
          writeFileSync(path, bytes);
        },
      };
    },
  },
  {
    name: "s3",
    make: async () => {
      const server = new S3rver({
        port: 0,
        address: "127.0.0.1",
        silent: true,
        directory: mkdtempSync(join(tmpdir(), "s3rver-")),
      });
      const { port } = (await server.run()) as { port: number };
      closers.push(() => server.close());
      const store = s3Store({
        bucket: "traslado-documents",
        endpoint: `http://127.0.0.1:${port}`,
        region: "us-east-1",
        prefix: "test/",
        forcePathStyle: true,
        credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
      });
      await store.client.send(new CreateBucketCommand({ Bucket: "traslado-documents" }));
      return {
        store,
        keys: async () =>
          (
            (await store.client.send(new ListObjectsV2Command({ Bucket: "traslado-documents" }))).Contents ??
            []
          ).map((o) => o.Key!),
        damage: async (sha256) => {
          const bytes = pdfBytes(3000, "damaged");
          await store.client.send(
            new PutObjectCommand({ Bucket: "traslado-documents", Key: `test/sha256/${sha256}`, Body: bytes }),
          );
        },
      };
    },
  },
];

describe.each(cases)("the $name store", ({ make }) => {
  let t: TestApp;
  it("keeps a document under its hash, once, refuses without leaving anything, and catches a change", async () => {
    const { store, keys, damage } = await make();
    t = await testApp({}, { documentStore: store });
    closers.push(() => t.close());
    const requestId = (await buildRequest(t, (await buildPerson(t)).id)).id;
    const headers = await t.as("foreign-ministry");
    const send = (file: { name: string; bytes: Buffer }) => {
      const body = multipartBody(file);
      return t.app.inject({
        method: "POST",
        url: `/api/requests/${requestId}/documents`,
        headers: { ...headers, ...body.headers },
        payload: body.payload,
      });
    };
    const bytes = pdfBytes(6 * 1024 * 1024);
    const first = await send({ name: "warrant.pdf", bytes });
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json().store).toBe(store.kind);
    expect((await send({ name: "copy.pdf", bytes })).statusCode).toBe(201);
    // One object or file: the content, named by its hash (nothing left in incoming/).
    expect(await keys()).toEqual([expect.stringContaining(sha(bytes))]);

    const refused = await send({ name: "note.pdf", bytes: pngBytes });
    expect(refused.statusCode).toBe(422);
    expect(await keys()).toHaveLength(1);

    const content = await t.app.inject({ url: `/api/documents/${first.json().id}/content`, headers });
    expect(content.statusCode).toBe(200);
    expect(sha(content.rawPayload)).toBe(sha(bytes));

    const small = (await send({ name: "small.pdf", bytes: pdfBytes(4000) })).json();
    await damage(small.sha256);
    const corrupt = await t.app.inject({ url: `/api/documents/${small.id}/content`, headers });
    expect(corrupt.statusCode).toBe(500);
    expect(corrupt.json().error.code).toBe("DOCUMENT_CORRUPT");
    const problems: { entityId?: string }[] = [];
    await t.database.scoped("system", () => t.s.documents.verifyAll((p) => problems.push(p)));
    expect(problems.map((p) => p.entityId)).toEqual([small.id]);
  }, 240_000);
});
