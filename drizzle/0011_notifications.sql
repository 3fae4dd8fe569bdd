CREATE TABLE "notifications" (
	"id" uuid PRIMARY KEY NOT NULL,
	"party" text NOT NULL,
	"user_id" uuid NOT NULL,
	"reminder_id" uuid NOT NULL,
	"role" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"read_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "reminders" (
	"id" uuid PRIMARY KEY NOT NULL,
	"party" text NOT NULL,
	"deadline_id" uuid NOT NULL,
	"case_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"lead_days" integer NOT NULL,
	"deadline_kind" text NOT NULL,
	"due_on" date NOT NULL,
	"raised_on" date NOT NULL,
	"raised_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "webhook_attempts" (
	"id" uuid PRIMARY KEY NOT NULL,
	"party" text NOT NULL,
	"delivery_id" uuid NOT NULL,
	"attempt" integer NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"duration_ms" integer NOT NULL,
	"status_code" integer,
	"error" text,
	"next_attempt_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "webhook_deliveries" (
	"id" uuid PRIMARY KEY NOT NULL,
	"party" text NOT NULL,
	"endpoint_id" uuid NOT NULL,
	"reminder_id" uuid NOT NULL,
	"event_type" text NOT NULL,
	"payload" jsonb NOT NULL,
	"status" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone,
	"locked_until" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	"delivered_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "webhook_endpoints" (
	"id" uuid PRIMARY KEY NOT NULL,
	"party" text NOT NULL,
	"shared_with" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL,
	"url" text NOT NULL,
	"description" text NOT NULL,
	"removed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "webhook_secrets" (
	"endpoint_id" uuid PRIMARY KEY NOT NULL,
	"party" text NOT NULL,
	"secret" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_reminder_id_reminders_id_fk" FOREIGN KEY ("reminder_id") REFERENCES "public"."reminders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reminders" ADD CONSTRAINT "reminders_deadline_id_deadlines_id_fk" FOREIGN KEY ("deadline_id") REFERENCES "public"."deadlines"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reminders" ADD CONSTRAINT "reminders_case_id_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_attempts" ADD CONSTRAINT "webhook_attempts_delivery_id_webhook_deliveries_id_fk" FOREIGN KEY ("delivery_id") REFERENCES "public"."webhook_deliveries"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_endpoint_id_webhook_endpoints_id_fk" FOREIGN KEY ("endpoint_id") REFERENCES "public"."webhook_endpoints"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_reminder_id_reminders_id_fk" FOREIGN KEY ("reminder_id") REFERENCES "public"."reminders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_secrets" ADD CONSTRAINT "webhook_secrets_endpoint_id_webhook_endpoints_id_fk" FOREIGN KEY ("endpoint_id") REFERENCES "public"."webhook_endpoints"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "notifications_reminder_user_uq" ON "notifications" USING btree ("reminder_id","user_id");--> statement-breakpoint
CREATE INDEX "notifications_user_idx" ON "notifications" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "reminders_deadline_lead_uq" ON "reminders" USING btree ("deadline_id","kind","lead_days");--> statement-breakpoint
CREATE UNIQUE INDEX "webhook_attempts_delivery_attempt_uq" ON "webhook_attempts" USING btree ("delivery_id","attempt");--> statement-breakpoint
CREATE UNIQUE INDEX "webhook_deliveries_event_uq" ON "webhook_deliveries" USING btree ("endpoint_id","reminder_id");--> statement-breakpoint
CREATE INDEX "webhook_deliveries_due_idx" ON "webhook_deliveries" USING btree ("status","next_attempt_at");--> statement-breakpoint
-- hand-written below
-- Row-level security of the notification tables (issue 12): a user reads and marks only their own
-- notifications; a party's reminders, webhooks and their deliveries are its own; the scheduler and the
-- webhook sender write them in the system context; a webhook's secret is read in the system context only.
GRANT SELECT, INSERT, UPDATE, DELETE ON "reminders", "notifications", "webhook_endpoints", "webhook_secrets", "webhook_deliveries", "webhook_attempts" TO traslado_app;
--> statement-breakpoint
ALTER TABLE "reminders" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "reminders_read" ON "reminders" FOR SELECT USING (app_system() OR party = app_party());
--> statement-breakpoint
CREATE POLICY "reminders_system" ON "reminders" FOR ALL USING (app_system()) WITH CHECK (app_system());
--> statement-breakpoint
ALTER TABLE "notifications" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "notifications_own" ON "notifications" FOR SELECT USING (app_system() OR (party = app_party() AND user_id::text = app_actor()));
--> statement-breakpoint
CREATE POLICY "notifications_mark" ON "notifications" FOR UPDATE USING (app_system() OR (party = app_party() AND user_id::text = app_actor())) WITH CHECK (app_system() OR (party = app_party() AND user_id::text = app_actor()));
--> statement-breakpoint
CREATE POLICY "notifications_system" ON "notifications" FOR INSERT WITH CHECK (app_system());
--> statement-breakpoint
ALTER TABLE "webhook_endpoints" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "webhook_endpoints_read" ON "webhook_endpoints" FOR SELECT USING (app_system() OR party = app_party());
--> statement-breakpoint
CREATE POLICY "webhook_endpoints_insert" ON "webhook_endpoints" FOR INSERT WITH CHECK (app_system() OR party = app_party());
--> statement-breakpoint
CREATE POLICY "webhook_endpoints_update" ON "webhook_endpoints" FOR UPDATE USING (app_system() OR party = app_party()) WITH CHECK (app_system() OR party = app_party());
--> statement-breakpoint
ALTER TABLE "webhook_secrets" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "webhook_secrets_system" ON "webhook_secrets" USING (app_system()) WITH CHECK (app_system());
--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "webhook_deliveries_read" ON "webhook_deliveries" FOR SELECT USING (app_system() OR party = app_party());
--> statement-breakpoint
CREATE POLICY "webhook_deliveries_system" ON "webhook_deliveries" FOR ALL USING (app_system()) WITH CHECK (app_system());
--> statement-breakpoint
ALTER TABLE "webhook_attempts" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "webhook_attempts_read" ON "webhook_attempts" FOR SELECT USING (app_system() OR party = app_party());
--> statement-breakpoint
CREATE POLICY "webhook_attempts_system" ON "webhook_attempts" FOR ALL USING (app_system()) WITH CHECK (app_system());
