import { and, eq, gte, inArray, lte } from "drizzle-orm";
import { type Writer, write } from "../audit/write.ts";
import { guarded } from "../auth/access.ts";
import { allows } from "../auth/permissions.ts";
import type { Actor } from "../auth/roles.ts";
import { treatyFor } from "../cases/treaty-parameters.ts";
import type { Db } from "../db/client.ts";
import { getById, inOrder, pageOf, requireRefs, visible } from "../db/query.ts";
import { affiliations, caseStatuses, charges, organisations, people, requests } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { likelyDuplicates, type NewPerson } from "../people/search.ts";
import type { Call } from "../use-case.ts";
import type { CreateRequest, ListRequests } from "./schemas.ts";

/** The organisations a request's new person names, to check before writing. */
export const organisationRefs = (input: CreateRequest, prefix = "") =>
  (input.person?.affiliations ?? []).map((a, i) => ({
    field: `${prefix}person.affiliations[${i}].organisationId`,
    table: organisations,
    id: a.organisationId,
  }));

/** The state a request asks, as `intake` reads it; undefined when nothing names it. */
export function requestedStateOf(
  actor: Pick<Actor, "party">,
  input: Pick<CreateRequest, "requestingState" | "requestedState">,
): string | undefined {
  if (input.requestedState) return input.requestedState;
  if (actor.party !== input.requestingState) return actor.party;
  return treatyFor(input.requestingState)?.parties.find((p) => p !== input.requestingState);
}

/**
 * Who a request is between, and so who shares what it brings (its charges, a new person and what is known
 * of them): the requesting state and the requested state. The party that records it owns it; the other
 * may read it. The requested state is the recorder when the requesting state does not record it itself;
 * otherwise the one given, else the other party of the treaty. Throws naming `requestedState` when none.
 */
export function intake(
  actor: Pick<Actor, "party">,
  input: Pick<CreateRequest, "requestingState" | "requestedState">,
) {
  const requestedState = requestedStateOf(actor, input);
  if (!requestedState) {
    throw new AppError("VALIDATION_FAILED", "requestedState: required: no treaty names the state requested", {
      issues: [{ field: "requestedState", rule: "required: no treaty names the state requested" }],
    });
  }
  const sharedWith = [input.requestingState, requestedState].filter((p) => p !== actor.party);
  return { requestedState, sharedWith };
}

/**
 * Writes many requests with their new people (and their affiliations) and charges through one writer, in
 * multi-row statements. Used by the API (one at a time), the importer (thousands at a time) and the demo.
 * A request's treaty is the one given, else the one known with the requesting state (`treatyFor`); each
 * row is shared between the requesting and the requested state (`intake`).
 */
export async function insertRequests(w: Writer, inputs: CreateRequest[]) {
  const between = inputs.map((r) => intake(w.actor, r));
  const withPerson = inputs.flatMap((r, i) =>
    r.person ? [{ person: r.person, sharedWith: between[i]!.sharedWith }] : [],
  );
  const createdPeople = await w.insert(
    people,
    withPerson.map(({ person: { affiliations: _a, ...person }, sharedWith }) => ({ ...person, sharedWith })),
  );
  await w.insert(
    affiliations,
    withPerson.flatMap(({ person, sharedWith }, i) =>
      person.affiliations.map((a) => ({ ...a, personId: createdPeople[i]!.id, sharedWith })),
    ),
  );
  let p = 0;
  const requestRows = await w.insert(
    requests,
    inputs.map(({ person, personId, charges: _charges, ...r }, i) => ({
      ...r,
      requestedState: between[i]!.requestedState,
      sharedWith: between[i]!.sharedWith,
      treaty: r.treaty ?? treatyFor(r.requestingState, between[i]!.requestedState)?.id ?? null,
      personId: person ? createdPeople[p++]!.id : personId!,
    })),
  );
  const chargeRows = await w.insert(
    charges,
    inputs.flatMap((r, i) =>
      r.charges.map((c) => ({ ...c, sharedWith: between[i]!.sharedWith, requestId: requestRows[i]!.id })),
    ),
  );
  const byRequest = new Map<string, typeof chargeRows>();
  for (const c of chargeRows) byRequest.set(c.requestId, [...(byRequest.get(c.requestId) ?? []), c]);
  return requestRows.map((r) => ({ ...r, charges: byRequest.get(r.id) ?? [] }));
}

/**
 * Intake does not record a second record of a person already recorded: 409 LIKELY_DUPLICATE lists the
 * people the caller may read who are likely the new one (`likelyDuplicates`), to send `personId` instead,
 * or `allowDuplicate: true` when they are not the same.
 */
export async function refuseLikelyDuplicates(db: Db, person: NewPerson, actor: Actor) {
  const candidates = await likelyDuplicates(db, person, actor);
  if (candidates.length === 0) return;
  throw new AppError(
    "LIKELY_DUPLICATE",
    `the new person is likely one already recorded (${candidates.length}): give their personId, or allowDuplicate: true`,
    {
      issues: [{ field: "person", rule: "likely a person already recorded" }],
      // Who they are, for a caller who may read people; their ids only otherwise.
      candidates: allows(actor.role, "person:read") ? candidates : candidates.map(({ id }) => ({ id })),
    },
  );
}

export function requestService(db: Db) {
  /** The requests with the charges and the shared status of their case that the reader may see. */
  async function withCharges<R extends { id: string }>(rows: R[], reader: Actor) {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const [all, statuses] = await inOrder([
      db
        .select()
        .from(charges)
        .where(and(inArray(charges.requestId, ids), visible(charges, reader))),
      db
        .select({ requestId: caseStatuses.requestId, status: caseStatuses.status, since: caseStatuses.since })
        .from(caseStatuses)
        .where(and(inArray(caseStatuses.requestId, ids), visible(caseStatuses, reader))),
    ]);
    return rows.map((r) => ({
      ...r,
      charges: all.filter((c) => c.requestId === r.id),
      /** What the requested state has told of the case of this request (null before one is opened). */
      caseStatus: statuses.find((s) => s.requestId === r.id) ?? null,
    }));
  }

  return {
    create: ({ actor, input, idempotency }: Call<CreateRequest>) =>
      guarded(db, actor, "request:create", async () => {
        await requireRefs(
          db,
          [{ field: "personId", table: people, id: input.personId }, ...organisationRefs(input)],
          actor,
        );
        if (input.person && !input.allowDuplicate) await refuseLikelyDuplicates(db, input.person, actor);
        return write(db, actor, async (w) => (await insertRequests(w, [input]))[0]!, { idempotency });
      }),

    get: (id: string, actor: Actor) =>
      guarded(
        db,
        actor,
        "request:read",
        async () => (await withCharges([await getById(db, requests, "request", id, actor)], actor))[0]!,
      ),

    list: (query: ListRequests, actor: Actor) =>
      guarded(db, actor, "request:read", async () => {
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
          actor,
        );
        return { ...page, items: await withCharges(page.items, actor) };
      }),
  };
}
