import { type ChildProcess, fork } from "node:child_process";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { basename, join } from "node:path";
import { pathToFileURL } from "node:url";
import type { FastifyInstance } from "fastify";

/** Where the children are compiled to: inside the checkout, so that their packages resolve from node_modules. */
const buildDir = join(import.meta.dirname, "..", ".build");
const built = new Map<string, Promise<string>>();

/**
 * The child compiled as the server runs in production (`npm start` runs the esbuild bundle of dist/, not
 * TypeScript through tsx): one esbuild bundle per script, with the application's modules and drizzle-orm
 * inside and the other packages left in node_modules, as bin/build.js bundles dist/. Built once per process.
 */
function compiled(script: string): Promise<string> {
  let out = built.get(script);
  if (!out) {
    out = (async () => {
      // Worker threads of the compiled server load dist/ (src/runtime.ts): built first when stale. (A tree
      // from before dist/ existed, checked out by bench:walls, has no build script and no workers to load.)
      const buildScript = join(import.meta.dirname, "..", "..", "bin", "build.js");
      if (existsSync(buildScript))
        await (await import(pathToFileURL(buildScript).href)).ensureBuilt({ quiet: true });
      const esbuild = await import("esbuild");
      const dir = join(buildDir, `${process.pid}-${built.size}`);
      mkdirSync(dir, { recursive: true });
      process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
      const file = join(dir, basename(script).replace(/\.ts$/, ".mjs"));
      await esbuild.build({
        entryPoints: [script],
        outfile: file,
        bundle: true,
        format: "esm",
        platform: "node",
        target: "node24",
        sourcemap: true,
        logLevel: "warning",
        plugins: [
          {
            name: "packages-external-but-drizzle",
            setup(b) {
              b.onResolve({ filter: /^[^./]/ }, (a) =>
                a.path === "drizzle-orm" || a.path.startsWith("drizzle-orm/")
                  ? undefined
                  : { path: a.path, external: true },
              );
            },
          },
        ],
      });
      return file;
    })();
    built.set(script, out);
  }
  return out;
}

/** In a child: listen on a free port of 127.0.0.1, tell the parent, and close cleanly when told to stop. */
export async function serveUntilStopped(app: FastifyInstance, close: () => Promise<void>) {
  await app.listen({ host: "127.0.0.1", port: 0 });
  const address = app.server.address();
  if (!address || typeof address === "string") throw new Error("no TCP address");
  process.on("message", async (message) => {
    if (message !== "stop") return;
    await app.close();
    await close();
    process.exit(0);
  });
  process.send?.({ port: address.port });
}

export interface Child {
  url: string;
  /** The child's process id (to read its CPU time). */
  pid: number | undefined;
  stop(): Promise<void>;
}

/**
 * Starts `script` (a TypeScript file), compiled (`compiled`), as a child process with `arg` as JSON and waits
 * for its port. `nodeArgs` go to node (e.g. `--cpu-prof`), as no flags go to the server's node in production.
 */
export async function startChild(script: string, arg: unknown, nodeArgs: string[] = []): Promise<Child> {
  const child: ChildProcess = fork(await compiled(script), [JSON.stringify(arg)], {
    execArgv: nodeArgs,
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`${script} exited with code ${code} before listening`)));
    child.once("message", (message) => {
      const { port } = message as { port: number };
      resolve({
        url: `http://127.0.0.1:${port}`,
        pid: child.pid,
        async stop() {
          child.send("stop");
          const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
          await exited;
          clearTimeout(timer);
        },
      });
    });
  });
}
