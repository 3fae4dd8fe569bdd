/**
 * Arguments and options checked by their form before any query reads them: a value in the wrong form is
 * named (the argument or option as the user typed it) and exits 2, like any other bad input, where the
 * database would only say that some value was not a UUID. Light on purpose: command modules import it at
 * start-up.
 */
import { AppError } from "../errors.ts";

/** A value the user gave in the wrong form, named as they gave it (`<merged>`, `--id`); the issue says the form. */
export const badArg = (name: string, rule: string) =>
  new AppError("VALIDATION_FAILED", `${name} is not in the form it takes`, {
    issues: [{ field: name, rule }],
  });

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An id (a UUID), lower-cased as the database keeps it; `from` says where the user finds one. */
export function uuidArg(name: string, value: string, from = "a list or an answer"): string {
  if (!UUID.test(value)) throw badArg(name, `an identifier such as 0190a1e2-…, from ${from}`);
  return value.toLowerCase();
}
