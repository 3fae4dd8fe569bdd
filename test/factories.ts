import type { Role } from "../src/auth/roles.ts";
import type { TestApp } from "./app.ts";

/** Small builders over the HTTP API, so tests read as what an officer does. */
export async function buildPerson(t: TestApp, overrides: Record<string, unknown> = {}) {
  const res = await t.app.inject({
    method: "POST",
    url: "/api/people",
    headers: await t.as("foreign-ministry"),
    payload: {
      givenNames: "Test",
      familyNames: `Person ${Math.random().toString(36).slice(2, 8)}`,
      fictional: true,
      ...overrides,
    },
  });
  if (res.statusCode !== 201) throw new Error(`buildPerson: ${res.body}`);
  return res.json() as { id: string };
}

export async function buildRequest(
  t: TestApp,
  personId: string,
  options: { type?: string; capital?: boolean; idempotencyKey?: string } = {},
) {
  const res = await t.app.inject({
    method: "POST",
    url: "/api/requests",
    // The foreign ministry logs the request the US sent by note, for a person it holds.
    headers: {
      ...(await t.as("foreign-ministry")),
      ...(options.idempotencyKey ? { "idempotency-key": options.idempotencyKey } : {}),
    },
    payload: {
      personId,
      requestingState: "US",
      requestingAgency: "US Department of Justice",
      type: options.type ?? "security-transfer",
      channel: "written-request",
      receivedOn: "2026-01-05",
      district: "EDNY",
      charges: [
        {
          statute: options.capital ? "21 U.S.C. § 848(e)" : "21 U.S.C. § 846",
          description: options.capital
            ? "Murder in furtherance of a continuing criminal enterprise"
            : "Conspiracy to distribute cocaine",
          capitalEligible: options.capital ?? false,
        },
      ],
    },
  });
  if (res.statusCode !== 201) throw new Error(`buildRequest: ${res.body}`);
  return res.json() as { id: string; charges: { id: string }[] };
}

export async function buildCase(
  t: TestApp,
  options: {
    track?: "treaty" | "security";
    capital?: boolean;
    openedOn?: string;
    person?: Record<string, unknown>;
  } = {},
) {
  const track = options.track ?? "security";
  const person = await buildPerson(t, options.person);
  const request = await buildRequest(t, person.id, {
    type: track === "security" ? "security-transfer" : "provisional-arrest",
    capital: options.capital ?? false,
  });
  const res = await t.app.inject({
    method: "POST",
    url: "/api/cases",
    headers: await t.as("foreign-ministry"),
    payload: {
      track,
      personId: person.id,
      requestId: request.id,
      ...(options.openedOn ? { openedOn: options.openedOn } : {}),
    },
  });
  if (res.statusCode !== 201) throw new Error(`buildCase: ${res.body}`);
  return { ...(res.json() as { id: string; version: number; state: string }), personId: person.id, request };
}

/** Takes a transition as the given role; returns the raw response. */
export async function transition(
  t: TestApp,
  caseId: string,
  role: Parameters<TestApp["as"]>[0],
  body: Record<string, unknown>,
  extraHeaders: Record<string, string> = {},
  party = "MX",
) {
  return t.app.inject({
    method: "POST",
    url: `/api/cases/${caseId}/transitions`,
    headers: { ...(await t.as(role, party)), ...extraHeaders },
    payload: { legalBasis: "LSN art. 5", reasons: "test", ...body },
  });
}

/** The airports the tests' operations fly between (created once per test database; a second call is a no-op). */
export async function buildAirports(t: TestApp) {
  const h = await t.as("operations-planner");
  for (const [code, lat, lon] of [
    ["TLC", 19.34, -99.57],
    ["IAD", 38.95, -77.46],
    ["SAN", 32.73, -117.19],
    ["JFK", 40.64, -73.78],
  ] as const) {
    const res = await t.app.inject({
      method: "POST",
      url: "/api/places",
      headers: h,
      payload: { code, kind: "airport", name: code, lat, lon },
    });
    if (res.statusCode !== 201 && res.statusCode !== 409) throw new Error(`buildAirports: ${res.body}`);
  }
}

let operationCount = 0;

