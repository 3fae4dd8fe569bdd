/**
 * The authorization matrix (issue 10): for every route of the API and every role of three parties — the
 * sending state (MX), a requesting state (US) and a third requesting state (GT) — against records of its
 * own party, of the other and of the third, the answer is what the permission table says, and a refused
 * call changes nothing.
 *
 * The routes and their permissions come from the OpenAPI document (`x-permission`, from each route's
 * config) and the expectations from `src/auth/permissions.ts`: the table and the test read the same source.
 * A route without a permission, or without a sample call here, fails the test.
 */
import { count, eq, ne } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allows, type Permission } from "../src/auth/permissions.ts";
import { type Role, roles } from "../src/auth/roles.ts";
import { toIsoDate } from "../src/cases/calendar.ts";
import { toCount } from "../src/db/client.ts";
import { auditEvents } from "../src/db/schema.ts";
import { type TestApp, testApp } from "./app.ts";
import { buildAirports, multipartBody, pdfBytes, transition, walkToReady } from "./factories.ts";

let t: TestApp;
const parties = ["MX", "US", "GT"] as const;
const callerRoles = roles.filter((r) => r !== "system") as Role[];
const today = toIsoDate(new Date());

/** A record the calls aim at: its id, the party that owns it and those it is shared with. */
interface Target {
  id: string;
  party: string;
  sharedWith: string[];
}
const visibleTo = (target: Target, party: string) =>
  target.party === party || target.sharedWith.includes(party) || target.sharedWith.includes("*");

type Kind =
  | "person"
  | "organisation"
  | "request"
  | "case"
  | "hold"
  | "assurance"
  | "decision"
  | "operation"
  | "handover"
  | "place"
  | "administration"
  | "release"
  | "affiliation"
  | "charge"
  | "document";
const targets = new Map<Kind, Target[]>();
const the = (kind: Kind, party = "MX") => targets.get(kind)!.find((x) => x.party === party)!;

/** A document upload's body (multipart, a small PDF): the samples of upload routes send it. */
const upload = Symbol("a multipart upload");
async function call(method: string, url: string, role: Role, party: string, payload?: unknown) {
  if (payload === upload) {
    const body = multipartBody({ name: "matrix.pdf", type: "application/pdf", bytes: pdfBytes(2000) });
    return t.app.inject({
      method: method as "POST",
      url,
      headers: { ...(await t.as(role, party)), ...body.headers },
      payload: body.payload,
    });
  }
  return t.app.inject({
    method: method as "GET",
    url,
    headers: await t.as(role, party),
    ...(payload !== undefined ? { payload: payload as object } : {}),
  });
}
async function ok(method: string, url: string, role: Role, party: string, payload?: unknown) {
  const res = await call(method, url, role, party, payload);
  if (res.statusCode >= 300)
    throw new Error(`${method} ${url} as ${party} ${role}: ${res.statusCode} ${res.body}`);
  return res.json();
}
const target = (row: { id: string; party: string; sharedWith: string[] }): Target => ({
  id: row.id,
  party: row.party,
  sharedWith: row.sharedWith,
});

