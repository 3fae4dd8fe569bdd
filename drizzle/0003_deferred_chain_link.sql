-- Events are written with their change and linked into the chain right after commit (src/audit/link.ts).
ALTER TABLE "audit_events" DROP CONSTRAINT "audit_events_pkey";--> statement-breakpoint
ALTER TABLE "audit_events" ADD PRIMARY KEY ("id");--> statement-breakpoint
ALTER TABLE "audit_events" ALTER COLUMN "seq" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "audit_events" ALTER COLUMN "prev_hash" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "audit_events" ALTER COLUMN "hash" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "audit_events" ADD COLUMN "arrival" bigint NOT NULL GENERATED ALWAYS AS IDENTITY (sequence name "audit_events_arrival_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1);--> statement-breakpoint
CREATE UNIQUE INDEX "audit_events_seq_uq" ON "audit_events" USING btree ("seq");--> statement-breakpoint
CREATE INDEX "audit_events_unlinked_idx" ON "audit_events" USING btree ("arrival") WHERE "audit_events"."seq" is null;
