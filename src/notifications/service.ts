/**
 * Reminders and notifications (issue 12). `raise(now)` is one run of the scheduler: for each open deadline
 * whose reminder window `now` falls in (`rules.ts` `leadDue`), and each deadline that lapsed lately, it
 * records the reminder once — a unique key (deadline × kind × lead) decides which app process raises it —
 * and in the same transaction a notification for each user of the deadline's party who holds a role that
 * must act on it (`rolesToAct`), and a webhook delivery for each of the party's endpoints.
 */
import { and, asc, count, desc, eq, gte, inArray, isNull, lt, lte, sql } from "drizzle-orm";
import { v7 as uuidv7 } from "uuid";
import { asSystem, guarded } from "../auth/access.ts";
import type { Actor, Role } from "../auth/roles.ts";
import { addDays, toIsoDate } from "../cases/calendar.ts";
import type { DeadlineKind } from "../cases/deadlines.ts";
import type { CaseState, Track } from "../cases/workflow.ts";
import type { Db } from "../db/client.ts";
import { toCount } from "../db/client.ts";
import {
  cases,
  deadlines,
  notifications,
  people,
  reminders,
  users,
  webhookDeliveries,
  webhookEndpoints,
} from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { leadDue, rolesToAct } from "./rules.ts";

/** What a reminder or a lapse notice says of its deadline. */
const deadlineFields = {
  deadlineId: deadlines.id,
  caseId: deadlines.caseId,
  party: deadlines.party,
  deadlineKind: deadlines.kind,
  dueOn: deadlines.dueOn,
};

/** Lapses closed this many days ago or less are still notified (a scheduler down for a day catches up). */
const LAPSE_NOTICE_DAYS = 2;

export interface NotificationSettings {
  /** REMINDER_LEAD_DAYS, largest first. */
  leadDays: readonly number[];
  clock: () => Date;
}

export interface ListNotifications {
  unread?: boolean | undefined;
  limit: number;
  cursor?: string | undefined;
}

/** What a webhook receives: no person's name, only the record's ids (the receiver reads the rest, if allowed). */
export interface ReminderEvent {
  type: "deadline.reminder" | "deadline.lapsed";
  timestamp: string;
  data: {
    reminderId: string;
    party: string;
    caseId: string;
    deadlineId: string;
    deadlineKind: string;
    dueOn: string;
    leadDays: number | null;
    rolesToAct: string[];
  };
}

interface Candidate {
  deadlineId: string;
  caseId: string;
  party: string;
  deadlineKind: string;
  dueOn: string;
  kind: "reminder" | "lapse";
  leadDays: number;
}

