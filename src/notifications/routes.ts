/**
 * `/api/notifications` (the caller's own, read and unread) and `/api/webhooks` (the party's outgoing
 * webhooks, its administrator's).
 */
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { whoMay } from "../auth/permissions.ts";
import { ZIdParams } from "../http/schemas.ts";
import type { Services } from "../services.ts";
import {
  ANotificationPage,
  ANotificationRead,
  ANotificationsMarked,
  AWebhook,
  AWebhookDeliveryPage,
  AWebhookList,
  AWebhookWithSecret,
  ZCreateWebhook,
  ZListNotifications,
  ZWebhookDeliveriesQuery,
} from "./schemas.ts";

const tags = ["notifications"];

export function notificationRoutes(app: FastifyInstance, s: Pick<Services, "notifications" | "webhooks">) {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  const readPermission = { permission: "notification:read" as const };
  const manage = { permission: "webhook:manage" as const };

  typed.get(
    "/notifications",
    {
      schema: {
        operationId: "listNotifications",
        tags,
        summary: "The caller's notifications, newest first: reminders of deadlines their role must act on",
        description: [
          "A reminder is raised 7, 3 and 1 days before a deadline's due day and on the day (REMINDER_LEAD_DAYS), and a notice when it lapsed, for each user of the deadline's party who holds a role that acts on it. Only the caller's own notifications; a token not of a user has none.",
          whoMay("notification:read"),
        ].join("\n\n"),
        querystring: ZListNotifications,
        response: { 200: ANotificationPage },
      },
      config: readPermission,
    },
    (req) => s.notifications.list(req.query, req.actor),
  );
  for (const [action, read] of [
    ["read", true],
    ["unread", false],
  ] as const)
    typed.post(
      `/notifications/:id/${action}`,
      {
        schema: {
          operationId: read ? "markNotificationRead" : "markNotificationUnread",
          tags,
          summary: read
            ? "Mark one of the caller's notifications read (again: it keeps its first read time)"
            : "Mark one of the caller's notifications unread again",
          description: ["404 for a notification not the caller's.", whoMay("notification:read")].join("\n\n"),
          params: ZIdParams,
          response: { 200: ANotificationRead },
        },
        config: readPermission,
      },
      (req) => s.notifications.markRead({ id: req.params.id, actor: req.actor, read }),
    );
  typed.post(
    "/notifications/read-all",
    {
      schema: {
        operationId: "markAllNotificationsRead",
        tags,
        summary: "Mark all the caller's unread notifications read",
        description: whoMay("notification:read"),
        response: { 200: ANotificationsMarked },
      },
      config: readPermission,
    },
    (req) => s.notifications.markAllRead({ actor: req.actor }),
  );

  typed.post(
    "/webhooks",
    {
      schema: {
        operationId: "createWebhook",
        tags,
        summary: "Add an outgoing webhook of one's party; answers its signing secret, shown once",
        description: [
          "Every reminder and lapse notice of the party's deadlines is POSTed to it as JSON (`type` `deadline.reminder` or `deadline.lapsed`, `timestamp`, `data` with the ids, the deadline's kind and due day; no person's name), signed as the Standard Webhooks specification says (`webhook-id`, `webhook-timestamp`, `webhook-signature` with the secret). A failed attempt (not 2xx, a timeout) is retried with exponential backoff up to WEBHOOK_MAX_ATTEMPTS.",
          whoMay("webhook:manage"),
        ].join("\n\n"),
        body: ZCreateWebhook,
        response: { 201: AWebhookWithSecret },
      },
      config: { ...manage, successStatus: 201 },
    },
    async (req, reply) => reply.code(201).send(await s.webhooks.create({ actor: req.actor, ...req.body })),
  );
  typed.get(
    "/webhooks",
    {
      schema: {
        operationId: "listWebhooks",
        tags,
        summary: "The outgoing webhooks of one's party (without their secrets)",
        description: whoMay("webhook:manage"),
        response: { 200: AWebhookList },
      },
      config: manage,
    },
    (req) => s.webhooks.list({ actor: req.actor }),
  );
  typed.delete(
    "/webhooks/:id",
    {
      schema: {
        operationId: "removeWebhook",
        tags,
        summary: "Remove an outgoing webhook: nothing more is sent to it; its deliveries stay readable",
        description: whoMay("webhook:manage"),
        params: ZIdParams,
        response: { 200: AWebhook },
      },
      config: manage,
    },
    (req) => s.webhooks.remove({ actor: req.actor, id: req.params.id }),
  );
  typed.get(
    "/webhooks/:id/deliveries",
    {
      schema: {
        operationId: "listWebhookDeliveries",
        tags,
        summary:
          "A webhook's deliveries, newest first, each with every attempt (status, error, duration, next)",
        description: whoMay("webhook:manage"),
        params: ZIdParams,
        querystring: ZWebhookDeliveriesQuery,
        response: { 200: AWebhookDeliveryPage },
      },
      config: manage,
    },
    (req) =>
      s.webhooks.deliveries({
        actor: req.actor,
        id: req.params.id,
        limit: req.query.limit,
        cursor: req.query.cursor,
      }),
  );
}
