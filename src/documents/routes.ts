import { createHash } from "node:crypto";
import multipart from "@fastify/multipart";
import { create as contentDisposition } from "content-disposition";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { validatorCompiler, type ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { whoMay } from "../auth/permissions.ts";
import { AppError } from "../errors.ts";
import { idempotentUpload } from "../http/idempotency.ts";
import { ZIdParams, ZPageQuery } from "../http/schemas.ts";
import type { Services } from "../services.ts";
import { ADocument, ADocumentPage, AReceipt, ZUpload } from "./schemas.ts";
import { type ParentKind, parentKinds, parents, tooLarge } from "./service.ts";

/** Room for the multipart envelope (boundaries, part headers) around the file. */
const ENVELOPE_BYTES = 64 * 1024;

const tags = ["documents"];
const title = (kind: string) => kind[0]!.toUpperCase() + kind.slice(1);

/**
 * Documents (issue 12): `POST /{records}/:id/documents` (multipart, the field `file`), `GET` the same (the
 * list), and `/documents/:id` (metadata), `/content` (the bytes, checked against the hash on the way out),
 * `/receipt` (the signed receipt). Multipart parsing is registered on the upload routes' scope only.
 */
export async function documentRoutes(app: FastifyInstance, s: Services) {
  const maxBytes = s.documents.maxBytes;
  const typed = app.withTypeProvider<ZodTypeProvider>();
  for (const kind of parentKinds) {
    const def = parents[kind];
    typed.get(
      `/${def.plural}/:id/documents`,
      {
        schema: {
          operationId: `list${title(kind)}Documents`,
          tags,
          summary: `List the documents attached to a ${kind}`,
          description: whoMay(def.read),
          params: ZIdParams,
          querystring: ZPageQuery,
          response: { 200: ADocumentPage },
        },
        config: { permission: def.read },
      },
      (req) =>
        s.documents.list({
          actor: req.actor,
          kind,
          parentId: req.params.id,
          limit: req.query.limit,
          cursor: req.query.cursor,
        }),
    );
  }

  await app.register(async (uploads) => {
    // The file is read as a stream, part by part; never buffered whole. Fields other than `file` are refused.
    await uploads.register(multipart, {
      limits: { fileSize: maxBytes + 1, files: 1, fields: 0, parts: 1, headerPairs: 20 },
    });
    for (const kind of parentKinds) {
      const def = parents[kind];
      uploads.withTypeProvider<ZodTypeProvider>().post(
        `/${def.plural}/:id/documents`,
        {
          schema: {
            operationId: `upload${title(kind)}Document`,
            tags,
            summary: `Attach a document to a ${kind} (multipart/form-data, the field \`file\`)`,
            description: [
              `PDF, PNG, JPEG, TIFF or WebP, told by its content (its first bytes), not its name nor its declared type: other content answers 415, a name or declared type that says otherwise than the content 422 DOCUMENT_MISLABELLED. At most DOCUMENT_MAX_BYTES (configured), else 413. Streamed into the store as it arrives, hashed (SHA-256) on the way; nothing is stored when it is refused. The answer holds the receipt, signed with the deployment's key. A superseded decision or handover answers 409 RECORD_SUPERSEDED, naming the standing one to attach to. Under an Idempotency-Key, a retry of the same file (its name, declared type and SHA-256) gets the first answer back and stores nothing; another file under the key answers 422 IDEMPOTENCY_KEY_REUSED.`,
              whoMay(def.attach),
            ].join("\n\n"),
            consumes: ["multipart/form-data"],
            params: ZIdParams,
            body: ZUpload,
            response: { 201: ADocument },
          },
          config: { successStatus: 201, permission: def.attach },
          bodyLimit: maxBytes + ENVELOPE_BYTES,
          // The body is the multipart stream, read by the handler: only the path is validated here.
          validatorCompiler: (route) =>
            route.httpPart === "body"
              ? () => ({ value: undefined })
              : validatorCompiler(route as unknown as Parameters<typeof validatorCompiler>[0]),
        },
        async (req, reply) => {
          const declared = Number(req.headers["content-length"]);
          if (Number.isFinite(declared) && declared > maxBytes + ENVELOPE_BYTES)
            throw new AppError(
              "PAYLOAD_TOO_LARGE",
              `the document is larger than ${maxBytes} bytes (DOCUMENT_MAX_BYTES)`,
              { issues: [{ field: "file", rule: `at most ${maxBytes} bytes` }], maxBytes },
            );
          if (!req.isMultipart())
            throw new AppError(
              "UNSUPPORTED_MEDIA_TYPE",
              "send the document as multipart/form-data, field `file`",
              {
                issues: [{ field: "file", rule: "required (multipart/form-data)" }],
              },
            );
          const part = await req.file();
          if (part?.fieldname !== "file")
            throw new AppError("VALIDATION_FAILED", "file: required (a multipart part named `file`)", {
              issues: [{ field: "file", rule: "required" }],
            });
          // A replay reads the file through, storing nothing, to weigh it against the first.
          const hashOf = async () => {
            const hash = createHash("sha256");
            for await (const chunk of part.file) hash.update(chunk);
            if (part.file.truncated) throw tooLarge(maxBytes);
            return hash.digest("hex");
          };
          return idempotentUpload(
            s.database.app,
            req,
            reply,
            req.actor,
            part,
            hashOf,
            (idempotency, hashed) =>
              s.documents.upload({
                actor: req.actor,
                kind: kind as ParentKind,
                parentId: (req.params as { id: string }).id,
                file: {
                  stream: part.file,
                  filename: part.filename,
                  mimetype: part.mimetype,
                  truncated: () => part.file.truncated,
                },
                idempotency,
                hashed,
              }),
          );
        },
      );
    }
  });

  typed.get(
    "/documents/:id",
    {
      schema: {
        operationId: "getDocument",
        tags,
        summary: "Read a document's metadata: its SHA-256, size, type, name, uploader, record and receipt",
        description: whoMay("document:read"),
        params: ZIdParams,
        response: { 200: ADocument },
      },
      config: { permission: "document:read" },
    },
    (req) => s.documents.get(req.params.id, req.actor),
  );
  typed.get(
    "/documents/:id/receipt",
    {
      schema: {
        operationId: "getDocumentReceipt",
        tags,
        summary:
          "The document's receipt, signed with the deployment's Ed25519 key (check it: `traslado receipt verify`)",
        description: whoMay("document:read"),
        params: ZIdParams,
        response: { 200: AReceipt },
      },
      config: { permission: "document:read" },
    },
    async (req) => (await s.documents.receipt(req.params.id, req.actor)) as z.infer<typeof AReceipt>,
  );
  typed.get(
    "/documents/:id/content",
    {
      schema: {
        operationId: "getDocumentContent",
        tags,
        summary: "The document's bytes, with its original name, its type and its SHA-256 as ETag",
        description: `Checked against the SHA-256 it was received with on the way out: a document whose stored content changed is not delivered — 500 DOCUMENT_CORRUPT when found before the first byte (a document of up to 1 MiB), else the connection is cut before the last bytes (short of Content-Length). \`If-None-Match\` with the ETag answers 304. ${whoMay("document:read")}`,
        params: ZIdParams,
        response: {
          200: {
            description: "The bytes, as received",
            content: {
              "application/pdf": {
                schema: z.string().max(Number.MAX_SAFE_INTEGER).meta({ format: "binary" }),
              },
              "image/png": { schema: z.string().max(Number.MAX_SAFE_INTEGER).meta({ format: "binary" }) },
              "image/jpeg": { schema: z.string().max(Number.MAX_SAFE_INTEGER).meta({ format: "binary" }) },
              "image/tiff": { schema: z.string().max(Number.MAX_SAFE_INTEGER).meta({ format: "binary" }) },
              "image/webp": { schema: z.string().max(Number.MAX_SAFE_INTEGER).meta({ format: "binary" }) },
            },
          },
          304: {
            description: "Not modified: the If-None-Match given is the document's ETag",
            content: { "application/octet-stream": { schema: z.string().max(0) } },
          },
        },
      },
      config: { permission: "document:read" },
    },
    async (req: FastifyRequest<{ Params: { id: string } }>, reply) => {
      const { id } = req.params;
      const { doc, body } = await s.documents.content(id, req.actor, (e) =>
        // Ids and hashes only: never the content, nor the file's name.
        req.log.error({ code: e.code, ...e.details }, "document content does not match its hash"),
      );
      s.reads.record(req.actor, "document", id, "GET /api/documents/:id/content");
      const etag = `"${doc.sha256}"`;
      reply
        .header("etag", etag)
        .header("cache-control", "private, no-cache")
        .header("x-content-type-options", "nosniff");
      if (req.headers["if-none-match"] === etag) {
        body.destroy();
        return reply.code(304).send();
      }
      return reply
        .type(doc.mediaType)
        .header("content-length", String(doc.size))
        .header("content-disposition", contentDisposition(doc.originalName, { type: "attachment" }))
        .send(body);
    },
  );
}
