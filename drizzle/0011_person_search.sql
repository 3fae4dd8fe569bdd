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
