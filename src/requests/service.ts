import { and, eq, gte, inArray, lte } from "drizzle-orm";
import { type Writer, write } from "../audit/write.ts";
import { treatyFor } from "../cases/treaty-parameters.ts";
import type { Db } from "../db/client.ts";
import { getById, pageOf, requireRefs } from "../db/query.ts";
import { affiliations, charges, organisations, people, requests } from "../db/schema.ts";
import type { Call } from "../use-case.ts";
import type { CreateRequest, ListRequests } from "./schemas.ts";

/** The organisations a request's new person names, to check before writing. */
export const organisationRefs = (input: CreateRequest, prefix = "") =>
  (input.person?.affiliations ?? []).map((a, i) => ({
    field: `${prefix}person.affiliations[${i}].organisationId`,
    table: organisations,
    id: a.organisationId,
  }));

/**
 * Writes many requests with their new people (and their affiliations) and charges through one writer, in
 * multi-row statements. Used by the API (one at a time), the importer (thousands at a time) and the demo.
 * A request's treaty is the one given, else the one known with the requesting state (`treatyFor`).
 */
export async function insertRequests(w: Writer, inputs: CreateRequest[]) {
  const newPeople = inputs.filter((r) => r.person).map((r) => r.person!);
  const createdPeople = await w.insert(
    people,
    newPeople.map(({ affiliations: _a, ...person }) => person),
  );
  await w.insert(
    affiliations,
    newPeople.flatMap((person, i) =>
      person.affiliations.map((a) => ({ ...a, personId: createdPeople[i]!.id })),
    ),
  );
  let p = 0;
  const requestRows = await w.insert(
    requests,
    inputs.map(({ person, personId, charges: _charges, ...r }) => ({
      ...r,
      party: r.requestingState,
      treaty: r.treaty ?? treatyFor(r.requestingState)?.id ?? null,
      personId: person ? createdPeople[p++]!.id : personId!,
    })),
  );
  const chargeRows = await w.insert(
    charges,
    inputs.flatMap((r, i) =>
      r.charges.map((c) => ({ ...c, party: r.requestingState, requestId: requestRows[i]!.id })),
    ),
  );
  const byRequest = new Map<string, typeof chargeRows>();
  for (const c of chargeRows) byRequest.set(c.requestId, [...(byRequest.get(c.requestId) ?? []), c]);
  return requestRows.map((r) => ({ ...r, charges: byRequest.get(r.id) ?? [] }));
}

export function requestService(db: Db) {
  async function withCharges<R extends { id: string }>(rows: R[]) {
    if (rows.length === 0) return [];
    const all = await db
      .select()
      .from(charges)
      .where(
        inArray(
          charges.requestId,
          rows.map((r) => r.id),
        ),
      );
    return rows.map((r) => ({ ...r, charges: all.filter((c) => c.requestId === r.id) }));
  }

  return {
    async create({ actor, input, idempotency }: Call<CreateRequest>) {
      await requireRefs(db, [
        { field: "personId", table: people, id: input.personId },
        ...organisationRefs(input),
      ]);
      return write(db, actor, async (w) => (await insertRequests(w, [input]))[0]!, { idempotency });
    },

    async get(id: string) {
      return (await withCharges([await getById(db, requests, "request", id)]))[0]!;
    },

    async list(query: ListRequests) {
      const page = await pageOf(
        db,
        requests,
        [
          query.personId ? eq(requests.personId, query.personId) : undefined,
          query.type ? eq(requests.type, query.type) : undefined,
          query.requestingState ? eq(requests.requestingState, query.requestingState) : undefined,
          query.receivedFrom || query.receivedTo
            ? and(
                query.receivedFrom ? gte(requests.receivedOn, query.receivedFrom) : undefined,
                query.receivedTo ? lte(requests.receivedOn, query.receivedTo) : undefined,
              )
            : undefined,
        ],
        query,
      );
      return { ...page, items: await withCharges(page.items) };
    },
  };
}
