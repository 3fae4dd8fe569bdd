DROP INDEX "handovers_person_op_uq";--> statement-breakpoint
ALTER TABLE "audit_events" ADD COLUMN "reason" text;--> statement-breakpoint
ALTER TABLE "decisions" ADD COLUMN "supersedes" uuid;--> statement-breakpoint
ALTER TABLE "decisions" ADD COLUMN "superseded_by" uuid;--> statement-breakpoint
ALTER TABLE "handovers" ADD COLUMN "supersedes" uuid;--> statement-breakpoint
ALTER TABLE "handovers" ADD COLUMN "superseded_by" uuid;--> statement-breakpoint
CREATE UNIQUE INDEX "handovers_person_op_uq" ON "handovers" USING btree ("operation_id","person_id") WHERE "handovers"."superseded_by" is null;