CREATE TABLE "audit_checkpoints" (
	"seq" bigint PRIMARY KEY NOT NULL,
	"hash" text NOT NULL,
	"from_seq" bigint NOT NULL,
	"events" bigint NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"key_id" text NOT NULL,
	"signature" text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "audit_checkpoints_from_uq" ON "audit_checkpoints" USING btree ("from_seq");--> statement-breakpoint
-- Checkpoints are appended by the system (audit checkpoint, serve's periodic one) and never changed or
-- removed, by anyone the application connects as.
GRANT SELECT, INSERT ON "audit_checkpoints" TO traslado_app;
--> statement-breakpoint
REVOKE UPDATE, DELETE, TRUNCATE ON "audit_checkpoints" FROM traslado_app;
--> statement-breakpoint
ALTER TABLE "audit_checkpoints" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "audit_checkpoints_read" ON "audit_checkpoints" FOR SELECT USING (app_system());
--> statement-breakpoint
CREATE POLICY "audit_checkpoints_insert" ON "audit_checkpoints" FOR INSERT WITH CHECK (app_system());
