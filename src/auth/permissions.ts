/**
 * Who may do what: one table, role × permission, with the party rule of each (issue 10, DESIGN.md "Who
 * uses it"). It drives the service checks, the API's answers, the OpenAPI document's description of who
 * may call what, and what the web app offers. Pure data.
 *
 * Party rules — which rows a permission reaches:
 * - `visible`: rows of the actor's party, and rows another party shared with it (`shared_with`);
 * - `own`: the actor writes rows of its own party only (every row is owned by the party that wrote it);
 * - `aggregate`: figures only, no rows.
 *
 * PostgreSQL row-level security enforces the same rules underneath (drizzle/…_row_level_security.sql).
 * Which step of a legal track a role may take is the track's own table (`tracks.ts` `by`); the
 * permission `case:transition` is held by exactly the roles that appear there.
 */
import { transitions } from "../cases/tracks.ts";
import type { Role } from "./roles.ts";

export type PartyRule = "visible" | "own" | "aggregate";

export interface PermissionDef {
  description: string;
  party: PartyRule;
  roles: readonly Role[];
}

/** The sending state's officials who work on the record (all but communications, who see figures only). */
const internal: readonly Role[] = [
  "foreign-ministry",
  "prosecutor",
  "judge",
  "secretariat",
  "decision-authority",
  "custody-officer",
  "operations-planner",
  "auditor",
];
const everyone: readonly Role[] = [
  ...internal,
  "communications",
  "request-officer",
  "receiving-officer",
  "admin",
];

/** The roles the legal tracks name for their steps. */
const trackRoles = [...new Set(transitions.flatMap((t) => t.by))] as Role[];
/** The roles that take a step recording a decision (grant-extradition, approve-transfer…), not the system. */
const decidingRoles = [
  ...new Set(transitions.filter((t) => t.records).flatMap((t) => t.by.filter((r) => r !== "system"))),
] as Role[];

