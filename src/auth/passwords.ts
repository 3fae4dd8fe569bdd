/**
 * Passwords: argon2id (OWASP's parameters: 19 MiB, 2 passes, 1 lane), generated for people rather than
 * chosen by an administrator, and checked in about the same time whether or not the account exists.
 */
import { randomBytes } from "node:crypto";
import { hash, verify } from "@node-rs/argon2";

// `Algorithm.Argon2id` is an ambient const enum (2), which isolated modules cannot read.
const options = { algorithm: 2 as const, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** The shortest and longest password a person may choose (NIST SP 800-63B: at least 8; we ask 12). */
export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 200;

export function hashPassword(password: string): Promise<string> {
  return hash(password, options);
}

/** A hash of a password nobody knows, made once: checked against when there is no account to check. */
let dummy: Promise<string> | undefined;

/**
 * Whether `password` matches `stored`. Without a stored hash (no such account, a disabled one, one that
 * signs in elsewhere) it is checked against a dummy hash and answers false, so that the answer takes as
 * long as for a real account.
 */
export async function checkPassword(stored: string | null | undefined, password: string): Promise<boolean> {
  dummy ??= hashPassword(randomBytes(24).toString("base64url"));
  const target = stored ?? (await dummy);
  try {
    const ok = await verify(target, password);
    return ok && stored != null;
  } catch {
    // A malformed stored hash: the password cannot be checked, so it does not match.
    return false;
  }
}

/** A new random password: 20 characters of base64url (120 bits), shown once to whoever hands it over. */
export function generatePassword(): string {
  return randomBytes(15).toString("base64url");
}
