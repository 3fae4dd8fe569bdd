/**
 * Administration over the API (`/api/admin/…`), so that it works while the server runs: agencies, users,
 * roles, passwords, sessions and tokens of the administrator's own party (`admin:manage`). Another
 * party's ids answer 404.
 */
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { ZIdParams, ZUuid } from "../http/schemas.ts";
import type { Services } from "../services.ts";
import { whoMay } from "./permissions.ts";
import type { Role } from "./roles.ts";
import {
  ZAgency,
  ZCreateAgency,
  ZCreatedToken,
  ZCreateToken,
  ZCreateUser,
  ZGrantRole,
  ZListSessions,
  ZListUsers,
  ZRoleParams,
  ZSessionSummary,
  ZTokenSummary,
  ZUserSummary,
  ZUserWithPassword,
} from "./schemas.ts";

const tags = ["administration"];
const permission = "admin:manage" as const;
const description = (text?: string) => [text, whoMay(permission)].filter(Boolean).join("\n\n");
const list = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item).max(1000) });

export function adminRoutes(app: FastifyInstance, s: Services) {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  const config = { permission };
  const created = { permission, successStatus: 201 };

  typed.post(
    "/admin/agencies",
    {
      schema: {
        operationId: "createAgency",
        tags,
        summary: "Create an agency of one's party",
        description: description("409 `DUPLICATE` when the party has an agency of that name."),
        body: ZCreateAgency,
        response: { 201: ZAgency },
      },
      config: created,
    },
    async (req, reply) => reply.code(201).send(await s.admin.createAgency({ actor: req.actor, ...req.body })),
  );
  typed.get(
    "/admin/agencies",
    {
      schema: {
        operationId: "listAgencies",
        tags,
        summary: "List the agencies of one's party",
        description: description(),
        response: { 200: list(ZAgency) },
      },
      config,
    },
    (req) => s.admin.listAgencies({ actor: req.actor }),
  );

  typed.post(
    "/admin/users",
    {
      schema: {
        operationId: "createUser",
        tags,
        summary: "Create a user of one's party; answers a generated password, shown once",
        description: description(
          "422 `REFERENCE_INVALID` naming `agencyId` for an agency not of one's party; 409 `DUPLICATE` for a username taken.",
        ),
        body: ZCreateUser,
        response: { 201: ZUserWithPassword },
      },
      config: created,
    },
    async (req, reply) =>
      reply
        .code(201)
        .send(await s.admin.createUser({ actor: req.actor, ...req.body, roles: req.body.roles as Role[] })),
  );
  typed.get(
    "/admin/users",
    {
      schema: {
        operationId: "listUsers",
        tags,
        summary: "List the users of one's party",
        description: description(),
        querystring: ZListUsers,
        response: { 200: list(ZUserSummary) },
      },
      config,
    },
    (req) => s.admin.listUsers({ actor: req.actor, agencyId: req.query.agencyId }),
  );
  typed.get(
    "/admin/users/:id",
    {
      schema: {
        operationId: "getUser",
        tags,
        summary: "Read a user of one's party",
        description: description(),
        params: ZIdParams,
        response: { 200: ZUserSummary },
      },
      config,
    },
    (req) => s.admin.getUser({ actor: req.actor, userId: req.params.id }),
  );
  typed.post(
    "/admin/users/:id/disable",
    {
      schema: {
        operationId: "disableUser",
        tags,
        summary: "Disable a user: their sessions end and their tokens stop working",
        description: description(),
        params: ZIdParams,
        response: { 200: ZUserSummary },
      },
      config,
    },
    (req) => s.admin.disableUser({ actor: req.actor, userId: req.params.id }),
  );
  typed.post(
    "/admin/users/:id/roles",
    {
      schema: {
        operationId: "grantRole",
        tags,
        summary: "Grant a user a role",
        description: description(),
        params: ZIdParams,
        body: ZGrantRole,
        response: { 200: ZUserSummary },
      },
      config,
    },
    (req) => s.admin.grantRole({ actor: req.actor, userId: req.params.id, role: req.body.role as Role }),
  );
  typed.delete(
    "/admin/users/:id/roles/:role",
    {
      schema: {
        operationId: "revokeRole",
        tags,
        summary: "Revoke a role of a user: their sessions in it end, their tokens in it stop working",
        description: description(
          "422 `VALIDATION_FAILED` for the user's last role (disable the user instead).",
        ),
        params: ZRoleParams,
        response: { 200: ZUserSummary },
      },
      config,
    },
    (req) => s.admin.revokeRole({ actor: req.actor, userId: req.params.id, role: req.params.role }),
  );
  typed.post(
    "/admin/users/:id/password",
    {
      schema: {
        operationId: "resetPassword",
        tags,
        summary: "Reset a user's password: answers a generated one, shown once; their sessions end",
        description: description(),
        params: ZIdParams,
        response: { 200: ZUserWithPassword },
      },
      config,
    },
    (req) => s.admin.resetPassword({ actor: req.actor, userId: req.params.id }),
  );
  typed.delete(
    "/admin/users/:id/totp",
    {
      schema: {
        operationId: "resetTotp",
        tags,
        summary: "Remove a user's TOTP (a lost phone): they enrol again; their sessions end",
        description: description(),
        params: ZIdParams,
        response: { 200: ZUserSummary },
      },
      config,
    },
    (req) => s.admin.resetTotp({ actor: req.actor, userId: req.params.id }),
  );

  typed.get(
    "/admin/sessions",
    {
      schema: {
        operationId: "listSessions",
        tags,
        summary: "List the sessions of one's party, newest first",
        description: description(),
        querystring: ZListSessions,
        response: { 200: list(ZSessionSummary) },
      },
      config,
    },
    (req) =>
      s.sessions.list({ actor: req.actor, userId: req.query.userId, active: req.query.active === "true" }),
  );
  typed.delete(
    "/admin/sessions/:id",
    {
      schema: {
        operationId: "revokeSession",
        tags,
        summary: "End a session of one's party at once",
        description: description(),
        params: ZIdParams,
        response: { 200: z.object({ id: z.string().max(40), revoked: z.boolean() }) },
      },
      config,
    },
    (req) => s.sessions.revoke({ actor: req.actor, sessionId: req.params.id }),
  );

  typed.get(
    "/admin/tokens",
    {
      schema: {
        operationId: "listTokens",
        tags,
        summary: "List the API tokens of one's party (never the tokens themselves)",
        description: description(),
        querystring: z.strictObject({ userId: ZUuid.optional() }),
        response: { 200: list(ZTokenSummary) },
      },
      config,
    },
    (req) => s.tokens.list({ actor: req.actor, userId: req.query.userId }),
  );
  typed.post(
    "/admin/tokens",
    {
      schema: {
        operationId: "createToken",
        tags,
        summary: "Create an API token of one's party, for a user or a system account; shown once",
        description: description(),
        body: ZCreateToken,
        response: { 201: ZCreatedToken },
      },
      config: created,
    },
    async (req, reply) =>
      reply.code(201).send(
        await s.tokens.create({
          actor: req.actor,
          party: req.actor.party,
          name: req.body.name,
          role: req.body.role,
          userId: req.body.userId,
          expiresAt: req.body.expiresAt ? new Date(req.body.expiresAt) : undefined,
        }),
      ),
  );
  typed.delete(
    "/admin/tokens/:id",
    {
      schema: {
        operationId: "revokeToken",
        tags,
        summary: "Revoke an API token of one's party",
        description: description(
          "Takes effect at once in the process that answers; other processes may accept it for up to 30 s more (their lookup cache).",
        ),
        params: ZIdParams,
        response: { 200: ZTokenSummary },
      },
      config,
    },
    (req) => s.tokens.revoke({ actor: req.actor, tokenId: req.params.id }),
  );
}