export function notificationService(db: Db, settings: NotificationSettings) {
  const maxLead = Math.max(0, ...settings.leadDays);

  /** Records one reminder and its notifications and deliveries, unless another run did: then nothing. */
  async function raiseOne(c: Candidate, now: Date) {
    return db.transaction(async (tx) => {
      // The deadline as it is now, locked against its being met or lapsed until this commits: a deadline met
      // since the candidates were read gets no reminder (nor a lapse notice one no longer lapsed).
      const [deadline] = await tx
        .select({ status: deadlines.status })
        .from(deadlines)
        .where(eq(deadlines.id, c.deadlineId))
        .for("share");
      if (deadline?.status !== (c.kind === "lapse" ? "lapsed" : "open")) return null;
      const [reminder] = await tx
        .insert(reminders)
        .values({
          id: uuidv7(),
          party: c.party,
          deadlineId: c.deadlineId,
          caseId: c.caseId,
          kind: c.kind,
          leadDays: c.leadDays,
          deadlineKind: c.deadlineKind,
          dueOn: c.dueOn,
          raisedOn: toIsoDate(now),
          raisedAt: now,
        })
        .onConflictDoNothing()
        .returning({ id: reminders.id });
      if (!reminder) return null;
      const acting = rolesToAct(c.deadlineKind);
      const recipients = (
        await tx
          .select({ id: users.id, roles: users.roles })
          .from(users)
          .where(and(eq(users.party, c.party), isNull(users.disabledAt)))
      ).flatMap((u) => {
        const role = acting.find((r) => u.roles.includes(r));
        return role ? [{ id: u.id, role }] : [];
      });
      if (recipients.length > 0)
        await tx.insert(notifications).values(
          recipients.map((u) => ({
            id: uuidv7(),
            party: c.party,
            userId: u.id,
            reminderId: reminder.id,
            role: u.role,
            createdAt: now,
          })),
        );
      const endpoints = await tx
        .select({ id: webhookEndpoints.id })
        .from(webhookEndpoints)
        .where(and(eq(webhookEndpoints.party, c.party), isNull(webhookEndpoints.removedAt)));
      const event: ReminderEvent = {
        type: c.kind === "lapse" ? "deadline.lapsed" : "deadline.reminder",
        timestamp: now.toISOString(),
        data: {
          reminderId: reminder.id,
          party: c.party,
          caseId: c.caseId,
          deadlineId: c.deadlineId,
          deadlineKind: c.deadlineKind,
          dueOn: c.dueOn,
          leadDays: c.kind === "lapse" ? null : c.leadDays,
          rolesToAct: acting,
        },
      };
      if (endpoints.length > 0)
        await tx.insert(webhookDeliveries).values(
          endpoints.map((e) => ({
            id: uuidv7(),
            party: c.party,
            endpointId: e.id,
            reminderId: reminder.id,
            eventType: event.type,
            payload: event,
            status: "pending",
            nextAttemptAt: now,
            createdAt: now,
          })),
        );
      return { reminderId: reminder.id, notified: recipients.length, deliveries: endpoints.length };
    });
  }

  return {
    /**
     * One run of the scheduler at `now`: the reminders and lapse notices due, each raised once across
     * every process and run. Answers what this run raised (another process may have raised the rest).
     */
    raise: (now = settings.clock()) =>
      asSystem(db, async () => {
        const today = toIsoDate(now);
        const open = await db
          .select(deadlineFields)
          .from(deadlines)
          .where(
            and(
              eq(deadlines.status, "open"),
              gte(deadlines.dueOn, today),
              lte(deadlines.dueOn, addDays(today, maxLead)),
            ),
          )
          .orderBy(asc(deadlines.dueOn), asc(deadlines.id));
        const lapsed = await db
          .select(deadlineFields)
          .from(deadlines)
          .where(
            and(
              eq(deadlines.status, "lapsed"),
              gte(deadlines.closedOn, addDays(today, -LAPSE_NOTICE_DAYS)),
              lte(deadlines.closedOn, today),
            ),
          )
          .orderBy(asc(deadlines.id));
        const candidates: Candidate[] = [
          ...open.flatMap((d) => {
            const lead = leadDue(d.dueOn, today, settings.leadDays);
            return lead === null ? [] : [{ ...d, kind: "reminder" as const, leadDays: lead }];
          }),
          ...lapsed.map((d) => ({ ...d, kind: "lapse" as const, leadDays: -1 })),
        ];
        const raised: { reminderId: string; deadlineId: string; kind: string; leadDays: number }[] = [];
        for (const c of candidates) {
          const out = await raiseOne(c, now);
          if (out)
            raised.push({
              reminderId: out.reminderId,
              deadlineId: c.deadlineId,
              kind: c.kind,
              leadDays: c.leadDays,
            });
        }
        return { asOf: today, raised };
      }),

    /** The caller's notifications, newest first, with read/unread; `unread` counts all of theirs unread. */
    list: (query: ListNotifications, actor: Actor) =>
      guarded(db, actor, "notification:read", async () => {
        const mine = and(eq(notifications.userId, actor.id), eq(notifications.party, actor.party));
        const rows = isUuid(actor.id)
          ? await db
              .select({
                n: notifications,
                r: reminders,
                caseState: cases.state,
                track: cases.track,
                personId: cases.personId,
                givenNames: people.givenNames,
                familyNames: people.familyNames,
              })
              .from(notifications)
              .innerJoin(reminders, eq(notifications.reminderId, reminders.id))
              .innerJoin(cases, eq(reminders.caseId, cases.id))
              .innerJoin(people, eq(cases.personId, people.id))
              .where(
                and(
                  mine,
                  query.unread ? isNull(notifications.readAt) : undefined,
                  query.cursor ? lt(notifications.id, query.cursor) : undefined,
                ),
              )
              .orderBy(desc(notifications.id))
              .limit(query.limit + 1)
          : [];
        const unread = isUuid(actor.id)
          ? toCount(
              // Through the list's joins: a notification whose case or person is out of the caller's reach
              // (row-level security) is neither listed nor counted, so the two agree.
              (
                await db
                  .select({ n: count() })
                  .from(notifications)
                  .innerJoin(reminders, eq(notifications.reminderId, reminders.id))
                  .innerJoin(cases, eq(reminders.caseId, cases.id))
                  .innerJoin(people, eq(cases.personId, people.id))
                  .where(and(mine, isNull(notifications.readAt)))
              )[0]?.n,
            )
          : 0;
        const more = rows.length > query.limit;
        const page = more ? rows.slice(0, query.limit) : rows;
        return {
          unread,
          items: page.map((x) => ({
            id: x.n.id,
            party: x.n.party,
            sharedWith: [] as string[],
            kind: x.r.kind as "reminder" | "lapse",
            role: x.n.role as Role,
            leadDays: x.r.kind === "lapse" ? null : x.r.leadDays,
            createdAt: x.n.createdAt.toISOString(),
            readAt: x.n.readAt ? x.n.readAt.toISOString() : null,
            deadline: { id: x.r.deadlineId, kind: x.r.deadlineKind as DeadlineKind, dueOn: x.r.dueOn },
            case: { id: x.r.caseId, state: x.caseState as CaseState, track: x.track as Track },
            person: { id: x.personId, name: `${x.givenNames} ${x.familyNames}` },
          })),
          nextCursor: more ? page[page.length - 1]!.n.id : null,
        };
      }),

    /** Marks one of the caller's notifications read (again: no change); another's answers 404. */
    markRead: (o: { id: string; actor: Actor; read?: boolean }) =>
      guarded(db, o.actor, "notification:read", async () => {
        const [row] = isUuid(o.actor.id)
          ? await db
              .update(notifications)
              .set({
                readAt: o.read === false ? null : sql`coalesce(${notifications.readAt}, ${settings.clock()})`,
              })
              .where(
                and(
                  eq(notifications.id, o.id),
                  eq(notifications.userId, o.actor.id),
                  eq(notifications.party, o.actor.party),
                ),
              )
              .returning({ id: notifications.id, readAt: notifications.readAt })
          : [];
        if (!row)
          throw new AppError("NOT_FOUND", `notification ${o.id} not found`, {
            entity: "notification",
            id: o.id,
          });
        return { id: row.id, readAt: row.readAt ? row.readAt.toISOString() : null };
      }),

    /** Marks all the caller's unread notifications read; answers how many. */
    markAllRead: (o: { actor: Actor }) =>
      guarded(db, o.actor, "notification:read", async () => {
        if (!isUuid(o.actor.id)) return { marked: 0 };
        const rows = await db
          .update(notifications)
          .set({ readAt: settings.clock() })
          .where(
            and(
              eq(notifications.userId, o.actor.id),
              eq(notifications.party, o.actor.party),
              isNull(notifications.readAt),
            ),
          )
          .returning({ id: notifications.id });
        return { marked: rows.length };
      }),

    /** The ids of a user's notifications, for the CLI (`traslado notifications --user NAME`). */
    recipients: (reminderIds: string[]) =>
      asSystem(db, () =>
        reminderIds.length === 0
          ? Promise.resolve([])
          : db
              .select({
                reminderId: notifications.reminderId,
                userId: notifications.userId,
                role: notifications.role,
              })
              .from(notifications)
              .where(inArray(notifications.reminderId, reminderIds)),
      ),
  };
}

/** A signed-in user's actor id is their user id; a token's or the console's is not, and has no notifications. */
const isUuid = (s: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);
