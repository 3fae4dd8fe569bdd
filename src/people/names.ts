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
  return editDistanceIn(a, b, 0, b.length, bound);
}

/** `editDistance` from `a` to `b`'s characters `from` to `to` (end excluded), without taking them out. */
function editDistanceIn(a: string, b: string, from: number, to: number, bound: number): number {
  const n = to - from;
  if (rows[0]!.length <= n) rows = rows.map(() => new Int32Array(2 * n + 2));
  // The rows for a's i-2, i-1 and i characters.
  let [before, previous, current] = rows as [Int32Array, Int32Array, Int32Array];
  for (let j = 0; j <= n; j++) previous[j] = j;
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    let least = i;
    for (let j = 1; j <= n; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(from + j - 1) ? 0 : 1;
      let v = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (
        i > 1 &&
        j > 1 &&
        a.charCodeAt(i - 1) === b.charCodeAt(from + j - 2) &&
        a.charCodeAt(i - 2) === b.charCodeAt(from + j - 1)
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
  return Math.min(previous[n]!, bound + 1);
}

/** One word stands for another: the same up to a typo (two in a long word), or an initial of it. */
export function wordsAgree(a: string, b: string): boolean {
  return wordsAgreeIn(a, b, 0, b.length);
}

/** `wordsAgree` of `a` and `text`'s word from `from` to `to` (end excluded), without taking it out. */
function wordsAgreeIn(a: string, text: string, from: number, to: number): boolean {
  const n = to - from;
  if (a.length === n && text.startsWith(a, from)) return true;
  if (a.length === 1 || n === 1) return a.charCodeAt(0) === text.charCodeAt(from);
  const least = Math.min(a.length, n);
  const allowed = least >= 7 ? 2 : least >= 4 ? 1 : 0;
  // Each edit changes the length by one at most: no need to count them when the lengths differ by more.
  if (Math.abs(a.length - n) > allowed || allowed === 0) return false;
  // Within two edits, each word's first three letters hold one of the other's: a cheap test first.
  if ((headLetters(a, 0) & headLetters(text, from)) === 0) return false;
  return editDistanceIn(a, text, from, to, allowed) <= allowed;
}

/** The first three letters of a word of four or more, as bits (letters apart share a bit at times). */
const headLetters = (w: string, at: number) =>
  (1 << (w.charCodeAt(at) & 31)) | (1 << (w.charCodeAt(at + 1) & 31)) | (1 << (w.charCodeAt(at + 2) & 31));

/**
 * What `wordListsAgree` of `words` and the words of `text` from `from` to `to` (apart by spaces) asks
 * first, read in place: that every word of the shorter stands for some word of the longer. Most names
 * fail it, and are told apart without taking the text apart.
 */
export function wordListMayAgree(words: readonly string[], text: string, from: number, to: number): boolean {
  let count = 0;
  for (let i = from; i <= to; i++)
    if ((i === to || text.charCodeAt(i) === SPACE) && i > from && text.charCodeAt(i - 1) !== SPACE) count++;
  if (words.length === 0 || count === 0) return false;
  if (words.length <= count) {
    // Every one of `words` stands for one of the text's.
    return words.every((w) => someWordIn(text, from, to, (start, end) => wordsAgreeIn(w, text, start, end)));
  }
  // Every word of the text stands for one of `words`.
  return !someWordIn(text, from, to, (start, end) => !words.some((w) => wordsAgreeIn(w, text, start, end)));
}

/** Whether `test` holds of some word of `text` from `from` to `to` (apart by spaces), given as its span. */
function someWordIn(text: string, from: number, to: number, test: (start: number, end: number) => boolean) {
  let start = from;
  for (let i = from; i <= to; i++) {
    if (i < to && text.charCodeAt(i) !== SPACE) continue;
    if (i > start && test(start, i)) return true;
    start = i + 1;
  }
  return false;
}

const SPACE = 32;

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
