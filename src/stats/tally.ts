/**
 * Running tallies (DESIGN.md "Reporting"): pure functions over the rows of people sent. One row is one
 * person on one completed operation; a person sent twice counts twice (it happened twice).
 */
export interface SentRow {
  operationId: string;
  code: string;
  date: string;
  legalBasis: string;
  personId: string;
  destination: string;
  organisations: string[];
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
  organisations: Tally[];
  destinations: Tally[];
  legalBases: Tally[];
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
        date: r.date,
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
    organisations: countBy(rows, (r) =>
      r.organisations.length ? r.organisations : ["(no affiliation recorded)"],
    ),
    destinations: countBy(rows, (r) => [r.destination]),
    legalBases: countBy(rows, (r) => [r.legalBasis]),
  };
}