export const permissions = {
  "person:read": { description: "read people", party: "visible", roles: [...internal, "request-officer"] },
  "person:create": {
    description: "record a person",
    party: "own",
    roles: ["foreign-ministry", "secretariat"],
  },
  "person:update": {
    description: "add a person's affiliations",
    party: "own",
    roles: ["foreign-ministry", "secretariat"],
  },
  "person:correct": {
    description: "correct a person or an affiliation, with a reason",
    party: "own",
    roles: ["foreign-ministry", "secretariat"],
  },
  "person:merge": {
    description: "merge two records of one person, and undo a merge",
    party: "own",
    roles: ["foreign-ministry", "secretariat"],
  },
  "organisation:read": { description: "read organisations and rivalries", party: "visible", roles: internal },
  "organisation:create": { description: "record an organisation", party: "own", roles: ["secretariat"] },
  "organisation:update": { description: "record a rivalry", party: "own", roles: ["secretariat"] },
  "organisation:correct": {
    description: "correct an organisation, with a reason",
    party: "own",
    roles: ["secretariat"],
  },
  "request:read": {
    description: "read requests and their charges",
    party: "visible",
    roles: [...internal, "request-officer"],
  },
  "request:create": {
    description: "file a request (the requesting state) or log one received (the foreign ministry)",
    party: "own",
    roles: ["foreign-ministry", "request-officer"],
  },
  "request:correct": {
    description: "correct a request or its charges before it is decided, with a reason",
    party: "own",
    roles: ["foreign-ministry", "request-officer"],
  },
  "case:read": { description: "read cases, their history and deadlines", party: "visible", roles: internal },
  "case:create": { description: "open a case", party: "own", roles: ["foreign-ministry"] },
  "case:transition": {
    description: "take a step of a legal track (the track's table says which role takes which step)",
    party: "own",
    roles: trackRoles,
  },
  "hold:read": { description: "read legal holds", party: "visible", roles: internal },
  "hold:create": { description: "record a legal hold", party: "own", roles: ["prosecutor", "judge"] },
  "hold:lift": { description: "record that a hold was lifted", party: "own", roles: ["judge"] },
  "assurance:read": {
    description: "read assurances",
    party: "visible",
    roles: [...internal, "request-officer"],
  },
  "assurance:create": {
    description: "give an assurance (the requesting state) or record one received (the foreign ministry)",
    party: "own",
    roles: ["request-officer", "foreign-ministry"],
  },
  "assurance:withdraw": {
    description: "withdraw an assurance one's own state gave or recorded",
    party: "own",
    roles: ["request-officer", "foreign-ministry"],
  },
  "decision:read": { description: "read decisions", party: "visible", roles: internal },
  "decision:supersede": {
    description: "correct a recorded decision by a new one that supersedes it, with a reason",
    party: "own",
    roles: decidingRoles,
  },
  "deadline:read": {
    description: "read the open deadlines",
    party: "visible",
    // The deadline clock reads them to apply the lapses.
    roles: [...internal, "system"],
  },
  "operation:read": { description: "read operations and their plans", party: "visible", roles: internal },
  "operation:create": { description: "create an operation", party: "own", roles: ["operations-planner"] },
  "operation:correct": {
    description: "correct an operation not yet under way (planning, planned), with a reason",
    party: "own",
    roles: ["operations-planner"],
  },
  "operation:plan": {
    description: "list and remove people, plan, move people by hand, adopt a plan",
    party: "own",
    roles: ["operations-planner"],
  },
  "operation:move": {
    description: "move an operation's status (the lifecycle says which role makes which move)",
    party: "own",
    roles: ["operations-planner", "custody-officer"],
  },
  "release:create": {
    description: "release an operation's date, destination and manifest to a requesting state",
    party: "own",
    roles: ["foreign-ministry", "operations-planner"],
  },
  "release:read": {
    description: "read what was released",
    party: "visible",
    roles: [...internal, "request-officer", "receiving-officer"],
  },
  "handover:read": {
    description: "read handovers",
    party: "visible",
    roles: [...internal, "request-officer", "receiving-officer"],
  },
  "handover:create": {
    description: "record a handover at the destination",
    party: "own",
    roles: ["custody-officer"],
  },
  "handover:supersede": {
    description: "correct a signed handover by a new record that supersedes it, with a reason",
    party: "own",
    roles: ["custody-officer"],
  },
  "handover:confirm": {
    description: "confirm a handover as the receiving state",
    party: "own",
    roles: ["receiving-officer"],
  },
  // Documents (issue 12): who may attach one to a record is who may write that record; who may read one is
  // who may read its parent (the service answers 404 for a document whose parent kind the role may not read).
  "request:attach": {
    description: "attach a document to a request or one of its charges",
    party: "own",
    roles: ["foreign-ministry", "request-officer"],
  },
  "assurance:attach": {
    description: "attach a document to an assurance",
    party: "own",
    roles: ["request-officer", "foreign-ministry"],
  },
  "decision:attach": {
    description: "attach a document to a decision (the roles whose steps record decisions)",
    party: "own",
    roles: decidingRoles,
  },
  "case:attach": {
    description: "attach a document to a case (the roles that open a case or take its steps)",
    party: "own",
    // Not `system`: the deadline clock takes lapse steps, and attaches nothing.
    roles: [...new Set<Role>(["foreign-ministry", ...trackRoles])].filter((r) => r !== "system"),
  },
  "handover:attach": {
    description:
      "attach a document to a handover (its custody officer, or the receiving state confirming it)",
    party: "own",
    roles: ["custody-officer", "receiving-officer"],
  },
  "document:read": {
    description:
      "read documents and their content and receipts, of a record whose kind the role may read (else 404)",
    party: "visible",
    roles: [...internal, "request-officer", "receiving-officer"],
  },
  "place:read": { description: "read places", party: "visible", roles: everyone },
  "place:create": { description: "record a place", party: "own", roles: ["operations-planner", "admin"] },
  "place:correct": {
    description: "correct a place, with a reason",
    party: "own",
    roles: ["operations-planner", "admin"],
  },
  "administration:read": { description: "read administrations", party: "visible", roles: everyone },
  "administration:create": { description: "record an administration", party: "own", roles: ["admin"] },
  "stats:read": { description: "read the figures", party: "aggregate", roles: [...everyone, "public"] },
  "audit:read": { description: "read the audit chain and its reports", party: "visible", roles: ["auditor"] },
  "audit:verify": { description: "verify the audit chain", party: "visible", roles: ["auditor", "admin"] },
  "notification:read": {
    description: "read and mark one's own notifications (reminders of deadlines one's role must act on)",
    party: "own",
    roles: everyone,
  },
  "webhook:manage": {
    description: "configure the party's outgoing webhooks and read their deliveries",
    party: "own",
    roles: ["admin"],
  },
  "admin:manage": {
    description: "manage agencies, users, roles, sessions and tokens of one's own party",
    party: "own",
    roles: ["admin"],
  },
} as const satisfies Record<string, PermissionDef>;

export type Permission = keyof typeof permissions;

/** Whether a role holds a permission. */
export function allows(role: Role, permission: Permission): boolean {
  return (permissions[permission].roles as readonly Role[]).includes(role);
}

/** The permissions a role holds (what the web app offers it). */
export function permissionsOf(role: Role): Permission[] {
  return (Object.keys(permissions) as Permission[]).filter((p) => allows(role, p));
}

/** A sentence for the OpenAPI document: who may call a route. */
export function whoMay(permission: Permission): string {
  const def = permissions[permission];
  const rule =
    def.party === "visible"
      ? "rows of the caller's party and rows shared with it"
      : def.party === "own"
        ? "writes rows of the caller's own party"
        : "figures only";
  return `Permission \`${permission}\` (${def.description}): ${def.roles.join(", ")}; ${rule}.`;
}

/** The permission table as Markdown: docs/ACCESS.md holds it, and a test keeps the two the same. */
export function permissionTableMarkdown(): string {
  const lines = ["| permission | what it allows | party rule | roles |", "|---|---|---|---|"];
  for (const [name, def] of Object.entries(permissions) as [Permission, PermissionDef][]) {
    lines.push(`| \`${name}\` | ${def.description} | ${def.party} | ${def.roles.join(", ")} |`);
  }
  return lines.join("\n");
}
