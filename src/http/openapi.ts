import type { FastifySchema } from "fastify";
import { jsonSchemaTransform, jsonSchemaTransformObject } from "fastify-type-provider-zod";
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

/** The one body of every error answer (`errorBody` in errors.ts). */
export const errorSchema = {
  type: "object",
  additionalProperties: false,
  required: ["error"],
  properties: {
    error: {
      type: "object",
      additionalProperties: false,
      required: ["code", "message"],
      properties: {
        code: { type: "string", maxLength: 64, pattern: "^[A-Z_]+$", example: "VALIDATION_FAILED" },
        message: { type: "string", maxLength: 10_000, example: "givenNames: required" },
        issues: {
          type: "array",
          maxItems: 1000,
          description: "For bad input: each field and the rule it broke.",
          items: {
            type: "object",
            additionalProperties: false,
            required: ["field", "rule"],
            properties: {
              field: { type: "string", maxLength: 1000, example: "charges[0].statute" },
              rule: { type: "string", maxLength: 1000, example: "required" },
            },
          },
        },
        details: {
          type: "object",
          description: "What the client can act on (the conflicting record's id, the current version…).",
          maxProperties: 100,
        },
      },
    },
  },
} as const;

const limitHeaders = {
  "RateLimit-Limit": {
    description: "Requests the client may make in the window (RATE_LIMIT_MAX)",
    schema: { type: "integer", format: "int32", minimum: 0, maximum: 2147483647 },
  },
  "RateLimit-Remaining": {
    description: "Requests left in the window",
    schema: { type: "integer", format: "int32", minimum: 0, maximum: 2147483647 },
  },
  "RateLimit-Reset": {
    description: "Seconds until the window starts again",
    schema: { type: "integer", format: "int32", minimum: 0, maximum: 2147483647 },
  },
  "Retry-After": {
    description: "Seconds to wait before trying again",
    schema: { type: "integer", format: "int32", minimum: 0, maximum: 2147483647 },
  },
} as const;

/** Components the document shares: the error schema and the rate limit headers. */
export const sharedComponents = {
  schemas: { Error: errorSchema },
  headers: limitHeaders,
};

/** What each error answer means, wherever it applies. */
const errorAnswers: Record<number, string> = {
  400: "VALIDATION_FAILED (each field named, with its rule) or BAD_REQUEST (the body is not JSON)",
  401: "UNAUTHENTICATED: no valid bearer token",
  403: "ACTOR_NOT_PERMITTED: the caller's role may not do this",
  404: "NOT_FOUND: no such record, or none the caller may see",
  409: "A conflict: a stale version (VERSION_CONFLICT), a step not allowed now (TRANSITION_NOT_ALLOWED), a duplicate (DUPLICATE), the same idempotency key in flight (IDEMPOTENCY_IN_PROGRESS)",
  413: "PAYLOAD_TOO_LARGE: the body is larger than the route accepts (BODY_LIMIT_BYTES)",
  415: "UNSUPPORTED_MEDIA_TYPE: the body is not application/json",
  428: "PRECONDITION_REQUIRED: a correction needs If-Match with the version read (the record's ETag)",
  422: "The law, a policy or the record forbids it now (ASSURANCE_MISSING, LEGAL_HOLD, OPERATION_NOT_READY…), or an idempotency key reused with another body (IDEMPOTENCY_KEY_REUSED)",
  429: "RATE_LIMITED: too many requests from this client; see Retry-After",
  500: "INTERNAL: an unexpected failure; quote the request id of the message",
  503: "The server is shutting down or its database does not answer",
};

const ref = (name: string) => ({ $ref: `#/components/headers/${name}` });
const rateHeaders = {
  "RateLimit-Limit": ref("RateLimit-Limit"),
  "RateLimit-Remaining": ref("RateLimit-Remaining"),
  "RateLimit-Reset": ref("RateLimit-Reset"),
};

interface Operation {
  operationId?: string;
  parameters?: { in: string; name: string }[];
  requestBody?: unknown;
  responses?: Record<string, { description?: string; headers?: object; content?: object }>;
  "x-permission"?: string;
  [key: string]: unknown;
}

/**
 * The error answers of each operation, as its route states them: a permission → 401 and 403; a path id →
 * 404; input → 400; a body → 413 and 415; a write → 409 and 422 (idempotency keys, versions, the law); every
 * /api route → 429 and 500. Every answer of an /api route carries the rate limit headers. Integers state
 * their format (int32 within its bounds, else int64).
 */
