/**
 * Writes the OpenAPI document the API serves at /openapi.json, without listening or touching a database
 * (an empty in-memory PGlite stands in for one: building the routes reads nothing), so CI can lint it.
 *
 *   node --import tsx bin/openapi.ts [FILE]   (default: standard output)
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { openDatabase } from "../src/db/client.ts";
import { newPGlite } from "../src/db/pglite.ts";
import { createApp } from "../src/http/app.ts";
import { services } from "../src/services.ts";

/** The OpenAPI document, as the server would serve it. */
export async function openApiDocument(): Promise<unknown> {
  const database = await openDatabase({ kind: "pglite", pglite: await newPGlite() });
  const app = await createApp(
    services(database, { DEATH_PENALTY_ASSURANCE_POLICY: "block", AMPARO_WINDOW: "ley-de-amparo" }),
  );
  await app.ready();
  const doc = app.swagger();
  await app.close();
  await database.close();
  return doc;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const text = `${JSON.stringify(await openApiDocument(), null, 2)}\n`;
  const file = process.argv[2];
  if (file) writeFileSync(file, text);
  else process.stdout.write(text);
}
