import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { roles } from "../auth/roles.ts";
import { initialStates, stateDefs, transitions } from "./tracks.ts";

const ZName = z.string().max(100);
const ZTrackGraph = z
  .object({
    track: z.enum(["treaty", "security"]),
    initial: ZName,
    states: z
      .array(
        z.object({
          name: ZName,
          terminal: z.boolean(),
          description: z.string().max(2000),
          /** What the requesting state is told while a case is in this state. */
          shared: ZName,
        }),
      )
      .max(100),
    transitions: z
      .array(
        z.object({
          name: ZName,
          from: z.array(ZName).max(100),
          to: ZName,
          by: z.array(z.enum(roles)).max(20),
          guards: z.array(ZName).max(20),
          /** Taken only as part of an operation's move or a handover, never on its own. */
          via: z.enum(["operation", "handover"]).nullable(),
          legalSource: z.string().max(2000),
        }),
      )
      .max(200),
  })
  .meta({ id: "TrackGraph" });

/** The two legal tracks as graphs (states, transitions, who takes each, its guards), as the workflow runs them. */
const graphs = (["treaty", "security"] as const).map((track) => ({
  track,
  initial: initialStates[track],
  states: stateDefs
    .filter((s) => s.track === track)
    .map((s) => ({ name: s.name, terminal: s.terminal, description: s.description, shared: s.shared })),
  transitions: transitions
    .filter((t) => t.track === track)
    .map((t) => ({
      name: t.name,
      from: [...t.from],
      to: t.to,
      by: [...t.by],
      guards: [...t.guards],
      via: t.via ?? null,
      legalSource: t.legalSource,
    })),
}));

/** `GET /api/tracks`: the legal tracks' graphs, for drawing a case's state diagram. */
export function trackRoutes(app: FastifyInstance) {
  app.withTypeProvider<ZodTypeProvider>().get(
    "/tracks",
    {
      schema: {
        operationId: "listTracks",
        tags: ["cases"],
        summary: "The legal tracks: their states and transitions, who may take each, and its guards",
        description:
          "The same definitions the workflow enforces (`src/cases/tracks.ts`; `docs/LEGAL-TRACKS.md`). Needs `case:read`.",
        response: { 200: z.object({ tracks: z.array(ZTrackGraph).max(10) }).meta({ id: "TrackList" }) },
      },
      config: { permission: "case:read" },
    },
    () => ({ tracks: graphs }),
  );
}