export function documentErrors(document: { openapiObject: object } | { swaggerObject: object }) {
  const openapiObject = namedSchemas(document as Parameters<typeof jsonSchemaTransformObject>[0]);
  const doc = openapiObject as { paths?: Record<string, Record<string, Operation>> };
  for (const [path, ops] of Object.entries(doc.paths ?? {})) {
    // The API and the sign-in routes: authenticated or rate limited alike.
    const api = path.startsWith("/api/") || path.startsWith("/auth/");
    for (const [method, op] of Object.entries(ops)) {
      const params = op.parameters ?? [];
      const codes = new Set<number>();
      if (api) {
        codes.add(401).add(429).add(500);
        if (op["x-permission"] && op["x-permission"] !== "public") codes.add(403);
        if (params.some((p) => p.in === "path")) codes.add(404);
        if (params.length > 0 || op.requestBody) codes.add(400);
        if (op.requestBody) codes.add(413).add(415);
        if (method !== "get") codes.add(409).add(422);
        // Corrections (src/corrections): the version read is required.
        if (method === "patch" || path.endsWith("/supersessions")) codes.add(428);
      } else {
        codes.add(500);
        if (path === "/health/ready") codes.add(503);
      }
      op.responses ??= {};
      const responses = op.responses;
      for (const [code, r] of Object.entries(responses))
        if (r.description === "Default Response") r.description = descriptions[Number(code)] ?? "Success";
      if (api) for (const r of Object.values(responses)) r.headers = { ...rateHeaders, ...r.headers };
      for (const code of [...codes].sort()) {
        responses[code] ??= {
          description: errorAnswers[code] ?? "Error",
          ...(api && code < 500
            ? { headers: code === 429 ? { ...rateHeaders, "Retry-After": ref("Retry-After") } : rateHeaders }
            : {}),
          content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
        };
      }
    }
  }
  formatIntegers(doc.paths);
  const schemas = (openapiObject as { components?: { schemas?: Record<string, { type?: string }> } })
    .components?.schemas;
  formatIntegers(schemas);
  typeNullableRefs(doc.paths, schemas ?? {});
  typeNullableRefs(schemas, schemas ?? {});
  return openapiObject;
}

/**
 * The answer schemas named with `.meta({ id })` (zod's registry), as components: each route's answer refers
 * to its component, so a client generator gives it a name (`Person`, `CaseFile`). fastify-type-provider-zod
 * also writes an input twin of every named schema (`PersonInput`); the ones no operation refers to go.
 */
function namedSchemas(document: Parameters<typeof jsonSchemaTransformObject>[0]): object {
  const out = jsonSchemaTransformObject(document) as { components?: { schemas?: Record<string, unknown> } };
  const schemas = out.components?.schemas ?? {};
  const twins = Object.keys(schemas).filter((name) => name.endsWith("Input"));
  const rest = JSON.stringify(out, (key, value) => (twins.includes(key) ? undefined : value));
  for (const name of twins) if (!rest.includes(`"#/components/schemas/${name}"`)) delete schemas[name];
  return out;
}

/**
 * A nullable reference (`{ allOf: [{ $ref }], nullable: true }`, zod's OpenAPI 3.0 form of `.nullable()` on a
 * named schema) states the type of what it refers to beside `nullable`, as OpenAPI 3.0 wants.
 */
function typeNullableRefs(node: unknown, schemas: Record<string, { type?: string }>) {
  if (Array.isArray(node)) for (const n of node) typeNullableRefs(n, schemas);
  else if (node && typeof node === "object") {
    const o = node as { nullable?: boolean; type?: string; allOf?: { $ref?: string }[] };
    const ref = o.allOf?.length === 1 ? o.allOf[0]?.$ref : undefined;
    const type = ref ? schemas[ref.replace("#/components/schemas/", "")]?.type : undefined;
    if (o.nullable && o.type === undefined && type) o.type = type;
    for (const v of Object.values(o)) typeNullableRefs(v, schemas);
  }
}

function formatIntegers(node: unknown) {
  if (Array.isArray(node)) for (const n of node) formatIntegers(n);
  else if (node && typeof node === "object") {
    const o = node as Record<string, unknown>;
    if (o.type === "integer" && o.format === undefined) {
      const int32 = typeof o.minimum === "number" && typeof o.maximum === "number";
      o.format =
        int32 && (o.minimum as number) >= -(2 ** 31) && (o.maximum as number) < 2 ** 31 ? "int32" : "int64";
    }
    for (const v of Object.values(o)) formatIntegers(v);
  }
}
