/**
 * Documents attached to records (issue 12): upload (streamed: checked, hashed, size-limited and stored as
 * it arrives, never held whole), metadata, content checked against its hash on the way out, the signed
 * receipt, and the check of every stored document that `audit verify` runs.
 */
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { and, asc, eq, gt } from "drizzle-orm";
import type { VerifyProblem } from "../audit/verify.ts";
import { type IdempotencyRecord, type Row, write } from "../audit/write.ts";
import { asActor, guarded, requirePermission } from "../auth/access.ts";
import { allows, type Permission } from "../auth/permissions.ts";
import type { Actor } from "../auth/roles.ts";
import type { SigningKey } from "../crypto/signing-key.ts";
import type { Db } from "../db/client.ts";
import { pageOf, visible } from "../db/query.ts";
import { assurances, cases, charges, decisions, documents, handovers, requests } from "../db/schema.ts";
import { AppError, supersededError } from "../errors.ts";
import { checkContent, SNIFF_BYTES } from "./content-type.ts";
import { signReceipt } from "./receipt.ts";
import { CHUNK_BYTES, type DocumentStore, type Runner } from "./store.ts";

export const parentKinds = ["request", "charge", "assurance", "decision", "case", "handover"] as const;
export type ParentKind = (typeof parentKinds)[number];

/**
 * Each kind of record a document may be attached to: its table, the permission to attach (who may write
 * that record) and to read (who may read it), and whether a party other than the record's may attach (the
 * receiving state attaches the signed receipt to the sending state's handover it confirms).
 */
export const parents = {
  request: { table: requests, plural: "requests", attach: "request:attach", read: "request:read" },
  charge: { table: charges, plural: "charges", attach: "request:attach", read: "request:read" },
  assurance: { table: assurances, plural: "assurances", attach: "assurance:attach", read: "assurance:read" },
  decision: { table: decisions, plural: "decisions", attach: "decision:attach", read: "decision:read" },
  case: { table: cases, plural: "cases", attach: "case:attach", read: "case:read" },
  handover: {
    table: handovers,
    plural: "handovers",
    attach: "handover:attach",
    read: "handover:read",
    othersMay: true,
  },
} as const satisfies Record<
  ParentKind,
  {
    table: unknown;
    plural: string;
    attach: Permission;
    read: Permission;
    othersMay?: boolean;
  }
>;

export type DocumentRow = Row<typeof documents>;

/** The file of a multipart upload, as it streams in. */
export interface IncomingFile {
  stream: AsyncIterable<Buffer>;
  filename: string;
  /** The type the client declared for the part (checked against the content, never trusted). */
  mimetype?: string | undefined;
  /** Whether the multipart parser cut the file at its limit. */
  truncated?: () => boolean;
}

export interface DocumentOptions {
  store: DocumentStore;
  maxBytes: number;
  /** The deployment's signing key (made on first need). */
  signingKey: () => SigningKey;
}

export const tooLarge = (max: number) =>
  new AppError("PAYLOAD_TOO_LARGE", `the document is larger than ${max} bytes (DOCUMENT_MAX_BYTES)`, {
    issues: [{ field: "file", rule: `at most ${max} bytes` }],
    maxBytes: max,
  });

/** Thrown when stored content no longer has its hash (or is gone): never delivered as if it were whole. */
export const corrupt = (doc: Pick<DocumentRow, "id" | "sha256">, what: string) =>
  new AppError("DOCUMENT_CORRUPT", `document ${doc.id}: ${what}; its content is not delivered`, {
    documentId: doc.id,
    sha256: doc.sha256,
  });

