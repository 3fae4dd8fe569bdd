// Builds the web app (web/ → web/dist/, Vite) and tells whether web/dist/ is fresh, the same way
// bin/build.js does for the server: a fingerprint of the inputs' paths, sizes and modification times.
//   node bin/build-web.js           build now (npm run build:web)
//   node bin/build-web.js --check   exit 0 when web/dist/ is fresh, 1 when it is stale or missing
// `traslado serve` (and so `npm start`) builds it first when it is stale.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { root } from "./build.js";

export const webRoot = join(root, "web");
export const webDist = join(webRoot, "dist");
const stampFile = ".build.json";

/** What the build reads: everything under web/ but its output, this script and package.json. */
function inputs() {
  const files = ["package.json", "bin/build-web.js"].map((f) => join(root, f));
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        if (p !== webDist && !e.name.startsWith("dist.")) walk(p);
      } else files.push(p);
    }
  };
  walk(webRoot);
  return files.sort();
}

function fingerprint() {
  const h = createHash("sha256");
  for (const f of inputs()) {
    const s = statSync(f);
    h.update(`${relative(root, f)}\0${s.size}\0${s.mtimeMs}\n`);
  }
  return h.digest("hex");
}

export function isWebFresh() {
  try {
    return JSON.parse(readFileSync(join(webDist, stampFile), "utf8")).fingerprint === fingerprint();
  } catch {
    return false;
  }
}

/**
 * Runs `fn` and then puts the process's environment back as it was. Vite's build sets NODE_ENV to
 * "production" when it is unset, and `traslado serve` builds in the process that then reads its
 * configuration: without this, a first start would take itself for production (and run the deadline clock).
 */
export async function keepingEnvironment(fn) {
  const before = { ...process.env };
  try {
    return await fn();
  } finally {
    for (const k of Object.keys(process.env)) if (!(k in before)) delete process.env[k];
    Object.assign(process.env, before);
  }
}

/**
 * Builds into a new directory, then puts it in place of `into` (web/dist/), so a server never serves half a
 * build. The process's environment is left as it was.
 */
export async function buildWeb({ quiet = false, into = webDist } = {}) {
  let vite;
  try {
    vite = await import("vite");
  } catch {
    throw new Error(
      "web/dist/ is missing or older than web/, and Vite is not installed to build it: run `npm ci` (with the dev dependencies), then `npm run build:web`",
    );
  }
  // Named as the user would: web/dist/ within the project, the full path outside it.
  const inProject = relative(root, into);
  const shown = `${inProject.startsWith("..") ? into : inProject}/`;
  const print = fingerprint();
  const out = `${into}.${process.pid}.tmp`;
  rmSync(out, { recursive: true, force: true });
  const started = Date.now();
  try {
    await keepingEnvironment(() =>
      vite.build({
        configFile: join(webRoot, "vite.config.ts"),
        logLevel: quiet ? "silent" : "warn",
        build: { outDir: out, emptyOutDir: true },
      }),
    );
  } catch (err) {
    rmSync(out, { recursive: true, force: true });
    throw new Error(`the web app's build failed; ${shown} was left as it was\n${err.message}`);
  }
  writeFileSync(
    join(out, stampFile),
    JSON.stringify({ fingerprint: print, builtAt: new Date().toISOString() }),
  );
  rmSync(into, { recursive: true, force: true });
  try {
    renameSync(out, into);
  } catch (err) {
    rmSync(out, { recursive: true, force: true });
    if (into !== webDist || !isWebFresh()) throw err;
  }
  if (!quiet) process.stderr.write(`traslado: built ${shown} from web/ in ${Date.now() - started} ms\n`);
}

export async function ensureWebBuilt(options) {
  if (!isWebFresh()) await buildWeb(options);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes("--check")) process.exit(isWebFresh() ? 0 : 1);
  try {
    await buildWeb();
  } catch (err) {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
}
