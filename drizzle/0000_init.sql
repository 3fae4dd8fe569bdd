CREATE TABLE "administrations" (
	"id" uuid PRIMARY KEY NOT NULL,
	"party" text NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL,
	"name" text NOT NULL,
	"began_on" date NOT NULL,
	"ended_on" date
);
--> statement-breakpoint
CREATE TABLE "affiliations" (
	"id" uuid PRIMARY KEY NOT NULL,
	"party" text NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL,
	"person_id" uuid NOT NULL,
	"organisation_id" uuid NOT NULL,
	"role" text,
	"from_on" date,
	"to_on" date
);
--> statement-breakpoint
CREATE TABLE "aircraft" (
	"id" uuid PRIMARY KEY NOT NULL,
	"party" text NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL,
	"operation_id" uuid NOT NULL,
	"callsign" text NOT NULL,
	"model" text,
	"seats" integer NOT NULL,
	"max_stops" integer NOT NULL,
	"range_km" integer,
	"staging_airport" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "api_tokens" (
	"id" uuid PRIMARY KEY NOT NULL,
	"party" text NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL,
	"actor_name" text NOT NULL,
	"role" text NOT NULL,
	"token_hash" text NOT NULL,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "assurances" (
	"id" uuid PRIMARY KEY NOT NULL,
	"party" text NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL,
	"kind" text NOT NULL,
	"giver" text NOT NULL,
	"scope" text NOT NULL,
	"person_id" uuid,
	"operation_id" uuid,
	"given_on" date,
	"document_ref" text,
	"status" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit_events" (
	"seq" bigint PRIMARY KEY NOT NULL,
	"id" uuid NOT NULL,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL,
	"actor_id" text NOT NULL,
	"actor_name" text NOT NULL,
	"party" text NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL,
	"entity" text NOT NULL,
	"entity_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"before" jsonb,
	"after" jsonb
);
--> statement-breakpoint
CREATE TABLE "audit_head" (
	"id" integer PRIMARY KEY NOT NULL,
	"seq" bigint NOT NULL,
	"hash" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "case_transitions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"party" text NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL,
	"case_id" uuid NOT NULL,
	"transition" text NOT NULL,
	"from_state" text NOT NULL,
	"to_state" text NOT NULL,
	"actor_id" text NOT NULL,
	"actor_name" text NOT NULL,
	"actor_role" text NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"legal_basis" text NOT NULL,
	"reasons" text NOT NULL,
	"bypass" jsonb,
	"open_risks" jsonb DEFAULT '[]'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "cases" (
	"id" uuid PRIMARY KEY NOT NULL,
	"party" text NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL,
	"track" text NOT NULL,
	"state" text NOT NULL,
	"person_id" uuid NOT NULL,
	"request_id" uuid,
	"operation_id" uuid,
	"treaty_parameters" text NOT NULL,
	"opened_on" date NOT NULL,
	"barred_offences" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"open_risks" jsonb DEFAULT '[]'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "charges" (
	"id" uuid PRIMARY KEY NOT NULL,
	"party" text NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL,
	"request_id" uuid NOT NULL,
	"statute" text NOT NULL,
	"description" text NOT NULL,
	"maximum_penalty" text,
	"capital_eligible" boolean DEFAULT false NOT NULL,
	"sealed" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE "deadlines" (
	"id" uuid PRIMARY KEY NOT NULL,
	"party" text NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL,
	"case_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"starts_on" date NOT NULL,
	"due_on" date NOT NULL,
	"days" integer NOT NULL,
	"unit" text NOT NULL,
	"counts_from" text NOT NULL,
	"legal_source" text NOT NULL,
	"alternatives" jsonb,
	"conflict" text,
	"status" text NOT NULL,
	"closed_on" date
);
--> statement-breakpoint
CREATE TABLE "decisions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"party" text NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL,
	"person_id" uuid NOT NULL,
	"case_id" uuid,
	"body" text NOT NULL,
	"kind" text NOT NULL,
	"outcome" text NOT NULL,
	"legal_basis" text NOT NULL,
	"reasons" text NOT NULL,
	"decided_on" date NOT NULL,
	"appeal_window_ends_on" date,
	"bypassed_hold_ids" jsonb DEFAULT '[]'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "handovers" (
	"id" uuid PRIMARY KEY NOT NULL,
	"party" text NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL,
	"operation_id" uuid NOT NULL,
	"person_id" uuid NOT NULL,
	"case_id" uuid,
	"place" text NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"dispatching_officer" text NOT NULL,
	"dispatching_agency" text NOT NULL,
	"receiving_officer" text NOT NULL,
	"receiving_agency" text NOT NULL,
	"condition" text NOT NULL,
	"documents" jsonb DEFAULT '[]'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "idempotency_keys" (
	"actor_id" text NOT NULL,
	"key" text NOT NULL,
	"request_hash" text NOT NULL,
	"status_code" integer,
	"response" jsonb,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "idempotency_keys_actor_id_key_pk" PRIMARY KEY("actor_id","key")
);
--> statement-breakpoint
CREATE TABLE "legal_holds" (
	"id" uuid PRIMARY KEY NOT NULL,
	"party" text NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL,
	"person_id" uuid NOT NULL,
	"case_id" uuid,
	"kind" text NOT NULL,
	"source" text NOT NULL,
	"reference" text,
	"blocks_surrender" boolean DEFAULT true NOT NULL,
	"status" text NOT NULL,
	"filed_on" date NOT NULL,
	"lifted_on" date,
	"bypass_decision_id" uuid
);
--> statement-breakpoint
CREATE TABLE "legs" (
	"id" uuid PRIMARY KEY NOT NULL,
	"party" text NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL,
	"operation_id" uuid NOT NULL,
	"aircraft_id" uuid NOT NULL,
	"sequence" integer NOT NULL,
	"from_airport" text NOT NULL,
	"to_airport" text NOT NULL,
	"departed_at" timestamp with time zone,
	"arrived_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "operation_people" (
	"id" uuid PRIMARY KEY NOT NULL,
	"party" text NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL,
	"operation_id" uuid NOT NULL,
	"person_id" uuid NOT NULL,
	"case_id" uuid,
	"destination_airport" text NOT NULL,
	"charging_district" text,
	"aircraft_id" uuid,
	"seat" text
);
--> statement-breakpoint
CREATE TABLE "operations" (
	"id" uuid PRIMARY KEY NOT NULL,
	"party" text NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL,
	"code" text NOT NULL,
	"legal_basis" text NOT NULL,
	"operation_date" date NOT NULL,
	"staging_airport" text NOT NULL,
	"status" text NOT NULL,
	"receiving_state" text NOT NULL,
	"administration_id" uuid,
	"notes" text
);
--> statement-breakpoint
CREATE TABLE "organisations" (
	"id" uuid PRIMARY KEY NOT NULL,
	"party" text NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL,
	"name" text NOT NULL,
	"aliases" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"parent_id" uuid,
	"notes" text
);
--> statement-breakpoint
CREATE TABLE "people" (
	"id" uuid PRIMARY KEY NOT NULL,
	"party" text NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL,
	"given_names" text NOT NULL,
	"family_names" text NOT NULL,
	"aliases" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"date_of_birth" date,
	"nationalities" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"identifiers" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"photo_ref" text,
	"risk_flags" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"custody_facility" text,
	"custody_since" date,
	"fictional" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE "places" (
	"id" uuid PRIMARY KEY NOT NULL,
	"party" text NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL,
	"code" text NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"lat" double precision,
	"lon" double precision
);
--> statement-breakpoint
CREATE TABLE "plans" (
	"id" uuid PRIMARY KEY NOT NULL,
	"party" text NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL,
	"operation_id" uuid NOT NULL,
	"status" text NOT NULL,
	"input" jsonb NOT NULL,
	"plan" jsonb NOT NULL,
	"seed" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "requests" (
	"id" uuid PRIMARY KEY NOT NULL,
	"party" text NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL,
	"person_id" uuid NOT NULL,
	"requesting_state" text NOT NULL,
	"requesting_agency" text NOT NULL,
	"type" text NOT NULL,
	"channel" text NOT NULL,
	"diplomatic_note" text,
	"sent_on" date,
	"received_on" date,
	"court" text,
	"district" text,
	"court_case_number" text
);
--> statement-breakpoint
CREATE TABLE "rivalries" (
	"id" uuid PRIMARY KEY NOT NULL,
	"party" text NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL,
	"org_a" uuid NOT NULL,
	"org_b" uuid NOT NULL,
	"reason" text
);
--> statement-breakpoint
ALTER TABLE "affiliations" ADD CONSTRAINT "affiliations_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "affiliations" ADD CONSTRAINT "affiliations_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "aircraft" ADD CONSTRAINT "aircraft_operation_id_operations_id_fk" FOREIGN KEY ("operation_id") REFERENCES "public"."operations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_transitions" ADD CONSTRAINT "case_transitions_case_id_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cases" ADD CONSTRAINT "cases_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "charges" ADD CONSTRAINT "charges_request_id_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."requests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deadlines" ADD CONSTRAINT "deadlines_case_id_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "decisions" ADD CONSTRAINT "decisions_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "handovers" ADD CONSTRAINT "handovers_operation_id_operations_id_fk" FOREIGN KEY ("operation_id") REFERENCES "public"."operations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "handovers" ADD CONSTRAINT "handovers_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "legal_holds" ADD CONSTRAINT "legal_holds_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "legs" ADD CONSTRAINT "legs_operation_id_operations_id_fk" FOREIGN KEY ("operation_id") REFERENCES "public"."operations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "legs" ADD CONSTRAINT "legs_aircraft_id_aircraft_id_fk" FOREIGN KEY ("aircraft_id") REFERENCES "public"."aircraft"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "operation_people" ADD CONSTRAINT "operation_people_operation_id_operations_id_fk" FOREIGN KEY ("operation_id") REFERENCES "public"."operations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "operation_people" ADD CONSTRAINT "operation_people_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "organisations" ADD CONSTRAINT "organisations_parent_id_organisations_id_fk" FOREIGN KEY ("parent_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "plans" ADD CONSTRAINT "plans_operation_id_operations_id_fk" FOREIGN KEY ("operation_id") REFERENCES "public"."operations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "requests" ADD CONSTRAINT "requests_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rivalries" ADD CONSTRAINT "rivalries_org_a_organisations_id_fk" FOREIGN KEY ("org_a") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rivalries" ADD CONSTRAINT "rivalries_org_b_organisations_id_fk" FOREIGN KEY ("org_b") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "affiliations_person_idx" ON "affiliations" USING btree ("person_id");--> statement-breakpoint
CREATE INDEX "affiliations_org_idx" ON "affiliations" USING btree ("organisation_id");--> statement-breakpoint
CREATE INDEX "aircraft_operation_idx" ON "aircraft" USING btree ("operation_id");--> statement-breakpoint
CREATE UNIQUE INDEX "api_tokens_hash_uq" ON "api_tokens" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "assurances_person_idx" ON "assurances" USING btree ("person_id");--> statement-breakpoint
CREATE INDEX "assurances_operation_idx" ON "assurances" USING btree ("operation_id");--> statement-breakpoint
CREATE INDEX "audit_events_entity_idx" ON "audit_events" USING btree ("entity","entity_id","seq");--> statement-breakpoint
CREATE INDEX "case_transitions_case_idx" ON "case_transitions" USING btree ("case_id","occurred_at");--> statement-breakpoint
CREATE INDEX "cases_person_idx" ON "cases" USING btree ("person_id");--> statement-breakpoint
CREATE INDEX "cases_state_idx" ON "cases" USING btree ("track","state");--> statement-breakpoint
CREATE INDEX "cases_operation_idx" ON "cases" USING btree ("operation_id");--> statement-breakpoint
CREATE INDEX "charges_request_idx" ON "charges" USING btree ("request_id");--> statement-breakpoint
CREATE INDEX "deadlines_open_idx" ON "deadlines" USING btree ("status","due_on");--> statement-breakpoint
CREATE INDEX "deadlines_case_idx" ON "deadlines" USING btree ("case_id");--> statement-breakpoint
CREATE INDEX "decisions_case_idx" ON "decisions" USING btree ("case_id");--> statement-breakpoint
CREATE INDEX "decisions_person_idx" ON "decisions" USING btree ("person_id");--> statement-breakpoint
CREATE UNIQUE INDEX "handovers_person_op_uq" ON "handovers" USING btree ("operation_id","person_id");--> statement-breakpoint
CREATE INDEX "legal_holds_person_idx" ON "legal_holds" USING btree ("person_id");--> statement-breakpoint
CREATE INDEX "legs_operation_idx" ON "legs" USING btree ("operation_id");--> statement-breakpoint
CREATE UNIQUE INDEX "operation_people_uq" ON "operation_people" USING btree ("operation_id","person_id");--> statement-breakpoint
CREATE INDEX "operation_people_person_idx" ON "operation_people" USING btree ("person_id");--> statement-breakpoint
CREATE UNIQUE INDEX "operations_code_uq" ON "operations" USING btree ("code");--> statement-breakpoint
CREATE UNIQUE INDEX "organisations_name_uq" ON "organisations" USING btree ("name");--> statement-breakpoint
CREATE INDEX "people_family_idx" ON "people" USING btree ("family_names");--> statement-breakpoint
CREATE UNIQUE INDEX "places_code_uq" ON "places" USING btree ("code");--> statement-breakpoint
CREATE INDEX "plans_operation_idx" ON "plans" USING btree ("operation_id");--> statement-breakpoint
CREATE INDEX "requests_person_idx" ON "requests" USING btree ("person_id");--> statement-breakpoint
CREATE INDEX "requests_received_idx" ON "requests" USING btree ("received_on");--> statement-breakpoint
CREATE UNIQUE INDEX "rivalries_pair_uq" ON "rivalries" USING btree ("org_a","org_b");