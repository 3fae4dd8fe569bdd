/** Loads HiGHS (WebAssembly) once per thread: its solves then run synchronously on that thread. */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import v8 from "node:v8";
import highsModule, { type Highs } from "highs";

// The package ships ESM at runtime but CommonJS-typed declarations: reach the loader either way.
type Loader = (settings?: EmscriptenSettings) => Promise<Highs>;
const loader = ((highsModule as unknown as { default?: Loader }).default ?? highsModule) as unknown as Loader;

/** The hook of Emscripten's module settings that hands the loader an instance made by the caller. */
interface EmscriptenSettings {
  instantiateWasm(imports: WebAssembly.Imports, done: (instance: WebAssembly.Instance) => void): object;
}

let loaded: Promise<Highs> | null = null;

/** HiGHS, loaded on first use; a failed load is not kept, so the next call tries again. */
export function loadHighs(): Promise<Highs> {
  loaded ??= Promise.resolve()
    .then(() => {
      const module = compileWhole();
      return loader({
        instantiateWasm(imports, done) {
          done(new WebAssembly.Instance(module, imports));
          return {};
        },
      });
    })
    .catch((e: unknown) => {
      loaded = null;
      throw e;
    });
  return loaded;
}

/**
 * HiGHS's WebAssembly, every function compiled now rather than at its first call. V8 compiles a
 * module's functions lazily by default, so a new process's first LP solves paid for compiling what
 * they reached: on BPPC_2_3_9 its first solve took 30–54 ms (1 ms warm) and the root LP's solves
 * 294–327 ms in HiGHS; compiled whole at load, 3 ms and 229–239 ms (docs/BENCHMARKS.md). The load
 * takes about 130 ms longer for it, before any solve's clock starts.
 *
 * V8 has no per-module switch, so its flag is turned off for this one synchronous compile and back
 * on after; a process started with the flag set either way keeps it.
 */
function compileWhole(): WebAssembly.Module {
  const bytes = readFileSync(createRequire(import.meta.url).resolve("highs/runtime"));
  const chosen = [...process.execArgv, process.env.NODE_OPTIONS ?? ""].some((a) =>
    a.includes("wasm-lazy-compilation"),
  );
  if (chosen) return new WebAssembly.Module(bytes);
  v8.setFlagsFromString("--no-wasm-lazy-compilation");
  try {
    return new WebAssembly.Module(bytes);
  } finally {
    v8.setFlagsFromString("--wasm-lazy-compilation");
  }
}
