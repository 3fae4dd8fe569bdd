/**
 * Running tallies (DESIGN.md "Reporting"): pure functions over the rows of people sent.
 *
 * **Who counts as sent.** A person counts once a handover of them is recorded and their case has taken its
 * last step (`hand-over` to `handed-over`, or the treaty's `surrender` to `surrendered` and on to the initial
 * appearance): one row per such handover, counted on the day of the handover. A person handed over twice
 * (two cases, two operations) counts twice: it happened twice.
 *
 * **Organisations.** `organisations` counts a person under every organisation they are affiliated with (a
 * Sinaloa member of the Los Chapitos faction counts under both), so those figures may add up to more than
 * the total. `primaryOrganisations` counts each person once, under their primary affiliation, and adds up to
 * the total.
 */
export interface SentRow {
  operationId: string;
  code: string;
  /** The day of the handover. */
  date: string;
  operationDate: string;
  legalBasis: string;
  personId: string;
  destination: string;
  organisations: string[];
  /** The person's primary affiliation (`primaryOf`), or null when none is recorded. */
  primaryOrganisation: string | null;
  administration: string | null;
  aircraft: number;
}

export interface Tally {
  key: string;
  people: number;
}

export interface Stats {
  total: number;
  operations: {
    id: string;
    code: string;
    date: string;
    people: number;
    aircraft: number;
    legalBasis: string;
    destinations: string[];
  }[];
  administrations: Tally[];
  /** Every affiliation counts: a person of two organisations counts under both (may exceed the total). */
  organisations: Tally[];
  /** Each person once, under their primary affiliation: adds up to the total. */
  primaryOrganisations: Tally[];
  destinations: Tally[];
  legalBases: Tally[];
}

export const noAffiliation = "(no affiliation recorded)";

/**
 * A person's primary affiliation: the one marked primary; else the earliest recorded that has not ended;
 * else the earliest recorded. Affiliations come in the order they were recorded.
 */
export function primaryOf<A extends { primary: boolean; toOn: string | null }>(
  affiliations: readonly A[],
): A | null {
  return affiliations.find((a) => a.primary) ?? affiliations.find((a) => !a.toOn) ?? affiliations[0] ?? null;
}

function countBy(rows: SentRow[], keys: (r: SentRow) => string[]): Tally[] {
  const counts = new Map<string, number>();
  for (const r of rows) for (const k of new Set(keys(r))) counts.set(k, (counts.get(k) ?? 0) + 1);
  return [...counts]
    .map(([key, people]) => ({ key, people }))
    .sort((a, b) => b.people - a.people || a.key.localeCompare(b.key));
}

export function tally(rows: SentRow[]): Stats {
  const ops = new Map<string, Stats["operations"][number]>();
  for (const r of rows) {
    let op = ops.get(r.operationId);
    if (!op) {
      op = {
        id: r.operationId,
        code: r.code,
        date: r.operationDate,
        people: 0,
        aircraft: r.aircraft,
        legalBasis: r.legalBasis,
        destinations: [],
      };
      ops.set(r.operationId, op);
    }
    op.people++;
    if (!op.destinations.includes(r.destination)) op.destinations.push(r.destination);
  }
  return {
    total: rows.length,
    operations: [...ops.values()]
      .map((o) => ({ ...o, destinations: o.destinations.sort() }))
      .sort((a, b) => a.date.localeCompare(b.date) || a.code.localeCompare(b.code)),
    administrations: countBy(rows, (r) => (r.administration ? [r.administration] : ["(none recorded)"])),
    organisations: countBy(rows, (r) => (r.organisations.length ? r.organisations : [noAffiliation])),
    primaryOrganisations: countBy(rows, (r) => [r.primaryOrganisation ?? noAffiliation]),
    destinations: countBy(rows, (r) => [r.destination]),
    legalBases: countBy(rows, (r) => [r.legalBasis]),
  };
}

/** Cells under this many people are suppressed in public figures. */
export const smallCell = 3;

/** Figures of several sending states as one. */
export function mergeFigures<F extends Stats & { from: string | null; to: string | null }>(
  all: F[],
  query: { from?: string | undefined; to?: string | undefined },
): Stats & { from: string | null; to: string | null } {
  const merge = (pick: (f: F) => Tally[]) => {
    const counts = new Map<string, number>();
    for (const f of all) for (const t of pick(f)) counts.set(t.key, (counts.get(t.key) ?? 0) + t.people);
    return [...counts]
      .map(([key, people]) => ({ key, people }))
      .sort((a, b) => b.people - a.people || a.key.localeCompare(b.key));
  };
  return {
    from: query.from ?? null,
    to: query.to ?? null,
    total: all.reduce((n, f) => n + f.total, 0),
    operations: all
      .flatMap((f) => f.operations)
      .sort((a, b) => a.date.localeCompare(b.date) || a.code.localeCompare(b.code)),
    administrations: merge((f) => f.administrations),
    organisations: merge((f) => f.organisations),
    primaryOrganisations: merge((f) => f.primaryOrganisations),
    destinations: merge((f) => f.destinations),
    legalBases: merge((f) => f.legalBases),
  };
}

export interface SuppressedTally {
  key: string;
  /** Null when the cell is suppressed. */
  people: number | null;
  suppressed?: true;
}

/**
 * Public figures: a cell of fewer than `smallCell` people is suppressed (its figure withheld, its key kept)
 * so that no one can be singled out; the totals stay exact. Operations stay as they were announced.
 */
export function suppressSmallCells<F extends Stats>(f: F) {
  const hide = (rows: Tally[]): SuppressedTally[] =>
    rows.map((r) => (r.people < smallCell ? { key: r.key, people: null, suppressed: true } : r));
  return {
    ...f,
    public: true as const,
    administrations: hide(f.administrations),
    organisations: hide(f.organisations),
    primaryOrganisations: hide(f.primaryOrganisations),
    destinations: hide(f.destinations),
    legalBases: hide(f.legalBases),
  };
}
