/**
 * Accounts from the server's machine: the demo accounts and their owner-only file, the first
 * administrator from `traslado user create --admin`, and `traslado token create` printing only the token.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDemoAccounts, DEMO_ACCOUNTS_FILE } from "../src/auth/demo-accounts.ts";
import { type TestApp, testApp } from "./app.ts";
import { traslado } from "./cli-run.ts";
import { type TestDatabase, testDatabase } from "./db.ts";

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), "traslado-accounts-"));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("demo accounts", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp();
  });
  afterAll(() => t.close());

  it("makes one account per role of each party, with random passwords kept in an owner-only file, that sign in", async () => {
    const dir = tempDir();
    const { file, accounts } = await createDemoAccounts(t.s, dir);
    expect(file).toBe(join(dir, DEMO_ACCOUNTS_FILE));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const text = readFileSync(file, "utf8");
    expect(accounts.map((a) => `${a.party} ${a.role}`)).toEqual(
      expect.arrayContaining([
        "MX decision-authority",
        "US request-officer",
        "GT receiving-officer",
        "US admin",
      ]),
    );
    expect(accounts.filter((a) => a.party === "MX").length).toBe(11);
    expect(new Set(accounts.map((a) => a.password)).size).toBe(accounts.length);
    for (const a of accounts) expect(text).toContain(`${a.username}`);
    for (const a of accounts) expect(text).toContain(a.password);
    const liaison = accounts.find((a) => a.username === "mx.foreign-ministry")!;
    const ok = await t.app.inject({
      method: "POST",
      url: "/auth/sign-in",
      payload: { username: liaison.username, password: liaison.password },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ party: "MX", role: "foreign-ministry", secondFactor: true });
    // An administrator of the demo first enrols a TOTP.
    const admin = accounts.find((a) => a.username === "us.admin")!;
    const limited = await t.app.inject({
      method: "POST",
      url: "/auth/sign-in",
      payload: { username: admin.username, password: admin.password },
    });
    expect(limited.json()).toMatchObject({ party: "US", role: "admin", secondFactor: false });
  });
});

describe("traslado user create --admin and token create", () => {
  let server: TestDatabase | undefined;
  let env: Record<string, string>;
  beforeAll(async () => {
    if (process.env.TEST_DATABASE_URL) {
      server = await testDatabase();
      env = { DATABASE_URL: server.url! };
    } else {
      env = { DATA_DIR: tempDir() };
    }
  });
  afterAll(() => server?.close());

  // Each command is a process of its own (seconds each on a loaded machine).
  it("makes the first administrator with a generated password, printed once and alone on standard output", {
    timeout: 240_000,
  }, async () => {
    const made = await traslado(
      ["user", "create", "--admin", "--party", "MX", "--username", "first.admin", "--agency", "SRE"],
      env,
    );
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout).toMatch(/^[A-Za-z0-9_-]{20}\n$/);
    expect(made.stderr).toMatch(/first\.admin \(admin, MX, SRE\)/);
    const token = await traslado(
      ["token", "create", "--name", "Bridge", "--party", "MX", "--role", "auditor"],
      env,
    );
    expect(token.code, token.stderr).toBe(0);
    expect(token.stdout).toMatch(/^trs_[A-Za-z0-9_-]+\n$/);
    const tokens = await traslado(["token", "list", "--party", "MX"], env);
    expect(tokens.stdout).toMatch(/Bridge\s+auditor\s+live/);
    expect(tokens.stdout).not.toContain(token.stdout.trim());
    // Another party's console cannot revoke it.
    const id = tokens.stdout.split(/\s+/)[0]!;
    const crossed = await traslado(["token", "revoke", "--party", "US", "--id", id], env);
    expect(crossed.code).toBe(1);
    expect(crossed.stderr).toMatch(/no such token/);
    // An id or a party in the wrong form is the user's to mend: named, exit 2, as other bad input.
    const malformed = await traslado(["token", "revoke", "--party", "MX", "--id", "nope"], env);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toContain("--id: an identifier such as 0190a1e2-…, from the list command");
    // Every command that takes an id names the argument given in the wrong form, before the database.
    const valid = "0190a1e2-0000-7000-8000-000000000000";
    for (const [args, named] of [
      [["history", "person", "xyz"], "<id>: an identifier such as 0190a1e2-…"],
      [["person", "merge", valid, "abc", "--reason", "same person"], "<survivor>: an identifier"],
      [
        ["webhooks", "remove", "--party", "MX", "--id", "nope"],
        "--id: an identifier such as 0190a1e2-…, from `webhooks list`",
      ],
    ] as const) {
      const run = await traslado([...args], env);
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toContain(named);
    }
  });
});
