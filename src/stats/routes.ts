import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { AStats, type statsService, ZStatsQuery } from "./service.ts";

export function statsRoutes(app: FastifyInstance, s: { stats: ReturnType<typeof statsService> }) {
  app.withTypeProvider<ZodTypeProvider>().get(
    "/stats",
    {
      schema: {
        operationId: "getStats",
        tags: ["reporting"],
        summary:
          "People sent: totals per operation, administration, organisation, destination and legal basis",
        description:
          "A person counts once a handover of them is recorded and their case has taken its last step (handed-over, or surrendered and on), on the day of the handover. Figures count people: someone handed over twice counts once in `total` and under each key, and `handovers` counts the handovers. `organisations` counts a person under each of their organisations, so it may add up to more than `total`; `primaryOrganisations` counts each person once, under their primary affiliation, and adds up to `total`. A sending state's officials get their own state's figures in full; anyone else gets the public figures (`public: true`): every sending state's, with each cell of fewer than three people withheld, and a second cell of a list withheld where only one would be.",
        querystring: ZStatsQuery,
        response: { 200: AStats },
      },
      config: { permission: "stats:read" },
    },
    (req) => s.stats.stats(req.query, req.actor),
  );
}

/**
 * The public figures with no sign-in (the web app's `/public` page): aggregates only, each cell under
 * three people suppressed; the same figures a requesting state or the public role gets from /api/stats.
 */
export function publicStatsRoutes(app: FastifyInstance, s: { stats: ReturnType<typeof statsService> }) {
  app.withTypeProvider<ZodTypeProvider>().get(
    "/figures",
    {
      schema: {
        operationId: "getPublicFigures",
        tags: ["reporting"],
        summary: "Public figures of people sent, with no sign-in",
        description:
          "Aggregates only: totals per operation, administration, organisation, destination and legal basis, with each cell of fewer than three people withheld (`people: null`, `suppressed: true`; a small operation's destinations too), and a second cell of a list withheld where only one would be, so that the total does not give it away. No token needed.",
        querystring: ZStatsQuery,
        security: [],
        response: { 200: AStats },
      },
      config: { permission: "public" },
    },
    (req) => s.stats.publicStats(req.query),
  );
}
