import { PGlite, type PGliteOptions } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { unaccent } from "@electric-sql/pglite/contrib/unaccent";

/**
 * The extensions the migrations create (name search: drizzle/0011_person_search.sql). PGlite bundles each
 * as a module that must be loaded when the instance starts; PostgreSQL has them as contrib.
 */
export const pgliteExtensions = { pg_trgm, unaccent };

/** A PGlite instance with the extensions the record needs. */
export function newPGlite(
  dataDir?: string,
  options: Omit<PGliteOptions, "extensions"> = {},
): Promise<PGlite> {
  return PGlite.create(dataDir, { ...options, extensions: pgliteExtensions });
}
