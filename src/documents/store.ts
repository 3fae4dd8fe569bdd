/**
 * Where documents' content is kept, addressed by its SHA-256 (issue 12). One interface, three stores:
 *
 * - `postgres` (the default): the database itself. The content is written in chunks of 1 MiB as the upload
 *   streams in, in the upload's own transaction (a refused or failed upload leaves nothing), then named by
 *   its hash in `document_blobs`; content already there is not stored twice (the new chunks are removed).
 * - `directory`: files DOCUMENTS_DIR/ab/abcdef… (the hash), written to DOCUMENTS_DIR/.incoming first and
 *   renamed once whole.
 * - `s3`: an S3-compatible object store, the object `sha256/abcdef…` under DOCUMENTS_S3_PREFIX, uploaded in
 *   parts to `incoming/…` as it streams and copied to its name once whole.
 *
 * The directory and object stores write outside the database's transaction: when that transaction fails
 * after the content was named, the content stays without a document (content-addressed, it is reused by
 * the next upload of the same bytes). Hashing and checking the type are the caller's (`service.ts`): a store
 * only keeps bytes.
 */
import { randomUUID } from "node:crypto";
import { createReadStream } from "node:fs";
import { link, mkdir, open, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { PassThrough, type Readable } from "node:stream";
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { and, eq, sql } from "drizzle-orm";
import type { Tx } from "../audit/write.ts";
import { type Config, documentsDir } from "../config.ts";
import type { Db } from "../db/client.ts";
import { documentBlobs, documentChunks } from "../db/schema.ts";

export type StoreKind = "postgres" | "directory" | "s3";

/** An upload under way in a store. */
export interface BlobWrite {
  /** The next bytes of the content. */
  write(chunk: Buffer): Promise<void>;
  /** The content is whole and has this hash: keep it under it (once: identical content is stored once). */
  finish(sha256: string, size: number): Promise<void>;
  /** Forget what was written (a refused upload). Never throws. */
  abort(): Promise<void>;
}

/** Runs a database read in the reader's access scope (a download's actor, or the system's for verify). */
export type Runner = <T>(fn: (db: Db) => Promise<T>) => Promise<T>;

export interface DocumentStore {
  readonly kind: StoreKind;
  /** Starts keeping an upload; `tx` is the upload's transaction, `party` the uploader's. */
  begin(tx: Tx, party: string): Promise<BlobWrite>;
  /** The content's bytes, in order, as stored (the caller checks the hash). */
  read(sha256: string, run: Runner): AsyncIterable<Buffer>;
}

/** Bytes per chunk row of the PostgreSQL store (and per read of the others). */
export const CHUNK_BYTES = 1024 * 1024;

/** Bytes per query when the PostgreSQL store reads a chunk back. */
const READ_BYTES = 32 * 1024;

const asBuffer = (b: Uint8Array | Buffer) =>
  Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);

