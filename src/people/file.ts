/**
 * A person's file (`GET /api/people/{id}/file`): everything the web app's person page shows, in one read —
 * who they are, their affiliations, requests with charges, cases, operations and handovers, and one
 * timeline of what happened to them, newest first.
 *
 * Each part is read as its own list would read it: only when the reader's role holds the part's read
 * permission, and only rows of the reader's party or shared with it (row-level security says the same
 * underneath). So a requesting state sees its requests, the statuses the sending state shares with it, the
 * releases of operations and the handovers — never the cases, decisions or holds of the sending state.
 */
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { guarded } from "../auth/access.ts";
import { allows, type Permission } from "../auth/permissions.ts";
import type { Actor } from "../auth/roles.ts";
import type { Db } from "../db/client.ts";
import { getById, inOrder, visible } from "../db/query.ts";
import {
  affiliations,
  caseStatuses,
  cases,
  caseTransitions,
  charges,
  decisions,
  handovers,
  legalHolds,
  operationPeople,
  operations,
  organisations,
  people,
  releases,
  requests,
} from "../db/schema.ts";

export interface TimelineEntry {
  occurredAt: string;
  recordedAt: string;
  kind: string;
  summary: string;
  link: { entity: string; id: string };
}

/** A calendar day as the moment it starts (UTC), so days and times sort together. */
const startOf = (day: string) => `${day}T00:00:00.000Z`;
const iso = (d: Date) => d.toISOString();
const words = (s: string) => s.replaceAll("-", " ");