export function documentService(db: Db, options: DocumentOptions) {
  const { store, maxBytes } = options;

  /** The parent as the actor may see it, or 404. */
  async function parentOf(kind: ParentKind, id: string, actor: Actor) {
    const table = parents[kind].table;
    // biome-ignore lint/suspicious/noExplicitAny: a select over a union of tables
    const [row] = (await (db.select().from(table as any) as any)
      .where(and(eq(table.id, id), visible(table, actor)))
      .limit(1)) as { id: string; party: string; sharedWith: string[] }[];
    if (!row) throw new AppError("NOT_FOUND", `${kind} ${id} not found`, { entity: kind, id });
    return row;
  }

  /** A document the actor may read: of a visible row, whose parent's kind the role may read; else 404. */
  async function readable(id: string, actor: Actor): Promise<DocumentRow> {
    const [doc] = await db
      .select()
      .from(documents)
      .where(and(eq(documents.id, id), visible(documents, actor)))
      .limit(1);
    if (!doc || !allows(actor.role, parents[doc.parentKind as ParentKind].read))
      // The same answer whether it does not exist, is another party's, or its record is of a kind the role
      // may not read; the id is in the path already, not repeated.
      throw new AppError("NOT_FOUND", "document not found", { entity: "document" });
    return doc;
  }

  return {
    store,
    maxBytes,

    /**
     * Receives a document for a record: its content is checked (type from its first bytes, size), hashed
     * and stored as it streams in, in one transaction with the document's row and its audit event (which
     * carries the hash and the uploader). A refusal stores nothing. Under a client's idempotency key, the key
     * is claimed first and stored with the response; `hashed` is told the file's SHA-256 before that.
     */
    async upload(o: {
      actor: Actor;
      kind: ParentKind;
      parentId: string;
      file: IncomingFile;
      idempotency?: IdempotencyRecord | undefined;
      hashed?: (sha256: string) => void;
    }) {
      const { actor, kind, parentId, file } = o;
      const def = parents[kind];
      requirePermission(actor, def.attach);
      const key = options.signingKey();
      return write(
        db,
        actor,
        async (w) => {
          const parent = await parentOf(kind, parentId, actor);
          if (parent.party !== actor.party && !("othersMay" in def && def.othersMay))
            throw new AppError(
              "RECORD_OF_ANOTHER_PARTY",
              `${kind} ${parentId} is ${parent.party}'s record: only its own state attaches documents to it`,
              { entity: kind, id: parentId },
            );
          // A superseded decision or handover is kept as it was: what is attached goes to the standing one.
          const supersededBy = (parent as { supersededBy?: string | null }).supersededBy;
          if (supersededBy) throw supersededError(kind, supersededBy, "attach to");
          const hash = createHash("sha256");
          let size = 0;
          let head: Buffer[] = [];
          let headBytes = 0;
          let mediaType: string | null = null;
          const blob = await store.begin(w.tx, actor.party);
          try {
            for await (const chunk of file.stream) {
              size += chunk.length;
              if (size > maxBytes) throw tooLarge(maxBytes);
              hash.update(chunk);
              if (mediaType) {
                await blob.write(chunk);
                continue;
              }
              // Nothing is stored before the first bytes tell what the file is.
              head.push(chunk);
              headBytes += chunk.length;
              if (headBytes < SNIFF_BYTES) continue;
              const first = Buffer.concat(head);
              mediaType = await checkContent(first, file.filename, file.mimetype);
              await blob.write(first);
              head = [];
            }
            if (file.truncated?.()) throw tooLarge(maxBytes);
            if (!mediaType) {
              const first = Buffer.concat(head);
              mediaType = await checkContent(first, file.filename, file.mimetype);
              await blob.write(first);
            }
            const sha256 = hash.digest("hex");
            o.hashed?.(sha256);
            await blob.finish(sha256, size);
            const id = crypto.randomUUID();
            const receivedAt = w.now;
            const originalName = file.filename;
            const receipt = signReceipt(
              {
                documentId: id,
                sha256,
                size,
                mediaType,
                originalName,
                parent: { kind, id: parentId },
                uploadedBy: { id: actor.id, name: actor.name, party: actor.party },
                receivedAt: receivedAt.toISOString(),
              },
              key,
            );
            // Whoever may read the record may read what is attached to it.
            const sharedWith = [...new Set([parent.party, ...parent.sharedWith])].filter(
              (p) => p !== actor.party,
            );
            return w.insertOne(documents, {
              id,
              sharedWith,
              parentKind: kind,
              parentId,
              sha256,
              size,
              mediaType,
              originalName,
              uploadedBy: actor.id,
              uploadedByName: actor.name,
              receivedAt,
              store: store.kind,
              receipt: receipt as unknown as Record<string, unknown>,
            });
          } catch (err) {
            await blob.abort();
            throw err;
          }
        },
        { idempotency: o.idempotency },
      );
    },

    /** The documents of a record, if the actor may see the record; else 404. */
    list(o: {
      actor: Actor;
      kind: ParentKind;
      parentId: string;
      limit: number;
      cursor?: string | undefined;
    }) {
      const { actor, kind, parentId } = o;
      return guarded(db, actor, parents[kind].read, async () => {
        await parentOf(kind, parentId, actor);
        return pageOf(
          db,
          documents,
          [eq(documents.parentKind, kind), eq(documents.parentId, parentId)],
          { limit: o.limit, cursor: o.cursor },
          actor,
        );
      });
    },

    get(id: string, actor: Actor) {
      return guarded(db, actor, "document:read", () => readable(id, actor));
    },

    async receipt(id: string, actor: Actor) {
      return (await guarded(db, actor, "document:read", () => readable(id, actor))).receipt;
    },

    /**
     * The document and its content as a stream whose bytes are checked against the hash on the way: a
     * document of at most one chunk is checked whole before anything is sent (a mismatch throws
     * DOCUMENT_CORRUPT, an answer the caller can give); a larger one holds its last chunk back until the
     * hash of everything before it and of it is known, and errors instead of sending it when it does not
     * match, so a client never receives the whole of a corrupt document (the connection is cut short of
     * Content-Length). `onCorrupt` is told either way (for the log: ids and hashes, never content).
     */
    async content(id: string, actor: Actor, onCorrupt: (e: AppError) => void) {
      const doc = await guarded(db, actor, "document:read", () => readable(id, actor));
      const run: Runner = (fn) => asActor(db, actor, () => fn(db));
      const body = await checkedStream(doc, store.read(doc.sha256, run), onCorrupt);
      return { doc, body };
    },

    /**
     * For `audit verify`: reads every stored content once (each distinct hash of the documents), streaming,
     * and reports each document whose content is missing or no longer has its hash. Runs in the caller's
     * scope (the system's).
     */
    async verifyAll(add: (p: VerifyProblem) => void): Promise<number> {
      const run: Runner = (fn) => fn(db);
      let checked = 0;
      let after = "";
      for (;;) {
        const page = await db
          .selectDistinct({ sha256: documents.sha256, size: documents.size })
          .from(documents)
          .where(gt(documents.sha256, after))
          .orderBy(asc(documents.sha256))
          .limit(500);
        if (page.length === 0) return checked;
        for (const { sha256, size } of page) {
          const problem = await contentProblem(store.read(sha256, run), sha256, size);
          const ids = await db
            .select({ id: documents.id })
            .from(documents)
            .where(eq(documents.sha256, sha256));
          checked += ids.length;
          if (problem)
            for (const { id } of ids)
              add({
                where: "document",
                entity: "document",
                entityId: id,
                message: `document ${id}: ${problem}`,
              });
        }
        after = page[page.length - 1]!.sha256;
      }
    },
  };
}

