/**
 * Sign-in through an external OpenID Connect provider (issue 10, part 1): the production sign-in, beside the
 * local accounts that stay the embedded default. Authorization code flow with PKCE (S256), state and nonce;
 * openid-client checks the authorization response and the ID token (signature, issuer, audience, nonce,
 * expiry). The provider's `sub` maps to a Traslado user set by an administrator (`users.oidc_subject`);
 * the session itself is opened by whoever owns sessions (`deps.openSession`), so this module holds no
 * database and no session store of its own.
 *
 * Where the flow's secrets wait between the two requests: in a cookie, encrypted and authenticated
 * (AES-256-GCM) with a key derived from the client secret, 10 minutes, HttpOnly, SameSite=Lax (Strict would
 * not be sent on the provider's redirect back), Secure outside development, scoped to the callback's path.
 * Not in process memory, so a login that starts on one app process can finish on another (several processes
 * serve one deployment); the client secret is already the one secret every process shares, so there is no
 * new setting to keep in step. A callback is good once: the cookie is cleared on the first try, the state is
 * remembered as used in the process until it expires, and the provider refuses a code used twice.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import type { FastifyInstance, FastifyReply } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import * as client from "openid-client";
import { z } from "zod";
import { type Config, isLoopback } from "../config.ts";
import { AppError } from "../errors.ts";
import { type Role, roles } from "./roles.ts";

export interface OidcConfig {
  issuer: URL;
  clientId: string;
  /** From configuration only; never logged. */
  clientSecret: string;
  /** The callback registered with the provider (`…/auth/oidc/callback`). */
  redirectUri: URL;
  scopes: string;
  /** `acr` values that count as a second factor (`amr` with mfa or otp always does). */
  secondFactorAcr: readonly string[];
  /** The transaction cookie is `Secure`: everywhere but development. */
  secureCookies: boolean;
}

/** The OpenID Connect settings, or undefined when none is set (local accounts only). */
export function oidcConfigOf(config: Config): OidcConfig | undefined {
  if (
    !config.OIDC_ISSUER ||
    !config.OIDC_CLIENT_ID ||
    !config.OIDC_CLIENT_SECRET ||
    !config.OIDC_REDIRECT_URI
  )
    return undefined; // all or none: loadConfig refuses a partial set
  return {
    issuer: new URL(config.OIDC_ISSUER),
    clientId: config.OIDC_CLIENT_ID,
    clientSecret: config.OIDC_CLIENT_SECRET,
    redirectUri: new URL(config.OIDC_REDIRECT_URI),
    scopes: config.OIDC_SCOPES,
    secondFactorAcr: config.OIDC_SECOND_FACTOR_ACR.split(",")
      .map((s) => s.trim())
      .filter(Boolean),
    secureCookies: config.NODE_ENV !== "development",
  };
}

export interface OidcUser {
  id: string;
  roles: string[];
  disabled: boolean;
}

export type SignInEvent = {
  kind: "sign_in.succeeded" | "sign_in.failed";
  userId?: string;
  reason: string;
};

export interface OidcDeps {
  config: OidcConfig;
  /** The user whose `oidc_subject` is the provider's `sub` (the issuer is the one configured). */
  findUser(subject: string): Promise<OidcUser | null>;
  /** Opens the session and sets its cookie on `reply`. */
  openSession(
    args: { userId: string; role: string; secondFactor: boolean; address: string; userAgent?: string },
    reply: FastifyReply,
  ): Promise<{ expiresAt: Date }>;
  audit?(event: SignInEvent): Promise<void>;
}

/** Reads the provider's discovery document; plain http only for a provider on this machine (tests). */
export function discover(config: OidcConfig): Promise<client.Configuration> {
  const local = config.issuer.protocol === "http:" && isLoopback(config.issuer);
  return client.discovery(
    config.issuer,
    config.clientId,
    { redirect_uris: [config.redirectUri.href] },
    client.ClientSecretBasic(config.clientSecret),
    local ? { execute: [client.allowInsecureRequests] } : undefined,
  );
}

const TRANSACTION_COOKIE = "traslado_oidc";
const TRANSACTION_TTL_MS = 10 * 60_000;
const SECOND_FACTOR_AMR = ["mfa", "otp"];

