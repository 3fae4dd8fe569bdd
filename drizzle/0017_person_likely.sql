-- Custom SQL migration file, put your code below! --
-- hand-written below
-- The duplicate check at intake and import in a cost that does not grow with the record (issue 9: an
-- import of 1,000,000 requests in at most 10 times the time of 100,000). It asked `traslado_person_search`
-- for each new person's name: a unique name never fills the close tier, so the wide tier's trigram index
-- scan ran for every new person, and its posting lists grow with the people recorded (every name shares
-- trigrams with thousands of others). Yet a likely duplicate must also not be born on another day
-- (`likelyDuplicatesOfMany`, src/people/search.ts): for a new person whose date of birth is known, the
-- candidates are the people born that day (by the index on the date) and those whose date is not known
-- (by trigram indexes on them alone), ranked by the search's own score, under the search's own two
-- thresholds. Their number follows the people born on one day, not the whole record. A new person without
-- a date of birth still goes through the search.
CREATE INDEX "people_birth_idx" ON "people" ("date_of_birth");
--> statement-breakpoint
CREATE INDEX "people_name_key_unborn_idx" ON "people" USING gin ("name_key" public.gin_trgm_ops) WITH (fastupdate = off) WHERE "date_of_birth" IS NULL;
--> statement-breakpoint
CREATE INDEX "people_search_key_unborn_idx" ON "people" USING gin ("search_key" public.gin_trgm_ops) WITH (fastupdate = off) WHERE "date_of_birth" IS NULL;
--> statement-breakpoint
-- The people who may be the one named `q`, born on `born` (not null), or who hold one of `idents`: the
-- latter first (score 1), each as the search ranks it, `lim` at most of each kind. Visibility as in
-- traslado_person_search (the people_read rule applied here, SECURITY DEFINER, so that the planner uses the
-- indexes); the caller reads the rows it names under row-level security.
CREATE OR REPLACE FUNCTION public.traslado_person_likely(q text, born date, idents text[], lim integer)
  RETURNS TABLE(id uuid, score double precision, matched_by text)
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = public, pg_temp
  SET pg_trgm.word_similarity_threshold = 0.35
  SET pg_trgm.similarity_threshold = 0.5
  AS $$
  WITH n AS (SELECT public.traslado_norm(q) AS n),
  ident AS MATERIALIZED (
    SELECT DISTINCT p.id
      FROM people p
     -- `@> ANY (array)`, not a join with unnest: joined, the planner scanned the whole table for each value.
     WHERE p.identifiers @> ANY (array(SELECT jsonb_build_array(jsonb_build_object('value', btrim(v)))
                                         FROM unnest(coalesce(idents, '{}'::text[])) v))
       AND p.merged_into IS NULL
       AND (app_system() OR p.party = app_party() OR p.shared_with ?| array[app_party(), '*'])),
  -- Apart, so that each is probed by its own index: the people born that day, and those of no known date
  -- whose name is close enough (the search's two tiers' conditions).
  born_that_day AS MATERIALIZED (
    SELECT p.id, p.name_key, p.alias_keys, p.search_key
      FROM people p
     WHERE born IS NOT NULL
       AND p.date_of_birth = born
       AND p.merged_into IS NULL
       AND (app_system() OR p.party = app_party() OR p.shared_with ?| array[app_party(), '*'])),
  unborn AS MATERIALIZED (
    SELECT p.id, p.name_key, p.alias_keys, p.search_key
      FROM people p, n
     WHERE born IS NOT NULL
       AND p.date_of_birth IS NULL
       AND (n.n % p.name_key OR n.n <% p.search_key)
       AND p.merged_into IS NULL
       AND (app_system() OR p.party = app_party() OR p.shared_with ?| array[app_party(), '*'])),
  -- Each candidate's two similarities computed once (pg_trgm takes the trigrams of both texts at each
  -- call): the search's conditions (`%`, `<%`: at least the thresholds set above) and its score read them.
  -- At a million people some 50 are born on any one day; reading their rows, more than this arithmetic,
  -- is then most of the check's cost (docs/BENCHMARKS.md, "Import").
  scored AS MATERIALIZED (
    SELECT c.id, c.alias_keys,
           similarity(n.n, c.name_key) AS close, word_similarity(n.n, c.search_key) AS wide
      FROM (SELECT * FROM born_that_day UNION ALL SELECT * FROM unborn) c, n),
  named AS (
    SELECT c.id,
           (greatest(c.close, coalesce((SELECT max(similarity(n.n, a)) FROM unnest(c.alias_keys) a), 0))
            + c.wide) / 2 AS score
      FROM scored c, n
     WHERE c.close >= current_setting('pg_trgm.similarity_threshold')::real
        OR c.wide >= current_setting('pg_trgm.word_similarity_threshold')::real)
  (SELECT i.id, 1::double precision, 'identifier' FROM ident i ORDER BY i.id LIMIT lim)
  UNION ALL
  (SELECT c.id, c.score, 'name' FROM named c ORDER BY 2 DESC, 1 LIMIT lim)
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION public.traslado_person_likely(text, date, text[], integer) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION public.traslado_person_likely(text, date, text[], integer) TO traslado_app;
