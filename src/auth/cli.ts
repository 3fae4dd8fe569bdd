/**
 * Administration from the server's machine (issue 10, part 7): `traslado agency`, `user`, `session` and
 * `token`. The operator acts as an administrator of the party each command names (`--party`). A password
 * or token made here is printed once on standard output, alone on its line; everything else goes to
 * standard error. The first administrator comes from `traslado user create --admin`: there is no default
 * account and no default password.
 */
import { type Command, Option } from "commander";
import { badArg, uuidArg } from "../cli/args.ts";
import type { CommandModule } from "../cli/context.ts";
import type { Services } from "../services.ts";
import { type Role, roles } from "./roles.ts";

const withServices = async <T>(fn: (s: Services) => Promise<T>) =>
  (await import("../cli/context.ts")).withServices(fn);

const out = (line: string) => process.stdout.write(`${line}\n`);
const err = (line: string) => process.stderr.write(`${line}\n`);

function party(value: string): string {
  if (!/^[A-Z]{2}$/.test(value))
    throw badArg("--party", "must be an ISO 3166-1 alpha-2 code such as MX or US");
  return value;
}

const partyOption = () =>
  new Option("--party <party>", "the state whose accounts these are, e.g. MX or US").makeOptionMandatory();

const id = (value: string) => uuidArg("--id", value, "the list command");

async function admin(p: string) {
  const { consoleActor } = await import("./tokens.ts");
  return consoleActor(party(p));
}