/** An operation in planning from TLC, listing the people given, with a small fleet. */
export async function buildOperation(
  t: TestApp,
  options: {
    people: { personId: string; caseId?: string; destinationAirport?: string }[];
    code?: string;
    operationDate?: string;
    aircraft?: { callsign: string; seats: number; maxStops: number }[];
  },
) {
  await buildAirports(t);
  const res = await t.app.inject({
    method: "POST",
    url: "/api/operations",
    headers: await t.as("operations-planner"),
    payload: {
      code:
        options.code ?? `TEST-OP-${++operationCount}-${Math.random().toString(36).slice(2, 6).toUpperCase()}`,
      legalBasis: "LSN art. 5",
      operationDate: options.operationDate ?? "2026-03-01",
      stagingAirport: "TLC",
      receivingState: "US",
      aircraft: options.aircraft ?? [
        { callsign: "FAM-1", seats: 12, maxStops: 2 },
        { callsign: "FAM-2", seats: 12, maxStops: 2 },
      ],
      people: options.people.map((p) => ({ destinationAirport: "IAD", ...p })),
    },
  });
  if (res.statusCode !== 201) throw new Error(`buildOperation: ${res.body}`);
  return res.json() as {
    id: string;
    code: string;
    version: number;
    aircraft: { id: string; callsign: string }[];
    people: { personId: string; caseId: string }[];
  };
}

const toApproval = [
  ["secretariat", "begin-analysis"],
  ["secretariat", "propose-to-council"],
  ["decision-authority", "approve-transfer"],
] as const;

async function walk(
  t: TestApp,
  caseId: string,
  steps: readonly (readonly [Role, string])[],
  occurredAt?: string,
) {
  for (const [role, name] of steps) {
    const res = await transition(t, caseId, role, {
      transition: name,
      ...(occurredAt ? { occurredAt } : {}),
    });
    if (res.statusCode !== 201) throw new Error(`${name}: ${res.body}`);
  }
}

/** A security case walked from request to the council's approval, as the officers who would. */
export async function buildApprovedCase(t: TestApp, options: { capital?: boolean } = {}) {
  const c = await buildCase(t, { capital: options.capital ?? false });
  await walk(t, c.id, toApproval);
  return c;
}

/** Takes a security case from request to ready-for-transfer, as the officers who would (each step at `occurredAt`, or now). */
export async function walkToReady(t: TestApp, caseId: string, occurredAt?: string) {
  await walk(
    t,
    caseId,
    [...toApproval, ["secretariat", "confirm-assurances"], ["custody-officer", "mark-ready"]],
    occurredAt,
  );
}

/** A multipart/form-data body of one file part (as a browser's form or `curl -F file=@…` sends it). */
export function multipartBody(
  file: { name: string; type?: string; bytes: Buffer },
  field = "file",
): { payload: Buffer; headers: { "content-type": string } } {
  const boundary = `----traslado${Math.random().toString(16).slice(2)}`;
  const head =
    `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${file.name}"\r\n` +
    `Content-Type: ${file.type ?? "application/octet-stream"}\r\n\r\n`;
  return {
    payload: Buffer.concat([Buffer.from(head, "utf8"), file.bytes, Buffer.from(`\r\n--${boundary}--\r\n`)]),
    headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
  };
}

/** A small PDF of about `size` bytes (its header and trailer; blank space between), distinct per `seed`. */
export function pdfBytes(size = 10_000, seed = Math.random().toString(36)): Buffer {
  const head = Buffer.from(`%PDF-1.7\n% ${seed}\n1 0 obj\n<<>>\nendobj\n`);
  const tail = Buffer.from("\n%%EOF\n");
  return Buffer.concat([head, Buffer.alloc(Math.max(0, size - head.length - tail.length), 0x20), tail]);
}

/** A 1×1 PNG. */
export const pngBytes = Buffer.from(
  "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201e2e1d9c10000000049454e44ae426082",
  "hex",
);

/**
 * The requesting state (US) records a no-death-penalty assurance given on `givenOn`: for a person (their
 * id), or for everyone on an operation (`{ operationId }`).
 */
export async function giveAssurance(t: TestApp, to: string | { operationId: string }, givenOn: string) {
  return t.app.inject({
    method: "POST",
    url: "/api/assurances",
    headers: await t.as("request-officer", "US"),
    payload: {
      kind: "no-death-penalty",
      giver: "US Department of Justice",
      ...(typeof to === "string" ? { scope: "person", personId: to } : { scope: "operation", ...to }),
      status: "given",
      givenOn,
    },
  });
}
