/**
 * The statement draft of the public page, in Spanish and English, from the public figures: the latest
 * operation and the running total under its administration. Numbers and dates in each language's style.
 */
export interface StatementFigures {
  total: number;
  /** `people` is null for an operation withheld as a small cell: the statement names the latest one not withheld. */
  operations: { code: string; date: string; people: number | null; destinations: string[] }[];
  administrations: { key: string; people: number | null }[];
}

const dateIn = (locale: string, iso: string) =>
  new Intl.DateTimeFormat(locale, { dateStyle: "long", timeZone: "UTC" }).format(
    new Date(`${iso}T00:00:00Z`),
  );

export function statements(f: StatementFigures): { es: string; en: string } {
  const latest = f.operations
    .filter((o) => o.people !== null)
    .sort((a, b) => a.date.localeCompare(b.date))
    .at(-1);
  const administration = f.administrations.length === 1 ? f.administrations[0] : undefined;
  const underIt = administration?.people ?? f.total;
  if (f.total === 0) return { es: "No hay entregas registradas.", en: "No handovers are recorded." };
  // The running total counts with the operation named only if no later one is withheld.
  const withIt = latest && !f.operations.some((o) => o.people === null && o.date > latest.date);
  const es = [
    latest &&
      `El ${dateIn("es-MX", latest.date)} fueron enviadas ${latest.people} personas (operativo ${latest.code}) a ${latest.destinations.length} destinos.`,
    administration
      ? `${withIt ? "Con este operativo, " : ""}${underIt} personas han sido enviadas durante la ${administration.key}.`
      : `${withIt ? "Con este operativo, " : ""}${underIt} personas han sido enviadas en total.`,
  ]
    .filter(Boolean)
    .join(" ");
  const en = [
    latest &&
      `On ${dateIn("en-GB", latest.date)}, ${latest.people} people were sent (operation ${latest.code}) to ${latest.destinations.length} destinations.`,
    administration
      ? `${withIt ? "With this operation, " : ""}${underIt} people have been sent under the ${administration.key}.`
      : `${withIt ? "With this operation, " : ""}${underIt} people have been sent in all.`,
  ]
    .filter(Boolean)
    .join(" ");
  return { es, en };
}
