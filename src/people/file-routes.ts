/** `GET /api/people/{id}/file`: a person's file in one read (`file.ts`), for the web app's person page. */
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { whoMay } from "../auth/permissions.ts";
import { ZIdParams } from "../http/schemas.ts";
import type { personFileReader } from "./file.ts";

const day = z.string().nullable();

const ZTimelineEntry = z
  .object({
    occurredAt: z.string().describe("When it happened (a day as its start, UTC)"),
    recordedAt: z.string().describe("When it was written"),
    kind: z
      .string()
      .describe(
        "person.recorded, affiliation.recorded, request.received, status.shared, case.opened, case.transition, decision, hold.filed, hold.lifted, operation.listed, operation.removed, operation.released, handover",
      ),
    summary: z.string().describe("In English"),
    link: z.object({ entity: z.string(), id: z.string() }).describe("The record it is about"),
  })
  .meta({ id: "PersonTimelineEntry" });

export const ZPersonFile = z
  .object({
    person: z.object({
      id: z.string(),
      party: z.string(),
      version: z.number().int(),
      givenNames: z.string(),
      familyNames: z.string(),
      aliases: z.array(z.string()),
      dateOfBirth: day,
      nationalities: z.array(z.string()),
      identifiers: z.array(z.object({ kind: z.string(), value: z.string() })),
      photoRef: z.string().nullable(),
      riskFlags: z.array(z.string()),
      custodyFacility: z.string().nullable(),
      custodySince: day,
      fictional: z.boolean(),
    }),
    affiliations: z.array(
      z.object({
        id: z.string(),
        organisationId: z.string(),
        organisationName: z
          .string()
          .nullable()
          .describe("Null where the reader may not read the organisation"),
        role: z.string().nullable(),
        fromOn: day,
        toOn: day,
        primary: z.boolean(),
      }),
    ),
    requests: z.array(
      z.object({
        id: z.string(),
        requestingState: z.string(),
        requestingAgency: z.string(),
        type: z.string(),
        receivedOn: day,
        district: z.string().nullable(),
        courtCaseNumber: z.string().nullable(),
        caseStatus: z.string().nullable().describe("The status of its case as the sending state shares it"),
        charges: z.array(
          z.object({
            id: z.string(),
            statute: z.string(),
            description: z.string(),
            maximumPenalty: z.string().nullable(),
            capitalEligible: z.boolean(),
          }),
        ),
      }),
    ),
    cases: z.array(
      z.object({
        id: z.string(),
        track: z.string(),
        state: z.string(),
        requestId: z.string().nullable(),
        operationId: z.string().nullable(),
        openedOn: z.string(),
        openRisks: z.array(z.object({ code: z.string(), message: z.string() })),
      }),
    ),
    operations: z.array(
      z.object({
        id: z.string(),
        code: z.string(),
        operationDate: z.string(),
        status: z.string(),
        destination: z.string().nullable().describe("The airport the person is flown to"),
        removed: z.boolean().describe("Whether the person was removed from it"),
      }),
    ),
    handovers: z.array(
      z.object({
        id: z.string(),
        operationId: z.string(),
        caseId: z.string().nullable(),
        place: z.string(),
        occurredAt: z.string(),
        receivingAgency: z.string(),
        condition: z.string(),
      }),
    ),
    timeline: z.array(ZTimelineEntry).describe("Everything that happened to the person, newest first"),
  })
  .meta({ id: "PersonFile" });

export function personFileRoutes(
  app: FastifyInstance,
  s: { personFile: ReturnType<typeof personFileReader> },
) {
  app.withTypeProvider<ZodTypeProvider>().get(
    "/people/:id/file",
    {
      schema: {
        operationId: "getPersonFile",
        tags: ["people"],
        summary:
          "A person's file: identity, affiliations, requests, cases, operations, handovers and timeline",
        description: [
          "Each part is there when the caller's role may read that kind of record (cases need `case:read`…), with the rows of the caller's party and those shared with it: a requesting state sees its requests and their shared statuses, released operations and handovers, never the sending state's cases, decisions or holds.",
          whoMay("person:read"),
        ].join("\n\n"),
        params: ZIdParams,
        response: { 200: ZPersonFile },
      },
      config: { permission: "person:read" },
    },
    (req) => s.personFile(req.params.id, req.actor),
  );
}