/** A relative path of this site: one leading slash, no scheme or host, no backslash or control character. */
export function isLocalPath(value: string): boolean {
  if (!value.startsWith("/") || value.startsWith("//") || /[\\\p{Cc}]/u.test(value)) return false;
  const base = "http://traslado.invalid";
  return new URL(value, base).origin === base;
}

/** Roles a person signs in with (not the clock's). */
const ZSignInRole = z.enum(roles.filter((r) => r !== "system") as [Role, ...Role[]]);

export const ZOidcLogin = z.strictObject({
  role: ZSignInRole.describe("The role to act in for this session; the user must hold it."),
  returnTo: z
    .string()
    .max(2048)
    .refine(isLocalPath, "must be a path of this site starting with a single / (no scheme or host)")
    .optional()
    .describe("Where to go after signing in (default /)."),
});

/** What the provider sends back; other parameters (session_state…) pass through to openid-client. */
export const ZOidcCallback = z.object({
  code: z.string().max(4096).optional(),
  state: z.string().max(512).optional(),
  iss: z.string().max(2048).optional(),
  error: z.string().max(256).optional(),
  error_description: z.string().max(2048).optional(),
});

interface Transaction {
  state: string;
  nonce: string;
  verifier: string;
  role: Role;
  returnTo: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

/**
 * The routes: `GET /auth/oidc/login` (to the provider) and `GET /auth/oidc/callback` (back from it).
 * Reads the provider's discovery document first, so a wrong issuer stops start-up.
 */
export async function oidcRoutes(app: FastifyInstance, deps: OidcDeps): Promise<void> {
  const { config } = deps;
  const provider = await discover(config);
  const key = Buffer.from(
    hkdfSync("sha256", config.clientSecret, "traslado/oidc-transaction", config.clientId, 32),
  );
  const sealer = transactionSealer(key);
  const usedStates = new Map<string, number>();
  const cookiePath = config.redirectUri.pathname;
  const cookieAttributes = `Path=${cookiePath}; HttpOnly; SameSite=Lax${config.secureCookies ? "; Secure" : ""}`;

  const refuse = async (reason: string, message: string, userId?: string): Promise<never> => {
    await deps.audit?.({ kind: "sign_in.failed", reason, ...(userId ? { userId } : {}) });
    throw new AppError("UNAUTHENTICATED", message);
  };
  const startAgain = "the sign-in could not be completed; start again from the sign-in page";
  // One answer whether the identity is unknown, disabled or lacks the role: nothing to probe accounts with.
  const noAccount = "sign-in refused: no active Traslado account with that role is linked to this identity";

  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.get(
    "/auth/oidc/login",
    {
      schema: {
        operationId: "oidcLogin",
        tags: ["auth"],
        summary: "Sign in through the OpenID Connect provider: redirects there",
        description:
          "302 to the provider's authorization endpoint (authorization code, PKCE S256, state, nonce). 400 names a bad `role` or a `returnTo` that is not a path of this site.",
        querystring: ZOidcLogin,
        security: [],
      },
      config: { permission: "public", successStatus: 302 },
    },
    async (req, reply) => {
      const tx: Transaction = {
        state: client.randomState(),
        nonce: client.randomNonce(),
        verifier: client.randomPKCECodeVerifier(),
        role: req.query.role,
        returnTo: req.query.returnTo ?? "/",
        expiresAt: Date.now() + TRANSACTION_TTL_MS,
      };
      const url = client.buildAuthorizationUrl(provider, {
        redirect_uri: config.redirectUri.href,
        scope: config.scopes,
        code_challenge: await client.calculatePKCECodeChallenge(tx.verifier),
        code_challenge_method: "S256",
        state: tx.state,
        nonce: tx.nonce,
      });
      return reply
        .header("cache-control", "no-store")
        .header(
          "set-cookie",
          `${TRANSACTION_COOKIE}=${sealer.seal(tx)}; Max-Age=${TRANSACTION_TTL_MS / 1000}; ${cookieAttributes}`,
        )
        .redirect(url.href, 302);
    },
  );

  typed.get(
    "/auth/oidc/callback",
    {
      schema: {
        operationId: "oidcCallback",
        tags: ["auth"],
        summary: "Where the OpenID Connect provider sends the browser back: opens the session",
        description:
          "302 to the `returnTo` of the login, with the session cookie. 401 when the callback does not check out (no or expired sign-in in progress, wrong state, replayed, refused by the provider) or no active account holding the role is linked to the identity.",
        querystring: ZOidcCallback,
        security: [],
      },
      config: { permission: "public", successStatus: 302 },
    },
    async (req, reply) => {
      // Good once, whatever happens next.
      reply
        .header("cache-control", "no-store")
        .header("set-cookie", `${TRANSACTION_COOKIE}=; Max-Age=0; ${cookieAttributes}`);
      const now = Date.now();
      const sealed = cookieValue(req.headers.cookie, TRANSACTION_COOKIE);
      const tx = sealed ? sealer.open(sealed) : undefined;
      if (!tx || tx.expiresAt < now) return refuse("no_transaction", startAgain);
      for (const [state, expiresAt] of usedStates) if (expiresAt < now) usedStates.delete(state);
      if (usedStates.has(tx.state)) return refuse("replayed", startAgain);
      usedStates.set(tx.state, tx.expiresAt);

      // The provider's answer, checked against the configured redirect URI (not the Host header).
      const currentUrl = new URL(config.redirectUri);
      currentUrl.search = req.url.includes("?") ? req.url.slice(req.url.indexOf("?")) : "";
      let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
      try {
        tokens = await client.authorizationCodeGrant(provider, currentUrl, {
          pkceCodeVerifier: tx.verifier,
          expectedState: tx.state,
          expectedNonce: tx.nonce,
          idTokenExpected: true,
        });
      } catch (err) {
        // A provider that cannot be reached (TypeError: fetch failed) is ours to fix: 500, logged.
        const reason = refusalOf(err);
        if (!reason) throw err;
        req.log.info({ reason }, "OpenID Connect callback refused");
        return refuse(reason, startAgain);
      }
      const claims = tokens.claims();
      if (!claims) return refuse("no_id_token", startAgain);

      const user = await deps.findUser(claims.sub);
      if (!user) return refuse("unknown_subject", noAccount);
      if (user.disabled) return refuse("disabled", noAccount, user.id);
      if (!user.roles.includes(tx.role)) return refuse("role_not_held", noAccount, user.id);

      const amr = Array.isArray(claims.amr) ? claims.amr : [];
      const secondFactor =
        amr.some((m) => typeof m === "string" && SECOND_FACTOR_AMR.includes(m)) ||
        (typeof claims.acr === "string" && config.secondFactorAcr.includes(claims.acr));
      const userAgent = req.headers["user-agent"]?.slice(0, 512);
      await deps.openSession(
        {
          userId: user.id,
          role: tx.role,
          secondFactor,
          address: req.ip,
          ...(userAgent ? { userAgent } : {}),
        },
        reply,
      );
      await deps.audit?.({
        kind: "sign_in.succeeded",
        userId: user.id,
        reason: secondFactor ? "oidc, second factor at the provider" : "oidc",
      });
      return reply.redirect(tx.returnTo, 302);
    },
  );
}

/** Why a callback was refused, for the audit and the log (never the provider's free text); undefined: not a refusal. */
function refusalOf(err: unknown): string | undefined {
  if (err instanceof client.AuthorizationResponseError) return `provider_error:${err.error}`.slice(0, 80);
  if (err instanceof client.ResponseBodyError) return `token_error:${err.error}`.slice(0, 80);
  if (err instanceof client.ClientError) return `invalid_response:${err.code ?? "unknown"}`.slice(0, 80);
  return undefined;
}

function transactionSealer(key: Buffer) {
  const aad = Buffer.from(`${TRANSACTION_COOKIE}/v1`);
  return {
    seal(tx: Transaction): string {
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", key, iv).setAAD(aad);
      const body = Buffer.concat([cipher.update(JSON.stringify(tx), "utf8"), cipher.final()]);
      return Buffer.concat([iv, body, cipher.getAuthTag()]).toString("base64url");
    },
    /** The transaction, or undefined when the cookie was not made here or was changed. */
    open(sealed: string): Transaction | undefined {
      const raw = Buffer.from(sealed, "base64url");
      if (raw.length < 12 + 16 + 2 || raw.length > 4096) return undefined;
      try {
        const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, 12)).setAAD(aad);
        decipher.setAuthTag(raw.subarray(raw.length - 16));
        const text = Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]);
        return JSON.parse(text.toString("utf8")) as Transaction;
      } catch {
        return undefined;
      }
    },
  };
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of header?.split(";") ?? []) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
