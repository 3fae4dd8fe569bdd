import type { Config } from "../config.ts";
import type { Role } from "./roles.ts";

/** The settings of sign-in and sessions, from configuration (`src/config.ts`). */
export interface AuthSettings {
  idleMs: number;
  absoluteMs: number;
  /** A session's last-seen time is written at most once per this many milliseconds. */
  touchMs: number;
  /** The session cookie carries `Secure` (and the `__Host-` prefix). */
  cookieSecure: boolean;
  windowMs: number;
  maxFailuresPerAccount: number;
  maxFailuresPerAddress: number;
  totpRequiredRoles: readonly Role[];
  totpIssuer: string;
}

export type AuthConfig = Pick<
  Config,
  | "NODE_ENV"
  | "SESSION_IDLE_MINUTES"
  | "SESSION_ABSOLUTE_HOURS"
  | "SESSION_TOUCH_SECONDS"
  | "SIGN_IN_WINDOW_MINUTES"
  | "SIGN_IN_MAX_FAILURES_PER_ACCOUNT"
  | "SIGN_IN_MAX_FAILURES_PER_ADDRESS"
  | "TOTP_REQUIRED_ROLES"
  | "TOTP_ISSUER"
>;

/**
 * The settings, each missing value at its configured default. Without NODE_ENV the cookie is `Secure`:
 * only an explicit `development` drops it.
 */
export function authSettings(c: Partial<AuthConfig> = {}): AuthSettings {
  return {
    idleMs: (c.SESSION_IDLE_MINUTES ?? 30) * 60_000,
    absoluteMs: (c.SESSION_ABSOLUTE_HOURS ?? 12) * 3_600_000,
    touchMs: (c.SESSION_TOUCH_SECONDS ?? 60) * 1000,
    cookieSecure: c.NODE_ENV !== "development",
    windowMs: (c.SIGN_IN_WINDOW_MINUTES ?? 15) * 60_000,
    maxFailuresPerAccount: c.SIGN_IN_MAX_FAILURES_PER_ACCOUNT ?? 5,
    maxFailuresPerAddress: c.SIGN_IN_MAX_FAILURES_PER_ADDRESS ?? 20,
    totpRequiredRoles: c.TOTP_REQUIRED_ROLES ?? ["decision-authority", "auditor", "admin"],
    totpIssuer: c.TOTP_ISSUER ?? "Traslado",
  };
}
