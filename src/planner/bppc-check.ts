/** The rules of bin packing with conflicts, checked on an assignment. */
import type { BppcCore } from "./bppc-search.ts";

/**
 * Every rule `assignment` (the bin of each item) breaks: an item without a bin, a bin over capacity, two
 * conflicting items in one bin. Empty when it is a packing.
 */
export function packingErrors(
  core: Pick<BppcCore, "n" | "capacity" | "weight" | "neighbors">,
  assignment: ArrayLike<number>,
): string[] {
  const { n, capacity, weight, neighbors } = core;
  const errors: string[] = [];
  if (assignment.length !== n) errors.push(`assignment has ${assignment.length} entries, expected ${n}`);
  const m = Math.min(n, assignment.length);
  const load = new Map<number, number>();
  for (let i = 0; i < m; i++) {
    const b = assignment[i]!;
    if (b < 0) errors.push(`item ${i + 1} unassigned`);
    else load.set(b, (load.get(b) ?? 0) + weight[i]!);
  }
  for (const [b, l] of load) if (l > capacity) errors.push(`bin ${b} holds ${l} > ${capacity}`);
  for (let i = 0; i < m; i++)
    for (const j of neighbors[i]!)
      if (j > i && j < m && assignment[i]! >= 0 && assignment[i] === assignment[j])
        errors.push(`items ${i + 1} and ${j + 1} conflict in bin ${assignment[i]}`);
  return errors;
}
