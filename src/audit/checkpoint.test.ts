import { generateKeyPairSync, verify } from "node:crypto";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import type { FastifyBaseLogger } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestDatabase, testDatabase } from "../../test/db.ts";
import type { Actor } from "../auth/roles.ts";
import { loadOrCreateSigningKey, publicKeyOf, type SigningKey } from "../crypto/signing-key.ts";
import { sqlStateOf } from "../db/errors.ts";
import { auditCheckpoints, organisations } from "../db/schema.ts";
import { checkpointStatement, startCheckpointClock, writeCheckpoint } from "./checkpoint.ts";
import { verifyAudit, verifySinceCheckpoint } from "./verify.ts";
import { write } from "./write.ts";

const actor: Actor = { id: "t-1", name: "Test liaison", party: "MX", role: "admin" };
let database: TestDatabase;
let keyDir: string;
let key: SigningKey;
const ids: string[] = [];

const rowsOf = <R>(r: unknown) => (r as { rows: R[] }).rows;
const addOrganisations = async (n: number) => {
  for (let i = 0; i < n; i++) {
    const org = await write(database.db, actor, (w) =>
      w.insertOne(organisations, { name: `Cell ${ids.length}` }),
    );
    ids.push(org.id);
  }
};
const messages = (r: { problems: { message: string }[] }) => r.problems.map((p) => p.message);
const full = () => verifyAudit(database.db, { key });
const sinceCheckpoint = () => verifySinceCheckpoint(database.db, { key });
const checkpointCount = async () => (await database.db.select().from(auditCheckpoints)).length;

beforeAll(async () => {
  database = await testDatabase();
  keyDir = mkdtempSync(join(tmpdir(), "traslado-key-"));
  key = loadOrCreateSigningKey(join(keyDir, "signing-key.pem")).key;
  await addOrganisations(6);
});
afterAll(async () => {
  await database.close();
  rmSync(keyDir, { recursive: true, force: true });
});

describe("the signing key", () => {
  it("is made once, readable by its owner only, and the same key afterwards", () => {
    const file = join(keyDir, "signing-key.pem");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const again = loadOrCreateSigningKey(file);
    expect(again.created).toBe(false);
    expect(again.key.keyId).toBe(key.keyId);
    expect(key.keyId).toMatch(/^ed25519:[0-9a-f]{64}$/);
  });
});

