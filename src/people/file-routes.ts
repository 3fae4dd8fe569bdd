/** `GET /api/people/{id}/file`: a person's file in one read (`file.ts`), for the web app's person page. */
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { whoMay } from "../auth/permissions.ts";
import { ZIdParams } from "../http/schemas.ts";
import type { personFileReader } from "./file.ts";

/** Bounded, as the OpenAPI document states every string and list it gives. */
const str = (max = 200) => z.string().max(max);
const list = <T extends z.ZodType>(item: T, max = 10_000) => z.array(item).max(max);
const day = str(10).nullable();

const ZTimelineEntry = z
  .object({
    occurredAt: str().describe("When it happened (a day as its start, UTC)"),
    recordedAt: str().describe("When it was written"),
    kind: z
      .string()
      .max(200)
      .describe(
        "person.recorded, affiliation.recorded, request.received, status.shared, case.opened, case.transition, decision, hold.filed, hold.lifted, operation.listed, operation.removed, operation.released, handover, handover.superseded (a handover record corrected by a later one)",
      ),
    summary: str(5000).describe("In English"),
    link: z.object({ entity: str(), id: str() }).describe("The record it is about"),
  })
  .meta({ id: "PersonTimelineEntry" });

export const ZPersonFile = z
  .object({
    person: z.object({
      id: str(),
      party: str(),
      version: z
        .number()
        .int()
        .min(1)
        .max(2 ** 31 - 1),
      givenNames: str(),
      familyNames: str(),
      aliases: list(str()),
      dateOfBirth: day,
      nationalities: list(str()),
      identifiers: list(z.object({ kind: str(), value: str() })),
      photoRef: str().nullable(),
      riskFlags: list(str()),
      custodyFacility: str().nullable(),
      custodySince: day,
      fictional: z.boolean(),
    }),
    affiliations: list(
      z.object({
        id: str(),
        organisationId: str(),
        organisationName: z
          .string()
          .max(200)
          .nullable()
          .describe("Null where the reader may not read the organisation"),
        role: str().nullable(),
        fromOn: day,
        toOn: day,
        primary: z.boolean(),
      }),
    ),
    requests: list(
      z.object({
        id: str(),
        requestingState: str(),
        requestingAgency: str(),
        type: str(),
        receivedOn: day,
        district: str().nullable(),
        courtCaseNumber: str().nullable(),
        caseStatus: str().nullable().describe("The status of its case as the sending state shares it"),
        charges: list(
          z.object({
            id: str(),
            statute: str(),
            description: str(2000),
            maximumPenalty: str().nullable(),
            capitalEligible: z.boolean(),
          }),
        ),
      }),
    ),
    cases: list(
      z.object({
        id: str(),
        track: str(),
        state: str(),
        requestId: str().nullable(),
        operationId: str().nullable(),
        openedOn: str(),
        openRisks: list(z.object({ code: str(), message: str() })),
      }),
    ),
    operations: list(
      z.object({
        id: str(),
        code: str(),
        operationDate: str(),
        status: str(),
        destination: str().nullable().describe("The airport the person is flown to"),
        removed: z.boolean().describe("Whether the person was removed from it"),
      }),
    ),
    handovers: list(
      z.object({
        id: str(),
        operationId: str(),
        caseId: str().nullable(),
        place: str(),
        occurredAt: str(),
        receivingAgency: str(),
        condition: str(),
        supersededBy: str()
          .nullable()
          .describe("The record that corrected this one; null for the standing handover, the one counted"),
      }),
    ),
    timeline: list(ZTimelineEntry).describe("Everything that happened to the person, newest first"),
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
