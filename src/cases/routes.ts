import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Db } from "../db/client.ts";
import { ifMatchHeader, withIfMatch } from "../http/if-match.ts";
import { actionRoute, resourceRoutes } from "../http/resource.ts";
import { ZDay } from "../http/schemas.ts";
import type { legalRecordService } from "./legal-record.ts";
import {
  ZCreateAssurance,
  ZCreateHold,
  ZListAssurances,
  ZListCases,
  ZListDeadlines,
  ZListDecisions,
  ZListHolds,
  ZOpenCase,
  ZTransitionBody,
} from "./schemas.ts";
import type { caseService } from "./service.ts";

export function caseRoutes(
  app: FastifyInstance,
  db: Db,
  s: { cases: ReturnType<typeof caseService>; legal: ReturnType<typeof legalRecordService> },
) {
  resourceRoutes(app, db, {
    path: "/cases",
    tag: "cases",
    noun: "case",
    create: { body: ZOpenCase, run: (o) => s.cases.open(o) },
    get: (id) => s.cases.document(id),
    list: { query: ZListCases, run: (q) => s.cases.list(q) },
  });
  const typed = app.withTypeProvider<ZodTypeProvider>();
  actionRoute(app, db, {
    path: "/cases/:id/transitions",
    tags: ["cases"],
    summary: "Take a transition of the case's legal track",
    description:
      "409 when the transition is not allowed from the current state or the version is stale (send `If-Match` or `expectedVersion`); 422 with a reason code when a guard fails (ASSURANCE_MISSING, LEGAL_HOLD, OPERATION_MISSING…).",
    body: ZTransitionBody,
    headers: ifMatchHeader,
    status: 201,
    run: ({ actor, id, input, idempotency, req }) =>
      s.cases.transition({ actor, caseId: id, input: withIfMatch(input, req), idempotency }),
  });
  typed.get(
    "/deadlines",
    {
      schema: {
        tags: ["cases"],
        summary: "Open deadlines: upcoming and overdue",
        querystring: ZListDeadlines,
      },
    },
    (req) => s.cases.deadlines(req.query),
  );

  resourceRoutes(app, db, {
    path: "/holds",
    tag: "legal holds",
    noun: "legal hold",
    create: { body: ZCreateHold, run: (o) => s.legal.holds.create(o) },
    get: (id) => s.legal.holds.get(id),
    list: { query: ZListHolds, run: (q) => s.legal.holds.list(q) },
  });
  actionRoute(app, db, {
    path: "/holds/:id/lift",
    tags: ["legal holds"],
    summary: "Record that a hold was lifted",
    body: z.strictObject({ liftedOn: ZDay, expectedVersion: z.number().int().min(1).optional() }),
    status: 200,
    run: ({ actor, id, input, idempotency }) =>
      s.legal.holds.lift({ actor, input: { id, ...input }, idempotency }),
  });
  resourceRoutes(app, db, {
    path: "/assurances",
    tag: "assurances",
    noun: "assurance",
    create: { body: ZCreateAssurance, run: (o) => s.legal.assurances.create(o) },
    get: (id) => s.legal.assurances.get(id),
    list: { query: ZListAssurances, run: (q) => s.legal.assurances.list(q) },
  });
  resourceRoutes(app, db, {
    path: "/decisions",
    tag: "decisions",
    noun: "decision",
    // No create: a decision is recorded by the case step that takes it (approve-transfer, grant-extradition…).
    get: (id) => s.legal.decisions.get(id),
    list: { query: ZListDecisions, run: (q) => s.legal.decisions.list(q) },
  });
}
