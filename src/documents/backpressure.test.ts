/**
 * A download goes at the client's pace: while the client does not read, the server stops reading the
 * store (what is in flight is the sockets' buffers and a chunk or two), so a slow client never makes the
 * server hold a document in memory. Real HTTP on a port; the store's reads counted as they are made.
 */
import { createHash } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestApp, testApp } from "../../test/app.ts";
import { buildPerson, buildRequest, multipartBody, pdfBytes } from "../../test/factories.ts";

const SIZE = 24 * 1024 * 1024;
/** Loopback sockets' buffers (a few MB each way; 8 MiB read when measured) and a chunk or two in the server. */
const IN_FLIGHT = 16 * 1024 * 1024;

let t: TestApp;
let base: string;
let requestId: string;

beforeAll(async () => {
  t = await testApp({}, { services: { DOCUMENT_MAX_BYTES: SIZE } });
  await t.app.listen({ port: 0, host: "127.0.0.1" });
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  requestId = (await buildRequest(t, (await buildPerson(t)).id)).id;
});
afterAll(() => t?.close());

describe("a download", () => {
  it("reads the store only as fast as the client takes the bytes", async () => {
    const bytes = pdfBytes(SIZE);
    const body = multipartBody({ name: "large.pdf", type: "application/pdf", bytes });
    const auth = await t.as("foreign-ministry");
    const up = await t.app.inject({
      method: "POST",
      url: `/api/requests/${requestId}/documents`,
      headers: { ...auth, ...body.headers },
      payload: body.payload,
    });
    expect(up.statusCode, up.body).toBe(201);
    const id = up.json().id as string;

    // Count what the store hands out, as the service reads it.
    const store = t.s.documents.store;
    const read = store.read.bind(store);
    let fromStore = 0;
    store.read = async function* (sha256, run) {
      for await (const chunk of read(sha256, run)) {
        fromStore += chunk.length;
        yield chunk;
      }
    };
    try {
      const received = await new Promise<{ bytes: number; sha256: string; whilePaused: number }>(
        (resolve, reject) => {
          http
            .get(`${base}/api/documents/${id}/content`, { headers: auth }, (res) => {
              const hash = createHash("sha256");
              let n = 0;
              let whilePaused = 0;
              res.pause();
              // The client takes nothing for a while: the server must stop short of the whole.
              setTimeout(() => {
                whilePaused = fromStore;
                res.on("data", (c: Buffer) => {
                  hash.update(c);
                  n += c.length;
                });
                res.on("end", () => resolve({ bytes: n, sha256: hash.digest("hex"), whilePaused }));
                res.resume();
              }, 1500);
            })
            .on("error", reject);
        },
      );
      expect(received.whilePaused).toBeGreaterThan(0);
      expect(received.whilePaused).toBeLessThan(IN_FLIGHT);
      expect(received.bytes).toBe(SIZE);
      expect(received.sha256).toBe(up.json().sha256);
    } finally {
      store.read = read;
    }
  }, 120_000);
});
