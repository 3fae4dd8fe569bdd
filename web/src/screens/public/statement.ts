/**
 * The statement draft of the public page, in Spanish and English, from the public figures: the latest
 * operation and the running total under its administration. Numbers and dates in each language's style.
 */
export interface StatementFigures {
  total: number;
  operations: { code: string; date: string; people: number; destinations: string[] }[];
  administrations: { key: string; people: number | null }[];
}

const dateIn = (locale: string, iso: string) =>
  new Intl.DateTimeFormat(locale, { dateStyle: "long", timeZone: "UTC" }).format(
    new Date(`${iso}T00:00:00Z`),
  );

export function statements(f: StatementFigures): { es: string; en: string } {
  const latest = [...f.operations].sort((a, b) => a.date.localeCompare(b.date)).at(-1);
  const administration = f.administrations.length === 1 ? f.administrations[0] : undefined;
  const underIt = administration?.people ?? f.total;
  if (!latest) return { es: "No hay entregas registradas.", en: "No handovers are recorded." };
  const es = [
    `El ${dateIn("es-MX", latest.date)} fueron enviadas ${latest.people} personas (operativo ${latest.code}) a ${latest.destinations.length} destinos.`,
    administration
      ? `Con este operativo, ${underIt} personas han sido enviadas durante la ${administration.key}.`
      : `Con este operativo, ${underIt} personas han sido enviadas en total.`,
  ].join(" ");
  const en = [
    `On ${dateIn("en-GB", latest.date)}, ${latest.people} people were sent (operation ${latest.code}) to ${latest.destinations.length} destinations.`,
    administration
      ? `With this operation, ${underIt} people have been sent under the ${administration.key}.`
      : `With this operation, ${underIt} people have been sent in all.`,
  ].join(" ");
  return { es, en };
}
