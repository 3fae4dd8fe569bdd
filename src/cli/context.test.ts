import { afterEach, describe, expect, it, vi } from "vitest";
import { AppError, validInput } from "../errors.ts";
import { ZStatsQuery } from "../stats/service.ts";
import { reportFailure } from "./context.ts";

/** What a command prints when it fails, and its exit code (`reportFailure`). */
describe("a command's failure", () => {
  const written: string[] = [];
  afterEach(() => {
    written.length = 0;
    vi.restoreAllMocks();
  });
  const report = (err: unknown) => {
    vi.spyOn(process.stderr, "write").mockImplementation((s) => written.push(String(s)) > 0);
    return reportFailure(err);
  };

  it("an id that is not a UUID, refused by the database: says so, exit 2, and prints no SQL", () => {
    // As drizzle wraps PostgreSQL's refusal: the statement in the message and as `query`, the code on the cause.
    const pgError = Object.assign(new Error('invalid input syntax for type uuid: "not-a-uuid"'), {
      code: "22P02",
      routine: "string_to_uuid",
    });
    const err = Object.assign(
      new Error('Failed query: select "id" from "cases" where "id" = $1\nparams: not-a-uuid'),
      {
        query: 'select "id" from "cases" where "id" = $1',
        cause: pgError,
      },
    );
    expect(report(err)).toBe(2);
    expect(written.join("")).toBe(
      "traslado: a value given is not in the form its field takes: an id is a UUID (from a list or an answer)\n",
    );
  });

  it("options read by the API's schema: each field and its rule, as the API names them, exit 2", () => {
    let thrown: unknown;
    try {
      validInput(ZStatsQuery, { from: "2026-12-31", to: "2026-01-01" });
    } catch (e) {
      thrown = e;
    }
    expect(report(thrown)).toBe(2);
    expect(written.join("")).toBe("traslado: to: must not be before from\n  to: must not be before from\n");
    expect(validInput(ZStatsQuery, { from: "2026-01-01" })).toEqual({ from: "2026-01-01" });
  });

  it("a refusal of the service: its message and each field, exit 2 for bad input and 1 otherwise", () => {
    expect(
      report(
        new AppError("VALIDATION_FAILED", "person: Invalid UUID", {
          issues: [{ field: "person", rule: "Invalid UUID" }],
        }),
      ),
    ).toBe(2);
    expect(written.join("")).toBe("traslado: person: Invalid UUID\n  person: Invalid UUID\n");
  });
});
