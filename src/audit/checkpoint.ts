/**
 * Signed checkpoints of the audit chain. A checkpoint says, under the deployment's signing key, "the
 * events up to `seq` were verified, and event `seq` has the chain hash `hash`". Since each event's hash
 * covers the one before it, the hash at `seq` vouches for the whole chain up to there: a verify can start
 * from the latest checkpoint instead of the genesis hash (`verifySinceCheckpoint`), and a full verify checks
 * every checkpoint on its way (`verifyAudit`).
 *
 * `writeCheckpoint` signs one only over a verified chain: it verifies the events since the previous
 * checkpoint (and the rows they changed), and writes nothing when anything is wrong. Each checkpoint
 * names the one before it (`fromSeq`): one per predecessor (a unique index), so two processes signing at
 * once cannot fork them, and a full verify notices one removed.
 */
import { desc, sql } from "drizzle-orm";
import type { FastifyBaseLogger } from "fastify";
import type { PublicKey, SigningKey } from "../crypto/signing-key.ts";
import { verifySignature } from "../crypto/signing-key.ts";
import type { Database, Db } from "../db/client.ts";
import { sqlStateOf, UNIQUE_VIOLATION } from "../db/errors.ts";
import { auditCheckpoints } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { every } from "../every.ts";
import { canonical } from "./chain.ts";
import { type VerifyReport, verifySinceCheckpoint } from "./verify.ts";

export type Checkpoint = typeof auditCheckpoints.$inferSelect;

/** The bytes a checkpoint's signature covers: RFC 8785 canonical JSON of what it states. */
export function checkpointStatement(c: Omit<Checkpoint, "signature">): string {
  return canonical({
    type: "traslado.audit-checkpoint",
    version: 1,
    seq: c.seq,
    hash: c.hash,
    fromSeq: c.fromSeq,
    events: c.events,
    createdAt: c.createdAt.toISOString(),
    keyId: c.keyId,
  });
}

/** A checkpoint of the chain up to event `seq` (chain hash `hash`), following the one at `fromSeq`, signed. */
export function signCheckpoint(
  key: SigningKey,
  at: { seq: number; hash: string; fromSeq: number },
  now: Date,
): Checkpoint {
  const unsigned = { ...at, events: at.seq - at.fromSeq, createdAt: now, keyId: key.keyId };
  return { ...unsigned, signature: key.sign(checkpointStatement(unsigned)) };
}

/**
 * What is wrong with a checkpoint, given the deployment's public key (null: none to check with) and the
 * stored chain hash of its event (undefined: the event is missing). Empty when it holds.
 */
export function checkpointFaults(
  c: Checkpoint,
  key: PublicKey | null,
  eventHash: string | undefined,
): string[] {
  const at = `checkpoint at event ${c.seq}`;
  const faults: string[] = [];
  if (!key) faults.push(`${at} cannot be checked: there is no signing key (SIGNING_KEY_FILE)`);
  else if (c.keyId !== key.keyId)
    faults.push(
      `${at} was signed by key ${c.keyId}, not by this deployment's key ${key.keyId}: a checkpoint forged with another key, or SIGNING_KEY_FILE names the wrong key`,
    );
  else if (!verifySignature(key, checkpointStatement(c), c.signature))
    faults.push(`${at} has a bad signature: the checkpoint was forged or altered`);
  if (eventHash === undefined) faults.push(`${at}: event ${c.seq} is missing`);
  else if (eventHash !== c.hash)
    faults.push(
      `${at}: event ${c.seq}'s chain hash is not the one signed: the chain up to the checkpoint was altered`,
    );
  return faults;
}

/** The latest checkpoint, or undefined when none was signed yet. */
export async function latestCheckpoint(db: Db): Promise<Checkpoint | undefined> {
  const [c] = await db.select().from(auditCheckpoints).orderBy(desc(auditCheckpoints.seq)).limit(1);
  return c;
}

export type CheckpointOutcome =
  /** Signed and stored. */
  | { written: Checkpoint; report: VerifyReport }
  /** The chain has no event since the latest checkpoint (or none at all): nothing new to sign. */
  | { written: null; report: VerifyReport; reason: "nothing-new" }
  /** The verify found problems: no checkpoint is signed over them. */
  | { written: null; report: VerifyReport; reason: "problems" };

/**
 * Verifies the events since the latest checkpoint (as `verifySinceCheckpoint`), then, if all holds, signs
 * and stores a checkpoint at the last event verified. Throws VERSION_CONFLICT when another process stored one
 * from the same predecessor meanwhile (run it again: it starts from that one).
 */
export async function writeCheckpoint(db: Db, key: SigningKey, now = new Date()): Promise<CheckpointOutcome> {
  const report = await verifySinceCheckpoint(db, { key });
  if (!report.ok) return { written: null, report, reason: "problems" };
  const end = report.chainEnd;
  const fromSeq = report.from?.seq ?? 0;
  if (end.seq <= fromSeq) return { written: null, report, reason: "nothing-new" };
  const written = signCheckpoint(key, { seq: end.seq, hash: end.hash, fromSeq }, now);
  try {
    await db.insert(auditCheckpoints).values(written);
  } catch (err) {
    if (sqlStateOf(err) !== UNIQUE_VIOLATION) throw err;
    throw new AppError(
      "VERSION_CONFLICT",
      `another checkpoint after event ${fromSeq} was written meanwhile; run it again to sign the events since that one`,
    );
  }
  return { written, report };
}

/** Rows of every checkpoint in `seq` order, a page at a time (a full verify walks them beside the chain). */
export async function* checkpointsInOrder(db: Db, page = 1000): AsyncGenerator<Checkpoint> {
  let after = -1;
  for (;;) {
    const rows = await db
      .select()
      .from(auditCheckpoints)
      .where(sql`${auditCheckpoints.seq} > ${after}`)
      .orderBy(auditCheckpoints.seq)
      .limit(page);
    yield* rows;
    if (rows.length < page) return;
    after = rows[rows.length - 1]!.seq;
  }
}

/**
 * `serve`'s checkpoint clock: every `intervalMs`, signs a checkpoint of the events since the latest one
 * (`writeCheckpoint`), unless one was signed less than `intervalMs` ago (by another process of the same
 * deployment). A verify that finds problems signs nothing and logs the first of them, for the operators.
 */
export function startCheckpointClock(
  database: Pick<Database, "scoped" | "app">,
  key: SigningKey,
  intervalMs: number,
  log: FastifyBaseLogger,
) {
  const run = async () => {
    const latest = await database.scoped("system", () => latestCheckpoint(database.app));
    if (latest && Date.now() - latest.createdAt.getTime() < intervalMs) return;
    const started = Date.now();
    const out = await database.scoped("system", () => writeCheckpoint(database.app, key));
    const ms = Date.now() - started;
    if (out.written)
      log.info({ seq: out.written.seq, events: out.written.events, ms }, "audit checkpoint signed");
    else if (out.reason === "problems")
      log.error(
        { problems: out.report.problems.length, first: out.report.problems[0]?.message, ms },
        "audit checkpoint refused: the chain since the last one does not verify (run traslado audit verify)",
      );
  };
  return every(intervalMs, () =>
    run().catch((err: unknown) => {
      if (err instanceof AppError && err.code === "VERSION_CONFLICT") return;
      log.error({ err }, "audit checkpoint failed");
    }),
  );
}
