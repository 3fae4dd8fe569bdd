/**
 * Reminders, lapses and notifications with a clock the test controls: a provisional arrest's 60-day
 * formal-request window raises its reminders on days 53, 57, 59 and 60 and the lapse on day 61, each
 * exactly once with two scheduler instances ticking at the same time (on a PostgreSQL server, two app
 * "processes": two connection pools of their own over one database); the notifications reach the users of
 * the role that must act, of the deadline's party, and nobody else; read and unread over the API and RLS.
 */
import { and, asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestApp, testApp } from "../../test/app.ts";
import { buildCase, transition } from "../../test/factories.ts";
import type { Role } from "../auth/roles.ts";
import { consoleActor } from "../auth/tokens.ts";
import { addDays } from "../cases/calendar.ts";
import { runDeadlineClock } from "../cases/deadline-clock.ts";
import { deadlineClockSeconds, loadConfig } from "../config.ts";
import { type Database, openDatabase } from "../db/client.ts";
import {
  cases,
  caseTransitions,
  deadlines,
  notifications,
  people,
  reminders,
  webhookDeliveries,
} from "../db/schema.ts";
import { type Services, services } from "../services.ts";
import { leadDue, parseLeadDays, rolesToAct } from "./rules.ts";

let t: TestApp;
let now = new Date();
const clock = () => now;
/** The second app process: its own services (on a server, its own pools) over the same database. */
let second: { s: Services; database?: Database };
const config = { DEATH_PENALTY_ASSURANCE_POLICY: "block", AMPARO_WINDOW: "ley-de-amparo" } as const;

const users: Record<string, { id: string; headers: { authorization: string } }> = {};
async function user(name: string, party: string, roles: Role[], agencyId: string) {
  const admin = consoleActor(party);
  const made = await t.s.admin.createUser({
    actor: admin,
    username: name,
    displayName: name,
    agencyId,
    roles,
  });
  const token = await t.s.tokens.create({
    actor: admin,
    name: `${name} token`,
    party,
    role: roles[0]!,
    userId: made.user.id,
  });
  users[name] = { id: made.user.id, headers: { authorization: `Bearer ${token.token}` } };
  return made.user;
}

beforeAll(async () => {
  t = await testApp({}, { clock });
  if (t.database.url) {
    const database = await openDatabase({ kind: "postgres", url: t.database.url, poolSize: 4 });
    second = { s: services(database, config, { clock }), database };
  } else {
    second = { s: services(t.database, config, { clock }) };
  }
  const mx = (await t.s.admin.createAgency({ actor: consoleActor("MX"), name: "SRE" })).id;
  const mxCourt = (await t.s.admin.createAgency({ actor: consoleActor("MX"), name: "Court" })).id;
  const us = (await t.s.admin.createAgency({ actor: consoleActor("US"), name: "DOJ" })).id;
  await user("liaison.one", "MX", ["foreign-ministry"], mx);
  await user("liaison.two", "MX", ["auditor", "foreign-ministry"], mx);
  const gone = await user("liaison.gone", "MX", ["foreign-ministry"], mx);
  await t.s.admin.disableUser({ actor: consoleActor("MX"), userId: gone.id });
  await user("judge.one", "MX", ["judge"], mxCourt);
  await user("planner.one", "MX", ["operations-planner"], mx);
  await user("us.liaison", "US", ["foreign-ministry"], us);
}, 120_000);
afterAll(async () => {
  await second?.database?.close();
  await t?.close();
});

describe("who must act, and when", () => {
  it("derives the acting roles from the legal tracks", () => {
    expect(rolesToAct("formal-request")).toEqual(["foreign-ministry"]);
    expect(rolesToAct("judicial-opinion")).toEqual(["judge"]);
    expect(rolesToAct("custody-window")).toEqual(["custody-officer", "foreign-ministry"]);
    expect(rolesToAct("amparo")).toEqual(["foreign-ministry", "judge", "prosecutor"]);
  });
  it("raises each lead in its own window, none after the due day", () => {
    const leads = parseLeadDays("7,3,1,0");
    const due = "2026-03-06";
    const byDaysLeft = [9, 8, 7, 6, 4, 3, 2, 1, 0, -1].map((left) =>
      leadDue(due, addDays(due, -left), leads),
    );
    expect(byDaysLeft).toEqual([null, null, 7, 7, 7, 3, 3, 1, 0, null]);
    expect(() => parseLeadDays("7,x")).toThrow(/whole numbers/);
  });
  it("runs in a production server by default, every 5 minutes; not in the embedded demo unless set", () => {
    expect(deadlineClockSeconds(loadConfig({ NODE_ENV: "production" }))).toBe(300);
    expect(deadlineClockSeconds(loadConfig({ NODE_ENV: "production", DEADLINE_CLOCK_INTERVAL_S: "0" }))).toBe(
      0,
    );
    expect(deadlineClockSeconds(loadConfig({}))).toBe(0);
    expect(deadlineClockSeconds(loadConfig({ DEADLINE_CLOCK_INTERVAL_S: "60" }))).toBe(60);
  });
});

