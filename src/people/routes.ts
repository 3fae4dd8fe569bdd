import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { Db } from "../db/client.ts";
import { actionRoute, resourceRoutes } from "../http/resource.ts";
import {
  AAffiliation,
  AOrganisation,
  AOrganisationPage,
  APerson,
  APersonPage,
  ARivalry,
  ZAddAffiliations,
  ZAddRivalry,
  ZCreateOrganisation,
  ZCreatePerson,
  ZListOrganisations,
  ZListPeople,
} from "./schemas.ts";
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
    plural: "people",
    read: "person:read",
    create: { permission: "person:create", body: ZCreatePerson, run: (o) => s.people.create(o) },
    get: (id, actor) => s.people.get(id, actor),
    list: { query: ZListPeople, run: (q, actor) => s.people.list(q, actor) },
    answers: { one: APerson, page: APersonPage },
  });
  actionRoute(app, db, {
    path: "/people/:id/affiliations",
    operationId: "addPersonAffiliations",
    tags: ["people"],
    summary: "Record a person's affiliations learnt after intake",
    permission: "person:update",
    description:
      "At most one affiliation of a person is primary: the tally by primary affiliation counts them under it.",
    body: ZAddAffiliations,
    status: 201,
    answer: z.array(AAffiliation).max(20),
    run: ({ actor, id, input, idempotency }) => s.people.addAffiliations({ actor, id, input, idempotency }),
  });
  resourceRoutes(app, db, {
    path: "/organisations",
    tag: "organisations",
    noun: "organisation",
    read: "organisation:read",
    create: {
      permission: "organisation:create",
      body: ZCreateOrganisation,
      run: (o) => s.organisations.create(o),
    },
    get: (id, actor) => s.organisations.get(id, actor),
    list: { query: ZListOrganisations, run: (q, actor) => s.organisations.list(q, actor) },
    answers: { one: AOrganisation, page: AOrganisationPage },
  });
  actionRoute(app, db, {
    path: "/organisations/:id/rivalries",
    operationId: "addOrganisationRivalry",
    tags: ["organisations"],
    summary: "Record that another organisation is this one's rival",
    permission: "organisation:update",
    description:
      "Members of rival organisations never share an aircraft; a cell inherits its parent's rivals. 409 DUPLICATE when the two are already rivals.",
    body: ZAddRivalry,
    status: 201,
    answer: ARivalry,
    run: ({ actor, id, input, idempotency }) => s.organisations.addRivalry({ actor, id, input, idempotency }),
  });
}
