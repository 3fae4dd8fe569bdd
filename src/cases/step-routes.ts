/**
 * `GET /api/cases/{id}/transitions`: the dry run of the case's next steps for the caller (`step-check.ts`),
 * what the web app's case page shows as buttons and blocked reasons.
 */
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { whoMay } from "../auth/permissions.ts";
import { ZIdParams } from "../http/schemas.ts";
import type { caseService } from "./service.ts";
import { reasonCodes } from "./workflow.ts";

/** Bounded, as the OpenAPI document states every string and list it gives. */
const str = (max = 200) => z.string().max(max);
const list = <T extends z.ZodType>(item: T, max = 100) => z.array(item).max(max);

const ZStepReason = z
  .object({
    code: z.enum(reasonCodes).describe("Stable: a client translates it with `params`"),
    params: z
      .record(str(), z.unknown())
      .meta({ maxProperties: 20 })
      .describe(
        "What the code is about: `roles`, `kind` (of the assurance), `holds`, `deadline` and `dueOn`, `operationCode`…",
      ),
    message: str(10_000).describe("The reason in English"),
    error: z
      .string()
      .max(200)
      .describe("The error code a POST of the step answers with, when this is its first reason"),
    guard: str().nullable().describe("The legal track's guard that refuses the step, if one does"),
  })
  .meta({ id: "CaseStepReason" });

const ZStepCheck = z
  .object({
    name: str(),
    to: str(),
    by: list(str()).describe("The roles that take this step"),
    legalSource: str(),
    allowed: z.boolean().describe("Whether the caller may take the step now"),
    reasons: list(ZStepReason).describe("Why not, in the order the step is checked; empty when allowed"),
    openRisks: list(z.object({ code: str(), message: str(10_000) })).describe(
      "Risks an allowed step records as open (a missing assurance the policy lets pass)",
    ),
    operationId: z
      .uuid()
      .meta({ maxLength: 36 })
      .nullable()
      .describe("For a step that boards an operation: the one weighed (it lists the person)"),
  })
  .meta({ id: "CaseStepCheck" });

export const ZCaseSteps = z
  .object({
    caseId: z.uuid().meta({ maxLength: 36 }),
    track: str(),
    state: str(),
    version: z
      .number()
      .int()
      .min(1)
      .max(2 ** 31 - 1),
    transitions: list(ZStepCheck),
  })
  .meta({ id: "CaseSteps" });

export function caseStepRoutes(app: FastifyInstance, s: { cases: ReturnType<typeof caseService> }) {
  app.withTypeProvider<ZodTypeProvider>().get(
    "/cases/:id/transitions",
    {
      schema: {
        operationId: "listCaseTransitions",
        tags: ["cases"],
        summary: "The steps of the case's current state, each allowed or not for the caller, and why",
        description: [
          "A dry run: each step is checked as `POST /api/cases/{id}/transitions` checks it (the same facts and checks, as of now), so a step shown as allowed is taken and one shown as blocked is refused with its first reason's `error`. Each reason has a stable `code` and `params` to translate, and an English `message`.",
          whoMay("case:read"),
        ].join("\n\n"),
        params: ZIdParams,
        response: { 200: ZCaseSteps },
      },
      config: { permission: "case:read" },
    },
    (req) => s.cases.steps(req.params.id, req.actor),
  );
}
