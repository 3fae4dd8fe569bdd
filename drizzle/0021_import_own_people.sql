-- Custom SQL migration file, put your code below! --
-- hand-written below
-- The duplicate check of an import in a cost that does not grow with what the import itself has written (issue 9:
-- an import of 1,000,000 requests in at most 10 times the time of 100,000). 0017 compared each new person born on a
-- known day with every person born that day, the import's own earlier people among them: at a million requests some
-- 45 share any one day, and each was a row read from `people` (1 GB by then, most of it just written by the import,
-- no longer in PostgreSQL's buffers), and scored by two trigram similarities each. An import now keeps its own new
-- people born on a known day in a temporary table of its transaction (`traslado_import_born`, src/requests/import.ts:
-- the words of their names, in the session's own memory, never in the write-ahead log) and compares each new person
-- with those of its day in TypeScript, by the rules a batch's new people are compared among themselves
-- (`likelyDuplicatesWithin`); of `people` it asks only for the people not recorded by the import. Those are told
-- apart by the time they were recorded (the import's one instant, `mine`): the index below ends its scan before
-- their rows are read.
--
-- And the candidates are now scored by the caller (`likelyDuplicatesOfMany`, src/people/search.ts): this function
-- only lists them, with the normalised forms the score is computed on.
CREATE INDEX "people_birth_recorded_idx" ON "people" ("date_of_birth", "recorded_at");
--> statement-breakpoint
DROP INDEX "people_birth_idx";
--> statement-breakpoint
DROP FUNCTION public.traslado_person_likely(text, date, text[], integer);
--> statement-breakpoint
-- The people who may be the one named `q`, born on `born` (not null), or who hold one of `idents`: those holding an
-- identifier (matched_by 'identifier', once each), those born that day and not recorded at the instant `mine` (null:
-- all of them), and those of no known date whose name is close enough (the search's two tiers' conditions). The
-- reader's visibility as in traslado_person_search (SECURITY DEFINER, so that the planner uses the indexes); the
-- caller reads the rows it settles on under row-level security.
CREATE FUNCTION public.traslado_person_candidates(q text, born date, idents text[], mine timestamptz)
  RETURNS TABLE(id uuid, matched_by text, name_key text, alias_keys text[], search_key text)
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = public, pg_temp
  SET pg_trgm.word_similarity_threshold = 0.35
  SET pg_trgm.similarity_threshold = 0.5
  AS $$
  WITH n AS (SELECT public.traslado_norm(q) AS n)
  SELECT DISTINCT p.id, 'identifier', NULL::text, NULL::text[], NULL::text
    FROM people p
   -- `@> ANY (array)`, not a join with unnest: joined, the planner scanned the whole table for each value.
   WHERE p.identifiers @> ANY (array(SELECT jsonb_build_array(jsonb_build_object('value', btrim(v)))
                                       FROM unnest(coalesce(idents, '{}'::text[])) v))
     AND p.merged_into IS NULL
     AND (app_system() OR p.party = app_party() OR p.shared_with ?| array[app_party(), '*'])
  UNION ALL
  -- Recorded before `mine`, then after it: two ranges of the index on (date_of_birth, recorded_at), so that the rows
  -- recorded at `mine` are never read (`<>`, or one OR, would be a filter on the rows read).
  SELECT p.id, 'name', p.name_key, p.alias_keys, p.search_key
    FROM people p
   WHERE born IS NOT NULL
     AND p.date_of_birth = born
     AND p.recorded_at < coalesce(mine, 'infinity')
     AND p.merged_into IS NULL
     AND (app_system() OR p.party = app_party() OR p.shared_with ?| array[app_party(), '*'])
  UNION ALL
  SELECT p.id, 'name', p.name_key, p.alias_keys, p.search_key
    FROM people p
   WHERE born IS NOT NULL
     AND mine IS NOT NULL
     AND p.date_of_birth = born
     AND p.recorded_at > mine
     AND p.merged_into IS NULL
     AND (app_system() OR p.party = app_party() OR p.shared_with ?| array[app_party(), '*'])
  UNION ALL
  SELECT p.id, 'name', p.name_key, p.alias_keys, p.search_key
    FROM people p, n
   WHERE born IS NOT NULL
     AND p.date_of_birth IS NULL
     AND (n.n % p.name_key OR n.n <% p.search_key)
     AND p.merged_into IS NULL
     AND (app_system() OR p.party = app_party() OR p.shared_with ?| array[app_party(), '*'])
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION public.traslado_person_candidates(text, date, text[], timestamptz) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION public.traslado_person_candidates(text, date, text[], timestamptz) TO traslado_app;
