// Builds dist/ from src/ (esbuild: one bundle per entry point, with shared chunks), and tells whether
// dist/ is fresh. Types are checked by `npm run typecheck` (tsc), not here.
//   node bin/build.js           build now (npm run build)
//   node bin/build.js --check   exit 0 when dist/ is fresh, 1 when it is stale or missing
// dist/.build.json holds a fingerprint of the inputs (each file's path, size and modification time):
// checking it costs a directory walk and a few hundred stat calls, a few milliseconds.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..");
export const dist = join(root, "dist");
const stampFile = ".build.json";

/**
 * Entry points: the CLI (which serves too), the modules of worker threads (src/runtime.ts), and what
 * bin/traslado.js starts before the CLI (the `plan --bppc` solver thread; it shares its module with the CLI
 * through a chunk).
 */
const entryPoints = [
  "src/cli/main.ts",
  "src/planner/bppc-prestart.ts",
  "src/operations/plan-worker.ts",
  "src/planner/highs-worker.ts",
  "src/planner/bppc-worker.ts",
];

/** What the build reads: every source file (tests too: cheap to stat), this script and package.json. */
function inputs() {
  const files = ["package.json", "bin/build.js"].map((f) => join(root, f));
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".ts")) files.push(p);
    }
  };
  walk(join(root, "src"));
  return files.sort();
}

export function fingerprint() {
  const h = createHash("sha256");
  for (const f of inputs()) {
    const s = statSync(f);
    h.update(`${relative(root, f)}\0${s.size}\0${s.mtimeMs}\n`);
  }
  return h.digest("hex");
}

export function isFresh() {
  try {
    const stamp = JSON.parse(readFileSync(join(dist, stampFile), "utf8"));
    return stamp.fingerprint === fingerprint();
  } catch {
    return false;
  }
}

/**
 * Bundles src/ into a new directory, then puts it in place of dist/, so a process never loads half a
 * build. Two processes building at once: the second to finish keeps the first one's dist/.
 *
 * Packages stay in node_modules (PGlite and HiGHS load their WebAssembly from beside their own files),
 * except drizzle-orm, which is bundled: its package.json lists every one of its files in `exports`
 * (180 KB), and Node 24 reads that file again for each of its modules it loads, which took 0.6 s of
 * every start.
 */
export async function build({ quiet = false } = {}) {
  let esbuild;
  try {
    esbuild = await import("esbuild");
  } catch {
    throw new Error(
      "dist/ is missing or older than src/, and esbuild is not installed to build it: run `npm ci` (with the dev dependencies), then `npm run build`",
    );
  }
  const print = fingerprint();
  const out = join(root, `dist.${process.pid}.tmp`);
  rmSync(out, { recursive: true, force: true });
  const started = Date.now();
  try {
    await esbuild.build({
      absWorkingDir: root,
      entryPoints,
      outbase: "src",
      outdir: out,
      bundle: true,
      splitting: true,
      format: "esm",
      platform: "node",
      target: "node24",
      chunkNames: "chunks/[name]-[hash]",
      sourcemap: true,
      logLevel: "silent",
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
  } catch (err) {
    rmSync(out, { recursive: true, force: true });
    throw new Error(`the build failed; dist/ was left as it was\n${err.message}`);
  }
  writeFileSync(
    join(out, stampFile),
    JSON.stringify({ fingerprint: print, builtAt: new Date().toISOString() }),
  );
  rmSync(dist, { recursive: true, force: true });
  try {
    renameSync(out, dist);
  } catch (err) {
    rmSync(out, { recursive: true, force: true });
    if (!isFresh()) throw err;
  }
  if (!quiet) process.stderr.write(`traslado: built dist/ from src/ in ${Date.now() - started} ms\n`);
}

/** Builds dist/ only when it is stale or missing. */
export async function ensureBuilt(options) {
  if (!isFresh()) await build(options);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes("--check")) process.exit(isFresh() ? 0 : 1);
  try {
    await build();
  } catch (err) {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
}