beforeAll(async () => {
  t = await testApp();
  await buildAirports(t);
  const add = (kind: Kind, x: Target) => targets.set(kind, [...(targets.get(kind) ?? []), x]);
  // The sending state's record: a person, an organisation, a request it logged, a case walked to ready, a
  // hold, an assurance received, the council's decision, an operation flown with the person handed over,
  // and the release of it to the US.
  const person = await ok("POST", "/api/people", "foreign-ministry", "MX", {
    givenNames: "Matrix",
    familyNames: "Sending",
    fictional: true,
  });
  add("person", target(person));
  add(
    "organisation",
    target(await ok("POST", "/api/organisations", "secretariat", "MX", { name: "Matrix Org" })),
  );
  await ok("POST", "/api/organisations", "secretariat", "MX", { name: "Matrix Rival" });
  const request = await ok("POST", "/api/requests", "foreign-ministry", "MX", {
    personId: person.id,
    requestingState: "US",
    requestingAgency: "US Department of Justice",
    type: "security-transfer",
    channel: "written-request",
    charges: [{ statute: "21 U.S.C. § 846", description: "Conspiracy" }],
  });
  add("request", target(request));
  add("charge", target(request.charges[0]));
  add(
    "affiliation",
    target(
      (
        await ok("POST", `/api/people/${person.id}/affiliations`, "foreign-ministry", "MX", {
          affiliations: [{ organisationId: the("organisation").id }],
        })
      )[0],
    ),
  );
  const c = await ok("POST", "/api/cases", "foreign-ministry", "MX", {
    track: "security",
    personId: person.id,
    requestId: request.id,
  });
  add("case", target(c));
  await walkToReady(t, c.id);
  const decision = (await ok("GET", `/api/decisions?caseId=${c.id}`, "auditor", "MX")).items[0];
  add("decision", target(decision));
  add(
    "hold",
    target(
      await ok("POST", "/api/holds", "prosecutor", "MX", {
        personId: person.id,
        kind: "other",
        source: "Matrix court",
        filedOn: today,
        blocksSurrender: false,
      }),
    ),
  );
  add(
    "assurance",
    target(
      await ok("POST", "/api/assurances", "foreign-ministry", "MX", {
        kind: "specialty",
        giver: "US Department of Justice",
        scope: "person",
        personId: person.id,
        status: "given",
        givenOn: today,
      }),
    ),
  );
  const op = await ok("POST", "/api/operations", "operations-planner", "MX", {
    code: "MATRIX-1",
    legalBasis: "LSN art. 5",
    operationDate: today,
    stagingAirport: "TLC",
    receivingState: "US",
    aircraft: [{ callsign: "FAM-M", seats: 12, maxStops: 2 }],
    people: [{ personId: person.id, destinationAirport: "IAD" }],
  });
  add("operation", target(op));
  await ok("POST", `/api/operations/${op.id}/plan`, "operations-planner", "MX", { timeLimitMs: 300 });
  await ok("POST", `/api/operations/${op.id}/plan/adopt`, "operations-planner", "MX", {});
  await transition(t, c.id, "operations-planner", { transition: "assign-to-operation", operationId: op.id });
  await ok("POST", `/api/operations/${op.id}/status`, "operations-planner", "MX", { status: "ready" });
  await ok("POST", `/api/operations/${op.id}/status`, "custody-officer", "MX", { status: "in-transit" });
  const handover = await ok("POST", "/api/handovers", "custody-officer", "MX", {
    operationId: op.id,
    personId: person.id,
    place: "IAD",
    occurredAt: today,
    dispatchingOfficer: "Escort",
    dispatchingAgency: "SSPC",
    receivingOfficer: "Marshal",
    receivingAgency: "US Marshals Service",
    condition: "Good",
  });
  add("handover", target(handover));
  add(
    "release",
    target(
      await ok("POST", `/api/operations/${op.id}/releases`, "operations-planner", "MX", { toParty: "US" }),
    ),
  );
  add(
    "document",
    target(await ok("POST", `/api/requests/${request.id}/documents`, "foreign-ministry", "MX", upload)),
  );
  add("place", target((await ok("GET", "/api/places?limit=1", "operations-planner", "MX")).items[0]));
  add(
    "administration",
    target(
      await ok("POST", "/api/administrations", "admin", "MX", {
        name: "Matrix administration",
        beganOn: "2024-10-01",
      }),
    ),
  );
  // An agency and a user of MX for the administration routes (another party's administrator gets 404).
  adminTarget.agencyId = (
    await ok("POST", "/api/admin/agencies", "admin", "MX", { name: "Matrix agency" })
  ).id;
  adminTarget.userId = (
    await ok("POST", "/api/admin/users", "admin", "MX", {
      username: "matrix.user",
      displayName: "Matrix User",
      agencyId: adminTarget.agencyId,
      roles: ["judge", "prosecutor"],
    })
  ).user.id;
  // The requesting states file their own requests (a new person each) and give an assurance.
  for (const party of ["US", "GT"] as const) {
    const filed = await ok("POST", "/api/requests", "request-officer", party, {
      person: { givenNames: "Matrix", familyNames: `Requested ${party}`, fictional: true },
      requestingState: party,
      requestingAgency: `${party} prosecutor`,
      requestedState: "MX",
      type: "formal-extradition",
      channel: "diplomatic-note",
      diplomaticNote: `${party}-MATRIX-1`,
      charges: [{ statute: "Code 1", description: "An offence" }],
    });
    add("request", target(filed));
    add("charge", target(filed.charges[0]));
    add("person", { id: filed.personId, party, sharedWith: ["MX"] });
    add(
      "document",
      target(await ok("POST", `/api/requests/${filed.id}/documents`, "request-officer", party, upload)),
    );
    add(
      "assurance",
      target(
        await ok("POST", "/api/assurances", "request-officer", party, {
          kind: "no-death-penalty",
          giver: `${party} prosecutor`,
          scope: "person",
          personId: filed.personId,
          status: "given",
          givenOn: today,
        }),
      ),
    );
  }
}, 180_000);
afterAll(() => t.close());

