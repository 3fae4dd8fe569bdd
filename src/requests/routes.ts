import type { FastifyInstance } from "fastify";
import type { Db } from "../db/client.ts";
import { resourceRoutes } from "../http/resource.ts";
import { ARequest, ARequestPage, ZCreateRequest, ZListRequests } from "./schemas.ts";
import type { requestService } from "./service.ts";

export function requestRoutes(
  app: FastifyInstance,
  db: Db,
  s: { requests: ReturnType<typeof requestService> },
) {
  resourceRoutes(app, db, {
    path: "/requests",
    tag: "requests",
    noun: "request",
    read: "request:read",
    create: { permission: "request:create", body: ZCreateRequest, run: (o) => s.requests.create(o) },
    get: (id, actor) => s.requests.get(id, actor),
    list: { query: ZListRequests, run: (q, actor) => s.requests.list(q, actor) },
    answers: { one: ARequest, page: ARequestPage },
  });
}
