/**
 * `traslado documents get|upload|list` (on the server's machine, as a console operator of a party and role)
 * and `traslado receipt verify FILE` (offline: no database, only the receipt and a public key).
 */
import { createReadStream, createWriteStream, readFileSync } from "node:fs";
import { basename } from "node:path";
import { pipeline } from "node:stream/promises";
import { type Command, Option } from "commander";
import { type Role, roles } from "../auth/roles.ts";
import { consoleActor } from "../auth/tokens.ts";
import { uuidArg } from "../cli/args.ts";
import { withServices } from "../cli/context.ts";
import { loadConfig, signingKeyFile } from "../config.ts";
import { publicKeyOf, readSigningKey } from "../crypto/signing-key.ts";
import { verifyReceipt } from "./receipt.ts";
import { type ParentKind, parentKinds } from "./service.ts";

/**
 * Checks a receipt file against a public key: the PEM file given (`traslado key show` of the deployment
 * that signed it, as its operators published it), else this deployment's own key. Returns the lines to
 * print and whether it holds.
 */
export function checkReceiptFile(file: string, keyFile?: string): { ok: boolean; lines: string[] } {
  let receipt: unknown;
  try {
    receipt = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    return { ok: false, lines: [`${file}: not a JSON receipt (${(err as Error).message})`] };
  }
  let key: ReturnType<typeof publicKeyOf>;
  if (keyFile) {
    try {
      // `traslado key show` prints "key id: …" before the PEM: only the PEM block is read.
      const text = readFileSync(keyFile, "utf8");
      const pem = /-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----/.exec(text)?.[0];
      key = publicKeyOf(pem ?? text);
    } catch {
      return { ok: false, lines: [`${keyFile}: not an Ed25519 public key (PEM)`] };
    }
  } else {
    const own = readSigningKey(signingKeyFile(loadConfig()));
    if (!own) return { ok: false, lines: ["no key: give --key (the signer's public key, PEM)"] };
    key = own;
  }
  const check = verifyReceipt(receipt, key);
  const r = receipt as { documentId?: string; sha256?: string; originalName?: string };
  return check.ok
    ? {
        ok: true,
        lines: [
          `valid: receipt of document ${r.documentId} (${r.originalName}), SHA-256 ${r.sha256}`,
          `signed by ${key.keyId}${keyFile ? ` (${keyFile})` : " (this deployment's key)"}`,
        ],
      }
    : { ok: false, lines: ["NOT valid:", ...check.problems.map((p) => `  ${p}`)] };
}

export function registerDocumentCommands(program: Command) {
  const partyOption = () =>
    new Option("--party <party>", "the state the console operator acts for").default("MX");
  const roleOption = (role: Role) =>
    new Option("--role <role>", "the role the console operator acts in").choices([...roles]).default(role);
  const documents = program.command("documents").description("documents attached to records");
  documents
    .command("get")
    .description("write a document's content to a file, checked against its SHA-256 on the way")
    .argument("<id>", "the document's id")
    .requiredOption("--out <file>", "where to write it")
    .addOption(partyOption())
    .addOption(roleOption("auditor"))
    .action((id: string, opts: { out: string; party: string; role: Role }) =>
      withServices(async (s) => {
        const actor = consoleActor(opts.party, opts.role);
        const { doc, body } = await s.documents.content(uuidArg("<id>", id), actor, () => {});
        // A corrupt document errors before its last bytes: the file is left short, and the exit code is 1.
        await pipeline(body, createWriteStream(opts.out));
        process.stdout.write(
          `${opts.out}: ${doc.originalName}, ${doc.mediaType}, ${doc.size} bytes, SHA-256 ${doc.sha256}\n`,
        );
      }),
    );
  documents
    .command("upload")
    .description("attach a file to a record (PDF, PNG, JPEG, TIFF or WebP, told by its content)")
    .addOption(
      new Option("--to <kind>", "the kind of record").choices([...parentKinds]).makeOptionMandatory(),
    )
    .requiredOption("--id <id>", "the record's id")
    .argument("<file>", "the file")
    .addOption(partyOption())
    .addOption(roleOption("foreign-ministry"))
    .action((file: string, opts: { to: ParentKind; id: string; party: string; role: Role }) =>
      withServices(async (s) => {
        const doc = await s.documents.upload({
          actor: consoleActor(opts.party, opts.role),
          kind: opts.to,
          parentId: uuidArg("--id", opts.id),
          file: { stream: createReadStream(file), filename: basename(file) },
        });
        process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
      }),
    );
  documents
    .command("list")
    .description("the documents attached to a record")
    .addOption(
      new Option("--of <kind>", "the kind of record").choices([...parentKinds]).makeOptionMandatory(),
    )
    .requiredOption("--id <id>", "the record's id")
    .addOption(partyOption())
    .addOption(roleOption("auditor"))
    .action((opts: { of: ParentKind; id: string; party: string; role: Role }) =>
      withServices(async (s) => {
        const page = await s.documents.list({
          actor: consoleActor(opts.party, opts.role),
          kind: opts.of,
          parentId: uuidArg("--id", opts.id),
          limit: 500,
        });
        for (const d of page.items)
          process.stdout.write(
            `${d.id}  ${d.sha256}  ${String(d.size).padStart(10)}  ${d.mediaType}  ${d.originalName}\n`,
          );
      }),
    );

  program
    .command("receipt")
    .description("signed receipts of documents")
    .command("verify")
    .description(
      "check a document receipt offline: its Ed25519 signature over its canonical JSON, with the signer's public key",
    )
    .argument("<file>", "the receipt (JSON, as GET /api/documents/{id}/receipt answers)")
    .option(
      "--key <file>",
      "the signer's public key, PEM (what `traslado key show` prints on the signing deployment, published by its operators); default: this deployment's own key",
    )
    .action((file: string, opts: { key?: string }) => {
      const { ok, lines } = checkReceiptFile(file, opts.key);
      process.stdout.write(`${lines.join("\n")}\n`);
      if (!ok) process.exitCode = 1;
    });
}
