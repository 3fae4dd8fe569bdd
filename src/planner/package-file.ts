import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

/**
 * A file shipped in an npm package (a font, a map), read from node_modules. It is resolved as a package
 * from wherever this module runs (src/ under tsx, or dist/ once built), never by a path relative to the
 * source file, which the bundle would break.
 */
export const packageFile = (specifier: string): Buffer => readFileSync(require.resolve(specifier));
