import { describe, expect, it } from "vitest";
import { createRng } from "../planner/rng.ts";
import { editDistance, wordListMayAgree, wordListsAgree, wordsAgree } from "./names.ts";

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
    const rnd = createRng(7);
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
    // By the definition, on words that are often close: the cheap tests before the count change nothing.
    const rnd = createRng(3);
    const stems = ["josefina", "perez", "hernandez", "ana", "guadalupe", "ab"];
    const typo = (w: string) => {
      // Half of them at the front, where the cheap test looks.
      const i = rnd() < 0.5 ? 0 : Math.floor(rnd() * w.length);
      const r = rnd();
      if (r < 0.25) return w.slice(0, i) + "abcxyz"[Math.floor(rnd() * 6)] + w.slice(i + 1);
      if (r < 0.5) return w.slice(0, i) + w.slice(i + 1);
      if (r < 0.75) return w.slice(0, i) + "abcxyz"[Math.floor(rnd() * 6)] + w.slice(i);
      return w.slice(0, i) + (w[i + 1] ?? "") + w[i] + w.slice(i + 2);
    };
    const word = () => {
      let w = stems[Math.floor(rnd() * stems.length)]!;
      for (let n = Math.floor(rnd() * 4); n > 0; n--) w = typo(w);
      return rnd() < 0.05 ? w.slice(0, 1) : w;
    };
    let agreeing = 0;
    for (let n = 0; n < 20000; n++) {
      const [a, b] = [word(), word()];
      if (!a || !b) continue;
      const least = Math.min(a.length, b.length);
      const allowed = least >= 7 ? 2 : least >= 4 ? 1 : 0;
      const defined = a === b || (least === 1 ? a[0] === b[0] : fullTable(a, b) <= allowed);
      if (defined) agreeing++;
      expect(wordsAgree(a, b), `${a} ${b}`).toBe(defined);
    }
    expect(agreeing).toBeGreaterThan(1000);

    expect(wordsAgree("jose", "jsoe")).toBe(true);
    // Two typos at the front of a long word: only its third letter is one of the other's first three.
    expect(wordsAgree("josefina", "xyjosefina")).toBe(true);
    expect(wordsAgree("guadalupe", "augdalupe")).toBe(true);
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

  it("reads names kept as text in place, and lets through every name that agrees", () => {
    const rnd = createRng(11);
    const stems = ["jose", "josefina", "perez", "gomez", "ana", "hernandez", "luz"];
    // A stem, maybe with a typo (a letter changed, or two swapped), or its initial.
    const word = () => {
      const w = stems[Math.floor(rnd() * stems.length)]!;
      const r = rnd();
      const i = Math.floor(rnd() * (w.length - 1));
      if (r < 0.15) return w[0]!;
      if (r < 0.4) return `${w.slice(0, i)}x${w.slice(i + 1)}`;
      if (r < 0.6) return w.slice(0, i) + w[i + 1] + w[i] + w.slice(i + 2);
      return w;
    };
    const name = () => Array.from({ length: 1 + Math.floor(rnd() * 4) }, word);
    let agreeing = 0;
    let told = 0;
    for (let n = 0; n < 5000; n++) {
      const [a, b] = [name(), name()];
      // b among other text, as an import keeps it: only its span is read.
      const text = `line 2\tana luz|${b.join(" ")}\nline 4\tperez`;
      const from = text.indexOf("|") + 1;
      const may = wordListMayAgree(a, text, from, text.indexOf("\n"));
      if (wordListsAgree(a, b)) {
        agreeing++;
        expect(may, `${a} / ${b}`).toBe(true);
      } else if (!may) told++;
    }
    expect(agreeing).toBeGreaterThan(200);
    expect(told).toBeGreaterThan(1000);
    expect(wordListMayAgree(["jose", "perez"], "maria luz gomez", 0, 15)).toBe(false);
    expect(wordListMayAgree(["jose", "perez"], "j prez gomez", 0, 12)).toBe(true);
    expect(wordListMayAgree(["jose", "perez", "gomez"], "j  prez", 0, 7)).toBe(true);
  });
});
