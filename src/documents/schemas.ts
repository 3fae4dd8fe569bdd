import { z } from "zod";
import { documents } from "../db/schema.ts";
import { ATimestamp, AUuid, aText, pageSchema, rowSchema } from "../http/answers.ts";
import { acceptedTypes } from "./content-type.ts";
import { parentKinds } from "./service.ts";

const ASha256 = z
  .string()
  .regex(/^[0-9a-f]{64}$/)
  .meta({ maxLength: 64, description: "SHA-256 of the content, lower-case hex" });
const AMediaType = z.enum(Object.keys(acceptedTypes) as [string, ...string[]]);
const ASize = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/** The multipart body of an upload: one part, `file`. */
export const ZUpload = z
  .object({
    file: z
      .string()
      .max(Number.MAX_SAFE_INTEGER)
      .meta({ format: "binary", description: "The document's bytes" }),
  })
  .meta({ id: "DocumentUpload" });

export const AReceipt = z
  .strictObject({
    type: z.literal("traslado.document-receipt"),
    version: z.literal(1),
    documentId: AUuid,
    sha256: ASha256,
    size: ASize,
    mediaType: AMediaType,
    originalName: aText(1000),
    parent: z.strictObject({ kind: z.enum(parentKinds), id: AUuid }),
    uploadedBy: z.strictObject({ id: aText(200), name: aText(200), party: aText(2) }),
    receivedAt: ATimestamp,
    keyId: aText(100).describe("ed25519: and the SHA-256 of the raw public key (`traslado key show`)"),
    signature: aText(200).describe(
      "Base64 Ed25519 signature of the RFC 8785 canonical JSON of the other fields",
    ),
  })
  .meta({ id: "DocumentReceipt" });

export const ADocument = rowSchema(documents, {
  parentKind: z.enum(parentKinds),
  sha256: ASha256,
  size: ASize,
  mediaType: AMediaType,
  originalName: aText(1000),
  uploadedBy: aText(200),
  uploadedByName: aText(200),
  store: z.enum(["postgres", "directory", "s3"]),
  receipt: AReceipt,
}).meta({ id: "Document" });

export const ADocumentPage = pageSchema(ADocument, "DocumentPage");
