import type { FastifyInstance } from "fastify";
import type { Db } from "../db/client.ts";
import { resourceRoutes } from "../http/resource.ts";
import { ZCreateOrganisation, ZCreatePerson, ZListOrganisations, ZListPeople } from "./schemas.ts";
import type { organisationService, peopleService } from "./service.ts";

export function peopleRoutes(
  app: FastifyInstance,
  db: Db,
  s: { people: ReturnType<typeof peopleService>; organisations: ReturnType<typeof organisationService> },
) {
  resourceRoutes(app, db, {
    path: "/people",
    tag: "people",
    noun: "person",
    create: { body: ZCreatePerson, run: (o) => s.people.create(o) },
    get: (id) => s.people.get(id),
    list: { query: ZListPeople, run: (q) => s.people.list(q) },
  });
  resourceRoutes(app, db, {
    path: "/organisations",
    tag: "organisations",
    noun: "organisation",
    create: { body: ZCreateOrganisation, run: (o) => s.organisations.create(o) },
    get: (id) => s.organisations.get(id),
    list: { query: ZListOrganisations, run: (q) => s.organisations.list(q) },
  });
}
