/**
 * The API client: openapi-fetch over the types generated from the server's OpenAPI document
 * (`schema.d.ts`, `npm run web:api-types`), so a call's path, parameters, body and answer are checked by
 * the compiler against the API itself. Cookie sessions: the browser sends the session cookie; every write
 * carries the session's CSRF token.
 */
import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "./schema";

export type Schemas = components["schemas"];
export type ApiErrorBody = Schemas["Error"];
export type FieldIssue = NonNullable<ApiErrorBody["error"]["issues"]>[number];

/** An answer other than 2xx, with the API's error code, message and field issues. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues: FieldIssue[] = [],
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }

  /** The rule a field broke, by its path (`charges[0].statute`). */
  issueOf(field: string): string | undefined {
    return this.issues.find((i) => i.field === field)?.rule;
  }
}

let csrfToken: string | undefined;
/** Set by the session (sign-in, GET /auth/session); sent with every write. */
export function setCsrfToken(token: string | undefined) {
  csrfToken = token;
}

const csrf: Middleware = {
  onRequest({ request }) {
    if (request.method !== "GET" && request.method !== "HEAD" && csrfToken)
      request.headers.set("X-CSRF-Token", csrfToken);
    return request;
  },
};

export const api = createClient<paths>({
  baseUrl: globalThis.location?.origin ?? "",
  credentials: "same-origin",
});
api.use(csrf);

/** Listeners told when the server says the session is gone (401), so the app shows the sign-in. */
const unauthenticated = new Set<() => void>();
export function onUnauthenticated(f: () => void) {
  unauthenticated.add(f);
  return () => {
    unauthenticated.delete(f);
  };
}

/**
 * The data of an openapi-fetch answer, or an ApiError thrown: what TanStack Query's queries and
 * mutations want.
 */
export async function unwrap<T>(
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  let answer: { data?: T; error?: unknown; response: Response };
  try {
    answer = await call;
  } catch {
    throw new ApiError(0, "NETWORK", "no connection to the server");
  }
  const { data, error, response } = answer;
  if (response.ok) return data as T;
  const body = (error ?? {}) as Partial<ApiErrorBody>;
  const e = body.error;
  if (response.status === 401) for (const f of unauthenticated) f();
  throw new ApiError(
    response.status,
    e?.code ?? `HTTP_${response.status}`,
    e?.message ?? response.statusText,
    e?.issues ?? [],
    (e?.details as Record<string, unknown> | undefined) ?? {},
  );
}

/** The JSON answer of a 200 of an operation: `Answer<"/api/stats", "get">`. */
export type Answer<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  responses: { 200: { content: { "application/json": infer T } } };
}
  ? T
  : paths[P][M] extends { responses: { 201: { content: { "application/json": infer T } } } }
    ? T
    : never;
