/**
 * What a document is, read from its first bytes (`file-type`: magic numbers), never from its name or the
 * type the client declared. PDF and images are accepted; a file whose name or declared type says something
 * else than its content is refused, naming both.
 */
import { extname } from "node:path";
import { fileTypeFromBuffer } from "file-type";
import { AppError } from "../errors.ts";

/** The accepted types, with the file name extensions that may carry each. */
export const acceptedTypes: Record<string, readonly string[]> = {
  "application/pdf": ["pdf"],
  "image/png": ["png"],
  "image/jpeg": ["jpg", "jpeg", "jpe", "jfif"],
  "image/tiff": ["tif", "tiff"],
  "image/webp": ["webp"],
};

/** How many first bytes are read to tell the type (file-type's advice for a sample). */
export const SNIFF_BYTES = 4100;

/** Declared types that say nothing of the content. */
const unspecific = new Set(["application/octet-stream", "binary/octet-stream", ""]);
/** Declared types some clients send for an accepted one. */
const aliases: Record<string, string> = {
  "image/jpg": "image/jpeg",
  "image/pjpeg": "image/jpeg",
  "application/x-pdf": "application/pdf",
};

/**
 * The media type of a document whose content starts with `head`, or an error: 415 UNSUPPORTED_MEDIA_TYPE
 * when the content is not of an accepted type; 422 DOCUMENT_MISLABELLED when its name's extension or the
 * declared type says otherwise than the content.
 */
export async function checkContent(
  head: Buffer,
  name: string,
  declared: string | undefined,
): Promise<string> {
  const detected = await fileTypeFromBuffer(head);
  const accepted = Object.keys(acceptedTypes).join(", ");
  if (!detected || !acceptedTypes[detected.mime]) {
    throw new AppError(
      "UNSUPPORTED_MEDIA_TYPE",
      `the file's content is ${detected ? `${detected.mime}` : "of no type recognised"}; accepted: ${accepted} (read from the content, not the name)`,
      {
        issues: [{ field: "file", rule: `content must be one of ${accepted}` }],
        detected: detected?.mime ?? null,
      },
    );
  }
  const mediaType = detected.mime;
  const ext = extname(name).slice(1).toLowerCase();
  if (ext && !acceptedTypes[mediaType]!.includes(ext))
    throw new AppError("DOCUMENT_MISLABELLED", `the file is named .${ext}, but its content is ${mediaType}`, {
      issues: [{ field: "file", rule: `name's extension .${ext} does not match content ${mediaType}` }],
      detected: mediaType,
    });
  const said = (declared ?? "").split(";")[0]!.trim().toLowerCase();
  const claimed = aliases[said] ?? said;
  if (!unspecific.has(claimed) && claimed !== mediaType)
    throw new AppError(
      "DOCUMENT_MISLABELLED",
      `the file is declared ${claimed}, but its content is ${mediaType}`,
      {
        issues: [{ field: "file", rule: `declared type ${claimed} does not match content ${mediaType}` }],
        detected: mediaType,
      },
    );
  return mediaType;
}
