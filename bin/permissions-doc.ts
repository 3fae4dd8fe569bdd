/**
 * `npm run docs:permissions`: writes the permission table of src/auth/permissions.ts into docs/ACCESS.md,
 * between its markers (a test fails while the two differ).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { permissionTableMarkdown } from "../src/auth/permissions.ts";

const file = join(import.meta.dirname, "../docs/ACCESS.md");
const [head, rest] = readFileSync(file, "utf8").split("<!-- permissions:start -->");
const tail = rest?.split("<!-- permissions:end -->")[1];
if (head === undefined || tail === undefined)
  throw new Error(`${file}: the permission table's markers are missing`);
writeFileSync(
  file,
  `${head}<!-- permissions:start -->\n${permissionTableMarkdown()}\n<!-- permissions:end -->${tail}`,
);
process.stdout.write(`wrote the permission table into ${file}\n`);
