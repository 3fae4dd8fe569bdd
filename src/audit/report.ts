/**
 * `traslado audit report`: who looked at or changed a person's record, or what one user did. It reads
 * the audit chain (changes, sign-ins, refusals, releases, exports) and the reads log (who read which
 * record by id), in the order they happened.
 *
 * A person's record is the person and every row that names them: affiliations, requests and their
 * charges, assurances, holds, decisions, cases with their transitions, deadlines and shared statuses,
 * places on operations, handovers and their confirmations. Lists are not counted as reading a person;
 * reads by id are.
 */
import { type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../db/client.ts";
import { notFound, validInput } from "../errors.ts";

export const ZReportQuery = z
  .object({
    /** An actor id, a username, or an actor's display name. */
    user: z.string().min(1).max(200).optional(),
    person: z.uuid().optional(),
    from: z.iso.date().optional(),
    to: z.iso.date().optional(),
    /** Only what actors of this party did. */
    party: z
      .string()
      .regex(/^[A-Z]{2}$/, "an ISO 3166-1 alpha-2 code such as MX")
      .optional(),
    limit: z.number().int().min(1).max(100_000).default(10_000),
  })
  .refine((q) => q.user !== undefined || q.person !== undefined, {
    message: "give --user, --person or both",
    path: ["user"],
  });
export type ReportQuery = z.input<typeof ZReportQuery>;

export interface ReportLine {
  at: string;
  party: string;
  actorId: string;
  actorName: string;
  /** `read`, or the audit event's kind (`case.updated`, `access.refused`, `sign_in.failed`…). */
  action: string;
  entity: string;
  entityId: string;
  /** For a read, the route; for a refusal, the permission and route. */
  detail: string | null;
}

/** The report's lines, oldest first. Run in the system's scope for every party, or an auditor's for one. */
export async function auditReport(db: Db, input: ReportQuery): Promise<ReportLine[]> {
  const q = validInput(ZReportQuery, input);
  // A person no record names is a mistake to say, not an empty report (as `traslado history person` says).
  if (q.person) {
    const found = await db.execute(sql`select 1 from people where id = ${q.person}`);
    if ((found as unknown as { rows: unknown[] }).rows.length === 0) throw notFound("person");
  }
  const from = q.from ? sql`${q.from}::date` : sql`'-infinity'::date`;
  // The whole last day counts.
  const to = q.to ? sql`${q.to}::date + 1` : sql`'infinity'::date`;
  const actors = q.user
    ? sql`(select ${q.user}::text union select id::text from users where username = ${q.user})`
    : null;
  const events = sql`select e.occurred_at as at, e.party, e.actor_id, e.actor_name, e.kind as action,
      e.entity, e.entity_id, case when e.entity = 'access' then concat_ws(' ', e.after->>'permission', e.after->>'route') end as detail
    from audit_events e
    where e.occurred_at >= ${from} and e.occurred_at < ${to}
      ${q.party ? sql`and e.party = ${q.party}` : sql``}
      ${actors ? sql`and (e.actor_id in ${actors} or e.actor_name = ${q.user})` : sql``}
      ${q.person ? sql`and ${aboutPerson(q.person, sql`select id from person_ids`)}` : sql``}`;
  const readsOf = sql`select r.at, r.party, r.actor_id, r.actor_name, 'read' as action, r.entity, r.entity_id, r.route as detail
    from reads r
    where r.at >= ${from} and r.at < ${to}
      ${q.party ? sql`and r.party = ${q.party}` : sql``}
      ${actors ? sql`and (r.actor_id in ${actors} or r.actor_name = ${q.user})` : sql``}
      ${q.person ? sql`and r.entity_id in (select id from person_ids)` : sql``}`;
  const personIds = q.person ? personIdsOf(q.person) : sql`select null::uuid as id where false`;
  const result = await db.execute(sql`
    with person_ids(id) as (${personIds})
    select * from (${events} union all ${readsOf}) x
    order by at, action
    limit ${q.limit}`);
  const rows = (result as unknown as { rows: Record<string, unknown>[] }).rows;
  return rows.map((r) => ({
    at: new Date(r.at as string | Date).toISOString(),
    party: String(r.party),
    actorId: String(r.actor_id),
    actorName: String(r.actor_name),
    action: String(r.action),
    entity: String(r.entity),
    entityId: String(r.entity_id),
    detail: r.detail == null ? null : String(r.detail),
  }));
}

/**
 * Whether the audit event `e` is about the person: an event of a row that names them (`ids`, a select of
 * their ids: `personIdsOf`), one whose image names them, or a refusal of a call on such a row.
 */
export function aboutPerson(person: string, ids: SQL) {
  return sql`(e.entity_id in (${ids}) or coalesce(e.after, e.before)->>'personId' = ${person} or (e.entity = 'access' and e.after->>'targetId' in (select id::text from (${ids}) ids)))`;
}

/** The ids of every row that names the person (see the module's comment). */
export function personIdsOf(person: string) {
  const p = sql`${person}::uuid`;
  return sql`
    select ${p}
    union all select id from affiliations where person_id = ${p}
    union all select id from requests where person_id = ${p}
    union all select c.id from charges c join requests r on r.id = c.request_id where r.person_id = ${p}
    union all select id from assurances where person_id = ${p}
    union all select id from legal_holds where person_id = ${p}
    union all select id from decisions where person_id = ${p}
    union all select id from operation_people where person_id = ${p}
    union all select id from cases where person_id = ${p}
    union all select t.id from case_transitions t join cases c on c.id = t.case_id where c.person_id = ${p}
    union all select d.id from deadlines d join cases c on c.id = d.case_id where c.person_id = ${p}
    union all select s.id from case_statuses s join cases c on c.id = s.case_id where c.person_id = ${p}
    union all select id from handovers where person_id = ${p}
    union all select hc.id from handover_confirmations hc join handovers h on h.id = hc.handover_id where h.person_id = ${p}`;
}

/** The report as text: one line per event, oldest first. */
export function reportText(lines: ReportLine[]): string {
  if (lines.length === 0) return "nothing recorded\n";
  return `${lines
    .map(
      (l) =>
        `${l.at}  ${l.party}  ${l.actorName} (${l.actorId})  ${l.action}  ${l.entity} ${l.entityId}${l.detail ? `  ${l.detail}` : ""}`,
    )
    .join("\n")}\n`;
}