describe("a provisional arrest's 60-day window", () => {
  it("raises reminders on days 53, 57, 59 and 60 and the lapse on day 61, once each with two processes", async () => {
    // An endpoint of MX: each reminder becomes one delivery to it.
    const hook = await t.app.inject({
      method: "POST",
      url: "/api/webhooks",
      headers: await t.as("admin"),
      payload: { url: "http://127.0.0.1:9/never", description: "MX operations desk" },
    });
    expect(hook.statusCode, hook.body).toBe(201);
    const c = await buildCase(t, { track: "treaty" });
    const day0 = addDays(new Date().toISOString().slice(0, 10), -1);
    expect(
      (
        await transition(t, c.id, "foreign-ministry", {
          transition: "request-provisional-arrest",
          legalBasis: "Treaty art. 11",
          occurredAt: `${day0}T08:00:00.000Z`,
        })
      ).statusCode,
    ).toBe(201);
    const detained = await transition(t, c.id, "judge", {
      transition: "detain-provisionally",
      legalBasis: "Treaty art. 11",
      occurredAt: `${day0}T09:00:00.000Z`,
    });
    expect(detained.statusCode, detained.body).toBe(201);
    const [deadline] = await t.database.db
      .select()
      .from(deadlines)
      .where(and(eq(deadlines.caseId, c.id), eq(deadlines.kind, "formal-request")));
    expect(deadline!.dueOn).toBe(addDays(day0, 60));

    // Days 50 to 63, twice a day, both processes at once.
    const raisedOn: Record<number, string[]> = {};
    for (let day = 50; day <= 63; day++) {
      for (const hour of ["06", "18"]) {
        now = new Date(`${addDays(day0, day)}T${hour}:00:00.000Z`);
        const runs = await Promise.all([runDeadlineClock(t.s, now), runDeadlineClock(second.s, now)]);
        for (const run of runs)
          for (const r of run.reminders.filter((x) => x.deadlineId === deadline!.id))
            raisedOn[day] = [...(raisedOn[day] ?? []), r.kind === "lapse" ? "lapse" : `${r.leadDays} days`];
      }
    }
    expect(raisedOn).toEqual({
      53: ["7 days"],
      57: ["3 days"],
      59: ["1 days"],
      60: ["0 days"],
      61: ["lapse"],
    });
    const rows = await t.database.db
      .select({ kind: reminders.kind, leadDays: reminders.leadDays, raisedOn: reminders.raisedOn })
      .from(reminders)
      .where(eq(reminders.deadlineId, deadline!.id))
      .orderBy(asc(reminders.raisedOn));
    expect(rows).toEqual([
      { kind: "reminder", leadDays: 7, raisedOn: addDays(day0, 53) },
      { kind: "reminder", leadDays: 3, raisedOn: addDays(day0, 57) },
      { kind: "reminder", leadDays: 1, raisedOn: addDays(day0, 59) },
      { kind: "reminder", leadDays: 0, raisedOn: addDays(day0, 60) },
      { kind: "lapse", leadDays: -1, raisedOn: addDays(day0, 61) },
    ]);
    // The lapse itself: one transition, by the clock, on day 61; the person released.
    const lapses = await t.database.db
      .select()
      .from(caseTransitions)
      .where(and(eq(caseTransitions.caseId, c.id), eq(caseTransitions.transition, "lapse-formal-request")));
    expect(lapses).toHaveLength(1);
    expect(lapses[0]!.actorId).toBe("system:deadline-clock");
    const [after] = await t.database.db.select().from(cases).where(eq(cases.id, c.id));
    expect(after!.state).toBe("released");

    // The foreign ministry acts on a formal request: its two active users of MX, five notifications each.
    const ids = rows.length;
    const byUser = async (name: string) =>
      (
        await t.database.db
          .select({ id: notifications.id })
          .from(notifications)
          .innerJoin(reminders, eq(notifications.reminderId, reminders.id))
          .where(and(eq(notifications.userId, users[name]!.id), eq(reminders.deadlineId, deadline!.id)))
      ).length;
    expect(await byUser("liaison.one")).toBe(ids);
    expect(await byUser("liaison.two")).toBe(ids);
    // Not the disabled one, not the judge or the planner, not the requesting state's liaison.
    for (const name of ["liaison.gone", "judge.one", "planner.one", "us.liaison"])
      expect(await byUser(name)).toBe(0);
    // One delivery per reminder to the MX endpoint, whichever process raised it.
    const deliveries = await t.database.db
      .select({ eventType: webhookDeliveries.eventType })
      .from(webhookDeliveries)
      .innerJoin(reminders, eq(webhookDeliveries.reminderId, reminders.id))
      .where(eq(reminders.deadlineId, deadline!.id));
    expect(deliveries.map((d) => d.eventType).sort()).toEqual([
      "deadline.lapsed",
      "deadline.reminder",
      "deadline.reminder",
      "deadline.reminder",
      "deadline.reminder",
    ]);
  }, 120_000);
});

