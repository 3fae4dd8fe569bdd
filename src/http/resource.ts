import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import type { z } from "zod";
import type { IdempotencyRecord } from "../audit/write.ts";
import { type Permission, whoMay } from "../auth/permissions.ts";
import type { Actor } from "../auth/roles.ts";
import type { Db } from "../db/client.ts";
import { JsonText } from "../db/json.ts";
import { idempotent } from "./idempotency.ts";
import { tagVersion } from "./if-match.ts";
import { ZIdParams } from "./schemas.ts";

declare module "fastify" {
  interface FastifyRequest {
    /** The authenticated actor (set by the /api auth hook). */
    actor: Actor;
  }
}

/** JSON the database built is sent as it is, not parsed and serialised again; anything else as usual. */
function sendJson(reply: FastifyReply, body: unknown) {
  return body instanceof JsonText ? reply.type("application/json; charset=utf-8").send(body.text) : body;
}

/**
 * The three routes every record resource has: POST (create, idempotent), GET by id, GET list
 * (paginated, filterable). One definition serves people, organisations, requests, and the rest.
 */
export function resourceRoutes<C extends z.ZodType, L extends z.ZodType>(
  app: FastifyInstance,
  db: Db,
  r: {
    path: string;
    tag: string;
    noun: string;
    /** The noun's plural, when it is not the noun and an s ("people"). */
    plural?: string;
    /** The permission a read (by id or list) needs (`src/auth/permissions.ts`). */
    read: Permission;
    create?: {
      permission: Permission;
      body: C;
      run: (o: {
        actor: Actor;
        input: z.infer<C>;
        idempotency: IdempotencyRecord | undefined;
      }) => Promise<unknown>;
    };
    get: (id: string, actor: Actor) => Promise<unknown>;
    list: { query: L; run: (q: z.infer<L>, actor: Actor) => Promise<unknown> };
    /**
     * The answers' schemas (`answers.ts`: documentation, checked in the tests): of a read by id, of a page of
     * the list, and of a create when it answers something else than a read.
     */
    answers: { one: z.ZodType; page: z.ZodType; created?: z.ZodType };
  },
) {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  const { create } = r;
  // The OpenAPI operationIds: createLegalHold, getLegalHold, listLegalHolds.
  const plural = r.plural ?? `${r.noun}s`;
  const name = (words: string) => words.replace(/(^| )(\w)/g, (_m, _s, c: string) => c.toUpperCase());
  if (create) {
    typed.post(
      r.path,
      {
        schema: {
          tags: [r.tag],
          operationId: `create${name(r.noun)}`,
          summary: `Create ${r.noun}`,
          description: whoMay(create.permission),
          body: create.body,
          response: { 201: r.answers.created ?? r.answers.one },
        },
        config: { successStatus: 201, permission: create.permission },
      },
      (req, reply) =>
        idempotent(db, req, reply, req.actor, 201, (idempotency) =>
          create.run({ actor: req.actor, input: req.body as z.infer<C>, idempotency }),
        ),
    );
  }
  typed.get(
    `${r.path}/:id`,
    {
      schema: {
        operationId: `get${name(r.noun)}`,
        tags: [r.tag],
        summary: `Read ${r.noun}`,
        description: whoMay(r.read),
        params: ZIdParams,
        response: { 200: r.answers.one },
      },
      config: { permission: r.read },
    },
    async (req: FastifyRequest<{ Params: { id: string } }>, reply) => {
      const body = await r.get(req.params.id, req.actor);
      tagVersion(reply, body);
      return sendJson(reply, body);
    },
  );
  typed.get(
    r.path,
    {
      schema: {
        tags: [r.tag],
        operationId: `list${name(plural)}`,
        summary: `List ${plural}`,
        description: whoMay(r.read),
        querystring: r.list.query,
        response: { 200: r.answers.page },
      },
      config: { permission: r.read },
    },
    async (req, reply) => sendJson(reply, await r.list.run(req.query as z.infer<L>, req.actor)),
  );
}

/**
 * A POST action on one record (`/cases/:id/transitions`, `/operations/:id/plan`…): the id in the path,
 * a validated body, the authenticated actor, and the client's idempotency key.
 */
export function actionRoute<B extends z.ZodType>(
  app: FastifyInstance,
  db: Db,
  r: {
    path: string;
    /** The OpenAPI operationId: a verb and the record (`takeCaseTransition`). */
    operationId: string;
    tags: string[];
    summary: string;
    description?: string;
    permission: Permission;
    body: B;
    headers?: z.ZodType;
    status: number;
    /** The answer's schema (`answers.ts`: documentation, checked in the tests). */
    answer: z.ZodType;
    run: (o: {
      actor: Actor;
      id: string;
      input: z.infer<B>;
      idempotency: IdempotencyRecord | undefined;
      req: FastifyRequest;
    }) => Promise<unknown>;
  },
) {
  app.withTypeProvider<ZodTypeProvider>().post(
    r.path,
    {
      schema: {
        operationId: r.operationId,
        tags: r.tags,
        summary: r.summary,
        description: [r.description, whoMay(r.permission)].filter(Boolean).join("\n\n"),
        params: ZIdParams,
        body: r.body,
        ...(r.headers ? { headers: r.headers } : {}),
        response: { [r.status]: r.answer },
      },
      config: { successStatus: r.status, permission: r.permission },
    },
    (req, reply) =>
      idempotent(db, req, reply, req.actor, r.status, (idempotency) =>
        r.run({
          actor: req.actor,
          id: (req.params as { id: string }).id,
          input: req.body as z.infer<B>,
          idempotency,
          req,
        }),
      ),
  );
}
