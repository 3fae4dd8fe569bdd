import { describe, expect, it } from "vitest";
import { AppError } from "../errors.ts";
import { asConflict, sqlStateOf } from "./errors.ts";

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
