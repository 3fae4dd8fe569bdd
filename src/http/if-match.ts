import type { FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { AppError } from "../errors.ts";
import { text } from "./schemas.ts";

/** The `If-Match` request header, documented on the routes that take it. */
export const ifMatchHeader = z
  .object({ "if-match": text(40, { required: false, trim: false }).optional() })
  .passthrough();

/** `If-Match: 3` or `If-Match: "3"`: the version the client read. */
export function ifMatch(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const n = Number(header.replace(/^W\//, "").replace(/"/g, ""));
  if (!Number.isInteger(n) || n < 1) {
    throw new AppError("VALIDATION_FAILED", 'If-Match: must be the version read, e.g. "3"', {
      issues: [{ field: "headers.if-match", rule: "a positive integer version" }],
    });
  }
  return n;
}

/**
 * The body with the version of `If-Match` as its `expectedVersion` (the body's own wins when both are
 * given and agree; when they disagree the request is refused).
 */
export function withIfMatch<B extends { expectedVersion?: number | undefined }>(
  body: B,
  req: FastifyRequest,
): B {
  const header = ifMatch(req.headers["if-match"] as string | undefined);
  if (header === undefined) return body;
  if (body.expectedVersion !== undefined && body.expectedVersion !== header) {
    throw new AppError("VALIDATION_FAILED", "If-Match and expectedVersion disagree", {
      issues: [{ field: "headers.if-match", rule: `differs from expectedVersion ${body.expectedVersion}` }],
    });
  }
  return { ...body, expectedVersion: header };
}

/**
 * `ETag: "3"`: the version of the record read, to send back as `If-Match` with a correction. Strong, since
 * `If-Match` compares strongly; it names the record's version (every change bumps it).
 */
export function tagVersion(reply: FastifyReply, body: unknown): void {
  const version = (body as { version?: unknown } | null)?.version;
  if (Number.isInteger(version)) reply.header("ETag", `"${version}"`);
}
