import { write } from "../../src/audit/write.ts";
import type { Role } from "../../src/auth/roles.ts";
import { consoleActor } from "../../src/auth/tokens.ts";
import { initialState, type Track } from "../../src/cases/workflow.ts";
import { cases, people } from "../../src/db/schema.ts";
import type { Services } from "../../src/services.ts";

// Rows per transaction: big enough to be quick, small enough to keep each transaction short.
const BATCH = 2000;

/**
 * Opens `count` cases, each for a fictional person of its own, through the audited write path
 * (`write()` + `Writer.insert`): every row has its audit event, so `audit verify` holds afterwards.
 * Returns the case ids in creation order.
 */
export async function openCases(s: Services, count: number, track: (i: number) => Track): Promise<string[]> {
  const actor = consoleActor("MX");
  const ids: string[] = [];
  for (let start = 0; start < count; start += BATCH) {
    const n = Math.min(BATCH, count - start);
    const rows = await write(s.database.db, actor, async (w) => {
      const persons = await w.insert(
        people,
        Array.from({ length: n }, (_, k) => ({
          givenNames: "Bench",
          familyNames: `Person ${start + k}`,
          fictional: true,
        })),
      );
      return w.insert(
        cases,
        persons.map((p, k) => {
          const t = track(start + k);
          return {
            track: t,
            state: initialState(t),
            personId: p.id,
            treatyParameters: "us-mx-1978",
            openedOn: "2026-01-05",
          };
        }),
      );
    });
    for (const r of rows) ids.push(r.id);
  }
  return ids;
}

/** A bearer token for a benchmark actor of this role. */
export async function bearer(s: Services, role: Role): Promise<string> {
  const { token } = await s.tokens.create({
    actor: consoleActor("MX"),
    name: `Benchmark ${role}`,
    party: "MX",
    role,
  });
  return `Bearer ${token}`;
}
