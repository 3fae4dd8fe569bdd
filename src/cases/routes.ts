import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Db } from "../db/client.ts";
import { AppError } from "../errors.ts";
import { actionRoute, resourceRoutes } from "../http/resource.ts";
import { ZDay } from "../http/schemas.ts";
import type { legalRecordService } from "./legal-record.ts";
import {
  ZCreateAssurance,
  ZCreateDecision,
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

/** `If-Match: 3` or `If-Match: "3"`: the version the client read. */
function ifMatch(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const n = Number(header.replace(/^W\//, "").replace(/"/g, ""));
  if (!Number.isInteger(n) || n < 1) {
    throw new AppError("VALIDATION_FAILED", 'If-Match: must be the case version read, e.g. "3"', {
      issues: [{ field: "headers.if-match", rule: "a positive integer version" }],
    });
  }
  return n;
}

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
    headers: z.object({ "if-match": z.string().optional() }).passthrough(),
    status: 201,
    run: ({ actor, id, input, idempotency, req }) =>
      s.cases.transition({
        actor,
        caseId: id,
        input,
        expectedVersion: ifMatch(req.headers["if-match"] as string | undefined),
        idempotency,
      }),
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
    create: { body: ZCreateDecision, run: (o) => s.legal.decisions.create(o) },
    get: (id) => s.legal.decisions.get(id),
    list: { query: ZListDecisions, run: (q) => s.legal.decisions.list(q) },
  });
}
