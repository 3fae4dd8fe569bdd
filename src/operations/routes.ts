import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Db } from "../db/client.ts";
import { idempotent } from "../http/idempotency.ts";
import { ifMatchHeader, withIfMatch } from "../http/if-match.ts";
import { actionRoute, resourceRoutes } from "../http/resource.ts";
import { ZIdParams, ZUuid } from "../http/schemas.ts";
import { type planningService, ZMoveRequest, ZPlanRequest, ZReplanRequest } from "./planning.ts";
import {
  ZAddPerson,
  ZAdoptPlan,
  ZCreateAdministration,
  ZCreateHandover,
  ZCreateOperation,
  ZCreatePlace,
  ZListAdministrations,
  ZListHandovers,
  ZListOperations,
  ZListPlaces,
  ZOperationStatusChange,
  ZRemovePerson,
} from "./schemas.ts";
import type { operationService, referenceService } from "./service.ts";

export function operationRoutes(
  app: FastifyInstance,
  db: Db,
  s: {
    operations: ReturnType<typeof operationService>;
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
    create: { body: ZCreateHandover, run: (o) => s.operations.handOver(o) },
    get: (id) => s.operations.getHandover(id),
    list: { query: ZListHandovers, run: (q) => s.operations.listHandovers(q) },
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
    summary:
      "Move the operation along planned → ready → in-transit → completed (or cancelled before it flies)",
    description:
      "`ready` needs every listed person on board and an adopted plan that seats them all without breaking a rule; `in-transit` (not before the operation date) takes every case on board in transit with it; `completed` needs every person on board handed over; `cancelled` returns every case on board to the state it came from. 422 OPERATION_NOT_READY names each person and rule in the way.",
    body: ZOperationStatusChange,
    headers: ifMatchHeader,
    status: 200,
    run: ({ actor, id, input, idempotency, req }) =>
      s.operations.setStatus({ actor, operationId: id, input: withIfMatch(input, req), idempotency }),
  });
  actionRoute(app, db, {
    path: "/operations/:id/people",
    tags,
    summary: "List a person on the operation and re-plan with the fewest moves",
    description:
      "The person is a candidate until their case takes `assign-to-operation`. A planned or ready operation goes back to planning: the new plan (answered with the people it moves) must be adopted.",
    body: ZAddPerson,
    headers: ifMatchHeader,
    status: 201,
    run: ({ actor, id, input, idempotency, req }) =>
      s.operations.addPerson({ actor, operationId: id, input: withIfMatch(input, req), idempotency }),
  });
  app.withTypeProvider<ZodTypeProvider>().delete(
    "/operations/:id/people/:personId",
    {
      schema: {
        tags,
        summary: "Take a person off the operation and re-plan with the fewest moves",
        description:
          "The listing stays, marked removed with the reason. A person on board leaves with their case's `remove-from-operation`. A planned or ready operation goes back to planning.",
        params: z.object({ id: ZUuid, personId: ZUuid }),
        body: ZRemovePerson,
        headers: ifMatchHeader,
      },
    },
    (req, reply) =>
      idempotent(db, req, reply, req.actor, 200, (idempotency) =>
        s.operations.removePerson({
          actor: req.actor,
          operationId: req.params.id,
          personId: req.params.personId,
          input: withIfMatch(req.body, req),
          idempotency,
        }),
      ),
  );
  actionRoute(app, db, {
    path: "/operations/:id/plan/adopt",
    tags,
    summary:
      "Adopt a draft plan: the operation becomes planned, and each person gets their aircraft and seat",
    body: ZAdoptPlan,
    headers: ifMatchHeader,
    status: 200,
    run: ({ actor, id, input, idempotency, req }) =>
      s.operations.adopt({ actor, operationId: id, input: withIfMatch(input, req), idempotency }),
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
