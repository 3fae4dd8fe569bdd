/**
 * Names compared the way the database's search compares them (drizzle/0011_person_search.sql
 * `traslado_norm`): accents, case and punctuation taken out. Pure: the duplicate check at intake decides
 * here whether a candidate the trigram search found is the same name, word by word.
 */

/** "Pérez-Gómez, José A." → "perez gomez jose a". */
export function normaliseName(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .replace(/ß/g, "ss")
    .toLowerCase()
    .replace(/[\p{P}\p{S}\s]+/gu, " ")
    .trim();
}

export const nameWords = (name: string) => normaliseName(name).split(" ").filter(Boolean);

/** Rows of the edit distance's table, kept between calls: it runs for every pair of words compared. */
let rows = [new Int32Array(32), new Int32Array(32), new Int32Array(32)];

/**
 * Edit distance, with transpositions (Damerau, restricted): "jsoe" is one edit from "jose". With `bound`,
 * stops as soon as the distance is known to exceed it, and then returns `bound + 1`.
 */
export function editDistance(a: string, b: string, bound = Number.POSITIVE_INFINITY): number {
  if (rows[0]!.length <= b.length) rows = rows.map(() => new Int32Array(2 * b.length + 2));
  // The rows for a's i-2, i-1 and i characters.
  let [before, previous, current] = rows as [Int32Array, Int32Array, Int32Array];
  for (let j = 0; j <= b.length; j++) previous[j] = j;
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    let least = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let v = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (
        i > 1 &&
        j > 1 &&
        a.charCodeAt(i - 1) === b.charCodeAt(j - 2) &&
        a.charCodeAt(i - 2) === b.charCodeAt(j - 1)
      )
        v = Math.min(v, before[j - 2]! + 1);
      current[j] = v;
      if (v < least) least = v;
    }
    // A row's cells come from the row before (one more at least) or the one before that (a transposition,
    // one more too), and neighbouring cells differ by one at most: past the bound, every later row is too.
    if (least > bound) return bound + 1;
    [before, previous, current] = [previous, current, before];
  }
  return Math.min(previous[b.length]!, bound + 1);
}

/** One word stands for another: the same up to a typo (two in a long word), or an initial of it. */
export function wordsAgree(a: string, b: string): boolean {
  if (a === b) return true;
  if (a.length === 1 || b.length === 1) return a[0] === b[0];
  const allowed = Math.min(a.length, b.length) >= 7 ? 2 : Math.min(a.length, b.length) >= 4 ? 1 : 0;
  // Each edit changes the length by one at most: no need to count them when the lengths differ by more.
  if (Math.abs(a.length - b.length) > allowed || allowed === 0) return false;
  return editDistance(a, b, allowed) <= allowed;
}

/**
 * Whether two names can be one person's: every word of the shorter stands for a different word of the
 * longer, in any order ("Perez-Gomez, Jose A." and "José Ángel Pérez Gómez"), and at least two words
 * agree, or all of a one-word name. "Test Person 1" and "Test Person 2" do not: "1" stands for nothing.
 */
export function namesAgree(a: string, b: string): boolean {
  return wordListsAgree(nameWords(a), nameWords(b));
}

/** `namesAgree` of two names already split into their words (`nameWords`). */
export function wordListsAgree(a: readonly string[], b: readonly string[]): boolean {
  let [short, long] = [a, b];
  if (short.length > long.length) [short, long] = [long, short];
  if (short.length === 0) return false;
  // Most pairs compared have a word that stands for none of the other's: they are told apart before
  // anything is allocated.
  if (!short.every((w) => long.some((f) => wordsAgree(w, f)))) return false;
  const free = [...long];
  // Whole words first, so that an initial does not take the word a full one needs.
  const ordered = [...short].sort((x, y) => y.length - x.length);
  for (const w of ordered) {
    const i = free.findIndex((f) => wordsAgree(w, f));
    if (i < 0) return false;
    free.splice(i, 1);
  }
  return short.filter((w) => w.length > 1).length >= Math.min(2, short.length);
}
