import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { whoMay } from "../auth/permissions.ts";
import type { Db } from "../db/client.ts";
import { ifMatchHeader, withIfMatch } from "../http/if-match.ts";
import { actionRoute, resourceRoutes } from "../http/resource.ts";
import { ZDay } from "../http/schemas.ts";
import type { legalRecordService } from "./legal-record.ts";
import {
  AAssurance,
  AAssurancePage,
  ACase,
  ACaseFile,
  ACasePage,
  ACaseStep,
  ADeadlineList,
  ADecision,
  ADecisionPage,
  ALegalHold,
  ALegalHoldPage,
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
    read: "case:read",
    create: { permission: "case:create", body: ZOpenCase, run: (o) => s.cases.open(o) },
    get: (id, actor) => s.cases.document(id, actor),
    list: { query: ZListCases, run: (q, actor) => s.cases.list(q, actor) },
    answers: { one: ACaseFile, page: ACasePage, created: ACase },
  });
  const typed = app.withTypeProvider<ZodTypeProvider>();
  actionRoute(app, db, {
    path: "/cases/:id/transitions",
    operationId: "takeCaseTransition",
    tags: ["cases"],
    summary: "Take a transition of the case's legal track",
    permission: "case:transition",
    description:
      "409 when the transition is not allowed from the current state or the version is stale (send `If-Match` or `expectedVersion`); 422 with a reason code when a guard fails (ASSURANCE_MISSING, LEGAL_HOLD, OPERATION_MISSING…).",
    body: ZTransitionBody,
    headers: ifMatchHeader,
    status: 201,
    answer: ACaseStep,
    run: ({ actor, id, input, idempotency, req }) =>
      s.cases.transition({ actor, caseId: id, input: withIfMatch(input, req), idempotency }),
  });
  typed.get(
    "/deadlines",
    {
      schema: {
        operationId: "listDeadlines",
        tags: ["cases"],
        summary: "Open deadlines: upcoming and overdue",
        description: whoMay("deadline:read"),
        querystring: ZListDeadlines,
        response: { 200: ADeadlineList },
      },
      config: { permission: "deadline:read" },
    },
    (req) => s.cases.deadlines(req.query, req.actor),
  );

  resourceRoutes(app, db, {
    path: "/holds",
    tag: "legal holds",
    noun: "legal hold",
    read: "hold:read",
    create: { permission: "hold:create", body: ZCreateHold, run: (o) => s.legal.holds.create(o) },
    get: (id, actor) => s.legal.holds.get(id, actor),
    list: { query: ZListHolds, run: (q, actor) => s.legal.holds.list(q, actor) },
    answers: { one: ALegalHold, page: ALegalHoldPage },
  });
  actionRoute(app, db, {
    path: "/holds/:id/lift",
    operationId: "liftLegalHold",
    tags: ["legal holds"],
    summary: "Record that a hold was lifted",
    permission: "hold:lift",
    body: z.strictObject({ liftedOn: ZDay, expectedVersion: z.number().int().min(1).optional() }),
    status: 200,
    answer: ALegalHold,
    run: ({ actor, id, input, idempotency }) =>
      s.legal.holds.lift({ actor, input: { id, ...input }, idempotency }),
  });
  resourceRoutes(app, db, {
    path: "/assurances",
    tag: "assurances",
    noun: "assurance",
    read: "assurance:read",
    create: {
      permission: "assurance:create",
      body: ZCreateAssurance,
      run: (o) => s.legal.assurances.create(o),
    },
    get: (id, actor) => s.legal.assurances.get(id, actor),
    list: { query: ZListAssurances, run: (q, actor) => s.legal.assurances.list(q, actor) },
    answers: { one: AAssurance, page: AAssurancePage },
  });
  actionRoute(app, db, {
    path: "/assurances/:id/withdrawal",
    operationId: "withdrawAssurance",
    tags: ["assurances"],
    summary: "Withdraw an assurance (the state that gave it), or record that it was withdrawn",
    permission: "assurance:withdraw",
    description:
      "A withdrawn assurance covers no one: the steps it allowed are blocked again. 409 RECORD_OF_ANOTHER_PARTY when another state recorded it; 409 when it is withdrawn already or the version is stale.",
    body: z.strictObject({ withdrawnOn: ZDay, expectedVersion: z.number().int().min(1).optional() }),
    status: 200,
    answer: AAssurance,
    run: ({ actor, id, input, idempotency }) =>
      s.legal.assurances.withdraw({ actor, input: { id, ...input }, idempotency }),
  });
  resourceRoutes(app, db, {
    path: "/decisions",
    tag: "decisions",
    noun: "decision",
    // No create: a decision is recorded by the case step that takes it (approve-transfer, grant-extradition…).
    read: "decision:read",
    get: (id, actor) => s.legal.decisions.get(id, actor),
    list: { query: ZListDecisions, run: (q, actor) => s.legal.decisions.list(q, actor) },
    answers: { one: ADecision, page: ADecisionPage },
  });
}