describe("notifications over the API", () => {
  const list = async (name: string, query = "") => {
    const res = await t.app.inject({ url: `/api/notifications${query}`, headers: users[name]!.headers });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as {
      unread: number;
      items: { id: string; readAt: string | null; kind: string; leadDays: number | null; role: string }[];
      nextCursor: string | null;
    };
  };

  it("lists the caller's own, newest first, paged, and marks them read and unread", async () => {
    const mine = await list("liaison.one");
    expect(mine.unread).toBe(5);
    expect(mine.items.map((n) => n.leadDays)).toEqual([null, 0, 1, 3, 7]);
    expect(mine.items[0]).toMatchObject({ kind: "lapse", role: "foreign-ministry", readAt: null });
    const page = await list("liaison.one", "?limit=2");
    expect(page.items).toHaveLength(2);
    const rest = await list("liaison.one", `?limit=10&cursor=${page.nextCursor}`);
    expect([...page.items, ...rest.items].map((n) => n.id)).toEqual(mine.items.map((n) => n.id));

    now = new Date();
    const read = await t.app.inject({
      method: "POST",
      url: `/api/notifications/${mine.items[0]!.id}/read`,
      headers: users["liaison.one"]!.headers,
    });
    expect(read.statusCode, read.body).toBe(200);
    expect(read.json().readAt).toBe(now.toISOString());
    expect((await list("liaison.one")).unread).toBe(4);
    expect((await list("liaison.one", "?unread=true")).items.map((n) => n.id)).not.toContain(
      mine.items[0]!.id,
    );
    // Another's notification is not there for them: 404, and it stays unread.
    const other = (await list("liaison.two")).items[0]!;
    const refused = await t.app.inject({
      method: "POST",
      url: `/api/notifications/${other.id}/read`,
      headers: users["liaison.one"]!.headers,
    });
    expect(refused.statusCode).toBe(404);
    expect(refused.json().error.code).toBe("NOT_FOUND");
    expect((await list("liaison.two")).unread).toBe(5);
    // Unread again, then all read.
    const unread = await t.app.inject({
      method: "POST",
      url: `/api/notifications/${mine.items[0]!.id}/unread`,
      headers: users["liaison.one"]!.headers,
    });
    expect(unread.json().readAt).toBeNull();
    const all = await t.app.inject({
      method: "POST",
      url: "/api/notifications/read-all",
      headers: users["liaison.one"]!.headers,
    });
    expect(all.json()).toEqual({ marked: 5 });
    expect((await list("liaison.one")).unread).toBe(0);
    expect((await list("liaison.two")).unread).toBe(5);
  });

  it("shows nobody else's: the judge, the US liaison and a token of no user see none", async () => {
    expect((await list("judge.one")).items).toEqual([]);
    expect((await list("us.liaison")).items).toEqual([]);
    const res = await t.app.inject({ url: "/api/notifications", headers: await t.as("foreign-ministry") });
    expect(res.json()).toMatchObject({ unread: 0, items: [] });
  });

  it("counts as unread only what it lists: a notification whose person is out of reach is in neither", async () => {
    const before = await list("liaison.two");
    expect(before.unread).toBeGreaterThan(0);
    const [one] = await t.database.db
      .select({ personId: cases.personId, party: people.party, sharedWith: people.sharedWith })
      .from(notifications)
      .innerJoin(reminders, eq(notifications.reminderId, reminders.id))
      .innerJoin(cases, eq(reminders.caseId, cases.id))
      .innerJoin(people, eq(cases.personId, people.id))
      .where(eq(notifications.id, before.items[0]!.id));
    // The person is moved out of MX's reach (another party's, shared with nobody).
    await t.database.db
      .update(people)
      .set({ party: "US", sharedWith: [] })
      .where(eq(people.id, one!.personId));
    try {
      const after = await list("liaison.two");
      const unread = await list("liaison.two", "?unread=true&limit=500");
      expect(after.items.length).toBeLessThan(before.items.length);
      expect(after.unread).toBe(unread.items.length);
    } finally {
      await t.database.db
        .update(people)
        .set({ party: one!.party, sharedWith: one!.sharedWith })
        .where(eq(people.id, one!.personId));
    }
  });

  it("row-level security shows a user only their own notifications", async () => {
    const as = (name: string, party = "MX") =>
      t.database.scoped({ party, actorId: users[name]!.id }, () =>
        t.database.app.select({ userId: notifications.userId }).from(notifications),
      );
    const one = await as("liaison.one");
    expect(one.length).toBe(5);
    expect(new Set(one.map((r) => r.userId))).toEqual(new Set([users["liaison.one"]!.id]));
    expect(await as("judge.one")).toEqual([]);
    // The right id under another party's settings sees nothing either.
    expect(await as("liaison.one", "US")).toEqual([]);
  });
});
