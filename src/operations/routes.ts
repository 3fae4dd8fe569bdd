import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { whoMay } from "../auth/permissions.ts";
import type { Db } from "../db/client.ts";
import { idempotent } from "../http/idempotency.ts";
import { ifMatchHeader, withIfMatch } from "../http/if-match.ts";
import { actionRoute, resourceRoutes } from "../http/resource.ts";
import { ZIdParams, ZUuid } from "../http/schemas.ts";
import { type planningService, ZMoveRequest, ZPlanRequest, ZReplanRequest } from "./planning.ts";
import {
  AAdministration,
  AAdministrationPage,
  AAdoptedPlan,
  ACheckedPlan,
  ACreatedOperation,
  AHandover,
  AHandoverConfirmation,
  AHandoverPage,
  AListChange,
  AOperationFile,
  AOperationMoved,
  AOperationPage,
  APlace,
  APlacePage,
  ARelease,
  AReleasePage,
  AReplan,
  ZAddPerson,
  ZAdoptPlan,
  ZConfirmHandover,
  ZCreateAdministration,
  ZCreateHandover,
  ZCreateOperation,
  ZCreatePlace,
  ZCreateRelease,
  ZListAdministrations,
  ZListHandovers,
  ZListOperations,
  ZListPlaces,
  ZListReleases,
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
    read: "operation:read",
    create: { permission: "operation:create", body: ZCreateOperation, run: (o) => s.operations.create(o) },
    get: (id, actor) => s.operations.get(id, actor),
    list: { query: ZListOperations, run: (q, actor) => s.operations.list(q, actor) },
    answers: { one: AOperationFile, page: AOperationPage, created: ACreatedOperation },
  });
  resourceRoutes(app, db, {
    path: "/handovers",
    tag: "handovers",
    noun: "handover",
    read: "handover:read",
    create: { permission: "handover:create", body: ZCreateHandover, run: (o) => s.operations.handOver(o) },
    get: (id, actor) => s.operations.getHandover(id, actor),
    list: { query: ZListHandovers, run: (q, actor) => s.operations.listHandovers(q, actor) },
    answers: { one: AHandover, page: AHandoverPage },
  });
  resourceRoutes(app, db, {
    path: "/places",
    tag: "reference",
    noun: "place",
    read: "place:read",
    create: { permission: "place:create", body: ZCreatePlace, run: (o) => s.reference.places.create(o) },
    get: (id, actor) => s.reference.places.get(id, actor),
    list: { query: ZListPlaces, run: (q, actor) => s.reference.places.list(q, actor) },
    answers: { one: APlace, page: APlacePage },
  });
  resourceRoutes(app, db, {
    path: "/administrations",
    tag: "reference",
    noun: "administration",
    read: "administration:read",
    create: {
      permission: "administration:create",
      body: ZCreateAdministration,
      run: (o) => s.reference.administrations.create(o),
    },
    get: (id, actor) => s.reference.administrations.get(id, actor),
    list: { query: ZListAdministrations, run: (q, actor) => s.reference.administrations.list(q, actor) },
    answers: { one: AAdministration, page: AAdministrationPage },
  });

  const typed = app.withTypeProvider<ZodTypeProvider>();
  const tags = ["operations"];
  actionRoute(app, db, {
    path: "/operations/:id/plan",
    operationId: "planOperation",
    tags,
    summary: "Plan the operation: people onto aircraft and routes; stored as the draft plan",
    permission: "operation:plan",
    description:
      "Fewest aircraft, then least distance; rival organisations and keep-apart pairs never share an aircraft. The plan states its lower bound and whether it is proven optimal; when no plan exists it says why and the smallest change that would make one.",
    body: ZPlanRequest,
    status: 201,
    answer: ACheckedPlan,
    run: ({ actor, id, input, idempotency }) =>
      s.planning.plan({ actor, operationId: id, input, idempotency }),
  });
  actionRoute(app, db, {
    path: "/operations/:id/status",
    operationId: "setOperationStatus",
    tags,
    summary:
      "Move the operation along planned → ready → in-transit → completed (or cancelled before it flies)",
    permission: "operation:move",
    description:
      "`ready` needs every listed person on board and an adopted plan that seats them all without breaking a rule; `in-transit` (not before the operation date) takes every case on board in transit with it; `completed` needs every person on board handed over; `cancelled` returns every case on board to the state it came from. 422 OPERATION_NOT_READY names each person and rule in the way.",
    body: ZOperationStatusChange,
    headers: ifMatchHeader,
    status: 200,
    answer: AOperationMoved,
    run: ({ actor, id, input, idempotency, req }) =>
      s.operations.setStatus({ actor, operationId: id, input: withIfMatch(input, req), idempotency }),
  });
  actionRoute(app, db, {
    path: "/operations/:id/people",
    operationId: "addOperationPerson",
    tags,
    summary: "List a person on the operation and re-plan with the fewest moves",
    permission: "operation:plan",
    description:
      "The person is a candidate until their case takes `assign-to-operation`. A planned or ready operation goes back to planning: the new plan (answered with the people it moves) must be adopted.",
    body: ZAddPerson,
    headers: ifMatchHeader,
    status: 201,
    answer: AListChange,
    run: ({ actor, id, input, idempotency, req }) =>
      s.operations.addPerson({ actor, operationId: id, input: withIfMatch(input, req), idempotency }),
  });
  app.withTypeProvider<ZodTypeProvider>().delete(
    "/operations/:id/people/:personId",
    {
      schema: {
        operationId: "removeOperationPerson",
        tags,
        summary: "Take a person off the operation and re-plan with the fewest moves",
        description: `The listing stays, marked removed with the reason. A person on board leaves with their case's \`remove-from-operation\`. A planned or ready operation goes back to planning.\n\n${whoMay("operation:plan")}`,
        params: z.object({ id: ZUuid, personId: ZUuid }),
        body: ZRemovePerson,
        headers: ifMatchHeader,
        response: { 200: AListChange },
      },
      config: { permission: "operation:plan" },
      // A DELETE is often sent without a body: read as an empty one, so that the answer names what is
      // missing (reason) rather than "(body): expected object".
      preValidation: async (req) => {
        (req as { body: unknown }).body ??= {};
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
    operationId: "adoptOperationPlan",
    tags,
    summary:
      "Adopt a draft plan: the operation becomes planned, and each person gets their aircraft and seat",
    description:
      "The newest draft, or the one `planId` names. 404 NOT_FOUND (entity `plan`) when the operation has no draft plan (make one with `POST /api/operations/{id}/plan`) or `planId` is not one of its current drafts.",
    permission: "operation:plan",
    body: ZAdoptPlan,
    headers: ifMatchHeader,
    status: 200,
    answer: AAdoptedPlan,
    run: ({ actor, id, input, idempotency, req }) =>
      s.operations.adopt({ actor, operationId: id, input: withIfMatch(input, req), idempotency }),
  });
  typed.get(
    "/operations/:id/plan",
    {
      schema: {
        operationId: "getOperationPlan",
        tags,
        summary: "The operation's current plan: its newest draft, else its adopted plan",
        description: `With every rule it breaks (\`violations\`, empty when none), checked against the record it was planned on.\n\n${whoMay("operation:read")}`,
        params: ZIdParams,
        response: { 200: ACheckedPlan },
      },
      config: { permission: "operation:read" },
    },
    // The stored row's status is a string; the schema names its values (the tests check the answers).
    (req) => s.planning.get(req.params.id, req.actor) as Promise<z.input<typeof ACheckedPlan>>,
  );
  actionRoute(app, db, {
    path: "/operations/:id/plan/replan",
    operationId: "replanOperation",
    tags,
    summary: "Re-plan after an aircraft becomes unavailable, moving as few people as possible",
    permission: "operation:plan",
    body: ZReplanRequest,
    status: 201,
    answer: AReplan,
    run: ({ actor, id, input, idempotency }) =>
      s.planning.replan({ actor, operationId: id, input, idempotency }),
  });
  actionRoute(app, db, {
    path: "/operations/:id/plan/moves",
    operationId: "moveOperationPerson",
    tags,
    summary: "Move a person to another aircraft by hand; the answer lists every rule the move breaks",
    permission: "operation:plan",
    body: ZMoveRequest,
    status: 200,
    answer: ACheckedPlan,
    run: ({ actor, id, input, idempotency }) =>
      s.planning.move({ actor, operationId: id, input, idempotency }),
  });
  typed.get(
    "/operations/:id/plan/manifest",
    {
      schema: {
        operationId: "getOperationManifests",
        tags,
        summary: "Printable manifests of the adopted plan, per aircraft (text or PDF)",
        description: `The manifests of the adopted plan, or of the newest draft while none is adopted. \`format=pdf\` answers the printed manifests (application/pdf, shown inline): page 1 holds the operation's summary (aircraft and routes, people and guards per destination, totals, route map), then each aircraft's manifest with a signature block. ${whoMay("operation:read")}`,
        params: ZIdParams,
        querystring: z.object({ format: z.enum(["text", "pdf"]).default("text") }),
        response: {
          200: {
            description: "The manifests: plain text, or a PDF with `format=pdf`",
            content: {
              "text/plain": { schema: z.string().max(10_000_000) },
              "application/pdf": { schema: z.string().max(100_000_000).meta({ format: "binary" }) },
            },
          },
        },
      },
      config: { permission: "operation:read", successMediaTypes: ["text/plain", "application/pdf"] },
    },
    async (req, reply) => {
      const { code, body } = await s.planning.manifest(req.params.id, req.query.format, req.actor);
      // Names of detained people: kept out of shared caches. The file name keeps to safe characters.
      reply.header("cache-control", "private, no-store");
      return req.query.format === "pdf"
        ? reply
            .type("application/pdf")
            .header(
              "content-disposition",
              `inline; filename="manifest-${code.replace(/[^A-Za-z0-9._-]+/g, "_")}.pdf"`,
            )
            // The PDF's bytes, a Buffer: a `format: binary` string in the document.
            .send(body as string)
        : reply.type("text/plain; charset=utf-8").send(body as string);
    },
  );
  actionRoute(app, db, {
    path: "/operations/:id/releases",
    operationId: "releaseOperation",
    tags,
    summary:
      "Release the operation's date, destination and manifest to a requesting state, for its own people",
    description:
      "A snapshot shared with that state (in the audit chain): the operation's code, date, staging airport and status, and for each of that state's people their destination, aircraft and seat. A later release supersedes it.",
    permission: "release:create",
    body: ZCreateRelease,
    status: 201,
    answer: ARelease,
    run: ({ actor, id, input, idempotency }) =>
      s.operations.release({ actor, operationId: id, input, idempotency }),
  });
  typed.get(
    "/releases",
    {
      schema: {
        operationId: "listReleases",
        tags,
        summary: "Releases of operations",
        description: whoMay("release:read"),
        querystring: ZListReleases,
        response: { 200: AReleasePage },
      },
      config: { permission: "release:read" },
    },
    (req) => s.operations.listReleases(req.query, req.actor),
  );
  typed.get(
    "/releases/:id",
    {
      schema: {
        operationId: "getRelease",
        tags,
        summary: "A release of an operation",
        description: whoMay("release:read"),
        params: ZIdParams,
        response: { 200: ARelease },
      },
      config: { permission: "release:read" },
    },
    (req) => s.operations.getRelease(req.params.id, req.actor),
  );
  actionRoute(app, db, {
    path: "/handovers/:id/confirmations",
    operationId: "confirmHandover",
    tags: ["handovers"],
    summary: "Confirm a handover as the receiving state",
    description:
      "The receiving state's own record of taking custody, shared with the sending state. Once per handover.",
    permission: "handover:confirm",
    body: ZConfirmHandover,
    status: 201,
    answer: AHandoverConfirmation,
    run: ({ actor, id, input, idempotency }) =>
      s.operations.confirmHandover({ actor, handoverId: id, input, idempotency }),
  });
}