let unique = 0;
/** The MX agency and user the administration routes aim at. */
const adminTarget = { agencyId: "", userId: "" };
const nobody = "0190a1e2-0000-7000-8000-0000000000ff";
/**
 * A call of each route that the route would accept from a permitted caller, or refuse for a reason of the
 * law or of the record's state (a transition not allowed, an operation already flown) — never for access.
 */
const samples: Record<string, (id: () => string) => { url: string; body?: unknown }> = {
  "POST /api/people": () => ({ url: "/api/people", body: { givenNames: "M", familyNames: `P${++unique}` } }),
  "GET /api/people": () => ({ url: "/api/people" }),
  "GET /api/people/{id}": (id) => ({ url: `/api/people/${id()}` }),
  "GET /api/people/{id}/file": (id) => ({ url: `/api/people/${id()}/file` }),
  // Into a person no one has: the wall and the permission are checked before the survivor is looked up.
  "POST /api/people/{id}/merge": (id) => ({
    url: `/api/people/${id()}/merge`,
    body: { into: "01900000-0000-7000-8000-000000000000", reason: "matrix" },
  }),
  // A merge no one made (merges are no kind of target here): 404 for whoever may call.
  "GET /api/people/merges/{id}": () => ({ url: "/api/people/merges/01900000-0000-7000-8000-000000000001" }),
  "POST /api/people/merges/{id}/undo": () => ({
    url: "/api/people/merges/01900000-0000-7000-8000-000000000001/undo",
    body: { reason: "matrix" },
  }),
  "POST /api/people/{id}/affiliations": (id) => ({
    url: `/api/people/${id()}/affiliations`,
    body: { affiliations: [{ organisationId: the("organisation").id }] },
  }),
  "POST /api/organisations": () => ({ url: "/api/organisations", body: { name: `Org ${++unique}` } }),
  "GET /api/organisations": () => ({ url: "/api/organisations" }),
  "GET /api/organisations/{id}": (id) => ({ url: `/api/organisations/${id()}` }),
  "POST /api/organisations/{id}/rivalries": (id) => ({
    url: `/api/organisations/${id()}/rivalries`,
    body: { rivalId: the("organisation").id },
  }),
  "POST /api/requests": () => ({
    url: "/api/requests",
    body: {
      person: { givenNames: "M", familyNames: `R${++unique}` },
      requestingState: "US",
      requestedState: "MX",
      requestingAgency: "DOJ",
      type: "security-transfer",
      channel: "written-request",
      charges: [{ statute: "S", description: "D" }],
    },
  }),
  "GET /api/requests": () => ({ url: "/api/requests" }),
  "GET /api/requests/{id}": (id) => ({ url: `/api/requests/${id()}` }),
  "POST /api/cases": () => ({
    url: "/api/cases",
    body: { track: "security", personId: the("person").id, requestId: the("request").id },
  }),
  "GET /api/cases": () => ({ url: "/api/cases" }),
  "GET /api/cases/{id}": (id) => ({ url: `/api/cases/${id()}` }),
  "GET /api/cases/{id}/transitions": (id) => ({ url: `/api/cases/${id()}/transitions` }),
  "GET /api/audit-events": () => ({ url: "/api/audit-events" }),
  "POST /api/audit-verifications": () => ({ url: "/api/audit-verifications" }),
  "POST /api/cases/{id}/transitions": (id) => ({
    url: `/api/cases/${id()}/transitions`,
    body: { transition: "begin-analysis", legalBasis: "b", reasons: "r" },
  }),
  "GET /api/deadlines": () => ({ url: "/api/deadlines" }),
  "POST /api/holds": () => ({
    url: "/api/holds",
    body: {
      personId: the("person").id,
      kind: "other",
      source: "Court",
      filedOn: today,
      blocksSurrender: false,
    },
  }),
  "GET /api/holds": () => ({ url: "/api/holds" }),
  "GET /api/holds/{id}": (id) => ({ url: `/api/holds/${id()}` }),
  "POST /api/holds/{id}/lift": (id) => ({ url: `/api/holds/${id()}/lift`, body: { liftedOn: today } }),
  "POST /api/assurances/{id}/withdrawal": (id) => ({
    url: `/api/assurances/${id()}/withdrawal`,
    body: { withdrawnOn: today },
  }),
  "POST /api/assurances": () => ({
    url: "/api/assurances",
    body: { kind: "other", giver: "G", scope: "person", personId: the("person").id, status: "requested" },
  }),
  "GET /api/assurances": () => ({ url: "/api/assurances" }),
  "GET /api/assurances/{id}": (id) => ({ url: `/api/assurances/${id()}` }),
  "GET /api/decisions": () => ({ url: "/api/decisions" }),
  "GET /api/decisions/{id}": (id) => ({ url: `/api/decisions/${id()}` }),
  "POST /api/operations": () => ({
    url: "/api/operations",
    body: {
      code: `MX-${++unique}`,
      legalBasis: "b",
      operationDate: today,
      stagingAirport: "TLC",
      receivingState: "US",
    },
  }),
  "GET /api/operations": () => ({ url: "/api/operations" }),
  "GET /api/operations/{id}": (id) => ({ url: `/api/operations/${id()}` }),
  "POST /api/operations/{id}/plan": (id) => ({
    url: `/api/operations/${id()}/plan`,
    body: { timeLimitMs: 100 },
  }),
  "GET /api/operations/{id}/plan": (id) => ({ url: `/api/operations/${id()}/plan` }),
  "POST /api/operations/{id}/status": (id) => ({
    url: `/api/operations/${id()}/status`,
    body: { status: "planning" },
  }),
  "POST /api/operations/{id}/people": (id) => ({
    url: `/api/operations/${id()}/people`,
    body: { personId: the("person").id, destinationAirport: "IAD" },
  }),
  "DELETE /api/operations/{id}/people/{personId}": (id) => ({
    url: `/api/operations/${id()}/people/${the("person").id}`,
    body: { reason: "r" },
  }),
  "POST /api/operations/{id}/plan/adopt": (id) => ({ url: `/api/operations/${id()}/plan/adopt`, body: {} }),
  "POST /api/operations/{id}/plan/replan": (id) => ({
    url: `/api/operations/${id()}/plan/replan`,
    body: { change: { kind: "aircraft-unavailable", aircraftId: "0190a1e2-0000-7000-8000-000000000000" } },
  }),
  "POST /api/operations/{id}/plan/moves": (id) => ({
    url: `/api/operations/${id()}/plan/moves`,
    body: { personId: the("person").id, aircraftId: "0190a1e2-0000-7000-8000-000000000000" },
  }),
  "GET /api/operations/{id}/plan/manifest": (id) => ({ url: `/api/operations/${id()}/plan/manifest` }),
  "POST /api/operations/{id}/releases": (id) => ({
    url: `/api/operations/${id()}/releases`,
    body: { toParty: "GT" },
  }),
  "POST /api/handovers": () => ({
    url: "/api/handovers",
    body: {
      operationId: the("operation").id,
      personId: the("person").id,
      place: "IAD",
      occurredAt: today,
      dispatchingOfficer: "E",
      dispatchingAgency: "A",
      receivingOfficer: "M",
      receivingAgency: "U",
      condition: "Good",
    },
  }),
  "GET /api/handovers": () => ({ url: "/api/handovers" }),
  "GET /api/handovers/{id}": (id) => ({ url: `/api/handovers/${id()}` }),
  "POST /api/handovers/{id}/confirmations": (id) => ({
    url: `/api/handovers/${id()}/confirmations`,
    body: { receivingOfficer: "M", receivingAgency: "USMS", occurredAt: today, condition: "Good" },
  }),
  "POST /api/places": () => ({
    url: "/api/places",
    body: { code: `Z${String(++unique).padStart(3, "0")}`, kind: "prison", name: "P" },
  }),
  "GET /api/places": () => ({ url: "/api/places" }),
  "GET /api/places/{id}": (id) => ({ url: `/api/places/${id()}` }),
  "POST /api/administrations": () => ({
    url: "/api/administrations",
    body: { name: `A${++unique}`, beganOn: "2024-10-01" },
  }),
  "GET /api/administrations": () => ({ url: "/api/administrations" }),
  "GET /api/administrations/{id}": (id) => ({ url: `/api/administrations/${id()}` }),
  "GET /api/releases": () => ({ url: "/api/releases" }),
  "GET /api/releases/{id}": (id) => ({ url: `/api/releases/${id()}` }),
  "GET /api/stats": () => ({ url: "/api/stats" }),
  "GET /api/people/{id}/history": (id) => ({ url: `/api/people/${id()}/history` }),
  // Without If-Match: 428 once the caller may and the record is its own (the matrix sends no If-Match).
  "PATCH /api/people/{id}": (id) => ({ url: `/api/people/${id()}`, body: { aliases: ["M"], reason: "r" } }),
  "GET /api/organisations/{id}/history": (id) => ({ url: `/api/organisations/${id()}/history` }),
  "PATCH /api/organisations/{id}": (id) => ({
    url: `/api/organisations/${id()}`,
    body: { notes: "n", reason: "r" },
  }),
  "GET /api/affiliations/{id}/history": (id) => ({ url: `/api/affiliations/${id()}/history` }),
  "PATCH /api/affiliations/{id}": (id) => ({
    url: `/api/affiliations/${id()}`,
    body: { role: "r", reason: "r" },
  }),
  "GET /api/requests/{id}/history": (id) => ({ url: `/api/requests/${id()}/history` }),
  "PATCH /api/requests/{id}": (id) => ({ url: `/api/requests/${id()}`, body: { court: "C", reason: "r" } }),
  "GET /api/charges/{id}/history": (id) => ({ url: `/api/charges/${id()}/history` }),
  "PATCH /api/charges/{id}": (id) => ({
    url: `/api/charges/${id()}`,
    body: { maximumPenalty: "P", reason: "r" },
  }),
  "GET /api/places/{id}/history": (id) => ({ url: `/api/places/${id()}/history` }),
  "PATCH /api/places/{id}": (id) => ({ url: `/api/places/${id()}`, body: { name: "N", reason: "r" } }),
  "GET /api/operations/{id}/history": (id) => ({ url: `/api/operations/${id()}/history` }),
  "PATCH /api/operations/{id}": (id) => ({
    url: `/api/operations/${id()}`,
    body: { notes: "n", reason: "r" },
  }),
  "GET /api/decisions/{id}/history": (id) => ({ url: `/api/decisions/${id()}/history` }),
  "GET /api/handovers/{id}/history": (id) => ({ url: `/api/handovers/${id()}/history` }),
  "GET /api/cases/{id}/history": (id) => ({ url: `/api/cases/${id()}/history` }),
  "GET /api/assurances/{id}/history": (id) => ({ url: `/api/assurances/${id()}/history` }),
  "GET /api/holds/{id}/history": (id) => ({ url: `/api/holds/${id()}/history` }),
  "POST /api/decisions/{id}/supersessions": (id) => ({
    url: `/api/decisions/${id()}/supersessions`,
    body: { reasons: "r", reason: "r" },
  }),
  "POST /api/handovers/{id}/supersessions": (id) => ({
    url: `/api/handovers/${id()}/supersessions`,
    body: { condition: "Good", reason: "r" },
  }),
  ...Object.fromEntries(
    ["requests", "charges", "assurances", "decisions", "cases", "handovers"].flatMap((records) => [
      [
        `POST /api/${records}/{id}/documents`,
        (id: () => string) => ({ url: `/api/${records}/${id()}/documents`, body: upload }),
      ],
      [
        `GET /api/${records}/{id}/documents`,
        (id: () => string) => ({ url: `/api/${records}/${id()}/documents` }),
      ],
    ]),
  ),
  "GET /api/documents/{id}": (id) => ({ url: `/api/documents/${id()}` }),
  "GET /api/documents/{id}/content": (id) => ({ url: `/api/documents/${id()}/content` }),
  "GET /api/documents/{id}/receipt": (id) => ({ url: `/api/documents/${id()}/receipt` }),
  "GET /api/tracks": () => ({ url: "/api/tracks" }),
  "GET /api/audit-verifications/current": () => ({ url: "/api/audit-verifications/current" }),
  "POST /api/admin/agencies": () => ({ url: "/api/admin/agencies", body: { name: `Agency ${++unique}` } }),
  "GET /api/admin/agencies": () => ({ url: "/api/admin/agencies" }),
  "POST /api/admin/users": () => ({
    url: "/api/admin/users",
    body: {
      username: `matrix.${++unique}`,
      displayName: "M",
      agencyId: adminTarget.agencyId,
      roles: ["judge"],
    },
  }),
  "GET /api/admin/users": () => ({ url: "/api/admin/users" }),
  "GET /api/admin/users/{id}": () => ({ url: `/api/admin/users/${adminTarget.userId}` }),
  "POST /api/admin/users/{id}/disable": () => ({ url: `/api/admin/users/${adminTarget.userId}/disable` }),
  "POST /api/admin/users/{id}/roles": () => ({
    url: `/api/admin/users/${adminTarget.userId}/roles`,
    body: { role: "secretariat" },
  }),
  "DELETE /api/admin/users/{id}/roles/{role}": () => ({
    url: `/api/admin/users/${adminTarget.userId}/roles/prosecutor`,
  }),
  "POST /api/admin/users/{id}/password": () => ({ url: `/api/admin/users/${adminTarget.userId}/password` }),
  "DELETE /api/admin/users/{id}/totp": () => ({ url: `/api/admin/users/${adminTarget.userId}/totp` }),
  "GET /api/admin/sessions": () => ({ url: "/api/admin/sessions" }),
  // Not a caller's session or token: the matrix's callers keep theirs.
  "DELETE /api/admin/sessions/{id}": () => ({ url: `/api/admin/sessions/${nobody}` }),
  "GET /api/admin/tokens": () => ({ url: "/api/admin/tokens" }),
  "POST /api/admin/tokens": () => ({
    url: "/api/admin/tokens",
    body: { name: `T${++unique}`, role: "auditor" },
  }),
  "DELETE /api/admin/tokens/{id}": () => ({ url: `/api/admin/tokens/${nobody}` }),
  // One's own notifications (a token of no user has none: the list is empty, an id is 404).
  "GET /api/notifications": () => ({ url: "/api/notifications" }),
  "POST /api/notifications/{id}/read": () => ({ url: `/api/notifications/${nobody}/read` }),
  "POST /api/notifications/{id}/unread": () => ({ url: `/api/notifications/${nobody}/unread` }),
  "POST /api/notifications/read-all": () => ({ url: "/api/notifications/read-all" }),
  "POST /api/webhooks": () => ({
    url: "/api/webhooks",
    body: { url: `https://hooks.example/${++unique}`, description: "matrix" },
  }),
  "GET /api/webhooks": () => ({ url: "/api/webhooks" }),
  "DELETE /api/webhooks/{id}": () => ({ url: `/api/webhooks/${nobody}` }),
  "GET /api/webhooks/{id}/deliveries": () => ({ url: `/api/webhooks/${nobody}/deliveries` }),
};

