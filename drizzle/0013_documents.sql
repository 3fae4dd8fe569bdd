CREATE TABLE "document_blobs" (
	"sha256" text PRIMARY KEY NOT NULL,
	"blob_id" uuid NOT NULL,
	"size" bigint NOT NULL,
	"party" text NOT NULL,
	"stored_at" timestamp with time zone NOT NULL,
	CONSTRAINT "document_blobs_blob_id_unique" UNIQUE("blob_id")
);
--> statement-breakpoint
CREATE TABLE "document_chunks" (
	"blob_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"party" text NOT NULL,
	"bytes" "bytea" NOT NULL,
	CONSTRAINT "document_chunks_blob_id_seq_pk" PRIMARY KEY("blob_id","seq")
);
--> statement-breakpoint
CREATE TABLE "documents" (
	"id" uuid PRIMARY KEY NOT NULL,
	"party" text NOT NULL,
	"shared_with" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL,
	"parent_kind" text NOT NULL,
	"parent_id" uuid NOT NULL,
	"sha256" text NOT NULL,
	"size" bigint NOT NULL,
	"media_type" text NOT NULL,
	"original_name" text NOT NULL,
	"uploaded_by" text NOT NULL,
	"uploaded_by_name" text NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	"store" text NOT NULL,
	"receipt" jsonb NOT NULL
);
--> statement-breakpoint
CREATE INDEX "documents_parent_idx" ON "documents" USING btree ("parent_kind","parent_id");--> statement-breakpoint
CREATE INDEX "documents_sha256_idx" ON "documents" USING btree ("sha256");--> statement-breakpoint
-- hand-written below
-- Documents' content is compressed already (PDF, PNG, JPEG) or not worth compressing: stored as it is.
ALTER TABLE "document_chunks" ALTER COLUMN "bytes" SET STORAGE EXTERNAL;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON "documents" TO traslado_app;
--> statement-breakpoint
GRANT SELECT, INSERT, DELETE ON "document_blobs", "document_chunks" TO traslado_app;
--> statement-breakpoint
REVOKE UPDATE, TRUNCATE ON "document_blobs", "document_chunks" FROM traslado_app;
--> statement-breakpoint
ALTER TABLE "documents" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "documents_read" ON "documents" FOR SELECT USING (app_system() OR party = app_party() OR shared_with ?| array[app_party(), '*']);
--> statement-breakpoint
CREATE POLICY "documents_insert" ON "documents" FOR INSERT WITH CHECK (app_system() OR party = app_party());
--> statement-breakpoint
CREATE POLICY "documents_update" ON "documents" FOR UPDATE USING (app_system() OR party = app_party()) WITH CHECK (app_system() OR party = app_party());
--> statement-breakpoint
CREATE POLICY "documents_delete" ON "documents" FOR DELETE USING (app_system() OR party = app_party());
--> statement-breakpoint
-- Content is stored once whoever uploads it: a party reads a blob and its chunks when it may read a
-- document with that hash (the documents policy applies inside the subquery), or when its own upload
-- stored them (the upload writes the chunks before the document row, and removes its own chunks when the
-- content was already there).
ALTER TABLE "document_blobs" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "document_blobs_read" ON "document_blobs" FOR SELECT USING (app_system() OR party = app_party() OR EXISTS (SELECT 1 FROM "documents" d WHERE d.sha256 = "document_blobs".sha256));
--> statement-breakpoint
CREATE POLICY "document_blobs_insert" ON "document_blobs" FOR INSERT WITH CHECK (app_system() OR party = app_party());
--> statement-breakpoint
CREATE POLICY "document_blobs_delete" ON "document_blobs" FOR DELETE USING (app_system());
--> statement-breakpoint
ALTER TABLE "document_chunks" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "document_chunks_read" ON "document_chunks" FOR SELECT USING (app_system() OR party = app_party() OR EXISTS (SELECT 1 FROM "document_blobs" b WHERE b.blob_id = "document_chunks".blob_id));
--> statement-breakpoint
CREATE POLICY "document_chunks_insert" ON "document_chunks" FOR INSERT WITH CHECK (app_system() OR party = app_party());
--> statement-breakpoint
CREATE POLICY "document_chunks_delete" ON "document_chunks" FOR DELETE USING (app_system() OR party = app_party());