/** Content in the database: chunks of 1 MiB written in the upload's transaction. */
export function postgresStore(): DocumentStore {
  return {
    kind: "postgres",
    async begin(tx, party) {
      const blobId = randomUUID();
      let seq = 0;
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      const insert = async (bytes: Buffer) => {
        await tx.insert(documentChunks).values({ blobId, seq: seq++, party, bytes });
      };
      const drain = async (all: boolean) => {
        while (pendingBytes >= CHUNK_BYTES || (all && pendingBytes > 0)) {
          const joined = pending.length === 1 ? pending[0]! : Buffer.concat(pending);
          const take = Math.min(CHUNK_BYTES, joined.length);
          await insert(joined.subarray(0, take));
          const rest = joined.subarray(take);
          pending = rest.length > 0 ? [rest] : [];
          pendingBytes = rest.length;
        }
      };
      return {
        async write(chunk) {
          pending.push(chunk);
          pendingBytes += chunk.length;
          await drain(false);
        },
        async finish(sha256, size) {
          await drain(true);
          const named = await tx
            .insert(documentBlobs)
            .values({ sha256, blobId, size, party, storedAt: new Date() })
            .onConflictDoNothing({ target: documentBlobs.sha256 })
            .returning({ blobId: documentBlobs.blobId });
          // The same content was stored before: this upload's chunks are not needed.
          if (named.length === 0) await tx.delete(documentChunks).where(eq(documentChunks.blobId, blobId));
        },
        // The transaction rolls back with the refusal: nothing to undo here.
        async abort() {},
      };
    },
    async *read(sha256, run) {
      const [blob] = await run((db) =>
        db
          .select({ blobId: documentBlobs.blobId })
          .from(documentBlobs)
          .where(eq(documentBlobs.sha256, sha256)),
      );
      if (!blob) throw new Error(`document content ${sha256} is not in the store`);
      // A piece of a chunk per query, read by `substring` (the column is stored uncompressed, so the server
      // reads only that slice): a download holds one piece in memory and no connection between pieces. The
      // piece is small because the driver receives bytea as hex text and grows its read buffer by doubling to
      // hold each message: a whole 1 MiB chunk per query left some 11 MB of garbage per MiB sent, and the
      // server's memory grew by 86-100 MB over a 200 MB download (64-75 MB with 32 KiB pieces, which fit one
      // socket read; a bare Node server sending the same bytes grows by 60-85 MB).
      for (let seq = 0; ; seq++) {
        for (let offset = 0; ; offset += READ_BYTES) {
          const [piece] = await run((db) =>
            db
              .select({
                bytes: sql<Uint8Array>`substring(${documentChunks.bytes} from ${offset + 1} for ${READ_BYTES})`,
              })
              .from(documentChunks)
              .where(and(eq(documentChunks.blobId, blob.blobId), eq(documentChunks.seq, seq))),
          );
          if (!piece) return;
          const bytes = asBuffer(piece.bytes);
          if (bytes.length > 0) yield bytes;
          if (bytes.length < READ_BYTES) break;
        }
      }
    },
  };
}

/** The chunk rows of a content, for a test that damages one (`seq` 0 by default). */
export const chunkOf = (sha256: string, seq = 0) =>
  sql`select c.blob_id, c.seq from ${documentChunks} c join ${documentBlobs} b on b.blob_id = c.blob_id where b.sha256 = ${sha256} and c.seq = ${seq}`;

/** Content as files named by their hash, in `dir`. */
export function directoryStore(dir: string): DocumentStore {
  const pathOf = (sha256: string) => join(dir, sha256.slice(0, 2), sha256);
  return {
    kind: "directory",
    async begin() {
      const incoming = join(dir, ".incoming");
      await mkdir(incoming, { recursive: true, mode: 0o700 });
      const temp = join(incoming, randomUUID());
      const file = await open(temp, "wx", 0o600);
      let closed = false;
      const close = async () => {
        if (!closed) {
          closed = true;
          await file.close();
        }
      };
      return {
        async write(chunk) {
          await file.write(chunk);
        },
        async finish(sha256) {
          await file.sync();
          await close();
          const target = pathOf(sha256);
          await mkdir(join(dir, sha256.slice(0, 2)), { recursive: true, mode: 0o700 });
          // link, not rename: content already there is kept as it is (identical content stored once).
          try {
            await link(temp, target);
          } catch (err) {
            if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
          }
          await rm(temp, { force: true });
        },
        async abort() {
          await close().catch(() => {});
          await rm(temp, { force: true }).catch(() => {});
        },
      };
    },
    async *read(sha256) {
      const path = pathOf(sha256);
      await stat(path);
      for await (const chunk of createReadStream(path, { highWaterMark: CHUNK_BYTES })) yield chunk as Buffer;
    },
  };
}

export interface S3StoreOptions {
  bucket: string;
  endpoint?: string | undefined;
  region: string;
  prefix: string;
  forcePathStyle: boolean;
  credentials?: { accessKeyId: string; secretAccessKey: string } | undefined;
}