describe("audit checkpoints", () => {
  it("signs a checkpoint over the verified chain; a verify then checks only the events since, and the full one every checkpoint", async () => {
    const out = await writeCheckpoint(database.db, key);
    expect(out.written).toMatchObject({ seq: 6, fromSeq: 0, events: 6, keyId: key.keyId });
    // Anyone with the public key (`traslado key show`) can check the stored statement.
    const [stored] = await database.db.select().from(auditCheckpoints);
    expect(
      verify(
        null,
        Buffer.from(checkpointStatement(stored!)),
        publicKeyOf(key.pem).object,
        Buffer.from(stored!.signature, "base64"),
      ),
    ).toBe(true);

    expect(await sinceCheckpoint()).toMatchObject({
      ok: true,
      mode: "since-checkpoint",
      from: { seq: 6 },
      eventsChecked: 0,
      problems: [],
    });
    await addOrganisations(2);
    await write(database.db, actor, (w) =>
      w.update(organisations, ids[7]!, { notes: "seen" }, { expectedVersion: 1 }),
    );
    // Three events since, two rows changed by them.
    expect(await sinceCheckpoint()).toMatchObject({ ok: true, eventsChecked: 3, rowsChecked: 2 });
    expect(await full()).toMatchObject({ ok: true, eventsChecked: 9, rowsChecked: 8, checkpointsChecked: 1 });

    // Nothing new since the latest: nothing signed.
    expect((await writeCheckpoint(database.db, key)).written).toMatchObject({
      seq: 9,
      fromSeq: 6,
      events: 3,
    });
    expect(await writeCheckpoint(database.db, key)).toMatchObject({ written: null, reason: "nothing-new" });
    expect(await checkpointCount()).toBe(2);
  });

  it("by design, a verify from the checkpoint does not see an event altered before it, nor a row edited whose entity has no event since; the full verify sees both", async () => {
    // Event 2 is before the latest checkpoint (at 9), and not the checkpoint's own event.
    await database.db.execute(sql`update audit_events set actor_name = 'Someone else' where seq = 2`);
    await database.db.execute(sql`update organisations set notes = 'tampered' where id = ${ids[0]}`);
    expect(await sinceCheckpoint()).toMatchObject({ ok: true, problems: [] });
    const report = await full();
    expect(report.ok).toBe(false);
    expect(messages(report)).toEqual([
      expect.stringMatching(/^event 2 \(organisation\.created of organisation .*\) was altered/),
      expect.stringMatching(/^organisation .* differs from its last audited after-image/),
    ]);
    await database.db.execute(sql`update audit_events set actor_name = 'Test liaison' where seq = 2`);
    await database.db.execute(sql`update organisations set notes = null where id = ${ids[0]}`);
    expect((await full()).ok).toBe(true);
  });

  it("catches the checkpoint's own event altered, in both verifies", async () => {
    await database.db.execute(sql`update audit_events set actor_name = 'Someone else' where seq = 9`);
    for (const report of [await sinceCheckpoint(), await full()]) {
      expect(report.ok).toBe(false);
      expect(messages(report)).toContainEqual(
        expect.stringMatching(/^event 9 \(organisation\.updated of organisation .*\) was altered/),
      );
    }
    // Re-hashed to hide it: the chain hash at 9 is no longer the one signed.
    await database.db.execute(sql`update audit_events set hash = repeat('a', 64) where seq = 9`);
    await database.db.execute(sql`update audit_head set hash = repeat('a', 64)`);
    expect(messages(await sinceCheckpoint())).toContainEqual(
      "checkpoint at event 9: event 9's chain hash is not the one signed: the chain up to the checkpoint was altered",
    );
    await database.db.execute(sql`update audit_events set actor_name = 'Test liaison' where seq = 9`);
    await database.db.execute(
      sql`update audit_events e set hash = c.hash from audit_checkpoints c where c.seq = 9 and e.seq = 9`,
    );
    await database.db.execute(
      sql`update audit_head set hash = (select hash from audit_checkpoints where seq = 9)`,
    );
    expect((await full()).ok).toBe(true);
  });

  it("catches an event altered or a row edited after the checkpoint, in both verifies, and signs no checkpoint over it", async () => {
    await addOrganisations(1);
    await database.db.execute(sql`update audit_events set actor_name = 'Someone else' where seq = 10`);
    await database.db.execute(sql`update organisations set notes = 'tampered' where id = ${ids[8]}`);
    for (const report of [await sinceCheckpoint(), await full()]) {
      expect(messages(report)).toEqual([
        expect.stringMatching(/^event 10 \(organisation\.created of organisation .*\) was altered/),
        `organisation ${ids[8]} differs from its last audited after-image: it was edited behind the application's back`,
      ]);
    }
    expect(await writeCheckpoint(database.db, key)).toMatchObject({ written: null, reason: "problems" });
    expect(await checkpointCount()).toBe(2);
    // A row deleted behind the application's back after an event since the checkpoint: missing.
    await database.db.execute(sql`update audit_events set actor_name = 'Test liaison' where seq = 10`);
    await database.db.execute(sql`delete from organisations where id = ${ids[8]}`);
    expect(messages(await sinceCheckpoint())).toEqual([
      `organisation ${ids[8]} is missing: it was deleted behind the application's back`,
    ]);
    await database.db.execute(sql`insert into organisations (id, name, party, version, recorded_at)
      select (after->>'id')::uuid, after->>'name', after->>'party', 1, (after->>'recordedAt')::timestamptz
      from audit_events where seq = 10`);
    expect((await full()).ok).toBe(true);
  });

  it("reports a forged checkpoint: a bad signature, another key, no key, one removed", async () => {
    const [latest] = await database.db.select().from(auditCheckpoints).where(sql`seq = 9`);
    // A checkpoint at event 10 claiming this deployment's key, signed by another.
    const other = generateKeyPairSync("ed25519");
    const forged = { ...latest!, seq: 10, fromSeq: 9, events: 1, hash: (await chainHashAt(10))! };
    const { sign } = await import("node:crypto");
    await database.db.insert(auditCheckpoints).values({
      ...forged,
      signature: sign(null, Buffer.from(checkpointStatement(forged)), other.privateKey).toString("base64"),
    });
    for (const report of [await sinceCheckpoint(), await full()]) {
      expect(report.ok).toBe(false);
      expect(messages(report)).toEqual([
        "checkpoint at event 10 has a bad signature: the checkpoint was forged or altered",
      ]);
    }
    // Signed by another key, naming it: a key mismatch, named.
    const otherKey = publicKeyOf(other.publicKey);
    const named = { ...forged, keyId: otherKey.keyId };
    await database.db.execute(sql`update audit_checkpoints set key_id = ${otherKey.keyId},
      signature = ${sign(null, Buffer.from(checkpointStatement(named)), other.privateKey).toString("base64")} where seq = 10`);
    expect(messages(await sinceCheckpoint())).toEqual([
      `checkpoint at event 10 was signed by key ${otherKey.keyId}, not by this deployment's key ${key.keyId}: a checkpoint forged with another key, or SIGNING_KEY_FILE names the wrong key`,
    ]);
    expect(messages(await verifySinceCheckpoint(database.db, { key: null }))).toEqual([
      "checkpoint at event 10 cannot be checked: there is no signing key (SIGNING_KEY_FILE)",
    ]);
    // A signed checkpoint altered (its hash): its signature no longer holds.
    await database.db.execute(sql`delete from audit_checkpoints where seq = 10`);
    await database.db.execute(sql`update audit_checkpoints set events = 4 where seq = 9`);
    expect(messages(await sinceCheckpoint())).toEqual([
      "checkpoint at event 9 has a bad signature: the checkpoint was forged or altered",
    ]);
    await database.db.execute(sql`update audit_checkpoints set events = 3 where seq = 9`);
    // The first checkpoint removed: the full verify sees the gap.
    await database.db.execute(sql`delete from audit_checkpoints where seq = 6`);
    expect(messages(await full())).toEqual([
      "checkpoint at event 9 follows one at event 6, but the checkpoint before it is at event 0: a checkpoint was removed",
    ]);
  });

  it("lets the application role append checkpoints in the system context only, and never change or remove one", async () => {
    const asApp = (statement: ReturnType<typeof sql>) =>
      database.scoped("system", () => database.app.execute(statement));
    // 42501: insufficient privilege (the grants); the row-level security policies refuse with the same code.
    expect(await refusal(asApp(sql`delete from audit_checkpoints`))).toBe("42501");
    expect(await refusal(asApp(sql`update audit_checkpoints set events = 1`))).toBe("42501");
    const seen = await database.scoped({ party: "MX", actorId: "t-1" }, () =>
      database.app.execute(sql`select * from audit_checkpoints`),
    );
    expect(rowsOf(seen)).toEqual([]);
    expect(
      await refusal(
        database.scoped({ party: "MX", actorId: "t-1" }, () =>
          database.app.execute(sql`insert into audit_checkpoints values (100, 'x', 99, 1, now(), 'k', 's')`),
        ),
      ),
    ).toBe("42501");
    expect(await checkpointCount()).toBe(1);
    // The system context (audit checkpoint, serve's clock) appends one.
    const out = await database.scoped("system", () => writeCheckpoint(database.app, key));
    expect(out.written).toMatchObject({ seq: 10, fromSeq: 9 });
  });
});

