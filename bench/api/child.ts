import { type ChildProcess, fork } from "node:child_process";
import type { FastifyInstance } from "fastify";

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
 * Starts `script` (a TypeScript file) as a child process with `arg` as JSON and waits for its port.
 * `nodeArgs` go to node (e.g. `--cpu-prof`).
 */
export function startChild(script: string, arg: unknown, nodeArgs: string[] = []): Promise<Child> {
  const child: ChildProcess = fork(script, [JSON.stringify(arg)], {
    execArgv: ["--import", "tsx", ...nodeArgs],
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
