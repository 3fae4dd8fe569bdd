import type { FastifyInstance } from "fastify";
import type { Db } from "../db/client.ts";
import { resourceRoutes } from "../http/resource.ts";
import {
  ZCreateAdministration,
  ZCreateHandover,
  ZCreateOperation,
  ZCreatePlace,
  ZListAdministrations,
  ZListHandovers,
  ZListOperations,
  ZListPlaces,
} from "./schemas.ts";
import type { handoverService, operationService, referenceService } from "./service.ts";

export function operationRoutes(
  app: FastifyInstance,
  db: Db,
  s: {
    operations: ReturnType<typeof operationService>;
    handovers: ReturnType<typeof handoverService>;
    reference: ReturnType<typeof referenceService>;
  },
) {
  resourceRoutes(app, db, {
    path: "/operations",
    tag: "operations",
    noun: "operation",
    create: { body: ZCreateOperation, run: (o) => s.operations.create(o) },
    get: (id) => s.operations.get(id),
    list: { query: ZListOperations, run: (q) => s.operations.list(q) },
  });
  resourceRoutes(app, db, {
    path: "/handovers",
    tag: "handovers",
    noun: "handover",
    create: { body: ZCreateHandover, run: (o) => s.handovers.create(o) },
    get: (id) => s.handovers.get(id),
    list: { query: ZListHandovers, run: (q) => s.handovers.list(q) },
  });
  resourceRoutes(app, db, {
    path: "/places",
    tag: "reference",
    noun: "place",
    create: { body: ZCreatePlace, run: (o) => s.reference.places.create(o) },
    get: (id) => s.reference.places.get(id),
    list: { query: ZListPlaces, run: (q) => s.reference.places.list(q) },
  });
  resourceRoutes(app, db, {
    path: "/administrations",
    tag: "reference",
    noun: "administration",
    create: { body: ZCreateAdministration, run: (o) => s.reference.administrations.create(o) },
    get: (id) => s.reference.administrations.get(id),
    list: { query: ZListAdministrations, run: (q) => s.reference.administrations.list(q) },
  });
}
