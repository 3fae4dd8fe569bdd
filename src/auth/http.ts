/**
 * Who is calling, for the HTTP layer: a bearer token (`Authorization: Bearer …`, for systems and scripts)
 * or the session cookie (people in a browser). A cookie-authenticated unsafe request must also carry the
 * session's CSRF token in `X-CSRF-Token`; a bearer request needs none (a browser never adds the header on
 * its own). The cookie helpers are here too, for every way of signing in (password, OpenID Connect).
 */
import { parseCookie } from "cookie";
import type { FastifyReply, FastifyRequest } from "fastify";
import { AppError } from "../errors.ts";
import type { Services } from "../services.ts";
import type { Actor } from "./roles.ts";
import { type ActiveSession, csrfMatches, type OpenedSession } from "./sessions.ts";
import type { AuthSettings } from "./settings.ts";

export const CSRF_HEADER = "x-csrf-token";

/**
 * The session cookie's name: with `Secure`, the `__Host-` prefix, which a browser accepts only from a
 * secure origin, for `Path=/` and without `Domain` (no sibling subdomain can set or shadow it).
 */
export const sessionCookieName = (settings: Pick<AuthSettings, "cookieSecure">) =>
  settings.cookieSecure ? "__Host-traslado_session" : "traslado_session";

const cookieOptions = (settings: Pick<AuthSettings, "cookieSecure">) =>
  ({ httpOnly: true, sameSite: "strict", path: "/", secure: settings.cookieSecure }) as const;

/**
 * Sets the session cookie of a session just opened: `HttpOnly`, `SameSite=Strict`, `Path=/`, `Secure`
 * outside development, kept by the browser until the session's absolute expiry (the server ends it
 * sooner when idle or signed out).
 */
export function setSessionCookie(
  reply: FastifyReply,
  opened: Pick<OpenedSession, "token" | "expiresAt">,
  settings: Pick<AuthSettings, "cookieSecure">,
): void {
  reply.setCookie(sessionCookieName(settings), opened.token, {
    ...cookieOptions(settings),
    expires: opened.expiresAt,
  });
}

/** Tells the browser to drop the session cookie (at sign-out). */
export function clearSessionCookie(reply: FastifyReply, settings: Pick<AuthSettings, "cookieSecure">): void {
  reply.clearCookie(sessionCookieName(settings), cookieOptions(settings));
}

/**
 * The session token the request's cookie carries, if any. Read from the header itself: /api has no cookie
 * plugin (it sets no cookies), and parses the header only when a request has no bearer token.
 */
export function sessionTokenOf(req: FastifyRequest, settings: Pick<AuthSettings, "cookieSecure">) {
  const header = req.headers.cookie;
  return (header && parseCookie(header)[sessionCookieName(settings)]) || undefined;
}

export type Caller =
  | { via: "bearer"; actor: Actor }
  | { via: "cookie"; actor: Actor; session: ActiveSession };

const unsafe = (method: string) => !["GET", "HEAD", "OPTIONS"].includes(method);

/**
 * The caller of a request, or null. A request with an `Authorization` header is judged by it alone (an
 * invalid bearer token is not rescued by a cookie).
 */
export async function callerOf(s: Services, req: FastifyRequest): Promise<Caller | null> {
  const header = req.headers.authorization;
  if (header !== undefined) {
    const token = header.startsWith("Bearer ") ? header.slice(7).trim() : undefined;
    const actor = token ? await s.tokens.authenticate(token) : null;
    return actor ? { via: "bearer", actor } : null;
  }
  const token = sessionTokenOf(req, s.sessions.settings);
  if (!token) return null;
  const session = await s.sessions.authenticate(token);
  return session ? { via: "cookie", actor: session.actor, session } : null;
}

/** 403 `CSRF_REFUSED` unless a cookie-authenticated unsafe request carries the session's CSRF token. */
export function checkCsrf(req: FastifyRequest, session: Pick<ActiveSession, "csrfHash">): void {
  if (!unsafe(req.method)) return;
  const presented = req.headers[CSRF_HEADER];
  if (typeof presented === "string" && csrfMatches(session.csrfHash, presented)) return;
  throw new AppError(
    "CSRF_REFUSED",
    "a write with the session cookie must send the session's CSRF token in X-CSRF-Token (from sign-in or GET /auth/session)",
  );
}

/**
 * The caller of an /api request, checked: 401 without a valid token or session; for a session, the CSRF
 * token on writes, and 403 `SECOND_FACTOR_REQUIRED` while the session's role awaits a second factor.
 */
export async function apiCaller(s: Services, req: FastifyRequest): Promise<Caller> {
  const caller = await callerOf(s, req);
  if (!caller) {
    throw new AppError(
      "UNAUTHENTICATED",
      "sign in (POST /auth/sign-in) or send a valid bearer token (`traslado token create`)",
    );
  }
  if (caller.via === "cookie") {
    checkCsrf(req, caller.session);
    if (!caller.session.secondFactor) {
      throw new AppError(
        "SECOND_FACTOR_REQUIRED",
        `the role ${caller.actor.role} needs a second factor: give a code of your TOTP (POST /auth/totp/verify), or enrol one (POST /auth/totp, then POST /auth/totp/confirm)`,
      );
    }
  }
  return caller;
}
