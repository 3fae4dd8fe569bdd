CREATE TABLE "imports" (
	"id" uuid PRIMARY KEY NOT NULL,
	"party" text NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL,
	"file_sha256" text NOT NULL,
	"file_name" text NOT NULL,
	"format" text NOT NULL,
	"records" integer NOT NULL,
	"requests" integer NOT NULL,
	"people" integer NOT NULL,
	"charges" integer NOT NULL,
	"cases" integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX "imports_sha_idx" ON "imports" USING btree ("file_sha256");