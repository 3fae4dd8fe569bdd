import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { transitions } from "../cases/tracks.ts";
import { allows, type Permission, permissions, permissionTableMarkdown } from "./permissions.ts";
import { roles } from "./roles.ts";

describe("the permission table", () => {
  it("is the table docs/ACCESS.md shows (regenerate with `npm run docs:permissions`)", () => {
    const doc = readFileSync(join(import.meta.dirname, "../../docs/ACCESS.md"), "utf8");
    const shown = doc.split("<!-- permissions:start -->")[1]?.split("<!-- permissions:end -->")[0]?.trim();
    expect(shown).toBe(permissionTableMarkdown());
  });

  it("gives public aggregates only, auditors reads only, and case:transition exactly to the roles the tracks name", () => {
    const names = Object.keys(permissions) as Permission[];
    expect(names.filter((p) => allows("public", p))).toEqual(["stats:read"]);
    const auditorWrites = names.filter(
      (p) => allows("auditor", p) && !p.endsWith(":read") && p !== "audit:verify",
    );
    expect(auditorWrites).toEqual([]);
    const trackRoles = new Set(transitions.flatMap((t) => t.by));
    for (const role of roles) expect(allows(role, "case:transition"), role).toBe(trackRoles.has(role));
    // A custody officer is not a decision authority.
    expect(trackRoles.has("custody-officer") && allows("custody-officer", "hold:lift")).toBe(false);
  });
});
