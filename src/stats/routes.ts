import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { type statsService, ZStatsQuery } from "./service.ts";

export function statsRoutes(app: FastifyInstance, s: { stats: ReturnType<typeof statsService> }) {
  app.withTypeProvider<ZodTypeProvider>().get(
    "/stats",
    {
      schema: {
        tags: ["reporting"],
        summary:
          "People sent: totals per operation, administration, organisation, destination and legal basis",
        querystring: ZStatsQuery,
      },
    },
    (req) => s.stats.stats(req.query),
  );
}
