/** Loads HiGHS (WebAssembly) once per thread: its solves then run synchronously on that thread. */
import highsModule, { type Highs } from "highs";

// The package ships ESM at runtime but CommonJS-typed declarations: reach the loader either way.
type Loader = () => Promise<Highs>;
const loader = ((highsModule as unknown as { default?: Loader }).default ?? highsModule) as unknown as Loader;

let loaded: Promise<Highs> | null = null;

/** HiGHS, loaded on first use; a failed load is not kept, so the next call tries again. */
export function loadHighs(): Promise<Highs> {
  loaded ??= loader().catch((e: unknown) => {
    loaded = null;
    throw e;
  });
  return loaded;
}
