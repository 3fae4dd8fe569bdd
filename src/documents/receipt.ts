/**
 * A document's receipt (issue 12): what the deployment vouches it received — the content's SHA-256 and
 * size, its type, its name, the record it was attached to, who sent it and when — signed with the
 * deployment's Ed25519 key (`src/crypto/signing-key.ts`) over the receipt's canonical JSON (RFC 8785,
 * `canonicalize`) without its `signature`. Anyone holding the deployment's public key (`traslado key show`)
 * checks it offline: `traslado receipt verify FILE --key PUBLIC.pem`. The first step toward two
 * deployments exchanging signed messages.
 */
import { canonical } from "../audit/chain.ts";
import { type PublicKey, type SigningKey, verifySignature } from "../crypto/signing-key.ts";

export const RECEIPT_TYPE = "traslado.document-receipt";

export interface ReceiptBody {
  type: typeof RECEIPT_TYPE;
  version: 1;
  documentId: string;
  sha256: string;
  size: number;
  mediaType: string;
  originalName: string;
  parent: { kind: string; id: string };
  uploadedBy: { id: string; name: string; party: string };
  receivedAt: string;
  /** The signing key's id (`ed25519:` and the SHA-256 of its raw public key). */
  keyId: string;
}

export interface Receipt extends ReceiptBody {
  /** Base64 Ed25519 signature of the canonical JSON of the other fields. */
  signature: string;
}

/** The text a receipt's signature covers. */
export const signedText = (body: ReceiptBody): string => canonical(body);

export function signReceipt(body: Omit<ReceiptBody, "type" | "version" | "keyId">, key: SigningKey): Receipt {
  const full: ReceiptBody = { type: RECEIPT_TYPE, version: 1, ...body, keyId: key.keyId };
  return { ...full, signature: key.sign(signedText(full)) };
}

export interface ReceiptCheck {
  ok: boolean;
  /** What is wrong, each in a sentence; empty when it holds. */
  problems: string[];
}

/**
 * Whether `value` is a receipt signed by `key`: its type, that it names that key, and the signature over
 * every other field. A receipt changed in any byte of a field, or a field added or removed, fails.
 */
export function verifyReceipt(value: unknown, key: PublicKey): ReceiptCheck {
  const problems: string[] = [];
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return { ok: false, problems: ["not a receipt: a JSON object is expected"] };
  const { signature, ...body } = value as Record<string, unknown>;
  if (body.type !== RECEIPT_TYPE) problems.push(`type: expected ${RECEIPT_TYPE}`);
  if (typeof signature !== "string") problems.push("signature: missing");
  if (body.keyId !== key.keyId)
    problems.push(`keyId: the receipt names ${String(body.keyId)}, the key given is ${key.keyId}`);
  else if (typeof signature === "string" && !verifySignature(key, canonical(body), signature))
    problems.push(
      "signature: does not match the receipt's content (changed after signing, or not signed by this key)",
    );
  return { ok: problems.length === 0, problems };
}
