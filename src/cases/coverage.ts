/**
 * Which assurances cover a case: the one rule, used by the legal track's guard (`service.ts` `factsOf`) and
 * mirrored in SQL by the case file (`document.ts`); `coverage.test.ts` holds the two to each other.
 *
 * - An assurance of scope `person` covers every case of its person.
 * - An assurance of scope `operation` covers every person the operation lists (not removed): the requesting
 *   state gives it for the people of that operation, whether or not they have boarded yet.
 */
export interface AssuranceRow {
  id: string;
  kind: string;
  status: string;
  scope: string;
}

/** The assurances that cover a case, from the person's own and those of the operations that list the person. */
export function coveringAssurances<A extends AssuranceRow>(
  personAssurances: readonly A[],
  listedOperationAssurances: readonly A[],
): A[] {
  const seen = new Set<string>();
  return [
    ...personAssurances.filter((a) => a.scope === "person"),
    ...listedOperationAssurances.filter((a) => a.scope === "operation"),
  ].filter((a) => !seen.has(a.id) && seen.add(a.id));
}
