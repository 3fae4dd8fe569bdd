/**
 * `npm run bench:documents-floor` — what Node itself costs in resident memory to move a large body over HTTP,
 * without Traslado: a bare `http` server that hashes an upload and discards it, then sends the same number of
 * bytes back (fresh 1 MiB buffers, with backpressure). The client is a child process; the server's resident
 * memory is sampled every 10 ms from a full collection, as in src/documents/memory.test.ts (both use test/memory.ts).
 * Node frees its I/O buffers when V8 decides (about 64 MB of external memory between collections), so this is
 * the floor under that test's figures.
 *
 *   npm run bench:documents-floor -- --mb 200 --runs 3
 */
import { spawn } from "node:child_process";
import { bareServer, peakGrowth } from "../test/memory.ts";
import { benchArgs, integerArg } from "./args.ts";

const values = benchArgs(import.meta.url, {
  mb: { type: "string", default: "200" },
  runs: { type: "string", default: "3" },
});
const size = integerArg("mb", values.mb) * 1024 * 1024;
const runs = integerArg("runs", values.runs);

const server = await bareServer(size);
const url = server.url;

const clientScript = `
const http = require("node:http");
const [mode, url, size] = process.argv.slice(1);
if (mode === "upload") {
  const req = http.request(url, { method: "POST", headers: { "content-length": size } });
  req.on("response", (res) => { res.resume(); res.on("end", () => process.exit(0)); });
  let left = Number(size);
  (function pump() {
    while (left > 0) {
      const block = Buffer.alloc(Math.min(left, 65536), 0x20); left -= block.length;
      if (!req.write(block)) return req.once("drain", pump);
    }
    req.end();
  })();
} else {
  http.get(url, (res) => { res.on("data", () => {}); res.on("end", () => process.exit(0)); });
}`;

async function growth(mode: "upload" | "download", bytes: number): Promise<number> {
  const measured = await peakGrowth(
    () =>
      new Promise((resolve, reject) =>
        spawn(process.execPath, ["-e", clientScript, mode, url, String(bytes)], { stdio: "inherit" })
          .on("error", reject)
          .on("close", resolve),
      ),
  );
  return measured.growth;
}

const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
// A first small body warms the path, as in the memory test.
await growth("upload", 4 * 1024 * 1024);
await growth("download", 4 * 1024 * 1024);
process.stdout.write(`bare Node HTTP server, ${values.mb} MB, resident memory growth (MB), ${runs} runs\n`);
for (let round = 0; round < runs; round++) {
  const up = await growth("upload", size);
  const down = await growth("download", size);
  process.stdout.write(`  run ${round + 1}: upload +${mb(up)}  download +${mb(down)}\n`);
}
await server.close();
