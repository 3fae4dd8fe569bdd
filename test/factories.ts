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
  options: { type?: string; capital?: boolean } = {},
) {
  const res = await t.app.inject({
    method: "POST",
    url: "/api/requests",
    headers: await t.as("request-officer", "US"),
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
  options: { track?: "treaty" | "security"; capital?: boolean; openedOn?: string } = {},
) {
  const track = options.track ?? "security";
  const person = await buildPerson(t);
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
