import { and, eq } from "drizzle-orm";
import type { FastifyReply, FastifyRequest } from "fastify";
import { canonical, sha256 } from "../audit/chain.ts";
import { type IdempotencyRecord, IdempotentReplay } from "../audit/write.ts";
import { asActor } from "../auth/access.ts";
import type { Actor } from "../auth/roles.ts";
import type { Db } from "../db/client.ts";
import { idempotencyKeys } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { isWellFormed, WELL_FORMED_RULE } from "./schemas.ts";

/**
 * Runs a POST use case under the client's `Idempotency-Key`, if any. The first response is stored with
 * the write, in its transaction; a replay with the same body gets it back (with `Idempotent-Replayed:
 * true`) and writes nothing; the same key with another body is refused.
 */
export async function idempotent(
  db: Db,
  req: FastifyRequest,
  reply: FastifyReply,
  actor: Actor,
  status: number,
  run: (idempotency: IdempotencyRecord | undefined) => Promise<unknown>,
) {
  const header = req.headers["idempotency-key"];
  const key = Array.isArray(header) ? header[0] : header;
  // The answer is sent once the write has committed (and its events are linked): outside the scope.
  if (key === undefined) return reply.code(status).send(await asActor(db, actor, () => run(undefined)));
  if (key.length < 1 || key.length > 200) {
    throw new AppError("VALIDATION_FAILED", "Idempotency-Key: must be 1 to 200 characters", {
      issues: [{ field: "headers.idempotency-key", rule: "must be 1 to 200 characters" }],
    });
  }
  if (!isWellFormed(key)) {
    throw new AppError("VALIDATION_FAILED", `Idempotency-Key: ${WELL_FORMED_RULE}`, {
      issues: [{ field: "headers.idempotency-key", rule: WELL_FORMED_RULE }],
    });
  }
  const requestHash = sha256(`${req.method} ${req.url}\n${canonical(req.body ?? null)}`);
  for (let attempt = 0; attempt < 2; attempt++) {
    const [stored] = await asActor(db, actor, () =>
      db
        .select()
        .from(idempotencyKeys)
        .where(and(eq(idempotencyKeys.actorId, actor.id), eq(idempotencyKeys.key, key)))
        .limit(1),
    );
    if (stored) {
      if (stored.requestHash !== requestHash) {
        throw new AppError(
          "IDEMPOTENCY_KEY_REUSED",
          "this Idempotency-Key was used for a different request; use a new key for a new request",
        );
      }
      if (stored.statusCode == null) {
        throw new AppError(
          "IDEMPOTENCY_IN_PROGRESS",
          "a request with this Idempotency-Key is still in progress",
        );
      }
      return reply.code(stored.statusCode).header("idempotent-replayed", "true").send(stored.response);
    }
    try {
      return reply.code(status).send(await asActor(db, actor, () => run({ key, requestHash, status })));
    } catch (err) {
      if (!(err instanceof IdempotentReplay)) throw err;
      // another request with this key committed first: replay it
    }
  }
  throw new AppError("IDEMPOTENCY_IN_PROGRESS", "a request with this Idempotency-Key is still in progress");
}
