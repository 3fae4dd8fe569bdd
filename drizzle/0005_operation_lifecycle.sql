ALTER TABLE "cases" ALTER COLUMN "treaty_parameters" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "affiliations" ADD COLUMN "primary" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "duplicate_reason" text;--> statement-breakpoint
ALTER TABLE "decisions" ADD COLUMN "transition_id" uuid;--> statement-breakpoint
ALTER TABLE "operation_people" ADD COLUMN "removed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "operation_people" ADD COLUMN "removal_reason" text;--> statement-breakpoint
ALTER TABLE "operations" ADD COLUMN "departed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "operations" ADD COLUMN "completed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "requests" ADD COLUMN "treaty" text;--> statement-breakpoint
CREATE UNIQUE INDEX "affiliations_primary_uq" ON "affiliations" USING btree ("person_id") WHERE "affiliations"."primary";