/** The record a route's `{id}` names. */
const kindOf = (path: string): Kind | null => {
  const m = /^\/api\/([a-z]+)\/\{id\}/.exec(path);
  if (!m) return null;
  const byPrefix: Record<string, Kind> = {
    people: "person",
    organisations: "organisation",
    requests: "request",
    cases: "case",
    holds: "hold",
    assurances: "assurance",
    decisions: "decision",
    operations: "operation",
    handovers: "handover",
    places: "place",
    administrations: "administration",
    releases: "release",
    affiliations: "affiliation",
    charges: "charge",
    documents: "document",
  };
  return byPrefix[m[1]!] ?? null;
};

/** The audit events of changes (a refusal is audited as an `access` event of its own, and changes nothing). */
const events = async () =>
  toCount(
    (await t.database.db.select({ n: count() }).from(auditEvents).where(ne(auditEvents.entity, "access")))[0]
      ?.n,
  );
const refusals = async () =>
  toCount(
    (await t.database.db.select({ n: count() }).from(auditEvents).where(eq(auditEvents.entity, "access")))[0]
      ?.n,
  );

describe("the authorization matrix", () => {
  it("answers every route, role and party as the permission table says; a refused call changes nothing", async () => {
    const doc = (await t.app.inject({ url: "/openapi.json" })).json();
    const routes: { key: string; method: string; path: string; permission: Permission }[] = [];
    for (const [path, ops] of Object.entries<Record<string, { "x-permission"?: Permission }>>(doc.paths)) {
      if (!path.startsWith("/api/")) continue;
      for (const [method, op] of Object.entries(ops)) {
        const key = `${method.toUpperCase()} ${path}`;
        expect(op["x-permission"], `${key} has a permission in the table`).toBeDefined();
        // Open to anyone, signed in or not (the public figures): nothing to authorize; tested below.
        if ((op["x-permission"] as string) === "public") continue;
        expect(samples[key], `${key} has a sample call in this test`).toBeDefined();
        routes.push({ key, method: method.toUpperCase(), path, permission: op["x-permission"]! });
      }
    }
    expect(routes.length).toBeGreaterThan(50);
    // Every caller's token first: making one is a write of its own.
    for (const party of parties) for (const role of callerRoles) await t.as(role, party);
    const tally = { refused403: 0, refused404: 0, answered: 0, listsChecked: 0 };
    for (const route of routes) {
      const kind = kindOf(route.path);
      for (const party of parties) {
        for (const role of callerRoles) {
          const permitted = allows(role, route.permission);
          // Without the permission the record aimed at does not matter: one call. With it, one per record.
          const aims: (Target | null)[] = kind && permitted ? targets.get(kind)! : [kind ? the(kind) : null];
          for (const aim of aims) {
            const { url, body } = samples[route.key]!(() => aim!.id);
            const label = `${route.key} as ${party} ${role}${aim ? ` on ${aim.party}'s ${kind}` : ""}`;
            const before = await events();
            const refusedBefore = await refusals();
            const res = await call(route.method, url, role, party, body);
            if (!permitted) {
              expect(res.statusCode, label).toBe(403);
              expect(res.json().error, label).toMatchObject({
                code: "ACTOR_NOT_PERMITTED",
                details: { permission: route.permission },
              });
              expect(await events(), `${label}: nothing written`).toBe(before);
              expect(await refusals(), `${label}: the refusal audited`).toBe(refusedBefore + 1);
              tally.refused403++;
            } else if (aim && !visibleTo(aim, party)) {
              expect(res.statusCode, `${label}: ${res.body}`).toBe(404);
              expect(res.json().error.code, label).toBe("NOT_FOUND");
              expect(await events(), `${label}: nothing written`).toBe(before);
              tally.refused404++;
            } else {
              expect([401, 403], `${label}: ${res.body}`).not.toContain(res.statusCode);
              expect(res.statusCode, `${label}: ${res.body}`).toBeLessThan(500);
              if (aim && res.statusCode === 404)
                expect(res.json().error.message, label).not.toContain(aim.id);
              tally.answered++;
              // A list holds only rows of the caller's party and rows shared with it.
              const json = /json/.test(String(res.headers["content-type"]));
              const items =
                res.statusCode === 200 && route.method === "GET" && json ? res.json().items : undefined;
              if (Array.isArray(items)) {
                for (const item of items as {
                  party?: string;
                  sharedWith: string[];
                  actor?: { party: string };
                }[])
                  expect(
                    // An audit event is its writer's party's (`actor.party`); a record, its party's or shared.
                    item.party === undefined
                      ? item.actor?.party === party
                      : visibleTo(target({ id: "", ...item, party: item.party }), party),
                    `${label}: ${JSON.stringify(item).slice(0, 200)}`,
                  ).toBe(true);
                tally.listsChecked++;
              }
            }
          }
        }
      }
    }
    process.stdout.write(`authorization matrix: ${JSON.stringify(tally)}\n`);
    expect(tally.refused403).toBeGreaterThan(500);
    expect(tally.refused404).toBeGreaterThan(50);
    expect(tally.listsChecked).toBeGreaterThan(50);
  }, 600_000);

  it("gives the public figures with no sign-in: aggregates only, small cells withheld", async () => {
    const res = await t.app.inject({ url: "/api/public/figures" });
    expect(res.statusCode).toBe(200);
    const figures = res.json();
    expect(figures.public).toBe(true);
    for (const cell of [...figures.destinations, ...figures.organisations])
      expect(cell.people === null ? cell.suppressed : cell.people >= 3, JSON.stringify(cell)).toBe(true);
    expect(JSON.stringify(figures)).not.toMatch(/givenNames|familyNames|personId/);
  });
});
