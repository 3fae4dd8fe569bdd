import { describe, expect, it } from "vitest";
import { editDistance, wordListsAgree, wordsAgree } from "./names.ts";

/** The textbook table, whole: what the bounded, row-reusing `editDistance` must agree with. */
function fullTable(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      d[i]![j] = Math.min(
        d[i - 1]![j]! + 1,
        d[i]![j - 1]! + 1,
        d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  return d[a.length]![b.length]!;
}

describe("names compared word by word", () => {
  it("counts edits as the whole table does, and past a bound says only that it is past it", () => {
    let seed = 7;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    // Few letters, so that the words are often close: typos, transpositions, lengths from 0 to 40.
    const word = () =>
      Array.from(
        { length: Math.floor(rnd() * (rnd() < 0.1 ? 41 : 9)) },
        () => "abcd"[Math.floor(rnd() * 4)],
      ).join("");
    for (let n = 0; n < 5000; n++) {
      const [a, b] = [word(), word()];
      const exact = fullTable(a, b);
      expect(editDistance(a, b), `${a} ${b}`).toBe(exact);
      for (const bound of [0, 1, 2])
        expect(editDistance(a, b, bound), `${a} ${b} ≤ ${bound}`).toBe(Math.min(exact, bound + 1));
    }
    expect(editDistance("jose", "jsoe")).toBe(1);
    expect(editDistance("", "perez")).toBe(5);
  });

  it("lets a word stand for another up to a typo (two in a long word) or as its initial", () => {
    expect(wordsAgree("jose", "jsoe")).toBe(true);
    expect(wordsAgree("jose", "j")).toBe(true);
    expect(wordsAgree("hernandez", "hernadnes")).toBe(true);
    expect(wordsAgree("hernandez", "hrnadnes")).toBe(false);
    expect(wordsAgree("ana", "ane")).toBe(false);
    expect(wordsAgree("perez", "peresz")).toBe(true);
    expect(wordsAgree("perez", "pirex")).toBe(false);
  });

  it("agrees names whose every word of the shorter stands for a different word of the longer", () => {
    expect(wordListsAgree(["jose", "a", "perez", "gomez"], ["jose", "angel", "perez", "gomez"])).toBe(true);
    expect(wordListsAgree(["jose", "perez"], ["perez", "jsoe", "gomez"])).toBe(true);
    expect(wordListsAgree(["test", "person", "1"], ["test", "person", "2"])).toBe(false);
    expect(wordListsAgree(["jose", "jose"], ["jose", "perez"])).toBe(false);
    expect(wordListsAgree(["j", "perez"], ["jose", "perez"])).toBe(false);
  });
});
