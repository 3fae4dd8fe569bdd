/**
 * Where the running code lives: the TypeScript sources under tsx (tests, development, benchmarks), or
 * the compiled bundle in dist/ (`npm start`, the `traslado` command). Files read at run time (the
 * migrations) and the modules of worker threads are found from here, in either case.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";

const here = fileURLToPath(import.meta.url);

/** True when running the TypeScript sources (through tsx or vitest); false in the compiled dist/. */
export const fromSource = here.endsWith(".ts");

/** The checkout: the nearest directory above this file holding package.json (dist/ and src/ hold none). */
export const appRoot = (() => {
  let dir = dirname(here);
  while (!existsSync(join(dir, "package.json"))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${here}`);
    dir = up;
  }
  return dir;
})();

/** The drizzle migrations, the same folder for the sources and for dist/. */
export const migrationsFolder = join(appRoot, "drizzle");

/**
 * Starts a worker thread on a module named by its path under src/ without extension
 * (`"operations/plan-worker"`): dist/operations/plan-worker.js when compiled; the TypeScript source
 * otherwise, registering tsx inside the worker first (workers ignore the parent's loaders on Node 20,
 * and vitest's workers have none of their own).
 */
export function startWorker(module: string): Worker {
  if (!fromSource) return new Worker(pathToFileURL(join(appRoot, "dist", `${module}.js`)));
  const url = pathToFileURL(join(appRoot, "src", `${module}.ts`)).href;
  const boot = `import("tsx/esm/api").then((m) => { m.register(); return import(${JSON.stringify(url)}); })`;
  return new Worker(boot, { eval: true });
}
