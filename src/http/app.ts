import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import Fastify, { type FastifyInstance } from "fastify";
import { serializerCompiler, validatorCompiler } from "fastify-type-provider-zod";
import { caseRoutes } from "../cases/routes.ts";
import { AppError } from "../errors.ts";
import { operationRoutes } from "../operations/routes.ts";
import { peopleRoutes } from "../people/routes.ts";
import { requestRoutes } from "../requests/routes.ts";
import type { Services } from "../services.ts";
import { statsRoutes } from "../stats/routes.ts";
import { errorBody, handleError } from "./errors.ts";
import { documentResponses } from "./openapi.ts";

export interface AppOptions {
  logger?: boolean | { level: string; pretty?: boolean };
}

/** The HTTP application: docs, health, and the authenticated API under /api. */
export async function createApp(s: Services, options: AppOptions = {}): Promise<FastifyInstance> {
  const log = options.logger;
  const app = Fastify({
    logger:
      typeof log === "object"
        ? {
            level: log.level,
            redact: ["req.headers.authorization", "req.headers.cookie"],
            ...(log.pretty ? { transport: { target: "pino-pretty" } } : {}),
          }
        : (log ?? false),
    genReqId: () => crypto.randomUUID(),
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(handleError);
  app.addHook("onClose", () => s.planRunner.close());
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
      components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
      security: [{ bearer: [] }],
    },
    transform: documentResponses,
  });
  await app.register(swaggerUi, { routePrefix: "/docs" });
  app.get("/openapi.json", { schema: { hide: true } }, () => app.swagger());

  app.get(
    "/health",
    { schema: { tags: ["system"], summary: "Liveness, database kind and migration level", security: [] } },
    async () => {
      const level = await s.database.migrationLevel();
      return { status: "ok", database: s.database.kind, migrations: level };
    },
  );

  await app.register(
    async (api) => {
      api.decorateRequest("actor", null as never);
      api.addHook("onRequest", async (req) => {
        const header = req.headers.authorization;
        const token = header?.startsWith("Bearer ") ? header.slice(7).trim() : undefined;
        const actor = token ? await s.tokens.authenticate(token) : null;
        if (!actor) {
          throw new AppError(
            "UNAUTHENTICATED",
            "a valid bearer token is required (create one with `traslado token create`)",
          );
        }
        req.actor = actor;
      });
      peopleRoutes(api, s.database.db, s);
      requestRoutes(api, s.database.db, s);
      caseRoutes(api, s.database.db, s);
      operationRoutes(api, s.database.db, s);
      statsRoutes(api, s);
    },
    { prefix: "/api" },
  );
  return app;
}
