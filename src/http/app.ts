import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import cookie from "@fastify/cookie";
import rateLimit from "@fastify/rate-limit";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import { sql } from "drizzle-orm";
import Fastify, {
  type FastifyContextConfig,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type HookHandlerDoneFunction,
} from "fastify";
import { serializerCompiler, validatorCompiler } from "fastify-type-provider-zod";
import helmet from "helmet";
import { noteRefusal, recordRead } from "../audit/reads.ts";
import { auditRoutes } from "../audit/routes.ts";
import { requirePermission } from "../auth/access.ts";
import { adminRoutes } from "../auth/admin-routes.ts";
import { apiCaller, sessionCookieName } from "../auth/http.ts";
import type { OidcConfig } from "../auth/oidc.ts";
import { authRoutes } from "../auth/routes.ts";
import { caseRoutes } from "../cases/routes.ts";
import { caseStepRoutes } from "../cases/step-routes.ts";
import { trackRoutes } from "../cases/tracks-routes.ts";
import { type Config, loadConfig } from "../config.ts";
import { correctionRoutes } from "../corrections/routes.ts";
import { documentRoutes } from "../documents/routes.ts";
import { AppError } from "../errors.ts";
import { notificationRoutes } from "../notifications/routes.ts";
import { operationRoutes } from "../operations/routes.ts";
import { personFileRoutes } from "../people/file-routes.ts";
import { mergeRoutes } from "../people/merge-routes.ts";
import { peopleRoutes } from "../people/routes.ts";
import { requestRoutes } from "../requests/routes.ts";
import type { Services } from "../services.ts";
import { publicStatsRoutes, statsRoutes } from "../stats/routes.ts";
import { type AnswerMismatch, checkAnswers, sendAsIs } from "./answers.ts";
import { errorBody, handleError, logSerializers } from "./errors.ts";
import { registerMetrics } from "./metrics.ts";
import { documentErrors, documentResponses, sharedComponents } from "./openapi.ts";
import { AHealth, ALiveness, AReadiness } from "./schemas.ts";
import { registerWebApp } from "./web.ts";

/** A readiness check that has not answered by then counts as a failure (a server unreachable over TCP). */
const READINESS_TIMEOUT_MS = 2000;

export interface AppOptions {
  /** `stream`: where the JSON lines go (standard output by default). */
  logger?: boolean | { level: string; pretty?: boolean; stream?: { write(line: string): void } };
  /** Body and rate limits (`src/config.ts`); each one not given takes its default. */
  config?: Partial<Pick<Config, "BODY_LIMIT_BYTES" | "RATE_LIMIT_MAX" | "RATE_LIMIT_WINDOW_MS">>;
  /** Sign-in through OpenID Connect (`/auth/oidc/*`), when configured. */
  oidc?: OidcConfig | undefined;
  /**
   * For the tests: check every answer against its route's schema as it leaves (`checkAnswers` in
   * answers.ts); a mismatch answers 500 and is handed here. Never in production: it parses every answer.
   */
  checkAnswers?: ((mismatch: AnswerMismatch) => void) | undefined;
}

/** The route option that keeps a route out of the rate limit (health checks, metrics). */
const notLimited = { rateLimit: false } as const;

/** A route without a body schema reads none: anything past this is refused with 413 unread. */
const NO_BODY_LIMIT_BYTES = 1024;

/**
 * Whom a rate limit counts: the bearer token (its hash: the token itself never sits in memory as a key) or
 * the session cookie when one is sent, else the address.
 */
function rateLimitKey(req: FastifyRequest): string {
  const header = req.headers.authorization;
  if (header?.startsWith("Bearer ")) return `token:${digest(header.slice(7).trim())}`;
  const session = /(?:^|;\s*)([^=;\s]*session[^=;\s]*=[^;]+)/i.exec(req.headers.cookie ?? "")?.[1];
  if (session) return `session:${digest(session)}`;
  return `address:${req.ip}`;
}
const digest = (s: string) => createHash("sha256").update(s).digest("base64url");

