/**
 * `npm run bench:documents` — documents' upload and download throughput (issue 12) beside a plain file copy
 * on this machine, in the same run: medians of `--runs` rounds of a `--mb` MB PDF.
 *
 *   baseline  a streamed copy of the file on the local disk (createReadStream → createWriteStream)
 *   upload    POST /api/requests/{id}/documents over real HTTP (multipart, streamed from the file): parse,
 *             check the type, hash, store in the configured store, audit, sign the receipt
 *   download  GET /api/documents/{id}/content over real HTTP, the hash checked on the way out
 *
 * Against the PostgreSQL server with TEST_DATABASE_URL (a scratch database made from the test template),
 * else embedded PGlite. Each round's file differs (a counter in its first bytes): nothing is deduplicated.
 *
 *   TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench:documents -- --mb 64 --runs 5
 */
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { testApp } from "../test/app.ts";
import { buildPerson, buildRequest } from "../test/factories.ts";
import migrateTemplate from "../test/global-setup.ts";
import { benchArgs, integerArg } from "./args.ts";

const values = benchArgs(import.meta.url, {
  mb: { type: "string", default: "64" },
  runs: { type: "string", default: "5" },
});
const size = integerArg("mb", values.mb) * 1024 * 1024;
const runs = integerArg("runs", values.runs);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const dir = mkdtempSync(join(os.tmpdir(), "bench-documents-"));
// The migrated template the test app is copied from, made as the test run makes it (a benchmark run on
// its own has no test run before it to have made it).
await migrateTemplate();
const t = await testApp({}, { services: { DOCUMENT_MAX_BYTES: size + 1024 * 1024 } });
await t.app.listen({ port: 0, host: "127.0.0.1" });
const base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
const requestId = (await buildRequest(t, (await buildPerson(t)).id)).id;
const { authorization } = await t.as("foreign-ministry");

function makeFile(round: number): string {
  const file = join(dir, `doc-${round}.pdf`);
  const block = Buffer.alloc(1024 * 1024, 0x20);
  const out: Buffer[] = [Buffer.from(`%PDF-1.7\n% round ${round}\n1 0 obj\n<<>>\nendobj\n`)];
  let n = out[0]!.length + 7;
  while (n < size) {
    const piece = block.subarray(0, Math.min(block.length, size - n));
    out.push(piece);
    n += piece.length;
  }
  out.push(Buffer.from("\n%%EOF\n"));
  writeFileSync(file, Buffer.concat(out));
  return file;
}

function upload(file: string): Promise<{ id: string }> {
  const boundary = "----bench";
  const open = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="bench.pdf"\r\nContent-Type: application/pdf\r\n\r\n`,
  );
  const close = Buffer.from(`\r\n--${boundary}--\r\n`);
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}/api/requests/${requestId}/documents`, {
      method: "POST",
      headers: {
        authorization,
        "content-type": `multipart/form-data; boundary=${boundary}`,
        "content-length": String(open.length + statSync(file).size + close.length),
      },
    });
    req.on("response", (res) => {
      let body = "";
      res.on("data", (c) => (body += c));
      res.on("end", () => (res.statusCode === 201 ? resolve(JSON.parse(body)) : reject(new Error(body))));
    });
    req.on("error", reject);
    req.write(open);
    const source = createReadStream(file);
    source.on("end", () => req.end(close));
    source.pipe(req, { end: false });
  });
}

function download(id: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(`${base}/api/documents/${id}/content`, { headers: { authorization } }, (res) => {
        let n = 0;
        res.on("data", (c: Buffer) => (n += c.length));
        res.on("end", () => (n === size ? resolve(n) : reject(new Error(`received ${n} of ${size} bytes`))));
      })
      .on("error", reject);
  });
}

const seconds = { copy: [] as number[], upload: [] as number[], download: [] as number[] };
const timed = async (list: number[], fn: () => Promise<unknown>) => {
  const started = performance.now();
  const result = await fn();
  list.push((performance.now() - started) / 1000);
  return result;
};
for (let round = 0; round < runs; round++) {
  const file = makeFile(round);
  await timed(seconds.copy, () => pipeline(createReadStream(file), createWriteStream(join(dir, "copy.pdf"))));
  const doc = (await timed(seconds.upload, () => upload(file))) as { id: string };
  await timed(seconds.download, () => download(doc.id));
  rmSync(file);
}
const mbps = (s: number) => size / 1024 / 1024 / s;
const copy = median(seconds.copy);
process.stdout.write(
  `documents: ${values.mb} MB, ${runs} runs, store ${t.s.documents.store.kind} on ${t.database.kind}, medians\n`,
);
for (const [name, list] of Object.entries(seconds)) {
  const m = median(list);
  process.stdout.write(
    `  ${name.padEnd(9)} ${m.toFixed(3).padStart(8)} s  ${mbps(m).toFixed(1).padStart(8)} MB/s  ${(m / copy).toFixed(1).padStart(6)}× the copy's time\n`,
  );
}
await t.close();
rmSync(dir, { recursive: true, force: true });
