import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { whoMay } from "../auth/permissions.ts";
import type { Db } from "../db/client.ts";
import { actionRoute } from "../http/resource.ts";
import { ZIdParams } from "../http/schemas.ts";
import type { mergeService } from "./merge.ts";
import { APersonMerge, ZMergePerson, ZUndoMerge } from "./merge-schemas.ts";

export function mergeRoutes(app: FastifyInstance, db: Db, s: { merges: ReturnType<typeof mergeService> }) {
  actionRoute(app, db, {
    path: "/people/:id/merge",
    operationId: "mergePerson",
    tags: ["people"],
    summary: "Merge this record into another record of the same person",
    permission: "person:merge",
    description:
      "The survivor (`into`) takes this record's requests, cases, affiliations, decisions, holds, assurances, operation listings and handovers, and its name, aliases and identifiers. This record stays, marked `mergedInto`: `GET /people/{id}` answers the survivor. 409 MERGE_REFUSED names the rule (already merged; both on one operation); 409 RECORD_OF_ANOTHER_PARTY when a row to move is another state's.",
    body: ZMergePerson,
    status: 201,
    answer: APersonMerge,
    run: ({ actor, id, input, idempotency }) => s.merges.merge({ actor, id, input, idempotency }),
  });
  actionRoute(app, db, {
    path: "/people/merges/:id/undo",
    operationId: "undoPersonMerge",
    tags: ["people"],
    summary: "Undo a merge of two records of one person",
    permission: "person:merge",
    description:
      "Every row the merge moved goes back, the aliases and identifiers it gave the survivor are taken off, and the merged record answers as itself again. 409 MERGE_REFUSED once the merged record or a row the merge moved has been written since, or when the merge was already undone.",
    body: ZUndoMerge,
    status: 200,
    answer: APersonMerge,
    run: ({ actor, id, input, idempotency }) => s.merges.undo({ actor, id, input, idempotency }),
  });
  app.withTypeProvider<ZodTypeProvider>().get(
    "/people/merges/:id",
    {
      schema: {
        operationId: "getPersonMerge",
        tags: ["people"],
        summary: "Read a merge of two records of one person",
        description: whoMay("person:read"),
        params: ZIdParams,
        response: { 200: APersonMerge },
      },
      config: { permission: "person:read" },
    },
    (req) => s.merges.get(req.params.id, req.actor),
  );
}