describe("serve's checkpoint clock", () => {
  it("signs a checkpoint at its first run, and skips its turn while the latest is younger than its interval", async () => {
    const logged: string[] = [];
    const log = {
      info: (_: unknown, message: string) => logged.push(message),
      error: (_: unknown, message: string) => logged.push(message),
    } as unknown as FastifyBaseLogger;
    await addOrganisations(1);
    const before = await checkpointCount();
    // Every 10 ms: the latest checkpoint (the test before) is older than that. Stopped after its first run.
    await startCheckpointClock(database, key, 10, log).stop();
    expect(await checkpointCount()).toBe(before + 1);
    expect(logged).toEqual(["audit checkpoint signed"]);
    // Another process's clock, hourly, a moment later: nothing signed, though there is a new event.
    await addOrganisations(1);
    await startCheckpointClock(database, key, 3_600_000, log).stop();
    expect(await checkpointCount()).toBe(before + 1);
    expect(logged).toEqual(["audit checkpoint signed"]);
  });
});

/** The SQLSTATE a statement was refused with (undefined if it was not). */
async function refusal(p: Promise<unknown>) {
  try {
    await p;
    return undefined;
  } catch (err) {
    return sqlStateOf(err);
  }
}

async function chainHashAt(seq: number) {
  const [row] = rowsOf<{ hash: string }>(
    await database.db.execute(sql`select hash from audit_events where seq = ${seq}`),
  );
  return row?.hash;
}
