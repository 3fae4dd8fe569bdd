import { createHash } from "node:crypto";
import canonicalize from "canonicalize";

/** The genesis hash the chain starts from (migration 0001). */
export const GENESIS_HASH = "0".repeat(64);

/** What an audit event says; `hash` and `prevHash` link it into the chain. */
export interface AuditEventBody {
  seq: number;
  id: string;
  actorId: string;
  actorName: string;
  party: string;
  occurredAt: string;
  recordedAt: string;
  entity: string;
  entityId: string;
  kind: string;
  before: unknown;
  after: unknown;
  /** Why (a correction's reason): in the body only when given, so events without one hash as before. */
  reason?: string;
}

/** RFC 8785 canonical JSON: same value, same bytes, whichever driver read it. */
export function canonical(value: unknown): string {
  return canonicalize(value) ?? "null";
}

export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

export function hashEvent(prevHash: string, body: AuditEventBody): string {
  return sha256(`${prevHash}\n${canonical(body)}`);
}

/** A row as the audit chain keeps it: plain JSON (dates as ISO-8601 strings). */
export function imageOf(row: object): Record<string, unknown> {
  return JSON.parse(JSON.stringify(row));
}

/** The hashed body of a stored event, at its chain position `seq`. Linking and verifying both use it. */
export function bodyOf(
  e: {
    id: string;
    actorId: string;
    actorName: string;
    party: string;
    occurredAt: Date;
    recordedAt: Date;
    entity: string;
    entityId: string;
    kind: string;
    before: unknown;
    after: unknown;
    reason?: string | null;
  },
  seq: number,
): AuditEventBody {
  return {
    seq,
    id: e.id,
    actorId: e.actorId,
    actorName: e.actorName,
    party: e.party,
    occurredAt: e.occurredAt.toISOString(),
    recordedAt: e.recordedAt.toISOString(),
    entity: e.entity,
    entityId: e.entityId,
    kind: e.kind,
    before: e.before,
    after: e.after,
    ...(e.reason != null ? { reason: e.reason } : {}),
  };
}
