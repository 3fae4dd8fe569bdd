CREATE TABLE "case_files" (
	"case_id" uuid NOT NULL,
	"party" text NOT NULL,
	"person_id" uuid NOT NULL,
	"built_on" date NOT NULL,
	"shape" text NOT NULL,
	"doc" text NOT NULL,
	CONSTRAINT "case_files_case_id_party_pk" PRIMARY KEY("case_id","party")
);
--> statement-breakpoint
CREATE INDEX "case_files_person_idx" ON "case_files" USING btree ("person_id");