/**
 * The deployment's signing key: one Ed25519 key pair (node:crypto) that signs what the deployment vouches
 * for — the audit chain's checkpoints, and later its receipts. The private key is a PKCS#8 PEM file, made
 * on first need with mode 0600 (SIGNING_KEY_FILE, by default DATA_DIR/signing-key.pem); the public key is
 * printed by `traslado key show`, so that others can check the signatures. It is never logged.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { AppError } from "../errors.ts";

/** The public half: what a verifier needs. */
export interface PublicKey {
  /** `ed25519:` and the SHA-256 of the raw 32-byte public key, in hex: names the key in what it signed. */
  keyId: string;
  /** SubjectPublicKeyInfo PEM, for others to verify with (`openssl pkey -pubin`, node:crypto, …). */
  pem: string;
  object: KeyObject;
}

export interface SigningKey extends PublicKey {
  /** Base64 Ed25519 signature of the UTF-8 bytes of `text`. */
  sign(text: string): string;
}

/** The key id of a public key: its raw bytes' SHA-256. */
export function keyIdOf(publicKey: KeyObject): string {
  const raw = publicKey.export({ format: "jwk" }).x;
  if (!raw || publicKey.asymmetricKeyType !== "ed25519") throw new Error("not an Ed25519 public key");
  return `ed25519:${createHash("sha256").update(Buffer.from(raw, "base64url")).digest("hex")}`;
}

export function publicKeyOf(pemOrKey: string | KeyObject): PublicKey {
  const object =
    typeof pemOrKey !== "string" && pemOrKey.type === "public" ? pemOrKey : createPublicKey(pemOrKey);
  return { keyId: keyIdOf(object), pem: object.export({ type: "spki", format: "pem" }).toString(), object };
}

/** Whether `signature` (base64) is `key`'s signature of `text`. A malformed signature is simply not valid. */
export function verifySignature(key: PublicKey, text: string, signature: string): boolean {
  try {
    return verify(null, Buffer.from(text, "utf8"), key.object, Buffer.from(signature, "base64"));
  } catch {
    return false;
  }
}

function signingKeyOf(pem: string, file: string): SigningKey {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch {
    throw new AppError("CONFIG_INVALID", `SIGNING_KEY_FILE: ${file} is not a PEM private key`, {
      issues: [{ field: "SIGNING_KEY_FILE", rule: "must hold an Ed25519 private key (PKCS#8 PEM)" }],
    });
  }
  if (privateKey.asymmetricKeyType !== "ed25519")
    throw new AppError(
      "CONFIG_INVALID",
      `SIGNING_KEY_FILE: ${file} holds a ${privateKey.asymmetricKeyType} key`,
      {
        issues: [{ field: "SIGNING_KEY_FILE", rule: "must hold an Ed25519 private key" }],
      },
    );
  return {
    ...publicKeyOf(createPublicKey(privateKey)),
    sign: (text) => sign(null, Buffer.from(text, "utf8"), privateKey).toString("base64"),
  };
}

const notFound = (err: unknown) => (err as NodeJS.ErrnoException).code === "ENOENT";

/** The key in `file`, or null when there is none yet. */
export function readSigningKey(file: string): SigningKey | null {
  let pem: string;
  try {
    pem = readFileSync(file, "utf8");
  } catch (err) {
    if (notFound(err)) return null;
    throw err;
  }
  return signingKeyOf(pem, file);
}

/**
 * The key in `file`, made there first if there is none (`created` says so). Written with `wx`: of two
 * processes making it at once, one writes and the other reads what it wrote.
 */
export function loadOrCreateSigningKey(file: string): { key: SigningKey; created: boolean } {
  const existing = readSigningKey(file);
  if (existing) return { key: existing, created: false };
  const { privateKey } = generateKeyPairSync("ed25519");
  const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  try {
    writeFileSync(file, pem, { mode: 0o600, flag: "wx" });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    return { key: signingKeyOf(readFileSync(file, "utf8"), file), created: false };
  }
  return { key: signingKeyOf(pem, file), created: true };
}