/** What is wrong with stored content, or null when it has its hash and size. */
async function contentProblem(source: AsyncIterable<Buffer>, sha256: string, size: number) {
  const hash = createHash("sha256");
  let n = 0;
  try {
    for await (const chunk of source) {
      hash.update(chunk);
      n += chunk.length;
    }
  } catch {
    return "its content is missing from the store";
  }
  const found = hash.digest("hex");
  if (found !== sha256) return `its content's SHA-256 is ${found}, not ${sha256} as received`;
  if (n !== size) return `its content has ${n} bytes, not ${size} as received`;
  return null;
}

async function checkedStream(
  doc: DocumentRow,
  source: AsyncIterable<Buffer>,
  onCorrupt: (e: AppError) => void,
): Promise<Readable> {
  const it = source[Symbol.asyncIterator]();
  const hash = createHash("sha256");
  let size = 0;
  const fail = (what: string) => {
    const e = corrupt(doc, what);
    onCorrupt(e);
    return e;
  };
  const next = async () => {
    try {
      return await it.next();
    } catch {
      throw fail("its content is missing from the store");
    }
  };
  const verdict = () => {
    const found = hash.digest("hex");
    if (found !== doc.sha256) return fail(`its content's SHA-256 is ${found}, not ${doc.sha256} as received`);
    if (size !== doc.size) return fail(`its content has ${size} bytes, not ${doc.size} as received`);
    return null;
  };
  // Read ahead up to one chunk: a small document is checked whole before a byte goes out.
  const ahead: Buffer[] = [];
  let aheadBytes = 0;
  let r = await next();
  while (!r.done && aheadBytes <= CHUNK_BYTES) {
    ahead.push(r.value);
    aheadBytes += r.value.length;
    hash.update(r.value);
    size += r.value.length;
    r = await next();
  }
  if (r.done) {
    const e = verdict();
    if (e) throw e;
    return Readable.from(ahead, { objectMode: false });
  }
  let held: Buffer = r.value;
  async function* rest() {
    yield* ahead;
    for (;;) {
      hash.update(held);
      size += held.length;
      const n = await next();
      if (n.done) break;
      yield held;
      held = n.value;
    }
    // The last chunk goes out only when everything, it included, has the hash received.
    const e = verdict();
    if (e) throw e;
    yield held;
  }
  return Readable.from(rest(), { objectMode: false });
}
