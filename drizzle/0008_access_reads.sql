CREATE TABLE "reads" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "reads_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"at" timestamp with time zone NOT NULL,
	"actor_id" text NOT NULL,
	"actor_name" text NOT NULL,
	"party" text NOT NULL,
	"entity" text NOT NULL,
	"entity_id" uuid NOT NULL,
	"route" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "role" text NOT NULL;--> statement-breakpoint
CREATE INDEX "reads_entity_idx" ON "reads" USING btree ("entity_id","at");--> statement-breakpoint
CREATE INDEX "reads_actor_idx" ON "reads" USING btree ("actor_id","at");--> statement-breakpoint
-- Reads are appended by the system (in batches, each row naming its reader) and never changed.
GRANT SELECT, INSERT ON "reads" TO traslado_app;
--> statement-breakpoint
REVOKE UPDATE, DELETE ON "reads" FROM traslado_app;
--> statement-breakpoint
GRANT USAGE, SELECT ON SEQUENCE "reads_id_seq" TO traslado_app;
--> statement-breakpoint
ALTER TABLE "reads" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "reads_read" ON "reads" FOR SELECT USING (app_system() OR party = app_party());
--> statement-breakpoint
CREATE POLICY "reads_insert" ON "reads" FOR INSERT WITH CHECK (app_system());
