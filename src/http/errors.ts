import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { hasZodFastifySchemaValidationErrors } from "fastify-type-provider-zod";
import { asConflict, loggableError } from "../db/errors.ts";
import { AppError, type ErrorCode, type FieldIssue, httpStatusOf } from "../errors.ts";

/** `/charges/0/statute` → `charges[0].statute` */
export function fieldPath(path: readonly (string | number | symbol)[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number" || /^\d+$/.test(String(part))) out += `[${String(part)}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

function ruleOf(message: string, params: Record<string, unknown>): string {
  if (/received undefined/.test(message)) return "required";
  if (params.code === "unrecognized_keys" || Array.isArray(params.keys)) return "unknown field";
  return message.replace(/^Invalid input: /, "");
}

/** The body of every error response: a code, a message, and for bad input each field with its rule. */
export function errorBody(code: string, message: string, extra: Record<string, unknown> = {}) {
  return { error: { code, message, ...extra } };
}

/**
 * How a log line shows an error and a request: `loggableError` (no parameters, no values PostgreSQL quotes),
 * and the request's path with the names of its query parameters but not their values (`q` searches names).
 */
export const logSerializers = {
  err: loggableError,
  req: (req: FastifyRequest) => {
    const [path, query] = req.url.split("?", 2);
    const keys = query ? [...new URLSearchParams(query).keys()] : [];
    return {
      method: req.method,
      url: keys.length ? `${path}?${keys.map((k) => `${k}=…`).join("&")}` : path,
      remoteAddress: req.ip,
    };
  },
};

/** Fastify's own refusals (a body too large, not JSON, of another type) as the codes of the one table. */
function codeOfStatus(status: number): ErrorCode {
  if (status === 404) return "NOT_FOUND";
  if (status === 413) return "PAYLOAD_TOO_LARGE";
  if (status === 415) return "UNSUPPORTED_MEDIA_TYPE";
  if (status === 429) return "RATE_LIMITED";
  return "BAD_REQUEST";
}

export function handleError(
  thrown: FastifyError | AppError | Error,
  req: FastifyRequest,
  reply: FastifyReply,
) {
  const err = asConflict(thrown) as FastifyError | AppError | Error;
  if (hasZodFastifySchemaValidationErrors(err)) {
    const context = (err as FastifyError).validationContext;
    const prefix = context && context !== "body" ? `${context === "querystring" ? "query" : context}.` : "";
    const issues: FieldIssue[] = [];
    for (const v of err.validation) {
      const params = (v.params ?? {}) as Record<string, unknown>;
      const base = fieldPath(v.instancePath.split("/").filter(Boolean));
      if (Array.isArray(params.keys)) {
        for (const k of params.keys as string[])
          issues.push({ field: prefix + (base ? `${base}.${k}` : k), rule: "unknown field" });
      } else {
        issues.push({ field: prefix + (base || "(body)"), rule: ruleOf(v.message ?? "invalid", params) });
      }
    }
    return reply
      .code(400)
      .send(
        errorBody("VALIDATION_FAILED", issues.map((i) => `${i.field}: ${i.rule}`).join("; "), { issues }),
      );
  }
  if (err instanceof AppError) {
    const status = httpStatusOf(err.code);
    // DOCUMENT_CORRUPT names the document (ids and hashes only) so that the client knows what was withheld.
    if (status >= 500 && err.code !== "UNAVAILABLE" && err.code !== "DOCUMENT_CORRUPT") {
      // A fault of the system (its configuration, its data directory): told to the operator, not the client.
      req.log.error({ code: err.code }, err.message);
      return reply.code(status).send(errorBody("INTERNAL", `internal error; quote request id ${req.id}`));
    }
    const { issues, ...details } = err.details;
    return reply.code(status).send(
      errorBody(err.code, err.message, {
        ...(issues ? { issues } : {}),
        ...(Object.keys(details).length ? { details } : {}),
      }),
    );
  }
  const fe = err as FastifyError;
  if (fe.code === "FST_ERR_MAX_PARAM_LENGTH") fe.statusCode = 400;
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
    const code = codeOfStatus(fe.statusCode);
    const message =
      code === "PAYLOAD_TOO_LARGE"
        ? `the request body is larger than this route accepts (${req.routeOptions.bodyLimit ?? "its limit"} bytes)`
        : fe.message;
    // Every refusal of bad input names what was wrong: the body, the URL, or else the request as a whole.
    const field = fe.code?.startsWith("FST_ERR_CTP")
      ? "(body)"
      : fe.code === "FST_ERR_BAD_URL" || fe.code === "FST_ERR_MAX_PARAM_LENGTH"
        ? "(url)"
        : "(request)";
    const issues = fe.statusCode === 400 || field === "(body)" ? [{ field, rule: message }] : undefined;
    return reply.code(fe.statusCode).send(errorBody(code, message, issues ? { issues } : {}));
  }
  // Unknown failures: log them with the request id; never send internals to the client.
  req.log.error({ err }, "unhandled error");
  return reply.code(500).send(errorBody("INTERNAL", `internal error; quote request id ${req.id}`));
}