export function personFileReader(db: Db) {
  return (id: string, actor: Actor) =>
    guarded(db, actor, "person:read", async () => {
      const person = await getById(db, people, "person", id, actor);
      const may = (p: Permission) => allows(actor.role, p);
      /** A part the reader's role may not read is read as nothing, without a statement. */
      const part = <T>(p: Permission, q: PromiseLike<T[]>): PromiseLike<T[]> | T[] => (may(p) ? q : []);

      const [affs, requestRows, caseRows, decisionRows, holdRows, listings, releaseRows, handoverRows] =
        await inOrder([
          db
            .select({
              affiliation: affiliations,
              // An organisation's name only where the reader may read organisations, and this one.
              organisation: may("organisation:read")
                ? sql<
                    string | null
                  >`(select o.name from ${organisations} o where o.id = ${affiliations.organisationId} and (o.party = ${actor.party} or o.shared_with ?| array[${actor.party}, '*']))`
                : sql<null>`null`,
            })
            .from(affiliations)
            .where(and(eq(affiliations.personId, id), visible(affiliations, actor)))
            .orderBy(asc(affiliations.id)),
          part(
            "request:read",
            db
              .select()
              .from(requests)
              .where(and(eq(requests.personId, id), visible(requests, actor)))
              .orderBy(asc(requests.id)),
          ),
          part(
            "case:read",
            db
              .select()
              .from(cases)
              .where(and(eq(cases.personId, id), visible(cases, actor)))
              .orderBy(asc(cases.id)),
          ),
          part(
            "decision:read",
            db
              .select()
              .from(decisions)
              .where(and(eq(decisions.personId, id), visible(decisions, actor))),
          ),
          part(
            "hold:read",
            db
              .select()
              .from(legalHolds)
              .where(and(eq(legalHolds.personId, id), visible(legalHolds, actor))),
          ),
          part(
            "operation:read",
            db
              .select({ listing: operationPeople, operation: operations })
              .from(operationPeople)
              .innerJoin(
                operations,
                and(eq(operations.id, operationPeople.operationId), visible(operations, actor)),
              )
              .where(and(eq(operationPeople.personId, id), visible(operationPeople, actor)))
              .orderBy(asc(operations.operationDate)),
          ),
          part(
            "release:read",
            db
              .select()
              .from(releases)
              .where(
                and(
                  sql`${releases.people} @> ${JSON.stringify([{ personId: id }])}::jsonb`,
                  visible(releases, actor),
                ),
              )
              .orderBy(asc(releases.id)),
          ),
          part(
            "handover:read",
            db
              .select()
              .from(handovers)
              .where(and(eq(handovers.personId, id), visible(handovers, actor))),
          ),
        ] as const);
      const requestIds = requestRows.map((r) => r.id);
      const caseIds = caseRows.map((c) => c.id);
      const [chargeRows, statusRows, transitionRows] = await inOrder([
        requestIds.length > 0
          ? db
              .select()
              .from(charges)
              .where(and(inArray(charges.requestId, requestIds), visible(charges, actor)))
              .orderBy(asc(charges.id))
          : [],
        // The status of each request's case as its owner shares it (the requesting state's only view of it).
        requestIds.length > 0
          ? db
              .select()
              .from(caseStatuses)
              .where(and(inArray(caseStatuses.requestId, requestIds), visible(caseStatuses, actor)))
          : [],
        caseIds.length > 0
          ? db
              .select()
              .from(caseTransitions)
              .where(and(inArray(caseTransitions.caseId, caseIds), visible(caseTransitions, actor)))
          : [],
      ] as const);
      // A release supersedes an earlier one of the same operation: the reader is told the latest.
      const latestRelease = new Map<string, (typeof releaseRows)[number]>();
      for (const r of releaseRows) latestRelease.set(r.operationId, r);
      // The destination a listing or a release gives the person.
      const releasedTo = (r: (typeof releaseRows)[number]) =>
        r.people.find((p) => p.personId === id)?.destination ?? null;

      const timeline: TimelineEntry[] = [
        {
          occurredAt: iso(person.recordedAt),
          recordedAt: iso(person.recordedAt),
          kind: "person.recorded",
          summary: `${person.givenNames} ${person.familyNames} recorded`,
          link: { entity: "person", id },
        },
        ...affs.map(({ affiliation: a, organisation }) => ({
          occurredAt: a.fromOn ? startOf(a.fromOn) : iso(a.recordedAt),
          recordedAt: iso(a.recordedAt),
          kind: "affiliation.recorded",
          summary: `affiliated with ${organisation ?? "an organisation"}${a.role ? ` (${a.role})` : ""}`,
          link: { entity: "affiliation", id: a.id },
        })),
        ...requestRows.map((r) => ({
          occurredAt: startOf(r.receivedOn ?? r.sentOn ?? r.recordedAt.toISOString().slice(0, 10)),
          recordedAt: iso(r.recordedAt),
          kind: "request.received",
          summary: `${words(r.type)} request from ${r.requestingState} (${r.requestingAgency})`,
          link: { entity: "request", id: r.id },
        })),
        ...statusRows.map((s) => ({
          occurredAt: startOf(s.since),
          recordedAt: iso(s.recordedAt),
          kind: "status.shared",
          summary: `status: ${s.status}`,
          link: { entity: "request", id: s.requestId },
        })),
        ...caseRows.map((c) => ({
          occurredAt: startOf(c.openedOn),
          recordedAt: iso(c.recordedAt),
          kind: "case.opened",
          summary: `${c.track} case opened`,
          link: { entity: "case", id: c.id },
        })),
        ...transitionRows.map((t) => ({
          occurredAt: iso(t.occurredAt),
          recordedAt: iso(t.recordedAt),
          kind: "case.transition",
          summary: `${words(t.transition)}: ${words(t.fromState)} → ${words(t.toState)}`,
          link: { entity: "case", id: t.caseId },
        })),
        ...decisionRows.map((d) => ({
          occurredAt: startOf(d.decidedOn),
          recordedAt: iso(d.recordedAt),
          kind: "decision",
          summary: `${words(d.body)}: ${words(d.outcome)} (${d.legalBasis})`,
          link: { entity: "decision", id: d.id },
        })),
        ...holdRows.flatMap((h) => [
          {
            occurredAt: startOf(h.filedOn),
            recordedAt: iso(h.recordedAt),
            kind: "hold.filed",
            summary: `${words(h.kind)} filed (${h.source})`,
            link: { entity: "legal_hold", id: h.id },
          },
          ...(h.liftedOn
            ? [
                {
                  occurredAt: startOf(h.liftedOn),
                  recordedAt: iso(h.recordedAt),
                  kind: "hold.lifted",
                  summary: `${words(h.kind)} lifted`,
                  link: { entity: "legal_hold", id: h.id },
                },
              ]
            : []),
        ]),
        ...listings.flatMap(({ listing: l, operation: o }) => [
          {
            occurredAt: iso(l.recordedAt),
            recordedAt: iso(l.recordedAt),
            kind: "operation.listed",
            summary: `listed on operation ${o.code} (${o.operationDate}) to ${l.destinationAirport}`,
            link: { entity: "operation", id: o.id },
          },
          ...(l.removedAt
            ? [
                {
                  occurredAt: iso(l.removedAt),
                  recordedAt: iso(l.recordedAt),
                  kind: "operation.removed",
                  summary: `removed from operation ${o.code}${l.removalReason ? `: ${l.removalReason}` : ""}`,
                  link: { entity: "operation", id: o.id },
                },
              ]
            : []),
        ]),
        ...[...latestRelease.values()].map((r) => ({
          occurredAt: iso(r.recordedAt),
          recordedAt: iso(r.recordedAt),
          kind: "operation.released",
          summary: `operation ${r.operationCode} (${r.operationDate}) released: to ${releasedTo(r) ?? "?"}`,
          link: { entity: "release", id: r.id },
        })),
        // A corrected handover stays in the record beside the one that corrected it: one handover, said once.
        ...handoverRows.map((h) => ({
          occurredAt: iso(h.occurredAt),
          recordedAt: iso(h.recordedAt),
          kind: h.supersededBy ? "handover.superseded" : "handover",
          summary: h.supersededBy
            ? `handover record at ${h.place} to ${h.receivingAgency}, corrected by a later record`
            : `handed over at ${h.place} to ${h.receivingAgency}`,
          link: { entity: "handover", id: h.id },
        })),
      ];
      timeline.sort(
        (a, b) => b.occurredAt.localeCompare(a.occurredAt) || b.recordedAt.localeCompare(a.recordedAt),
      );

      return {
        person: {
          id: person.id,
          party: person.party,
          version: person.version,
          givenNames: person.givenNames,
          familyNames: person.familyNames,
          aliases: person.aliases,
          dateOfBirth: person.dateOfBirth,
          nationalities: person.nationalities,
          identifiers: person.identifiers,
          photoRef: person.photoRef,
          riskFlags: person.riskFlags,
          custodyFacility: person.custodyFacility,
          custodySince: person.custodySince,
          fictional: person.fictional,
        },
        affiliations: affs.map(({ affiliation: a, organisation }) => ({
          id: a.id,
          organisationId: a.organisationId,
          organisationName: organisation,
          role: a.role,
          fromOn: a.fromOn,
          toOn: a.toOn,
          primary: a.primary,
        })),
        requests: requestRows.map((r) => ({
          id: r.id,
          requestingState: r.requestingState,
          requestingAgency: r.requestingAgency,
          type: r.type,
          receivedOn: r.receivedOn,
          district: r.district,
          courtCaseNumber: r.courtCaseNumber,
          caseStatus: statusRows.find((s) => s.requestId === r.id)?.status ?? null,
          charges: chargeRows
            .filter((c) => c.requestId === r.id)
            .map((c) => ({
              id: c.id,
              statute: c.statute,
              description: c.description,
              maximumPenalty: c.maximumPenalty,
              capitalEligible: c.capitalEligible,
            })),
        })),
        cases: caseRows.map((c) => ({
          id: c.id,
          track: c.track,
          state: c.state,
          requestId: c.requestId,
          operationId: c.operationId,
          openedOn: c.openedOn,
          openRisks: c.openRisks,
        })),
        operations: [
          ...listings.map(({ listing: l, operation: o }) => ({
            id: o.id,
            code: o.code,
            operationDate: o.operationDate,
            status: o.status,
            destination: l.destinationAirport as string | null,
            removed: l.removedAt !== null,
          })),
          // A requesting state knows an operation only from what was released to it.
          ...[...latestRelease.values()]
            .filter((r) => !listings.some((l) => l.operation.id === r.operationId))
            .map((r) => ({
              id: r.operationId,
              code: r.operationCode,
              operationDate: r.operationDate,
              status: r.status,
              destination: releasedTo(r),
              removed: false,
            })),
        ],
        handovers: handoverRows.map((h) => ({
          id: h.id,
          operationId: h.operationId,
          caseId: h.caseId,
          place: h.place,
          occurredAt: iso(h.occurredAt),
          receivingAgency: h.receivingAgency,
          condition: h.condition,
          supersededBy: h.supersededBy,
        })),
        timeline,
      };
    });
}
