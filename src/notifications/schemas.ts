import { z } from "zod";
import { roles } from "../auth/roles.ts";
import { deadlineKinds } from "../cases/deadlines.ts";
import { securityStates, treatyStates } from "../cases/tracks.ts";
import { ACount, ADay, AInt, AParty, ATimestamp, AUuid, aList, aText } from "../http/answers.ts";
import { text, ZPageQuery } from "../http/schemas.ts";

export const ZListNotifications = ZPageQuery.extend({
  /** `true`: only those not read yet. */
  unread: z
    .enum(["true", "false"])
    .optional()
    .transform((v) => v === "true"),
});

/**
 * An endpoint URL: https to a public address in production, unless its host is on WEBHOOK_ALLOW_HOSTS;
 * http to localhost outside production (the service checks those rules: `egress.ts`).
 */
export const ZCreateWebhook = z.strictObject({
  url: z
    .url({ error: "must be a URL (https://…)", abort: true })
    .refine((u) => /^https?:/i.test(u), "must be https:// (http:// to localhost outside production)")
    .max(2048),
  description: text(200, { required: false }).default(""),
});

export const ZWebhookDeliveriesQuery = ZPageQuery;

// Answers (documentation, checked in the tests: src/http/answers.ts)

const ANone = aList(aText(2), 0);

export const ANotification = z
  .strictObject({
    id: AUuid,
    party: AParty,
    /** Never shared: a notification is its user's alone. */
    sharedWith: ANone,
    kind: z.enum(["reminder", "lapse"]),
    /** The role of the user it was sent for: the role that must act. */
    role: z.enum(roles),
    /** Days before the due day it was raised for (0: the due day); null for a lapse. */
    leadDays: ACount.nullable(),
    createdAt: ATimestamp,
    readAt: ATimestamp.nullable(),
    deadline: z.strictObject({ id: AUuid, kind: z.enum(deadlineKinds), dueOn: ADay }),
    case: z.strictObject({
      id: AUuid,
      state: z.enum([...treatyStates, ...securityStates]),
      track: z.enum(["treaty", "security"]),
    }),
    person: z.strictObject({ id: AUuid, name: aText(401) }),
  })
  .meta({ id: "Notification" });

export const ANotificationPage = z
  .strictObject({
    /** How many of the caller's notifications are unread (all of them, not only this page's). */
    unread: ACount,
    items: aList(ANotification, 500),
    nextCursor: AUuid.nullable(),
  })
  .meta({ id: "NotificationPage" });

export const ANotificationRead = z
  .strictObject({ id: AUuid, readAt: ATimestamp.nullable() })
  .meta({ id: "NotificationRead" });

export const ANotificationsMarked = z.strictObject({ marked: ACount }).meta({ id: "NotificationsMarked" });

export const AWebhook = z
  .strictObject({
    id: AUuid,
    party: AParty,
    sharedWith: aList(aText(2), 300),
    version: AInt.min(1),
    url: aText(2048),
    description: aText(200),
    recordedAt: ATimestamp,
  })
  .meta({ id: "Webhook" });

export const AWebhookWithSecret = AWebhook.extend({
  /** The Standard Webhooks signing secret (`whsec_…`): shown this once, never again. */
  secret: aText(100),
}).meta({ id: "WebhookWithSecret" });

export const AWebhookList = z.strictObject({ items: aList(AWebhook, 1000) }).meta({ id: "WebhookList" });

export const AWebhookAttempt = z
  .strictObject({
    attempt: ACount,
    startedAt: ATimestamp,
    durationMs: ACount,
    /** The receiver's HTTP status; null when none came (a network error, a timeout). */
    statusCode: AInt.nullable(),
    /** Why the attempt failed (`HTTP 500`, `timeout`, `network: ECONNREFUSED`); null when it succeeded. */
    error: aText(200).nullable(),
    nextAttemptAt: ATimestamp.nullable(),
  })
  .meta({ id: "WebhookAttempt" });

export const AWebhookDelivery = z
  .strictObject({
    id: AUuid,
    party: AParty,
    sharedWith: ANone,
    eventType: z.enum(["deadline.reminder", "deadline.lapsed"]),
    reminderId: AUuid,
    status: z.enum(["pending", "delivered", "failed"]),
    attempts: aList(AWebhookAttempt, 50),
    nextAttemptAt: ATimestamp.nullable(),
    createdAt: ATimestamp,
    deliveredAt: ATimestamp.nullable(),
  })
  .meta({ id: "WebhookDelivery" });

export const AWebhookDeliveryPage = z
  .strictObject({ items: aList(AWebhookDelivery, 500), nextCursor: AUuid.nullable() })
  .meta({ id: "WebhookDeliveryPage" });
