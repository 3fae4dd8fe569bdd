/**
 * The webhook sender of `serve`: every WEBHOOK_POLL_INTERVAL_MS it sends the deliveries due
 * (`webhookService.deliverDue`). Logs name deliveries and endpoints by id and the status or kind of failure;
 * never a URL's query, a header, a payload or a secret.
 */
import type { FastifyBaseLogger } from "fastify";
import { every } from "../every.ts";
import type { Services } from "../services.ts";

export function startWebhookSender(
  s: Pick<Services, "webhooks">,
  intervalMs: number,
  log: FastifyBaseLogger,
) {
  // On stop, an attempt in flight is cut short (recorded, and retried later by whichever process runs).
  const stopping = new AbortController();
  const loop = every(intervalMs, () =>
    s.webhooks
      .deliverDue(undefined, stopping.signal)
      .then((outcomes) => {
        for (const o of outcomes)
          log[o.delivered ? "info" : "warn"](
            {
              deliveryId: o.deliveryId,
              endpointId: o.endpointId,
              attempt: o.attempt,
              statusCode: o.statusCode,
              error: o.error,
              gaveUp: o.exhausted,
            },
            o.delivered ? "webhook delivered" : "webhook attempt failed",
          );
      })
      .catch((err: unknown) => log.error({ err }, "webhook sender failed")),
  );
  return {
    async stop() {
      stopping.abort();
      await loop.stop();
    },
  };
}
