import cookie from "@fastify/cookie";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import { sql } from "drizzle-orm";
import Fastify, { type FastifyInstance } from "fastify";
import { serializerCompiler, validatorCompiler } from "fastify-type-provider-zod";
import { noteRefusal, recordRead } from "../audit/reads.ts";
import { requirePermission } from "../auth/access.ts";
import { adminRoutes } from "../auth/admin-routes.ts";
import { apiCaller, sessionCookieName } from "../auth/http.ts";
import type { OidcConfig } from "../auth/oidc.ts";
import { authRoutes } from "../auth/routes.ts";
import { caseRoutes } from "../cases/routes.ts";
import { AppError } from "../errors.ts";
import { operationRoutes } from "../operations/routes.ts";
import { peopleRoutes } from "../people/routes.ts";
import { requestRoutes } from "../requests/routes.ts";
import type { Services } from "../services.ts";
import { statsRoutes } from "../stats/routes.ts";
import { errorBody, handleError } from "./errors.ts";
import { registerMetrics } from "./metrics.ts";
import { documentResponses } from "./openapi.ts";

/** A readiness check that has not answered by then counts as a failure (a server unreachable over TCP). */
const READINESS_TIMEOUT_MS = 2000;

export interface AppOptions {
  /** `stream`: where the JSON lines go (standard output by default). */
  logger?: boolean | { level: string; pretty?: boolean; stream?: { write(line: string): void } };
  /** Sign-in through OpenID Connect (`/auth/oidc/*`), when configured. */
  oidc?: OidcConfig | undefined;
}

/** The HTTP application: docs, health, readiness, metrics, and the authenticated API under /api. */
export async function createApp(s: Services, options: AppOptions = {}): Promise<FastifyInstance> {
  const log = options.logger;
  const app = Fastify({
    logger:
      typeof log === "object"
        ? {
            level: log.level,
            redact: ["req.headers.authorization", "req.headers.cookie"],
            ...(log.stream ? { stream: log.stream } : {}),
            ...(log.pretty ? { transport: { target: "pino-pretty" } } : {}),
          }
        : (log ?? false),
    genReqId: () => crypto.randomUUID(),
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(async (err: Error, req, reply) => {
    // A refused call is in the audit chain: who tried what (the call itself wrote nothing).
    if (err instanceof AppError && err.code === "ACTOR_NOT_PERMITTED" && req.actor) {
      await noteRefusal(s.database.app, req.actor, {
        permission: String(err.details.permission ?? "unknown"),
        route: `${req.method} ${req.routeOptions.url ?? "(none)"}`,
        targetId: (req.params as { id?: string } | undefined)?.id,
      }).catch((e: unknown) => req.log.error({ code: (e as { code?: string }).code }, "refusal not audited"));
    }
    return handleError(err, req, reply);
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
  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send(errorBody("NOT_FOUND", `no route ${req.method} ${req.url.split("?")[0]}`)),
  );

  await app.register(swagger, {
    openapi: {
      info: {
        title: "Traslado API",
        version: "0.1.0",
        description:
          "Surrender of detained people between states: requests, cases on two legal tracks, decisions, assurances, operations and handovers, with a tamper-evident audit chain.",
      },
      components: {
        securitySchemes: {
          bearer: { type: "http", scheme: "bearer" },
          // A signed-in person's session (POST /auth/sign-in); writes also need the `X-CSRF-Token` header.
          session: { type: "apiKey", in: "cookie", name: sessionCookieName(s.sessions.settings) },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
    transform: documentResponses,
  });
  await app.register(swaggerUi, { routePrefix: "/docs" });
  await app.register(cookie);
  app.get("/openapi.json", { schema: { hide: true } }, () => app.swagger());

  // Kept as it was (for monitors already pointed at it): answers while the process runs, with the database
  // kind and migration level.
  app.get(
    "/health",
    { schema: { tags: ["system"], summary: "Liveness, database kind and migration level", security: [] } },
    async () => {
      const level = await s.database.migrationLevel();
      return { status: "ok", database: s.database.kind, migrations: level };
    },
  );
  app.get(
    "/health/live",
    {
      schema: {
        tags: ["system"],
        summary: "Liveness: the process answers (restart it when this fails); touches no database",
        security: [],
      },
    },
    async () => ({ status: "ok" }),
  );
  app.get(
    "/health/ready",
    {
      schema: {
        tags: ["system"],
        summary:
          "Readiness: 200 when the database answers and every migration is applied; 503 naming what is wrong",
        security: [],
      },
    },
    async (_req, reply) => {
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
          problems.push(`database: ${(err as Error).message}`);
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
  registerMetrics(app, s);

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
      // The route's permission (`src/auth/permissions.ts`), checked before anything runs, the body's
      // validation included (a caller without it learns nothing of the route); every service call checks it
      // again, and reads only what the actor's party may see.
      api.addHook("preValidation", async (req) => {
        const permission = req.routeOptions.config.permission;
        if (permission && permission !== "public") requirePermission(req.actor, permission);
      });
      // A record read by id is noted (who read what, `src/audit/reads.ts`) once its answer is sent.
      api.addHook("onResponse", async (req, reply) => {
        if (req.method !== "GET" || reply.statusCode !== 200 || !req.actor) return;
        const id = (req.params as { id?: string } | undefined)?.id;
        const permission = req.routeOptions.config.permission;
        const entity = id && permission && permission !== "public" ? recordRead[permission] : undefined;
        if (entity && id) s.reads.record(req.actor, entity, id, `GET ${req.routeOptions.url}`);
      });
      peopleRoutes(api, s.database.app, s);
      requestRoutes(api, s.database.app, s);
      caseRoutes(api, s.database.app, s);
      operationRoutes(api, s.database.app, s);
      statsRoutes(api, s);
      adminRoutes(api, s);
    },
    { prefix: "/api" },
  );
  // Sign-in and one's own session: outside /api, as they check the session themselves.
  await app.register(async (auth) => authRoutes(auth, s), { prefix: "/auth" });
  const oidc = options.oidc;
  if (oidc) {
    // Loaded only when configured; reads the provider's discovery document, so a wrong issuer stops start-up.
    const [{ oidcRoutes }, { oidcDeps }] = await Promise.all([
      import("../auth/oidc.ts"),
      import("../auth/oidc-sessions.ts"),
    ]);
    await app.register(async (a) => oidcRoutes(a, oidcDeps(s, oidc)));
  }
  return app;
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
