/**
 * Child process of `npm run bench:web`: the server (API and the built web app) over one database, on
 * plain HTTP on 127.0.0.1, so the session cookie is not `Secure` (development).
 */
import { type OpenOptions, openDatabase } from "../../src/db/client.ts";
import { createApp } from "../../src/http/app.ts";
import { services } from "../../src/services.ts";
import { serveUntilStopped } from "../api/child.ts";

const options = JSON.parse(process.argv[2] ?? "{}") as OpenOptions;
const database = await openDatabase(options);
const s = services(database, {
  DEATH_PENALTY_ASSURANCE_POLICY: "block",
  AMPARO_WINDOW: "ley-de-amparo",
  NODE_ENV: "development",
});
const app = await createApp(s, { logger: false, config: { RATE_LIMIT_MAX: 1_000_000_000 } });
await serveUntilStopped(app, () => database.close());
