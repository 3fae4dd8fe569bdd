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
import type { PublicKey, SigningKey } from "../crypto/signing-key.ts";
import { verifySignature } from "../crypto/signing-key.ts";
import type { Db } from "../db/client.ts";
import { sqlStateOf, UNIQUE_VIOLATION } from "../db/errors.ts";
import { auditCheckpoints } from "../db/schema.ts";
import { AppError } from "../errors.ts";
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
  const unsigned = {
    seq: end.seq,
    hash: end.hash,
    fromSeq,
    events: end.seq - fromSeq,
    createdAt: now,
    keyId: key.keyId,
  };
  const written = { ...unsigned, signature: key.sign(checkpointStatement(unsigned)) };
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
