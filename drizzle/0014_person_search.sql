CREATE TABLE "person_merges" (
	"id" uuid PRIMARY KEY NOT NULL,
	"party" text NOT NULL,
	"shared_with" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL,
	"merged_id" uuid NOT NULL,
	"survivor_id" uuid NOT NULL,
	"reason" text NOT NULL,
	"moved" jsonb NOT NULL,
	"status" text NOT NULL,
	"undone_at" timestamp with time zone,
	"undone_reason" text
);
--> statement-breakpoint
ALTER TABLE "people" ADD COLUMN "merged_into" uuid;--> statement-breakpoint
ALTER TABLE "person_merges" ADD CONSTRAINT "person_merges_merged_id_people_id_fk" FOREIGN KEY ("merged_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "person_merges" ADD CONSTRAINT "person_merges_survivor_id_people_id_fk" FOREIGN KEY ("survivor_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "person_merges_merged_idx" ON "person_merges" USING btree ("merged_id");--> statement-breakpoint
CREATE INDEX "person_merges_survivor_idx" ON "person_merges" USING btree ("survivor_id");--> statement-breakpoint
-- hand-written below
-- Name search (src/people/search.ts): trigram similarity over names and aliases with accents, case and
-- punctuation taken out. Both extensions are trusted (PostgreSQL 13+): the database owner running the
-- migrations may create them without being a superuser. PGlite loads them at start (src/db/pglite.ts).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
--> statement-breakpoint
CREATE EXTENSION IF NOT EXISTS unaccent;
--> statement-breakpoint
-- unaccent() is only STABLE (it reads its dictionary, which could be changed); the index needs an
-- IMMUTABLE expression. The dictionary is named with its schema so that the function means the same under
-- any search_path (a restore runs with an empty one). Punctuation and runs of space become one space:
-- "Pérez-Gómez, José" and "perez gomez jose" have the same words.
CREATE OR REPLACE FUNCTION public.traslado_norm(t text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  AS $$ SELECT btrim(regexp_replace(lower(public.unaccent('public.unaccent'::regdictionary, t)), '[[:punct:][:space:]]+', ' ', 'g')) $$;
--> statement-breakpoint
-- A person's search text: given names, family names and every alias (the JSON's brackets and quotes are
-- punctuation, taken out by traslado_norm).
CREATE OR REPLACE FUNCTION public.traslado_person_key(given text, family text, aliases jsonb) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT public.traslado_norm(coalesce(given, '') || ' ' || coalesce(family, '') || ' ' || coalesce(aliases::text, '')) $$;
--> statement-breakpoint
CREATE INDEX "people_search_idx" ON "people" USING gin (public.traslado_person_key("given_names", "family_names", "aliases") public.gin_trgm_ops);
--> statement-breakpoint
-- Identifiers (national ID, requesting-state ID, INTERPOL notice…) are found exactly: identifiers @> '[{"value": …}]'.
CREATE INDEX "people_identifiers_idx" ON "people" USING gin ("identifiers" jsonb_path_ops);
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON "person_merges" TO traslado_app;
--> statement-breakpoint
ALTER TABLE "person_merges" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "person_merges_read" ON "person_merges" FOR SELECT USING (app_system() OR party = app_party() OR shared_with ?| array[app_party(), '*']);
--> statement-breakpoint
CREATE POLICY "person_merges_insert" ON "person_merges" FOR INSERT WITH CHECK (app_system() OR party = app_party());
--> statement-breakpoint
CREATE POLICY "person_merges_update" ON "person_merges" FOR UPDATE USING (app_system() OR party = app_party()) WITH CHECK (app_system() OR party = app_party());
--> statement-breakpoint
-- The search itself, as the owner of the table (SECURITY DEFINER): under row-level security the planner
-- may not use an index for an operator that is not LEAKPROOF (pg_trgm's `<%`, jsonb's `@>`), and every
-- search became a sequential scan (2 s over 100,000 people). The function applies the same rule as the
-- people_read policy itself (the caller's app.party, or the system), and answers ids and scores only: the
-- rows are then read under row-level security (src/people/search.ts).
CREATE OR REPLACE FUNCTION public.traslado_person_search(q text, lim integer)
  RETURNS TABLE(id uuid, score double precision, matched_by text)
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = public, pg_temp
  SET pg_trgm.word_similarity_threshold = 0.35
  AS $$
  (SELECT p.id, 1::double precision, 'identifier'
     FROM people p
    WHERE p.identifiers @> jsonb_build_array(jsonb_build_object('value', btrim(q)))
      AND p.merged_into IS NULL
      AND (app_system() OR p.party = app_party() OR p.shared_with ?| array[app_party(), '*'])
    ORDER BY p.id
    LIMIT lim)
  UNION ALL
  (SELECT p.id,
          (greatest(
             similarity(n.n, public.traslado_norm(p.given_names || ' ' || p.family_names)),
             coalesce((SELECT max(similarity(n.n, public.traslado_norm(a))) FROM jsonb_array_elements_text(p.aliases) a), 0)
           ) + word_similarity(n.n, public.traslado_person_key(p.given_names, p.family_names, p.aliases))) / 2,
          'name'
     FROM people p, (SELECT public.traslado_norm(q) AS n) n
    WHERE n.n <% public.traslado_person_key(p.given_names, p.family_names, p.aliases)
      AND p.merged_into IS NULL
      AND (app_system() OR p.party = app_party() OR p.shared_with ?| array[app_party(), '*'])
    ORDER BY 2 DESC, 1
    LIMIT lim)
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION public.traslado_person_search(text, integer) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION public.traslado_person_search(text, integer) TO traslado_app;
