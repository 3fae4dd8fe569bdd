/**
 * Checks across the fields of a body (this field is required when that one is set…), run together with
 * the fields' own checks so that one answer names every bad field. zod skips an object's refinements once
 * a field failed; `crossChecked` runs them anyway, so they must read a value that may be malformed:
 * `crossCheck` catches a refinement that trips over one and lets the fields' own issues speak.
 */
import type { z } from "zod";

export const crossChecked = { when: () => true } as const;

export function crossCheck<T>(fn: (value: T, ctx: z.RefinementCtx<T>) => void) {
  return (value: T, ctx: z.RefinementCtx<T>) => {
    try {
      fn(value, ctx);
    } catch (err) {
      // A malformed value (already reported field by field) is not the refinement's to report.
      if (!(err instanceof TypeError)) throw err;
    }
  };
}
