/**
 * Child process of `npm run bench`: the Traslado API over one database, listening on 127.0.0.1 on a free
 * port. It reports the port to the parent over IPC and exits on "stop". Run as a separate process so
 * that the server and autocannon do not share one event loop.
 */
import { type OpenOptions, openDatabase } from "../../src/db/client.ts";
import { createApp } from "../../src/http/app.ts";
import { services } from "../../src/services.ts";
import { serveUntilStopped } from "./child.ts";

const options = JSON.parse(process.argv[2] ?? "{}") as OpenOptions;
const database = await openDatabase(options);
const s = services(database, { DEATH_PENALTY_ASSURANCE_POLICY: "block", AMPARO_WINDOW: "ley-de-amparo" });
// Every request of the benchmark comes with one token: the rate limit must not be what it measures.
const app = await createApp(s, { logger: false, config: { RATE_LIMIT_MAX: 1_000_000_000 } });
await serveUntilStopped(app, () => database.close());
