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
export function idempotent(
  db: Db,
  req: FastifyRequest,
  reply: FastifyReply,
  actor: Actor,
  status: number,
  run: (idempotency: IdempotencyRecord | undefined) => Promise<unknown>,
) {
  const requestHash = sha256(`${req.method} ${req.url}\n${canonical(req.body ?? null)}`);
  return underKey(db, req, reply, actor, status, requestHash, async () => requestHash, run);
}

/**
 * `idempotent` for an upload, whose body is a file streamed into the store as it arrives: the request is
 * known by its path, the file's name and declared type (`file`) and its SHA-256. A first upload tells it
 * once the file is hashed (`hashed`, before its transaction commits, with the key and the response); a
 * replay reads the file through (`hashOf`, storing nothing) to weigh it against the stored one: the same
 * file gets the first response back, another is refused as a reuse of the key.
 */
export function idempotentUpload(
  db: Db,
  req: FastifyRequest,
  reply: FastifyReply,
  actor: Actor,
  file: { filename: string; mimetype: string },
  hashOf: () => Promise<string>,
  run: (idempotency: IdempotencyRecord | undefined, hashed: (fileSha256: string) => void) => Promise<unknown>,
) {
  const requestHashOf = (fileSha256: string) =>
    sha256(
      `${req.method} ${req.url}\n${canonical({ name: file.filename, type: file.mimetype, sha256: fileSha256 })}`,
    );
  return underKey(
    db,
    req,
    reply,
    actor,
    201,
    // Claimed with no hash yet: `hashed` gives it before the key and the response are stored.
    "",
    async () => requestHashOf(await hashOf()),
    (idempotency) =>
      run(idempotency, (fileSha256) => {
        if (idempotency) idempotency.requestHash = requestHashOf(fileSha256);
      }),
  );
}

/** The client's `Idempotency-Key`, checked; undefined without one. */
function keyOf(req: FastifyRequest): string | undefined {
  const header = req.headers["idempotency-key"];
  const key = Array.isArray(header) ? header[0] : header;
  if (key === undefined) return undefined;
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
  return key;
}

/**
 * The replay-or-run of a request under its key: a first run claims the key with `claimHash`; `requestHash`
 * tells the request when a stored response is to be weighed against it (an upload's reads the file).
 */
async function underKey(
  db: Db,
  req: FastifyRequest,
  reply: FastifyReply,
  actor: Actor,
  status: number,
  claimHash: string,
  requestHash: () => Promise<string>,
  run: (idempotency: IdempotencyRecord | undefined) => Promise<unknown>,
) {
  const key = keyOf(req);
  // The answer is sent once the write has committed (and its events are linked): outside the scope.
  if (key === undefined) return reply.code(status).send(await asActor(db, actor, () => run(undefined)));
  for (let attempt = 0; attempt < 2; attempt++) {
    const [stored] = await asActor(db, actor, () =>
      db
        .select()
        .from(idempotencyKeys)
        .where(and(eq(idempotencyKeys.actorId, actor.id), eq(idempotencyKeys.key, key)))
        .limit(1),
    );
    if (stored) {
      if (stored.statusCode == null) {
        throw new AppError(
          "IDEMPOTENCY_IN_PROGRESS",
          "a request with this Idempotency-Key is still in progress",
        );
      }
      if (stored.requestHash !== (await requestHash())) {
        throw new AppError(
          "IDEMPOTENCY_KEY_REUSED",
          "this Idempotency-Key was used for a different request; use a new key for a new request",
        );
      }
      return reply.code(stored.statusCode).header("idempotent-replayed", "true").send(stored.response);
    }
    try {
      const record: IdempotencyRecord = { key, requestHash: claimHash, status };
      return reply.code(status).send(await asActor(db, actor, () => run(record)));
    } catch (err) {
      if (!(err instanceof IdempotentReplay)) throw err;
      // another request with this key committed first: replay it
    }
  }
  throw new AppError("IDEMPOTENCY_IN_PROGRESS", "a request with this Idempotency-Key is still in progress");
}
