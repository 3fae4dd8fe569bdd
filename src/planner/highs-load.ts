/** Loads HiGHS (WebAssembly) once per thread: its solves then run synchronously on that thread. */
import highsModule, { type Highs } from "highs";

// The package ships ESM at runtime but CommonJS-typed declarations: reach the loader either way.
type Loader = () => Promise<Highs>;
const loader = ((highsModule as unknown as { default?: Loader }).default ?? highsModule) as unknown as Loader;

let loaded: Promise<Highs> | null = null;

export function loadHighs(): Promise<Highs> {
  loaded ??= loader();
  return loaded;
}
