import { describe, expect, it } from "vitest";
import { AppError } from "../errors.ts";
import { asConflict, describeError, loggableError, sqlStateOf } from "./errors.ts";

/** A driver error as node-postgres and PGlite raise it, wrapped by drizzle. */
const wrapped = (code: string, constraint?: string) => {
  const cause = Object.assign(new Error("duplicate key value violates unique constraint"), {
    code,
    constraint,
  });
  return Object.assign(new Error("Failed query: insert into …"), { cause });
};

describe("database errors as the client sees them", () => {
  it("turns a unique violation of a known constraint into 409 DUPLICATE naming the field", () => {
    const err = asConflict(wrapped("23505", "organisations_name_uq"));
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({
      code: "DUPLICATE",
      message: "an organisation with this name already exists",
      details: { issues: [{ field: "name", rule: "must be unique" }] },
    });
  });

  it("leaves any other error as it is: another constraint's violation is a fault, not the client's conflict", () => {
    const pkey = wrapped("23505", "audit_events_pkey");
    expect(asConflict(pkey)).toBe(pkey);
    const other = wrapped("22012");
    expect(asConflict(other)).toBe(other);
    expect(sqlStateOf(other)).toBe("22012");
    expect(sqlStateOf(new Error("no code"))).toBeUndefined();
  });
});

describe("database errors as a log or a terminal shows them", () => {
  /** drizzle's wrapper puts the parameters in its message and in `params`; PostgreSQL quotes them in `detail`. */
  const failedInsert = () => {
    const cause = Object.assign(new Error('invalid input syntax for type date: "Zacarías 1961-07-23"'), {
      code: "22007",
      severity: "ERROR",
      detail: "Key (family_names)=(Quintanilla) already exists.",
      where: "unnamed portal parameter $2 = 'Zacarías'",
      routine: "DateTimeParseError",
    });
    return Object.assign(
      new Error(
        'Failed query: insert into "people" ("given_names") values ($1)\nparams: Zacarías,1961-07-23',
      ),
      {
        name: "DrizzleQueryError",
        query: 'insert into "people" ("given_names") values ($1)',
        params: ["Zacarías"],
        cause,
      },
    );
  };

  it("keeps the SQLSTATE, the routine and the statement, and drops every value sent", () => {
    const logged = loggableError(failedInsert());
    expect(logged).toMatchObject({
      type: "DrizzleQueryError",
      code: "22007",
      routine: "DateTimeParseError",
      statement: 'insert into "people" ("given_names") values ($1)',
    });
    const text = `${JSON.stringify(logged)}\n${describeError(failedInsert())}`;
    for (const value of ["Zacarías", "1961-07-23", "Quintanilla", "params"])
      expect(text).not.toContain(value);
    expect(describeError(failedInsert())).toBe(
      'database error 22007 (routine DateTimeParseError) in: insert into "people" ("given_names") values ($1)',
    );
  });

  it("keeps an application error's message and code", () => {
    expect(loggableError(new AppError("CONFIG_INVALID", "PORT: too big"))).toMatchObject({
      type: "AppError",
      message: "PORT: too big",
    });
  });
});