export const registerAccessCommands: CommandModule = (program: Command) => {
  const agency = program.command("agency").description("agencies of a party (users belong to one)");
  agency
    .command("create")
    .description("create an agency")
    .addOption(partyOption())
    .requiredOption("--name <name>", "e.g. 'Secretaría de Relaciones Exteriores'")
    .action((o: { party: string; name: string }) =>
      withServices(async (s) => {
        const a = await s.admin.createAgency({ actor: await admin(o.party), name: o.name });
        out(a.id);
        err(`agency ${a.name} (${a.party})`);
      }),
    );
  agency
    .command("list")
    .description("list the agencies of a party")
    .addOption(partyOption())
    .action((o: { party: string }) =>
      withServices(async (s) => {
        for (const a of (await s.admin.listAgencies({ actor: await admin(o.party) })).items)
          out(`${a.id}  ${a.name}`);
      }),
    );

  const user = program.command("user").description("people who sign in");
  user
    .command("create")
    .description("create a user with a generated password, printed once (the first administrator: --admin)")
    .addOption(partyOption())
    .requiredOption("--username <username>", "the name to sign in with")
    .requiredOption("--agency <agency>", "the agency's name (created if the party has none of that name)")
    .option("--display-name <name>", "the name the record shows (default: the username)")
    .addOption(
      new Option("--role <roles...>", "one or more roles").choices(roles.filter((r) => r !== "system")),
    )
    .option("--admin", "an administrator of the party (adds the admin role)")
    .action(
      (o: {
        party: string;
        username: string;
        agency: string;
        displayName?: string;
        role?: Role[];
        admin?: boolean;
      }) =>
        withServices(async (s) => {
          const actor = await admin(o.party);
          const chosen = [...(o.role ?? []), ...(o.admin ? (["admin"] as const) : [])];
          if (chosen.length === 0) throw new Error("--role: at least one role (or --admin)");
          let a = await s.admin.agencyNamed({ actor, name: o.agency });
          if (!a) {
            a = await s.admin.createAgency({ actor, name: o.agency });
            err(`agency ${a.name} (${a.party}) created`);
          }
          const made = await s.admin.createUser({
            actor,
            username: o.username,
            displayName: o.displayName ?? o.username,
            agencyId: a.id,
            roles: chosen,
          });
          out(made.password!);
          err(
            `user ${made.user.username} (${made.user.roles.join(", ")}, ${made.user.party}, ${a.name}); the password above is not shown again`,
          );
        }),
    );
  user
    .command("list")
    .description("list the users of a party")
    .addOption(partyOption())
    .action((o: { party: string }) =>
      withServices(async (s) => {
        for (const u of (await s.admin.listUsers({ actor: await admin(o.party) })).items)
          out(
            `${u.id}  ${u.username.padEnd(24)} ${u.roles.join(",").padEnd(30)} ${u.disabledAt ? `disabled ${u.disabledAt}` : ""}`.trimEnd(),
          );
      }),
    );
  const byName = (name: string, description: string) =>
    user
      .command(name)
      .description(description)
      .addOption(partyOption())
      .requiredOption("--username <username>", "the user");
  const userOf = async (s: Services, o: { party: string; username: string }) => {
    const actor = await admin(o.party);
    return { actor, user: await s.admin.userNamed({ actor, username: o.username }) };
  };
  byName("grant", "grant a role")
    .addOption(new Option("--role <role>", "the role").choices(roles).makeOptionMandatory())
    .action((o: { party: string; username: string; role: Role }) =>
      withServices(async (s) => {
        const { actor, user: u } = await userOf(s, o);
        const after = await s.admin.grantRole({ actor, userId: u.id, role: o.role });
        err(`${after.username}: ${after.roles.join(", ")}`);
      }),
    );
  byName("revoke", "revoke a role (the user's sessions in it end)")
    .addOption(new Option("--role <role>", "the role").choices(roles).makeOptionMandatory())
    .action((o: { party: string; username: string; role: Role }) =>
      withServices(async (s) => {
        const { actor, user: u } = await userOf(s, o);
        const after = await s.admin.revokeRole({ actor, userId: u.id, role: o.role });
        err(`${after.username}: ${after.roles.join(", ")}`);
      }),
    );
  byName(
    "reset-password",
    "give the user a new generated password, printed once (their sessions end)",
  ).action((o: { party: string; username: string }) =>
    withServices(async (s) => {
      const { actor, user: u } = await userOf(s, o);
      const reset = await s.admin.resetPassword({ actor, userId: u.id });
      out(reset.password);
      err(`new password for ${u.username}; it is not shown again`);
    }),
  );
  byName("reset-totp", "remove the user's TOTP (a lost phone): they enrol again").action(
    (o: { party: string; username: string }) =>
      withServices(async (s) => {
        const { actor, user: u } = await userOf(s, o);
        await s.admin.resetTotp({ actor, userId: u.id });
        err(`${u.username}: TOTP removed`);
      }),
  );
  byName("disable", "disable the user (their sessions end, their tokens stop working)").action(
    (o: { party: string; username: string }) =>
      withServices(async (s) => {
        const { actor, user: u } = await userOf(s, o);
        await s.admin.disableUser({ actor, userId: u.id });
        err(`${u.username}: disabled`);
      }),
  );

  const session = program.command("session").description("signed-in sessions");
  session
    .command("list")
    .description("list the live sessions of a party (--all: ended ones too)")
    .addOption(partyOption())
    .option("--username <username>", "only this user's")
    .option("--all", "ended sessions too")
    .action((o: { party: string; username?: string; all?: boolean }) =>
      withServices(async (s) => {
        const actor = await admin(o.party);
        const userId = o.username ? (await s.admin.userNamed({ actor, username: o.username })).id : undefined;
        for (const x of (await s.sessions.list({ actor, userId, active: !o.all })).items)
          out(
            `${x.id}  ${x.username.padEnd(24)} ${x.role.padEnd(20)} last seen ${x.lastSeenAt}  ${x.active ? "live" : "ended"}  ${x.address ?? ""}`.trimEnd(),
          );
      }),
    );
  session
    .command("revoke")
    .description("end a session at once")
    .addOption(partyOption())
    .requiredOption("--id <id>", "the session's id (from `session list`)")
    .action((o: { party: string; id: string }) =>
      withServices(async (s) => {
        await s.sessions.revoke({ actor: await admin(o.party), sessionId: id(o.id) });
        err(`session ${o.id} ended`);
      }),
    );

  const token = program.command("token").description("API bearer tokens");
  token
    .command("create")
    .description("create a bearer token for an actor; it is printed once")
    .requiredOption("--name <name>", "who the actor is, e.g. 'Liaison officer 3'")
    .requiredOption("--party <party>", "the state the actor acts for, e.g. MX or US")
    .addOption(new Option("--role <role>", "the actor's role").choices(roles).makeOptionMandatory())
    .option(
      "--username <username>",
      "the user the token acts as (one of their roles); none: a system account",
    )
    .option("--expires <date-time>", "when it stops working, e.g. 2026-12-31T00:00:00Z")
    .action((o: { name: string; party: string; role: Role; username?: string; expires?: string }) =>
      withServices(async (s) => {
        const actor = await admin(o.party);
        const expiresAt = o.expires ? new Date(o.expires) : undefined;
        if (expiresAt && Number.isNaN(expiresAt.getTime()))
          throw new Error("--expires: a date-time such as 2026-12-31T00:00:00Z");
        const userId = o.username ? (await s.admin.userNamed({ actor, username: o.username })).id : undefined;
        const created = await s.tokens.create({ actor, ...o, userId, expiresAt });
        out(created.token);
        err(`token for ${created.name} (${created.role}, ${created.party}); it is not shown again`);
      }),
    );
  token
    .command("list")
    .description("list the tokens of a party (never the tokens themselves)")
    .addOption(partyOption())
    .action((o: { party: string }) =>
      withServices(async (s) => {
        for (const x of (await s.tokens.list({ actor: await admin(o.party) })).items)
          out(
            `${x.id}  ${x.name.padEnd(28)} ${x.role.padEnd(20)} ${x.revokedAt ? `revoked ${x.revokedAt}` : x.expiresAt ? `expires ${x.expiresAt}` : "live"}`,
          );
      }),
    );
  token
    .command("revoke")
    .description("revoke a token (a running server stops accepting it within 30 s)")
    .addOption(partyOption())
    .requiredOption("--id <id>", "the token's id (from `token list`)")
    .action((o: { party: string; id: string }) =>
      withServices(async (s) => {
        await s.tokens.revoke({ actor: await admin(o.party), tokenId: id(o.id) });
        err(`token ${o.id} revoked`);
      }),
    );
};
