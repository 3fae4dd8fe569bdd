import type { IdempotencyRecord } from "./audit/write.ts";
import type { Actor } from "./auth/roles.ts";

/** The options every write use case takes: who acts, the validated input, and the client's idempotency key. */
export interface Call<T> {
  actor: Actor;
  input: T;
  idempotency?: IdempotencyRecord | undefined;
}