/** Content as objects named by their hash in an S3-compatible bucket. */
export function s3Store(options: S3StoreOptions): DocumentStore & { client: S3Client } {
  const client = new S3Client({
    region: options.region,
    forcePathStyle: options.forcePathStyle,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  });
  const Bucket = options.bucket;
  const keyOf = (sha256: string) => `${options.prefix}sha256/${sha256}`;
  const exists = async (Key: string) => {
    try {
      await client.send(new HeadObjectCommand({ Bucket, Key }));
      return true;
    } catch (err) {
      if ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404)
        return false;
      throw err;
    }
  };
  return {
    kind: "s3",
    client,
    async begin() {
      const Key = `${options.prefix}incoming/${randomUUID()}`;
      const body = new PassThrough({ highWaterMark: CHUNK_BYTES });
      // Parts of 5 MiB (the smallest S3 allows), one at a time: memory stays a part or two.
      const upload = new Upload({ client, params: { Bucket, Key, Body: body }, queueSize: 1 });
      const done = upload.done();
      // Seen by `finish` or `abort`; kept from being an unhandled rejection meanwhile.
      const failed = done.then(
        () => null,
        (err: unknown) => err,
      );
      const remove = () => client.send(new DeleteObjectCommand({ Bucket, Key })).catch(() => {});
      return {
        async write(chunk) {
          if (body.write(chunk)) return;
          const err = await Promise.race([
            new Promise<null>((resolve) => body.once("drain", () => resolve(null))),
            failed,
          ]);
          if (err) throw err;
        },
        async finish(sha256) {
          body.end();
          await done;
          const target = keyOf(sha256);
          if (!(await exists(target)))
            await client.send(
              new CopyObjectCommand({ Bucket, Key: target, CopySource: `${Bucket}/${encodeURI(Key)}` }),
            );
          await remove();
        },
        async abort() {
          body.destroy();
          await upload.abort().catch(() => {});
          await failed;
          await remove();
        },
      };
    },
    async *read(sha256) {
      const object = await client.send(new GetObjectCommand({ Bucket, Key: keyOf(sha256) }));
      for await (const chunk of object.Body as Readable) yield chunk as Buffer;
    },
  };
}

/** The configured store (`src/config.ts`). */
export function configuredStore(
  config: Partial<
    Pick<
      Config,
      | "DOCUMENT_STORE"
      | "DOCUMENTS_DIR"
      | "DATA_DIR"
      | "DOCUMENTS_S3_BUCKET"
      | "DOCUMENTS_S3_ENDPOINT"
      | "DOCUMENTS_S3_REGION"
      | "DOCUMENTS_S3_PREFIX"
      | "DOCUMENTS_S3_FORCE_PATH_STYLE"
      | "DOCUMENTS_S3_ACCESS_KEY_ID"
      | "DOCUMENTS_S3_SECRET_ACCESS_KEY"
    >
  >,
): DocumentStore {
  switch (config.DOCUMENT_STORE ?? "postgres") {
    case "postgres":
      return postgresStore();
    case "directory":
      return directoryStore(
        documentsDir({ DOCUMENTS_DIR: config.DOCUMENTS_DIR, DATA_DIR: config.DATA_DIR ?? "./data" }),
      );
    case "s3":
      if (!config.DOCUMENTS_S3_BUCKET)
        throw new Error("DOCUMENTS_S3_BUCKET: required when DOCUMENT_STORE=s3");
      return s3Store({
        bucket: config.DOCUMENTS_S3_BUCKET,
        endpoint: config.DOCUMENTS_S3_ENDPOINT,
        region: config.DOCUMENTS_S3_REGION ?? "us-east-1",
        prefix: config.DOCUMENTS_S3_PREFIX ?? "",
        forcePathStyle: config.DOCUMENTS_S3_FORCE_PATH_STYLE ?? false,
        credentials:
          config.DOCUMENTS_S3_ACCESS_KEY_ID && config.DOCUMENTS_S3_SECRET_ACCESS_KEY
            ? {
                accessKeyId: config.DOCUMENTS_S3_ACCESS_KEY_ID,
                secretAccessKey: config.DOCUMENTS_S3_SECRET_ACCESS_KEY,
              }
            : undefined,
      });
  }
}
