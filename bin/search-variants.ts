/**
 * Writes the name-search test set (src/people/search-variants.json): spellings of the demo people an
 * officer may type or receive — accents dropped, word order ("Family, Given"), hyphens, one or two typos,
 * an initial, an alias, an identifier — each with the person it must find. Deterministic (no randomness:
 * every choice follows from the person's number), so running it again writes the same file; the file is
 * committed as data. Run: node --import tsx bin/search-variants.ts
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fictionalPerson } from "../src/seed/demo-data.ts";

/** Demo people 0..PEOPLE-1: the demo loads more than 92 (src/seed/demo.test.ts). */
const PEOPLE = 90;

const strip = (s: string) => s.normalize("NFD").replace(/\p{M}+/gu, "");

/** A typo at a position chosen by `k`: a swap of two neighbours, a letter dropped, doubled or changed. */
function typo(word: string, k: number): string {
  const i = 1 + (k % Math.max(1, word.length - 2));
  switch (k % 4) {
    case 0:
      return word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2);
    case 1:
      return word.slice(0, i) + word.slice(i + 1);
    case 2:
      return word.slice(0, i) + word[i] + word.slice(i);
    default:
      return word.slice(0, i) + (word[i] === "e" ? "i" : "e") + word.slice(i + 1);
  }
}

interface Variant {
  variant: string;
  /** The demo person it must find, by full name (given and family names as recorded). */
  expected: string;
  kind: string;
}

const variants: Variant[] = [];
for (let n = 0; n < PEOPLE; n++) {
  const p = fictionalPerson(n);
  const expected = `${p.givenNames} ${p.familyNames}`;
  const [a, b] = p.familyNames.split(" ") as [string, string];
  const add = (kind: string, variant: string) => variants.push({ variant, expected, kind });
  // Every person: accents dropped and in lower case, and "Family, Given" order.
  add("accents", strip(expected).toLowerCase());
  add("order", `${p.familyNames}, ${p.givenNames}`);
  // One of the others, in turn.
  switch (n % 5) {
    case 0:
      add("hyphen", `${strip(p.givenNames)} ${strip(a)}-${strip(b)}`);
      break;
    case 1:
      add("typo", `${p.givenNames} ${typo(a, n)} ${b}`);
      break;
    case 2:
      add("two-typos", `${typo(strip(p.givenNames), n + 1)} ${typo(strip(a), n + 2)} ${strip(b)}`);
      break;
    case 3:
      add("initial", `${strip(a).toUpperCase()}-${strip(b).toUpperCase()}, ${p.givenNames[0]}.`);
      break;
    default:
      add("order-typo", `${typo(a, n)} ${b} ${p.givenNames}`);
  }
  // An alias (shared by a few demo people) with the first family name, as a warrant may give it.
  if (p.aliases.length > 0) add("alias", `${strip(p.aliases[0]!.replace(" (demo)", ""))} ${a}`);
  // Identifiers: found exactly (src/seed/demo.ts gives every demo person these).
  if (n % 6 === 0) add("identifier", `DEMO-USMS-${10_000 + n}`);
}

const file = join(import.meta.dirname, "../src/people/search-variants.json");
writeFileSync(file, `${JSON.stringify(variants, null, 1)}\n`);
console.log(`${variants.length} variants of ${PEOPLE} demo people → ${file}`);
