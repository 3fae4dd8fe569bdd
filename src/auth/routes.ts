/**
 * Sign-in and the signed-in user's own session: `/auth/sign-in`, `/auth/sign-out`, `/auth/session`, the
 * TOTP enrolment and the password change. Public as routes (`config.permission: "public"`): each checks
 * the session itself, and every write but sign-in needs the session's `X-CSRF-Token`.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import type { z } from "zod";
import { AppError } from "../errors.ts";
import type { Services } from "../services.ts";
import { checkCsrf, clearSessionCookie, sessionTokenOf, setSessionCookie } from "./http.ts";
import { permissionsOf } from "./permissions.ts";
import { ZChangePassword, ZOk, ZSessionAnswer, ZSignIn, ZTotpConfirm, ZTotpEnrolment } from "./schemas.ts";
import { type ActiveSession, csrfTokenOf, type OpenedSession } from "./sessions.ts";

const tags = ["auth"];

/** What a signed-in user is told of their session (the answer of every sign-in: password, OpenID Connect). */
export function sessionAnswer(
  s: Pick<OpenedSession, "user" | "role" | "party" | "secondFactor" | "expiresAt" | "idleExpiresAt">,
  csrfToken: string,
): z.infer<typeof ZSessionAnswer> {
  return {
    user: s.user,
    role: s.role,
    party: s.party,
    csrfToken,
    secondFactor: s.secondFactor,
    expiresAt: s.expiresAt.toISOString(),
    idleExpiresAt: s.idleExpiresAt.toISOString(),
    // Until the second factor is given the session may only enrol one.
    permissions: s.secondFactor ? permissionsOf(s.role) : [],
  };
}

export function authRoutes(app: FastifyInstance, s: Services) {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  const settings = s.sessions.settings;

  /** The request's live session, or 401; for writes, its CSRF token checked. */
  async function sessionOf(req: FastifyRequest): Promise<ActiveSession & { token: string }> {
    const token = sessionTokenOf(req, settings);
    const session = token ? await s.sessions.authenticate(token) : null;
    if (!token || !session) {
      throw new AppError("UNAUTHENTICATED", "no live session: sign in (POST /auth/sign-in)");
    }
    checkCsrf(req, session);
    return { ...session, token };
  }

  typed.post(
    "/sign-in",
    {
      schema: {
        operationId: "signIn",
        tags,
        summary: "Sign in with a local account; sets the session cookie",
        description:
          "Answers the session and its CSRF token (send it as `X-CSRF-Token` with every write). 401 `SIGN_IN_FAILED` for any wrong name, password, role or code, whether or not the account exists; 401 `TOTP_REQUIRED` when the account has a TOTP and no code was sent; 429 `SIGN_IN_RATE_LIMITED` with `Retry-After` after too many failures for the account name or the address. A session token presented here is revoked: every sign-in opens a new session.",
        body: ZSignIn,
        response: { 200: ZSessionAnswer },
        security: [],
      },
      config: { permission: "public" },
    },
    async (req, reply) => {
      let opened: OpenedSession;
      try {
        opened = await s.signIn.signIn({
          ...req.body,
          address: req.ip,
          userAgent: req.headers["user-agent"],
          presentedToken: sessionTokenOf(req, settings),
        });
      } catch (err) {
        if (err instanceof AppError && err.code === "SIGN_IN_RATE_LIMITED")
          reply.header("retry-after", String(err.details.retryAfterSeconds));
        throw err;
      }
      setSessionCookie(reply, opened, settings);
      return sessionAnswer(opened, opened.csrfToken);
    },
  );

  typed.post(
    "/sign-out",
    {
      schema: {
        operationId: "signOut",
        tags,
        summary: "Sign out: the session ends on the server and the cookie is cleared",
        security: [{ session: [] }],
        response: { 200: ZOk },
      },
      config: { permission: "public" },
    },
    async (req, reply) => {
      const session = await sessionOf(req);
      await s.sessions.signOut(session);
      clearSessionCookie(reply, settings);
      return { ok: true as const };
    },
  );

  typed.get(
    "/session",
    {
      schema: {
        operationId: "getSession",
        tags,
        summary: "Who am I: the session's user, role, party, permissions and CSRF token",
        security: [{ session: [] }],
        response: { 200: ZSessionAnswer },
      },
      config: { permission: "public" },
    },
    async (req) => {
      const session = await sessionOf(req);
      return sessionAnswer(
        { ...session, role: session.actor.role, party: session.actor.party },
        csrfTokenOf(session.token),
      );
    },
  );

  typed.post(
    "/totp",
    {
      schema: {
        operationId: "startTotpEnrolment",
        tags,
        summary: "Start enrolling a TOTP second factor: answers the otpauth:// URI and secret, shown once",
        security: [{ session: [] }],
        description:
          "409 `TOTP_ALREADY_ENROLLED` when one is confirmed already (an administrator can reset it).",
        response: { 200: ZTotpEnrolment },
      },
      config: { permission: "public" },
    },
    async (req) => {
      const session = await sessionOf(req);
      return s.totp.enrol({ actor: session.actor, username: session.user.username });
    },
  );

  typed.post(
    "/totp/confirm",
    {
      schema: {
        operationId: "confirmTotpEnrolment",
        tags,
        summary: "Confirm the TOTP with a code of it; this session then counts as having given it",
        security: [{ session: [] }],
        description: "422 `TOTP_INVALID` for a wrong code or one already used.",
        body: ZTotpConfirm,
        response: { 200: ZOk },
      },
      config: { permission: "public" },
    },
    async (req) => {
      const session = await sessionOf(req);
      await s.totp.confirm({ actor: session.actor, code: req.body.code });
      await s.sessions.secondFactorGiven(session);
      return { ok: true as const };
    },
  );

  typed.post(
    "/totp/verify",
    {
      schema: {
        operationId: "giveSecondFactor",
        tags,
        summary: "Give a code of one's confirmed TOTP in a session that awaits its second factor",
        description:
          "For a session opened without one (a sign-in through a provider that asked for none). 422 `TOTP_INVALID` for a wrong or used code (counted by the sign-in rate limit); 409 `TOTP_NOT_STARTED` without a confirmed TOTP.",
        body: ZTotpConfirm,
        response: { 200: ZOk },
        security: [{ session: [] }],
      },
      config: { permission: "public" },
    },
    async (req, reply) => {
      const session = await sessionOf(req);
      try {
        await s.signIn.verifyTotp({ session, code: req.body.code, address: req.ip });
      } catch (err) {
        if (err instanceof AppError && err.code === "SIGN_IN_RATE_LIMITED")
          reply.header("retry-after", String(err.details.retryAfterSeconds));
        throw err;
      }
      return { ok: true as const };
    },
  );

  typed.post(
    "/password",
    {
      schema: {
        operationId: "changeOwnPassword",
        tags,
        summary: "Change one's own password, giving the current one; one's other sessions end",
        security: [{ session: [] }],
        description:
          "422 `PASSWORD_REFUSED` naming `currentPassword` (wrong; counted by the sign-in rate limit) or `newPassword` (at least 12 characters, not the current one).",
        body: ZChangePassword,
        response: { 200: ZOk },
      },
      config: { permission: "public" },
    },
    async (req, reply) => {
      const session = await sessionOf(req);
      try {
        await s.signIn.changePassword({ session, ...req.body, address: req.ip });
      } catch (err) {
        if (err instanceof AppError && err.code === "SIGN_IN_RATE_LIMITED")
          reply.header("retry-after", String(err.details.retryAfterSeconds));
        throw err;
      }
      return { ok: true as const };
    },
  );
}
