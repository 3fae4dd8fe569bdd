/**
 * The audit chain over the API: `GET /api/audit-events` (the event log the web app's audit page and a
 * record's "its events" link read) and `POST /api/audit-verifications` (verify the chain from the page).
 */
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { whoMay } from "../auth/permissions.ts";
import type { auditEventService } from "./events.ts";
import {
  ZAuditEventPage,
  ZAuditVerification,
  ZAuditVerificationProgress,
  ZListAuditEvents,
} from "./schemas.ts";

const tags = ["audit"];

export function auditRoutes(app: FastifyInstance, s: { audit: ReturnType<typeof auditEventService> }) {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.get(
    "/audit-events",
    {
      schema: {
        operationId: "listAuditEvents",
        tags,
        summary: "The audit chain's events of the caller's party, newest first, with what each changed",
        description: [
          "Filters: one record (`entity`, `entityId`), a person (`personId`: the person and every row that names them, as `traslado audit report --person` finds them), an actor (`actorId`), a kind (`action`), a time range (`from`, `to`, on when it happened). Each event names the fields it changed; their values only when the caller's role may read that kind of record (`valuesShown`).",
          whoMay("audit:read"),
        ].join("\n\n"),
        querystring: ZListAuditEvents,
        response: { 200: ZAuditEventPage },
      },
      config: { permission: "audit:read" },
    },
    (req) => s.audit.list(req.query, req.actor),
  );
  typed.post(
    "/audit-verifications",
    {
      schema: {
        operationId: "verifyAuditChain",
        tags,
        summary: "Verify the audit chain and every audited row now, and answer the report",
        description: [
          "Recomputes the whole hash chain and compares every audited row with its last after-image, as `traslado audit verify` does; it takes as long as the chain is long (seconds for the demo data). A call made while a verification runs gets that verification's report. `ok: false` lists the first bad entries.",
          whoMay("audit:verify"),
        ].join("\n\n"),
        response: { 200: ZAuditVerification },
      },
      config: { permission: "audit:verify" },
    },
    (req) => s.audit.verify(req.actor),
  );
  typed.get(
    "/audit-verifications/current",
    {
      schema: {
        operationId: "getAuditVerificationProgress",
        tags,
        summary: "How far the verification under way has got",
        description: [
          "Events checked of the events to walk, while `POST /api/audit-verifications` runs (a page asks for it while it waits for the report); `running: false` when none runs.",
          whoMay("audit:verify"),
        ].join("\n\n"),
        response: { 200: ZAuditVerificationProgress },
      },
      config: { permission: "audit:verify" },
    },
    (req) => s.audit.progress(req.actor),
  );
}
