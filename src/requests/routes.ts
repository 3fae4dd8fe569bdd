import type { FastifyInstance } from "fastify";
import type { Db } from "../db/client.ts";
import { resourceRoutes } from "../http/resource.ts";
import { ZCreateRequest, ZListRequests } from "./schemas.ts";
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
    create: { body: ZCreateRequest, run: (o) => s.requests.create(o) },
    get: (id) => s.requests.get(id),
    list: { query: ZListRequests, run: (q) => s.requests.list(q) },
  });
}
