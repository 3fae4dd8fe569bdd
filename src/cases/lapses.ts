import type { Actor } from "../auth/roles.ts";
import { AppError } from "../errors.ts";
import type { caseService } from "./service.ts";

/** The clock, as an actor: it takes the lapse transitions the law makes automatic. */
export const clockActor: Actor = {
  id: "system:deadline-clock",
  name: "Deadline clock",
  party: "MX",
  role: "system",
};

/** Deadlines whose lapse has a consequence in the law, and the transition that records it. */
const lapseOf: Record<string, { transition: string; legalBasis: string; reasons: string }> = {
  "formal-request": {
    transition: "lapse-formal-request",
    legalBasis: "Constitution art. 119; Treaty art. 11(4); LEI art. 18",
    reasons:
      "The formal request did not arrive within its deadline: provisional measures lifted, person released.",
  },
  "custody-window": {
    transition: "lapse-custody-window",
    legalBasis: "LEI art. 35",
    reasons:
      "The requesting state did not take custody within 60 natural days: person freed, not to be surrendered again for the same offence.",
  },
};

/**
 * Takes the lapse transitions of every overdue deadline that has one (formal request: the person is
 * released; custody window: the person is freed for good). Each goes through the legal track, so its
 * guards hold (the deadline must really have lapsed) and it is audited like any step.
 */
export async function applyLapses(cases: ReturnType<typeof caseService>, now = new Date()) {
  const overdue = await cases.deadlines({ status: "overdue", withinDays: 0, limit: 1000 }, clockActor, now);
  const applied: { caseId: string; person: string; transition: string }[] = [];
  const refused: { caseId: string; person: string; reason: string }[] = [];
  for (const d of overdue.items) {
    const lapse = lapseOf[d.kind];
    if (!lapse) continue;
    try {
      await cases.transition({ actor: clockActor, caseId: d.caseId, input: lapse, now });
      applied.push({ caseId: d.caseId, person: d.person.name, transition: lapse.transition });
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      refused.push({ caseId: d.caseId, person: d.person.name, reason: err.message });
    }
  }
  return { applied, refused };
}
