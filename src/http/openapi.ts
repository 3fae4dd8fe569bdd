import type { FastifySchema } from "fastify";
import { jsonSchemaTransform } from "fastify-type-provider-zod";
import type { Permission } from "../auth/permissions.ts";

declare module "fastify" {
  interface FastifyContextConfig {
    /** The status a route answers with on success (201 for a create), as the OpenAPI document states it. */
    successStatus?: number;
    /** The permission the route needs (`src/auth/permissions.ts`); checked before the route runs. */
    permission?: Permission | "public";
  }
}

const descriptions: Record<number, string> = {
  200: "OK",
  201: "Created",
};

/**
 * The route schemas as the OpenAPI document describes them (zod → JSON schema), with each route's real
 * success status: routes give it in `config.successStatus`; a route without one answers 200.
 */
export function documentResponses(args: Parameters<typeof jsonSchemaTransform>[0]) {
  const out = jsonSchemaTransform(args);
  const route = (args as { route?: { config?: { successStatus?: number; permission?: string } } }).route;
  const status = route?.config?.successStatus ?? 200;
  const schema = (out.schema ?? {}) as FastifySchema & { response?: Record<string, unknown> };
  // The permission the route needs, as data in the document (the authorization matrix test reads it).
  if (route?.config?.permission) {
    out.schema = { ...schema, "x-permission": route.config.permission } as typeof out.schema;
  }
  if (!schema.response) {
    out.schema = {
      ...(out.schema as object),
      response: { [status]: { description: descriptions[status] ?? "Success", type: "object" } },
    } as typeof out.schema;
  }
  return out;
}
