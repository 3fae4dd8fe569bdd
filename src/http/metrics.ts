/**
 * GET /metrics in the Prometheus text format (prom-client), one registry per app:
 * - http_requests_total and http_request_duration_seconds by method, route (the route's pattern, such as
 *   /api/cases/:id; "unmatched" for a 404 without one) and status code: request rate and latency;
 * - traslado_db_pool_connections{state}: the server pool's total, idle and waiting clients (PGlite: total 1);
 * - traslado_audit_unlinked_events and traslado_audit_oldest_unlinked_age_seconds: how far linking lags;
 * - traslado_deadline_clock_last_run_timestamp_seconds: when this process last ran the deadline clock
 *   (0: not since it started);
 * - Node's process metrics (memory, CPU, event loop lag, GC), from prom-client's defaults.
 * Database figures are read at scrape time; when the database does not answer they are NaN, and the
 * scrape still answers.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import { linkLag } from "../audit/link.ts";
import type { Services } from "../services.ts";

const labelNames = ["method", "route", "status_code"] as const;

/**
 * Registers `/metrics` and the hooks that feed it. Returns `answered`, which counts a request as its
 * `onResponse` hook does, for the answers no hook sees (Fastify's own refusals of a malformed URL).
 */
export function registerMetrics(
  app: FastifyInstance,
  s: Services,
): { registry: Registry; answered: (req: FastifyRequest, reply: FastifyReply) => void } {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: "http_requests_total",
    help: "HTTP requests answered, by method, route pattern and status code",
    labelNames,
    registers: [registry],
  });
  const duration = new Histogram({
    name: "http_request_duration_seconds",
    help: "Time to answer an HTTP request, by method, route pattern and status code",
    labelNames,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  new Gauge({
    name: "traslado_db_pool_connections",
    help: "Database connections by state: total, idle, waiting (clients waiting for one); PGlite: total 1",
    labelNames: ["state"],
    registers: [registry],
    collect() {
      const stats = s.database.poolStats();
      for (const state of ["total", "idle", "waiting"] as const) {
        const v = stats[state];
        if (v !== undefined) this.set({ state }, v);
      }
    },
  });
  // Every party's events: the system's reading.
  const readLag = () => s.database.scoped("system", () => linkLag(s.database.app)).catch(() => null);
  new Gauge({
    name: "traslado_audit_unlinked_events",
    help: "Audit events committed but not yet linked into the hash chain",
    registers: [registry],
    async collect() {
      const l = await readLag();
      this.set(l ? l.unlinked : Number.NaN);
    },
  });
  new Gauge({
    name: "traslado_audit_oldest_unlinked_age_seconds",
    help: "Age of the oldest audit event not yet linked into the hash chain (0 when none)",
    registers: [registry],
    async collect() {
      const l = await readLag();
      this.set(l ? l.oldestAgeSeconds : Number.NaN);
    },
  });
  new Gauge({
    name: "traslado_deadline_clock_last_run_timestamp_seconds",
    help: "When this process last ran the deadline clock (lapse transitions), Unix time; 0 when it has not",
    registers: [registry],
    collect() {
      const at = s.deadlineClock.lastRunAt;
      this.set(at ? at.getTime() / 1000 : 0);
    },
  });

  // The counter and histogram of each method, route and status, looked up once: prom-client hashes the labels
  // at every call otherwise. Routes and statuses are few, so the map stays small.
  const series = new Map<
    string,
    { count: Counter.Internal; time: Histogram.Internal<(typeof labelNames)[number]> }
  >();
  const answered = (req: FastifyRequest, reply: FastifyReply) => {
    const route = req.routeOptions?.url ?? "unmatched";
    const key = `${req.method} ${reply.statusCode} ${route}`;
    let s = series.get(key);
    if (!s) {
      const labels = { method: req.method, route, status_code: String(reply.statusCode) };
      s = { count: requests.labels(labels), time: duration.labels(labels) };
      series.set(key, s);
    }
    s.count.inc();
    s.time.observe(reply.elapsedTime / 1000);
  };
  app.addHook("onResponse", (req, reply, done) => {
    answered(req, reply);
    done();
  });
  // Never rate-limited: a monitor scraping it must not be refused.
  app.get("/metrics", { schema: { hide: true }, config: { rateLimit: false } }, async (_req, reply) => {
    const text = await registry.metrics();
    return reply.type(registry.contentType).send(text);
  });
  return { registry, answered };
}
