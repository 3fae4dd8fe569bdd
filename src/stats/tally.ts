/**
 * Running tallies (DESIGN.md "Reporting"): pure functions over the rows of people sent.
 *
 * **Who counts as sent.** A person counts once a handover of them is recorded and their case has taken its
 * last step (`hand-over` to `handed-over`, or the treaty's `surrender` to `surrendered` and on to the initial
 * appearance): one row per such handover, on the day of the handover.
 *
 * **People, not handovers.** The figures count people: a person handed over twice (two cases, two
 * operations; or two records of one person merged) counts once in `total` and once under each key, and
 * `handovers` says how many handovers there were. So the per-operation, per-administration, per-destination
 * and per-legal-basis figures of such a person may add up to more than the total, as organisations do.
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
  /** People sent, each once. */
  total: number;
  /** Handovers counted: more than `total` when someone was handed over more than once. */
  handovers: number;
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

/** The people under each key, each person once under a key. */
function countBy(rows: SentRow[], keys: (r: SentRow) => string[]): Tally[] {
  const people = new Map<string, Set<string>>();
  for (const r of rows)
    for (const k of keys(r)) {
      const ids = people.get(k) ?? new Set<string>();
      ids.add(r.personId);
      people.set(k, ids);
    }
  return [...people]
    .map(([key, ids]) => ({ key, people: ids.size }))
    .sort((a, b) => b.people - a.people || a.key.localeCompare(b.key));
}

export function tally(rows: SentRow[]): Stats {
  const ops = new Map<string, Stats["operations"][number] & { ids: Set<string> }>();
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
        ids: new Set(),
      };
      ops.set(r.operationId, op);
    }
    op.ids.add(r.personId);
    if (!op.destinations.includes(r.destination)) op.destinations.push(r.destination);
  }
  return {
    total: new Set(rows.map((r) => r.personId)).size,
    handovers: rows.length,
    operations: [...ops.values()]
      .map(({ ids, ...o }) => ({ ...o, people: ids.size, destinations: o.destinations.sort() }))
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

export interface SuppressedTally {
  key: string;
  /** Null when the cell is suppressed. */
  people: number | null;
  suppressed?: true;
}

/**
 * Public figures: a cell of fewer than `smallCell` people is suppressed (its figure withheld, its key kept)
 * so that no one can be singled out; the total stays exact. Where a list would then have one cell
 * suppressed, its smallest other cell is suppressed too: otherwise the total less the others would give it
 * away. Operations are cells too: a small one's people and destinations are withheld (its code, date,
 * aircraft and legal basis stay, as announced). When the total itself is small, the lists are withheld
 * whole, keys included, operations too: with one or two people, a key alone says where they went, and
 * the operations listed say which carried them (one operation holds the total; two hold one each). The number of
 * handovers is not public: less the operations shown, it would give the withheld ones away.
 *
 * What this does not stop: each list is protected on its own, so another list of the same answer (a
 * withheld operation's legal basis against the per-legal-basis figures), bounds (a withheld cell is under
 * `smallCell`, its companion at most the smallest shown) and the difference between two ranges of days can
 * still narrow a withheld figure down. It keeps a small cell's figure out of its own list, not out of every
 * combination of lists and answers.
 */
export function suppressSmallCells<F extends Stats>(f: F) {
  const small = f.total < smallCell;
  const hide = (rows: Tally[]): SuppressedTally[] =>
    small
      ? []
      : rows.map((r, k) =>
          withheld(rows.map((x) => x.people))[k] ? { key: r.key, people: null, suppressed: true } : r,
        );
  const smallOps = withheld(f.operations.map((o) => o.people));
  const { handovers: _notPublic, ...figures } = f;
  return {
    ...figures,
    public: true as const,
    operations: small
      ? []
      : f.operations.map((o, k) =>
          smallOps[k] ? { ...o, people: null, destinations: [], suppressed: true as const } : o,
        ),
    administrations: hide(f.administrations),
    organisations: hide(f.organisations),
    primaryOrganisations: hide(f.primaryOrganisations),
    destinations: hide(f.destinations),
    legalBases: hide(f.legalBases),
  };
}

/** Which of a list's figures to withhold: those under `smallCell`, and a second when only one is. */
function withheld(people: number[]): boolean[] {
  const hidden = people.map((p) => p < smallCell);
  if (hidden.filter(Boolean).length === 1 && people.length > 1) {
    let smallest = -1;
    for (let k = 0; k < people.length; k++)
      if (!hidden[k] && (smallest < 0 || people[k]! <= people[smallest]!)) smallest = k;
    hidden[smallest] = true;
  }
  return hidden;
}
