/**
 * Measuring a server's resident memory while a large body moves over HTTP, for the 200 MB document test
 * (src/documents/memory.test.ts) and its floor benchmark (`npm run bench:documents-floor`): the peak growth
 * while something runs, each measurement from a full collection, and the bare Node server that is the floor.
 */
import { createHash } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

// A full collection before each measurement: each starts from the same state, with no garbage of the one before.
setFlagsFromString("--expose-gc");
const collect = runInNewContext("gc") as () => void;

/** The peak growth of this process's resident memory while `fn` runs, over its resident memory before. */
export async function peakGrowth<T>(fn: () => Promise<T>): Promise<{ result: T; growth: number }> {
  collect();
  const before = process.memoryUsage().rss;
  let peak = before;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 10);
  try {
    const result = await fn();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { result, growth: peak - before };
  } finally {
    clearInterval(timer);
  }
}

/**
 * A bare Node HTTP server in this process: a POST is hashed and discarded (the answer is its SHA-256); a GET
 * answers `size` bytes, sent as fresh 1 MiB buffers with backpressure.
 */
export async function bareServer(size: number): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer(async (req, res) => {
    if (req.method === "POST") {
      const hash = createHash("sha256");
      for await (const chunk of req) hash.update(chunk as Buffer);
      res.end(hash.digest("hex"));
      return;
    }
    res.writeHead(200, { "content-length": String(size) });
    let left = size;
    const pump = () => {
      while (left > 0) {
        const block = Buffer.alloc(Math.min(left, 1024 * 1024), 0x20);
        left -= block.length;
        if (!res.write(block)) return res.once("drain", pump);
      }
      res.end();
    };
    pump();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