/** The HTTP application: docs, health, readiness, metrics, and the authenticated API under /api. */
export async function createApp(s: Services, options: AppOptions = {}): Promise<FastifyInstance> {
  const log = options.logger;
  const limits = { ...loadConfig({}), ...options.config };
  let unrouted: ((req: FastifyRequest, reply: FastifyReply) => void) | undefined;
  const app = Fastify({
    bodyLimit: limits.BODY_LIMIT_BYTES,
    logger:
      typeof log === "object"
        ? {
            level: log.level,
            redact: ["req.headers.authorization", "req.headers.cookie"],
            serializers: logSerializers,
            ...(log.stream ? { stream: log.stream } : {}),
            ...(log.pretty ? { transport: { target: "pino-pretty" } } : {}),
          }
        : (log ?? false),
    genReqId: () => crypto.randomUUID(),
    // Fastify's own refusals of a URL (malformed, a path segment too long) take the one error body too. No
    // hook sees them: they are logged and counted here, as every other answer is.
    frameworkErrors: (err, req, reply) => {
      handleError(err, req, reply);
      req.log.info({ res: reply, responseTime: reply.elapsedTime }, "request completed");
      unrouted?.(req, reply);
    },
    // Answered below, in the one error body, once close() is called.
    return503OnClosing: false,
  });
  // JSON only (and the documents' multipart, registered with their routes): Fastify's own text/plain
  // parser would hand a route a string, refused as a wrong type (400) rather than the wrong media (415).
  app.removeContentTypeParser("text/plain");
  app.setValidatorCompiler(validatorCompiler);
  // Answers go out as the services built them: their schemas document them (and the tests check them),
  // at no cost per request. The sign-in and administration routes filter theirs through the schema.
  app.setSerializerCompiler(sendAsIs);
  if (options.checkAnswers) checkAnswers(app, options.checkAnswers);
  app.setErrorHandler(async (err: Error, req, reply) => {
    // A refused call is in the audit chain: who tried what (the call itself wrote nothing).
    if (err instanceof AppError && err.code === "ACTOR_NOT_PERMITTED" && req.actor) {
      await noteRefusal(s.database.app, req.actor, {
        // The route's permission when the refusal came from a finer rule (the track's role for a step).
        permission: String(err.details.permission ?? req.routeOptions.config.permission ?? "unknown"),
        reason: err.message,
        route: `${req.method} ${req.routeOptions.url ?? "(none)"}`,
        targetId: (req.params as { id?: string } | undefined)?.id,
      }).catch((e: unknown) => req.log.error({ code: (e as { code?: string }).code }, "refusal not audited"));
    }
    return handleError(err, req, reply);
  });
  // Per route: a route that takes a body reads up to BODY_LIMIT_BYTES; one that takes none, next to nothing.
  // Fastify refuses a larger body (by its Content-Length, else as it streams in) before parsing it.
  app.addHook("onRoute", (route) => {
    if (route.bodyLimit === undefined && !(route.schema as { body?: unknown } | undefined)?.body)
      route.bodyLimit = NO_BODY_LIMIT_BYTES;
  });
  app.addHook("onClose", async () => {
    await s.planRunner.close();
    await s.reads.flush().catch((e: unknown) => app.log.error({ err: e }, "reads not written"));
  });
  // From the moment close() is called (SIGTERM), readiness answers 503 so a load balancer stops sending.
  let closing = false;
  app.addHook("preClose", async () => {
    closing = true;
  });
  // Requests arriving on open connections while in-flight ones finish: 503, and the connection closes.
  // Readiness answers for itself (503 naming why).
  // A callback hook, not an async one: it runs on every request, and a promise each time costs more than the check.
  app.addHook("onRequest", (req, reply, done) => {
    if (!closing || req.url.startsWith("/health/ready")) return done();
    reply.header("connection", "close");
    done(
      new AppError("UNAVAILABLE", "the server is shutting down; send the request again (to another server)"),
    );
  });
  // A GET of a page that no route takes is the web app's (its own router draws the screen); else 404.
  let webPage: Awaited<ReturnType<typeof registerWebApp>>;
  app.setNotFoundHandler(
    (req, reply) =>
      webPage?.(req, reply) ??
      reply.code(404).send(errorBody("NOT_FOUND", `no route ${req.method} ${req.url.split("?")[0]}`)),
  );

  await app.register(swagger, {
    openapi: {
      info: {
        title: "Traslado API",
        version: "0.1.0",
        description:
          "Surrender of detained people between states: requests, cases on two legal tracks, decisions, assurances, operations and handovers, with a tamper-evident audit chain.",
        // No public address to give: the operators who deploy it add theirs.
        contact: { name: "Traslado maintainers" },
        license: { name: "Apache-2.0", url: "https://www.apache.org/licenses/LICENSE-2.0" },
      },
      // Relative: the document describes the server that serves it, wherever it is deployed.
      servers: [
        {
          url: "/",
          description: "The server that serves this document (production, staging or local alike)",
          // For the officials of the states and their systems, never the public internet at large.
          ...({ "x-internal": true } as object),
        },
      ],
      tags: [
        { name: "system", description: "Health and readiness, for monitors and load balancers" },
        { name: "people", description: "People requested or held, with their affiliations" },
        { name: "organisations", description: "Organisations and their rivalries" },
        { name: "requests", description: "Requests for extradition or transfer, with their charges" },
        { name: "cases", description: "Cases on the treaty and security tracks, their steps and deadlines" },
        { name: "legal holds", description: "Amparos and pending proceedings that bar a surrender" },
        {
          name: "assurances",
          description: "Assurances a requesting state gives (no death penalty, specialty)",
        },
        { name: "decisions", description: "Decisions recorded by the steps of a case" },
        { name: "operations", description: "Operations: people, aircraft, plans, manifests and releases" },
        { name: "handovers", description: "Handovers of custody and their confirmations" },
        {
          name: "documents",
          description:
            "Documents attached to records: content-addressed (SHA-256), type-checked, with signed receipts",
        },
        { name: "reference", description: "Places and administrations" },
        { name: "reporting", description: "Figures of people sent" },
        { name: "audit", description: "The audit chain: its events, and verifying it" },
        {
          name: "notifications",
          description: "Reminders of deadlines for the roles that must act, and outgoing webhooks",
        },
        { name: "auth", description: "Sign-in, sessions, the second factor and one's own password" },
        {
          name: "administration",
          description: "Agencies, users, roles, sessions and tokens of the administrator's own party",
        },
      ],
      components: {
        securitySchemes: {
          bearer: { type: "http", scheme: "bearer" },
          // A signed-in person's session (POST /auth/sign-in); writes also need the `X-CSRF-Token` header.
          session: { type: "apiKey", in: "cookie", name: sessionCookieName(s.sessions.settings) },
        },
        ...(sharedComponents as object),
      },
      security: [{ bearer: [] }, { session: [] }],
    },
    transform: documentResponses,
    transformObject: documentErrors,
  });
  await app.register(swaggerUi, { routePrefix: "/docs" });
  // Security headers on every answer. The policy lets the docs page run swagger-ui's own scripts and styles
  // (their hashes) and nothing from elsewhere; the API answers JSON, which no policy affects. helmet gives
  // the headers once, at start-up, and each answer gets that set: @fastify/helmet built them again for
  // every request, and even helmet's own middleware per request cost a case read 70-100 µs of CPU.
  const securityHeaders = headersOf(
    helmet({
      contentSecurityPolicy: {
        directives: {
          ...helmet.contentSecurityPolicy.getDefaultDirectives(),
          "form-action": ["'self'"],
          "img-src": ["'self'", "data:"],
          "script-src": ["'self'", ...app.swaggerCSP.script],
          "style-src": ["'self'", ...app.swaggerCSP.style],
          // The server speaks plain HTTP on 127.0.0.1 (TLS ends at a proxy in front of it): asking a browser
          // to fetch the docs' scripts over https from here would break /docs (Safari does it even on localhost).
          "upgrade-insecure-requests": null,
        },
      },
    }),
  );
  app.addHook("onRequest", (_req, reply, done) => {
    reply.headers(securityHeaders);
    done();
  });
  // Per client (see rateLimitKey), in this process's memory: behind a load balancer each process counts
  // its own share. Health checks and metrics are never refused: their routes say `rateLimit: false` (see
  // `notLimited`), so the limit's hook is not even added to them.
  await app.register(rateLimit, {
    max: limits.RATE_LIMIT_MAX,
    timeWindow: limits.RATE_LIMIT_WINDOW_MS,
    keyGenerator: rateLimitKey,
    enableDraftSpec: true,
    errorResponseBuilder: (_req, context) =>
      new AppError(
        "RATE_LIMITED",
        `too many requests: at most ${context.max} in ${context.after}; retry later`,
      ),
  });
  app.get("/openapi.json", { schema: { hide: true } }, () => app.swagger());

  // Kept as it was (for monitors already pointed at it): answers while the process runs, with the database
  // kind and migration level.
  app.get(
    "/health",
    {
      schema: {
        operationId: "getHealth",
        tags: ["system"],
        summary: "Liveness, database kind and migration level",
        description:
          "Kept for monitors pointed at it before /health/live and /health/ready. No token needed.",
        security: [],
        response: { 200: AHealth },
      },
      config: notLimited,
    },
    async () => {
      const level = await s.database.migrationLevel();
      return { status: "ok", database: s.database.kind, migrations: level };
    },
  );
  app.get(
    "/health/live",
    {
      schema: {
        operationId: "getLiveness",
        tags: ["system"],
        summary: "Liveness: the process answers (restart it when this fails); touches no database",
        description: "No token needed; never rate-limited.",
        security: [],
        response: { 200: ALiveness },
      },
      config: notLimited,
    },
    async () => ({ status: "ok" }),
  );
  app.get(
    "/health/ready",
    {
      schema: {
        operationId: "getReadiness",
        tags: ["system"],
        summary:
          "Readiness: 200 when the database answers and every migration is applied; 503 naming what is wrong",
        description:
          "No token needed; never rate-limited. A load balancer sends requests only while it answers 200.",
        security: [],
        response: { 200: AReadiness, 503: AReadiness },
      },
      config: notLimited,
    },
    async (req, reply) => {
      const problems: string[] = [];
      let migrations: Awaited<ReturnType<typeof s.database.migrationLevel>> | undefined;
      if (closing) problems.push("shutting down");
      else {
        try {
          migrations = await withTimeout(
            (async () => {
              await s.database.db.execute(sql`select 1`);
              return s.database.migrationLevel();
            })(),
            READINESS_TIMEOUT_MS,
          );
          if (migrations.applied !== migrations.expected)
            problems.push(
              `migrations: ${migrations.applied} of ${migrations.expected} applied (run \`traslado migrate\`)`,
            );
        } catch (err) {
          // The driver's message may name a role, a host or a database: it goes to the log, not the answer.
          req.log.error({ err }, "readiness: the database check failed");
          problems.push(
            `database: ${/^no answer within/.test((err as Error).message) ? (err as Error).message : "does not answer (see the log)"}`,
          );
        }
      }
      return reply.code(problems.length === 0 ? 200 : 503).send({
        status: problems.length === 0 ? "ready" : "unready",
        database: s.database.kind,
        ...(migrations ? { migrations } : {}),
        ...(problems.length > 0 ? { problems } : {}),
      });
    },
  );
  unrouted = registerMetrics(app, s).answered;

  await app.register(
    async (api) => {
      api.decorateRequest("actor", null as never);
      api.addHook("onRequest", async (req, reply) => {
        // A bearer token, or the session cookie (then the CSRF token on writes, and the second factor).
        const { actor } = await apiCaller(s, req);
        req.actor = actor;
        // Every later line of this request's log names the actor (the request id is there already).
        req.log = req.log.child({ actorId: actor.id });
        reply.log = req.log;
      });
      // Each route gets the hooks its permission calls for, made once here: per request they then read no
      // route options (Fastify builds `req.routeOptions` anew at each access) and run nowhere else.
      api.addHook("onRoute", (route) => {
        const permission = (route.config as FastifyContextConfig | undefined)?.permission;
        if (!permission || permission === "public") return;
        // The route's permission (`src/auth/permissions.ts`), checked before anything runs, the body's
        // validation included (a caller without it learns nothing of the route); every service call checks
        // it again, and reads only what the actor's party may see.
        route.preValidation = [
          (req: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction) => {
            requirePermission(req.actor, permission);
            done();
          },
          ...hooksOf(route.preValidation),
        ];
        // A record read by id is noted (who read what, `src/audit/reads.ts`) once its answer is sent.
        const entity = recordRead[permission];
        if (route.method !== "GET" || !entity || !route.url.endsWith("/:id")) return;
        const name = `GET ${route.url}`;
        route.onResponse = [
          ...hooksOf(route.onResponse),
          (req: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
            if (reply.statusCode === 200 && req.actor)
              s.reads.record(req.actor, entity, (req.params as { id: string }).id, name);
            done();
          },
        ];
      });
      peopleRoutes(api, s.database.app, s);
      mergeRoutes(api, s.database.app, s);
      requestRoutes(api, s.database.app, s);
      caseRoutes(api, s.database.app, s);
      trackRoutes(api);
      caseStepRoutes(api, s);
      auditRoutes(api, s);
      personFileRoutes(api, s);
      operationRoutes(api, s.database.app, s);
      statsRoutes(api, s);
      notificationRoutes(api, s);
      correctionRoutes(api, s);
      await documentRoutes(api, s);
      await api.register(async (admin) => {
        // Account data: the answer is encoded through its schema, so no field it does not name leaves.
        admin.setSerializerCompiler(serializerCompiler);
        adminRoutes(admin, s);
      });
    },
    { prefix: "/api" },
  );
  // The public figures: no sign-in, outside the /api plugin's authentication.
  await app.register(async (open) => publicStatsRoutes(open, s), { prefix: "/api/public" });
  // The web app (web/dist/, built by `npm start`): its files, and its page for every other GET of a page.
  webPage = await registerWebApp(app);
  // Sign-in and one's own session: outside /api, as they check the session themselves. The cookie plugin only
  // where cookies are set (here and the OIDC routes): /api reads the session cookie from its header when it
  // has no bearer token (`sessionTokenOf`), and its answers skip the plugin's hooks.
  await app.register(
    async (auth) => {
      await auth.register(cookie);
      auth.setSerializerCompiler(serializerCompiler);
      authRoutes(auth, s);
    },
    { prefix: "/auth" },
  );
  const oidc = options.oidc;
  if (oidc) {
    // Loaded only when configured; reads the provider's discovery document, so a wrong issuer stops start-up.
    const [{ oidcRoutes }, { oidcDeps }] = await Promise.all([
      import("../auth/oidc.ts"),
      import("../auth/oidc-sessions.ts"),
    ]);
    await app.register(async (a) => {
      await a.register(cookie);
      await oidcRoutes(a, oidcDeps(s, oidc));
    });
  }
  return app;
}

/**
 * The headers a helmet middleware sets, read once: it sets the same ones on every answer (and removes
 * X-Powered-By, which Fastify never sends).
 */
function headersOf(middleware: ReturnType<typeof helmet>): Record<string, string> {
  const headers: Record<string, string> = {};
  const res = {
    setHeader: (name: string, value: unknown) => {
      headers[name.toLowerCase()] = String(value);
    },
    removeHeader: (name: string) => {
      delete headers[name.toLowerCase()];
    },
  };
  let called = false;
  middleware({} as IncomingMessage, res as unknown as ServerResponse, () => {
    called = true;
  });
  if (!called || Object.keys(headers).length === 0) throw new Error("helmet set no headers");
  return headers;
}

/** A route option's hooks as a list (Fastify takes one function, a list, or none). */
function hooksOf<H>(hooks: H | H[] | undefined): H[] {
  return hooks === undefined ? [] : Array.isArray(hooks) ? hooks : [hooks];
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
