import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Db } from "../db/client.ts";
import { actionRoute, resourceRoutes } from "../http/resource.ts";
import { ZIdParams } from "../http/schemas.ts";
import { type planningService, ZMoveRequest, ZPlanRequest, ZReplanRequest } from "./planning.ts";
import {
  ZCreateAdministration,
  ZCreateHandover,
  ZCreateOperation,
  ZCreatePlace,
  ZListAdministrations,
  ZListHandovers,
  ZListOperations,
  ZListPlaces,
  ZOperationStatusChange,
} from "./schemas.ts";
import type { handoverService, operationService, referenceService } from "./service.ts";

export function operationRoutes(
  app: FastifyInstance,
  db: Db,
  s: {
    operations: ReturnType<typeof operationService>;
    handovers: ReturnType<typeof handoverService>;
    reference: ReturnType<typeof referenceService>;
    planning: ReturnType<typeof planningService>;
  },
) {
  resourceRoutes(app, db, {
    path: "/operations",
    tag: "operations",
    noun: "operation",
    create: { body: ZCreateOperation, run: (o) => s.operations.create(o) },
    get: (id) => s.operations.get(id),
    list: { query: ZListOperations, run: (q) => s.operations.list(q) },
  });
  resourceRoutes(app, db, {
    path: "/handovers",
    tag: "handovers",
    noun: "handover",
    create: { body: ZCreateHandover, run: (o) => s.handovers.create(o) },
    get: (id) => s.handovers.get(id),
    list: { query: ZListHandovers, run: (q) => s.handovers.list(q) },
  });
  resourceRoutes(app, db, {
    path: "/places",
    tag: "reference",
    noun: "place",
    create: { body: ZCreatePlace, run: (o) => s.reference.places.create(o) },
    get: (id) => s.reference.places.get(id),
    list: { query: ZListPlaces, run: (q) => s.reference.places.list(q) },
  });
  resourceRoutes(app, db, {
    path: "/administrations",
    tag: "reference",
    noun: "administration",
    create: { body: ZCreateAdministration, run: (o) => s.reference.administrations.create(o) },
    get: (id) => s.reference.administrations.get(id),
    list: { query: ZListAdministrations, run: (q) => s.reference.administrations.list(q) },
  });

  const typed = app.withTypeProvider<ZodTypeProvider>();
  const tags = ["operations"];
  actionRoute(app, db, {
    path: "/operations/:id/plan",
    tags,
    summary: "Plan the operation: people onto aircraft and routes; stored as the draft plan",
    description:
      "Fewest aircraft, then least distance; rival organisations and keep-apart pairs never share an aircraft. The plan states its lower bound and whether it is proven optimal; when no plan exists it says why and the smallest change that would make one.",
    body: ZPlanRequest,
    status: 201,
    run: ({ actor, id, input, idempotency }) =>
      s.planning.plan({ actor, operationId: id, input, idempotency }),
  });
  actionRoute(app, db, {
    path: "/operations/:id/status",
    tags,
    summary: "Move the operation along planning → ready → in-transit → completed (or cancelled)",
    body: ZOperationStatusChange,
    status: 200,
    run: ({ actor, id, input, idempotency }) =>
      s.operations.setStatus({ actor, operationId: id, input, idempotency }),
  });
  typed.get(
    "/operations/:id/plan",
    { schema: { tags, summary: "The operation's current draft plan", params: ZIdParams } },
    (req) => s.planning.get(req.params.id),
  );
  actionRoute(app, db, {
    path: "/operations/:id/plan/replan",
    tags,
    summary:
      "Re-plan after a change (a person removed, an aircraft unavailable), moving as few people as possible",
    body: ZReplanRequest,
    status: 201,
    run: ({ actor, id, input, idempotency }) =>
      s.planning.replan({ actor, operationId: id, input, idempotency }),
  });
  actionRoute(app, db, {
    path: "/operations/:id/plan/moves",
    tags,
    summary: "Move a person to another aircraft by hand; the answer lists every rule the move breaks",
    body: ZMoveRequest,
    status: 200,
    run: ({ actor, id, input, idempotency }) =>
      s.planning.move({ actor, operationId: id, input, idempotency }),
  });
  typed.get(
    "/operations/:id/plan/manifest",
    {
      schema: {
        tags,
        summary: "Printable manifests of the draft plan, per aircraft (text or PDF)",
        params: ZIdParams,
        querystring: z.object({ format: z.enum(["text", "pdf"]).default("text") }),
      },
    },
    async (req, reply) => {
      const out = await s.planning.manifest(req.params.id, req.query.format);
      return req.query.format === "pdf"
        ? reply
            .type("application/pdf")
            .header("content-disposition", 'inline; filename="manifest.pdf"')
            .send(out)
        : reply.type("text/plain; charset=utf-8").send(out);
    },
  );
}
