/**
 * `traslado notifications` (a user's list, marking read) and `traslado webhooks` (a party's outgoing
 * webhooks and their deliveries), from the server's machine. The operator names the user or the party; a
 * webhook's secret is printed once on standard output, alone on its line.
 */
import { type Command, Option } from "commander";
import type { Role } from "../auth/roles.ts";
import { uuidArg } from "../cli/args.ts";
import type { CommandModule } from "../cli/context.ts";
import type { Services } from "../services.ts";

const withServices = async <T>(fn: (s: Services) => Promise<T>) =>
  (await import("../cli/context.ts")).withServices(fn);

const out = (line: string) => process.stdout.write(`${line}\n`);
const err = (line: string) => process.stderr.write(`${line}\n`);

function party(value: string): string {
  if (!/^[A-Z]{2}$/.test(value))
    throw new Error("--party: must be an ISO 3166-1 alpha-2 code such as MX or US");
  return value;
}
const partyOption = () =>
  new Option("--party <party>", "the state whose these are, e.g. MX or US").makeOptionMandatory();

/** The user, as the actor their session would be (their first role: notifications are theirs whatever the role). */
async function userActor(s: Services, o: { party: string; user: string }) {
  const { consoleActor } = await import("../auth/tokens.ts");
  const { actorOfUser } = await import("../auth/sessions.ts");
  const u = await s.admin.userNamed({ actor: consoleActor(party(o.party)), username: o.user });
  return actorOfUser({ id: u.id, displayName: u.displayName, party: u.party }, u.roles[0] as Role);
}

export const registerNotificationCommands: CommandModule = (program: Command) => {
  const n = program
    .command("notifications")
    .description("a user's notifications: reminders of the deadlines their role must act on");
  n.command("list", { isDefault: true })
    .description("list a user's notifications, newest first")
    .addOption(partyOption())
    .requiredOption("--user <username>", "the user")
    .option("--unread", "only those not read")
    .option("--limit <n>", "at most so many", "50")
    .option("--format <format>", "text or json", "text")
    .action((o: { party: string; user: string; unread?: boolean; limit: string; format: string }) =>
      withServices(async (s) => {
        const actor = await userActor(s, o);
        const list = await s.notifications.list({ unread: o.unread, limit: Number(o.limit) || 50 }, actor);
        if (o.format === "json") {
          out(JSON.stringify(list, null, 2));
          return;
        }
        err(`${list.unread} unread`);
        for (const x of list.items)
          out(
            `${x.id}  ${x.readAt ? "read  " : "UNREAD"}  ${x.deadline.dueOn}  ${x.kind === "lapse" ? "lapsed" : `${x.leadDays} day(s) left`}  ${x.deadline.kind}  ${x.person.name}  case ${x.case.id}`,
          );
      }),
    );
  n.command("read")
    .description("mark one notification (--id) or all of them (--all) read")
    .addOption(partyOption())
    .requiredOption("--user <username>", "the user")
    .option("--id <id>", "the notification")
    .option("--all", "every unread notification of the user")
    .action((o: { party: string; user: string; id?: string; all?: boolean }) =>
      withServices(async (s) => {
        if (!o.id === !o.all) throw new Error("give --id <id> or --all");
        const actor = await userActor(s, o);
        if (o.all) {
          err(`${(await s.notifications.markAllRead({ actor })).marked} marked read`);
          return;
        }
        await s.notifications.markRead({ id: uuidArg("--id", o.id!, "`notifications list`"), actor });
        err("marked read");
      }),
    );

  const w = program
    .command("webhooks")
    .description("a party's outgoing webhooks (Standard Webhooks, signed)");
  const admin = async (p: string) => (await import("../auth/tokens.ts")).consoleActor(party(p));
  w.command("add")
    .description("add an endpoint; prints its signing secret once")
    .addOption(partyOption())
    .requiredOption(
      "--url <url>",
      "https://… (http only for localhost outside production, or a host on WEBHOOK_ALLOW_HOSTS)",
    )
    .option("--description <text>", "what receives it", "")
    .action((o: { party: string; url: string; description: string }) =>
      withServices(async (s) => {
        const { ZCreateWebhook } = await import("./schemas.ts");
        const body = ZCreateWebhook.parse({ url: o.url, description: o.description });
        const made = await s.webhooks.create({ actor: await admin(o.party), ...body });
        out(made.secret);
        err(`webhook ${made.id} → ${made.url}; the secret above is not shown again`);
      }),
    );
  w.command("list")
    .description("list the party's endpoints")
    .addOption(partyOption())
    .action((o: { party: string }) =>
      withServices(async (s) => {
        for (const e of (await s.webhooks.list({ actor: await admin(o.party) })).items)
          out(`${e.id}  ${e.url}  ${e.description}`);
      }),
    );
  w.command("remove")
    .description("remove an endpoint (its pending deliveries are dropped)")
    .addOption(partyOption())
    .requiredOption("--id <id>", "the endpoint")
    .action((o: { party: string; id: string }) =>
      withServices(async (s) => {
        await s.webhooks.remove({
          actor: await admin(o.party),
          id: uuidArg("--id", o.id, "`webhooks list`"),
        });
        err(`webhook ${o.id} removed`);
      }),
    );
  w.command("deliveries")
    .description("an endpoint's deliveries and each attempt")
    .addOption(partyOption())
    .requiredOption("--id <id>", "the endpoint")
    .action((o: { party: string; id: string }) =>
      withServices(async (s) => {
        const list = await s.webhooks.deliveries({
          actor: await admin(o.party),
          id: uuidArg("--id", o.id, "`webhooks list`"),
          limit: 100,
        });
        for (const d of list.items) {
          out(`${d.id}  ${d.eventType}  ${d.status}${d.nextAttemptAt ? `  next ${d.nextAttemptAt}` : ""}`);
          for (const a of d.attempts)
            out(
              `  #${a.attempt} ${a.startedAt} ${a.durationMs} ms ${a.statusCode ?? "-"} ${a.error ?? "ok"}`,
            );
        }
      }),
    );
};
