-- Row-level security: the second wall (issue 10). The application works as the role traslado_app
-- (never a superuser, never BYPASSRLS); each of its transactions sets the actor's party and id
-- (set_config(..., true)), and these policies let it see the rows of that party and the rows shared
-- with it, and write only rows of its own party. A bug in the service layer's checks still returns
-- nothing of another party. The audit linker, verify and sign-in work in the system context
-- (app.system), which the application sets only on those paths (src/db/scope.ts).
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'traslado_app') THEN
    CREATE ROLE traslado_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
  END IF;
END
$$;
--> statement-breakpoint
GRANT USAGE ON SCHEMA public TO traslado_app;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO traslado_app;
--> statement-breakpoint
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO traslado_app;
--> statement-breakpoint
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO traslado_app;
--> statement-breakpoint
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO traslado_app;
--> statement-breakpoint
GRANT USAGE ON SCHEMA drizzle TO traslado_app;
--> statement-breakpoint
GRANT SELECT ON ALL TABLES IN SCHEMA drizzle TO traslado_app;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION app_party() RETURNS text LANGUAGE sql STABLE AS $$ SELECT nullif(current_setting('app.party', true), '') $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION app_actor() RETURNS text LANGUAGE sql STABLE AS $$ SELECT nullif(current_setting('app.actor', true), '') $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION app_system() RETURNS boolean LANGUAGE sql STABLE AS $$ SELECT coalesce(current_setting('app.system', true), '') = 'on' $$;
--> statement-breakpoint
ALTER TABLE "administrations" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "administrations_read" ON "administrations" FOR SELECT USING (app_system() OR party = app_party() OR shared_with ?| array[app_party(), '*']);
--> statement-breakpoint
CREATE POLICY "administrations_insert" ON "administrations" FOR INSERT WITH CHECK (app_system() OR party = app_party());
--> statement-breakpoint
CREATE POLICY "administrations_update" ON "administrations" FOR UPDATE USING (app_system() OR party = app_party()) WITH CHECK (app_system() OR party = app_party());
--> statement-breakpoint
CREATE POLICY "administrations_delete" ON "administrations" FOR DELETE USING (app_system() OR party = app_party());
--> statement-breakpoint
ALTER TABLE "places" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "places_read" ON "places" FOR SELECT USING (app_system() OR party = app_party() OR shared_with ?| array[app_party(), '*']);
--> statement-breakpoint
CREATE POLICY "places_insert" ON "places" FOR INSERT WITH CHECK (app_system() OR party = app_party());
--> statement-breakpoint
CREATE POLICY "places_update" ON "places" FOR UPDATE USING (app_system() OR party = app_party()) WITH CHECK (app_system() OR party = app_party());
--> statement-breakpoint
CREATE POLICY "places_delete" ON "places" FOR DELETE USING (app_system() OR party = app_party());
--> statement-breakpoint
ALTER TABLE "organisations" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "organisations_read" ON "organisations" FOR SELECT USING (app_system() OR party = app_party() OR shared_with ?| array[app_party(), '*']);
--> statement-breakpoint
CREATE POLICY "organisations_insert" ON "organisations" FOR INSERT WITH CHECK (app_system() OR party = app_party());
--> statement-breakpoint
CREATE POLICY "organisations_update" ON "organisations" FOR UPDATE USING (app_system() OR party = app_party()) WITH CHECK (app_system() OR party = app_party());
--> statement-breakpoint
CREATE POLICY "organisations_delete" ON "organisations" FOR DELETE USING (app_system() OR party = app_party());
--> statement-breakpoint
ALTER TABLE "rivalries" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "rivalries_read" ON "rivalries" FOR SELECT USING (app_system() OR party = app_party() OR shared_with ?| array[app_party(), '*']);
--> statement-breakpoint
CREATE POLICY "rivalries_insert" ON "rivalries" FOR INSERT WITH CHECK (app_system() OR party = app_party());
--> statement-breakpoint
CREATE POLICY "rivalries_update" ON "rivalries" FOR UPDATE USING (app_system() OR party = app_party()) WITH CHECK (app_system() OR party = app_party());
--> statement-breakpoint
CREATE POLICY "rivalries_delete" ON "rivalries" FOR DELETE USING (app_system() OR party = app_party());
--> statement-breakpoint
ALTER TABLE "people" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "people_read" ON "people" FOR SELECT USING (app_system() OR party = app_party() OR shared_with ?| array[app_party(), '*']);
--> statement-breakpoint
CREATE POLICY "people_insert" ON "people" FOR INSERT WITH CHECK (app_system() OR party = app_party());
--> statement-breakpoint
CREATE POLICY "people_update" ON "people" FOR UPDATE USING (app_system() OR party = app_party()) WITH CHECK (app_system() OR party = app_party());
--> statement-breakpoint
CREATE POLICY "people_delete" ON "people" FOR DELETE USING (app_system() OR party = app_party());
--> statement-breakpoint
ALTER TABLE "affiliations" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "affiliations_read" ON "affiliations" FOR SELECT USING (app_system() OR party = app_party() OR shared_with ?| array[app_party(), '*']);
--> statement-breakpoint
CREATE POLICY "affiliations_insert" ON "affiliations" FOR INSERT WITH CHECK (app_system() OR party = app_party());
--> statement-breakpoint
CREATE POLICY "affiliations_update" ON "affiliations" FOR UPDATE USING (app_system() OR party = app_party()) WITH CHECK (app_system() OR party = app_party());
--> statement-breakpoint
CREATE POLICY "affiliations_delete" ON "affiliations" FOR DELETE USING (app_system() OR party = app_party());
--> statement-breakpoint
ALTER TABLE "requests" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "requests_read" ON "requests" FOR SELECT USING (app_system() OR party = app_party() OR shared_with ?| array[app_party(), '*']);
--> statement-breakpoint
CREATE POLICY "requests_insert" ON "requests" FOR INSERT WITH CHECK (app_system() OR party = app_party());
--> statement-breakpoint
CREATE POLICY "requests_update" ON "requests" FOR UPDATE USING (app_system() OR party = app_party()) WITH CHECK (app_system() OR party = app_party());
--> statement-breakpoint
CREATE POLICY "requests_delete" ON "requests" FOR DELETE USING (app_system() OR party = app_party());
--> statement-breakpoint
ALTER TABLE "charges" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "charges_read" ON "charges" FOR SELECT USING (app_system() OR party = app_party() OR shared_with ?| array[app_party(), '*']);
--> statement-breakpoint
CREATE POLICY "charges_insert" ON "charges" FOR INSERT WITH CHECK (app_system() OR party = app_party());
--> statement-breakpoint
CREATE POLICY "charges_update" ON "charges" FOR UPDATE USING (app_system() OR party = app_party()) WITH CHECK (app_system() OR party = app_party());
--> statement-breakpoint
CREATE POLICY "charges_delete" ON "charges" FOR DELETE USING (app_system() OR party = app_party());
--> statement-breakpoint
ALTER TABLE "assurances" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "assurances_read" ON "assurances" FOR SELECT USING (app_system() OR party = app_party() OR shared_with ?| array[app_party(), '*']);
--> statement-breakpoint
CREATE POLICY "assurances_insert" ON "assurances" FOR INSERT WITH CHECK (app_system() OR party = app_party());
--> statement-breakpoint
CREATE POLICY "assurances_update" ON "assurances" FOR UPDATE USING (app_system() OR party = app_party()) WITH CHECK (app_system() OR party = app_party());
--> statement-breakpoint
CREATE POLICY "assurances_delete" ON "assurances" FOR DELETE USING (app_system() OR party = app_party());
--> statement-breakpoint
ALTER TABLE "legal_holds" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "legal_holds_read" ON "legal_holds" FOR SELECT USING (app_system() OR party = app_party() OR shared_with ?| array[app_party(), '*']);
--> statement-breakpoint
CREATE POLICY "legal_holds_insert" ON "legal_holds" FOR INSERT WITH CHECK (app_system() OR party = app_party());
--> statement-breakpoint
CREATE POLICY "legal_holds_update" ON "legal_holds" FOR UPDATE USING (app_system() OR party = app_party()) WITH CHECK (app_system() OR party = app_party());
--> statement-breakpoint
CREATE POLICY "legal_holds_delete" ON "legal_holds" FOR DELETE USING (app_system() OR party = app_party());
--> statement-breakpoint
ALTER TABLE "decisions" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "decisions_read" ON "decisions" FOR SELECT USING (app_system() OR party = app_party() OR shared_with ?| array[app_party(), '*']);
--> statement-breakpoint
CREATE POLICY "decisions_insert" ON "decisions" FOR INSERT WITH CHECK (app_system() OR party = app_party());
--> statement-breakpoint
CREATE POLICY "decisions_update" ON "decisions" FOR UPDATE USING (app_system() OR party = app_party()) WITH CHECK (app_system() OR party = app_party());
--> statement-breakpoint
CREATE POLICY "decisions_delete" ON "decisions" FOR DELETE USING (app_system() OR party = app_party());
--> statement-breakpoint
ALTER TABLE "operations" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "operations_read" ON "operations" FOR SELECT USING (app_system() OR party = app_party() OR shared_with ?| array[app_party(), '*']);
--> statement-breakpoint
CREATE POLICY "operations_insert" ON "operations" FOR INSERT WITH CHECK (app_system() OR party = app_party());
--> statement-breakpoint
CREATE POLICY "operations_update" ON "operations" FOR UPDATE USING (app_system() OR party = app_party()) WITH CHECK (app_system() OR party = app_party());
--> statement-breakpoint
CREATE POLICY "operations_delete" ON "operations" FOR DELETE USING (app_system() OR party = app_party());
--> statement-breakpoint
ALTER TABLE "aircraft" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "aircraft_read" ON "aircraft" FOR SELECT USING (app_system() OR party = app_party() OR shared_with ?| array[app_party(), '*']);
--> statement-breakpoint
CREATE POLICY "aircraft_insert" ON "aircraft" FOR INSERT WITH CHECK (app_system() OR party = app_party());
--> statement-breakpoint
CREATE POLICY "aircraft_update" ON "aircraft" FOR UPDATE USING (app_system() OR party = app_party()) WITH CHECK (app_system() OR party = app_party());
--> statement-breakpoint
CREATE POLICY "aircraft_delete" ON "aircraft" FOR DELETE USING (app_system() OR party = app_party());
--> statement-breakpoint
ALTER TABLE "legs" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "legs_read" ON "legs" FOR SELECT USING (app_system() OR party = app_party() OR shared_with ?| array[app_party(), '*']);
--> statement-breakpoint
CREATE POLICY "legs_insert" ON "legs" FOR INSERT WITH CHECK (app_system() OR party = app_party());
--> statement-breakpoint
CREATE POLICY "legs_update" ON "legs" FOR UPDATE USING (app_system() OR party = app_party()) WITH CHECK (app_system() OR party = app_party());
--> statement-breakpoint
CREATE POLICY "legs_delete" ON "legs" FOR DELETE USING (app_system() OR party = app_party());
--> statement-breakpoint
ALTER TABLE "operation_people" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "operation_people_read" ON "operation_people" FOR SELECT USING (app_system() OR party = app_party() OR shared_with ?| array[app_party(), '*']);
--> statement-breakpoint
CREATE POLICY "operation_people_insert" ON "operation_people" FOR INSERT WITH CHECK (app_system() OR party = app_party());
--> statement-breakpoint
CREATE POLICY "operation_people_update" ON "operation_people" FOR UPDATE USING (app_system() OR party = app_party()) WITH CHECK (app_system() OR party = app_party());
--> statement-breakpoint
CREATE POLICY "operation_people_delete" ON "operation_people" FOR DELETE USING (app_system() OR party = app_party());
--> statement-breakpoint
ALTER TABLE "plans" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "plans_read" ON "plans" FOR SELECT USING (app_system() OR party = app_party() OR shared_with ?| array[app_party(), '*']);
--> statement-breakpoint
CREATE POLICY "plans_insert" ON "plans" FOR INSERT WITH CHECK (app_system() OR party = app_party());
--> statement-breakpoint
CREATE POLICY "plans_update" ON "plans" FOR UPDATE USING (app_system() OR party = app_party()) WITH CHECK (app_system() OR party = app_party());
--> statement-breakpoint
CREATE POLICY "plans_delete" ON "plans" FOR DELETE USING (app_system() OR party = app_party());
--> statement-breakpoint
ALTER TABLE "cases" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "cases_read" ON "cases" FOR SELECT USING (app_system() OR party = app_party() OR shared_with ?| array[app_party(), '*']);
--> statement-breakpoint
CREATE POLICY "cases_insert" ON "cases" FOR INSERT WITH CHECK (app_system() OR party = app_party());
--> statement-breakpoint
CREATE POLICY "cases_update" ON "cases" FOR UPDATE USING (app_system() OR party = app_party()) WITH CHECK (app_system() OR party = app_party());
--> statement-breakpoint
CREATE POLICY "cases_delete" ON "cases" FOR DELETE USING (app_system() OR party = app_party());
--> statement-breakpoint
ALTER TABLE "case_transitions" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "case_transitions_read" ON "case_transitions" FOR SELECT USING (app_system() OR party = app_party() OR shared_with ?| array[app_party(), '*']);
--> statement-breakpoint
CREATE POLICY "case_transitions_insert" ON "case_transitions" FOR INSERT WITH CHECK (app_system() OR party = app_party());
--> statement-breakpoint
CREATE POLICY "case_transitions_update" ON "case_transitions" FOR UPDATE USING (app_system() OR party = app_party()) WITH CHECK (app_system() OR party = app_party());
--> statement-breakpoint
CREATE POLICY "case_transitions_delete" ON "case_transitions" FOR DELETE USING (app_system() OR party = app_party());
--> statement-breakpoint
ALTER TABLE "deadlines" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "deadlines_read" ON "deadlines" FOR SELECT USING (app_system() OR party = app_party() OR shared_with ?| array[app_party(), '*']);
--> statement-breakpoint
CREATE POLICY "deadlines_insert" ON "deadlines" FOR INSERT WITH CHECK (app_system() OR party = app_party());
--> statement-breakpoint
CREATE POLICY "deadlines_update" ON "deadlines" FOR UPDATE USING (app_system() OR party = app_party()) WITH CHECK (app_system() OR party = app_party());
--> statement-breakpoint
CREATE POLICY "deadlines_delete" ON "deadlines" FOR DELETE USING (app_system() OR party = app_party());
--> statement-breakpoint
ALTER TABLE "handovers" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "handovers_read" ON "handovers" FOR SELECT USING (app_system() OR party = app_party() OR shared_with ?| array[app_party(), '*']);
--> statement-breakpoint
CREATE POLICY "handovers_insert" ON "handovers" FOR INSERT WITH CHECK (app_system() OR party = app_party());
--> statement-breakpoint
CREATE POLICY "handovers_update" ON "handovers" FOR UPDATE USING (app_system() OR party = app_party()) WITH CHECK (app_system() OR party = app_party());
--> statement-breakpoint
CREATE POLICY "handovers_delete" ON "handovers" FOR DELETE USING (app_system() OR party = app_party());
--> statement-breakpoint
ALTER TABLE "imports" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "imports_read" ON "imports" FOR SELECT USING (app_system() OR party = app_party() OR shared_with ?| array[app_party(), '*']);
--> statement-breakpoint
CREATE POLICY "imports_insert" ON "imports" FOR INSERT WITH CHECK (app_system() OR party = app_party());
--> statement-breakpoint
CREATE POLICY "imports_update" ON "imports" FOR UPDATE USING (app_system() OR party = app_party()) WITH CHECK (app_system() OR party = app_party());
--> statement-breakpoint
CREATE POLICY "imports_delete" ON "imports" FOR DELETE USING (app_system() OR party = app_party());
--> statement-breakpoint
ALTER TABLE "api_tokens" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "api_tokens_read" ON "api_tokens" FOR SELECT USING (app_system() OR party = app_party() OR shared_with ?| array[app_party(), '*']);
--> statement-breakpoint
CREATE POLICY "api_tokens_insert" ON "api_tokens" FOR INSERT WITH CHECK (app_system() OR party = app_party());
--> statement-breakpoint
CREATE POLICY "api_tokens_update" ON "api_tokens" FOR UPDATE USING (app_system() OR party = app_party()) WITH CHECK (app_system() OR party = app_party());
--> statement-breakpoint
CREATE POLICY "api_tokens_delete" ON "api_tokens" FOR DELETE USING (app_system() OR party = app_party());
--> statement-breakpoint
ALTER TABLE "case_statuses" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "case_statuses_read" ON "case_statuses" FOR SELECT USING (app_system() OR party = app_party() OR shared_with ?| array[app_party(), '*']);
--> statement-breakpoint
CREATE POLICY "case_statuses_insert" ON "case_statuses" FOR INSERT WITH CHECK (app_system() OR party = app_party());
--> statement-breakpoint
CREATE POLICY "case_statuses_update" ON "case_statuses" FOR UPDATE USING (app_system() OR party = app_party()) WITH CHECK (app_system() OR party = app_party());
--> statement-breakpoint
CREATE POLICY "case_statuses_delete" ON "case_statuses" FOR DELETE USING (app_system() OR party = app_party());
--> statement-breakpoint
ALTER TABLE "releases" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "releases_read" ON "releases" FOR SELECT USING (app_system() OR party = app_party() OR shared_with ?| array[app_party(), '*']);
--> statement-breakpoint
CREATE POLICY "releases_insert" ON "releases" FOR INSERT WITH CHECK (app_system() OR party = app_party());
--> statement-breakpoint
CREATE POLICY "releases_update" ON "releases" FOR UPDATE USING (app_system() OR party = app_party()) WITH CHECK (app_system() OR party = app_party());
--> statement-breakpoint
CREATE POLICY "releases_delete" ON "releases" FOR DELETE USING (app_system() OR party = app_party());
--> statement-breakpoint
ALTER TABLE "handover_confirmations" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "handover_confirmations_read" ON "handover_confirmations" FOR SELECT USING (app_system() OR party = app_party() OR shared_with ?| array[app_party(), '*']);
--> statement-breakpoint
CREATE POLICY "handover_confirmations_insert" ON "handover_confirmations" FOR INSERT WITH CHECK (app_system() OR party = app_party());
--> statement-breakpoint
CREATE POLICY "handover_confirmations_update" ON "handover_confirmations" FOR UPDATE USING (app_system() OR party = app_party()) WITH CHECK (app_system() OR party = app_party());
--> statement-breakpoint
CREATE POLICY "handover_confirmations_delete" ON "handover_confirmations" FOR DELETE USING (app_system() OR party = app_party());
--> statement-breakpoint
ALTER TABLE "agencies" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "agencies_read" ON "agencies" FOR SELECT USING (app_system() OR party = app_party() OR shared_with ?| array[app_party(), '*']);
--> statement-breakpoint
CREATE POLICY "agencies_insert" ON "agencies" FOR INSERT WITH CHECK (app_system() OR party = app_party());
--> statement-breakpoint
CREATE POLICY "agencies_update" ON "agencies" FOR UPDATE USING (app_system() OR party = app_party()) WITH CHECK (app_system() OR party = app_party());
--> statement-breakpoint
CREATE POLICY "agencies_delete" ON "agencies" FOR DELETE USING (app_system() OR party = app_party());
--> statement-breakpoint
ALTER TABLE "users" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "users_read" ON "users" FOR SELECT USING (app_system() OR party = app_party() OR shared_with ?| array[app_party(), '*']);
--> statement-breakpoint
CREATE POLICY "users_insert" ON "users" FOR INSERT WITH CHECK (app_system() OR party = app_party());
--> statement-breakpoint
CREATE POLICY "users_update" ON "users" FOR UPDATE USING (app_system() OR party = app_party()) WITH CHECK (app_system() OR party = app_party());
--> statement-breakpoint
CREATE POLICY "users_delete" ON "users" FOR DELETE USING (app_system() OR party = app_party());
--> statement-breakpoint
-- The audit chain: each party reads its own events; events are written with the writer's party; only the
-- linker (system) gives them their place and hash.
ALTER TABLE "audit_events" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "audit_events_read" ON "audit_events" FOR SELECT USING (app_system() OR party = app_party());
--> statement-breakpoint
CREATE POLICY "audit_events_insert" ON "audit_events" FOR INSERT WITH CHECK (app_system() OR party = app_party());
--> statement-breakpoint
CREATE POLICY "audit_events_update" ON "audit_events" FOR UPDATE USING (app_system());
--> statement-breakpoint
ALTER TABLE "audit_head" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "audit_head_system" ON "audit_head" USING (app_system()) WITH CHECK (app_system());
--> statement-breakpoint
-- Secrets and sign-in bookkeeping: the system context only (sign-in, administration).
ALTER TABLE "credentials" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "credentials_system" ON "credentials" USING (app_system()) WITH CHECK (app_system());
--> statement-breakpoint
ALTER TABLE "sign_in_attempts" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "sign_in_attempts_system" ON "sign_in_attempts" USING (app_system()) WITH CHECK (app_system());
--> statement-breakpoint
ALTER TABLE "sessions" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "sessions_party" ON "sessions" USING (app_system() OR party = app_party()) WITH CHECK (app_system() OR party = app_party());
--> statement-breakpoint
-- A client's idempotency keys are its own.
ALTER TABLE "idempotency_keys" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "idempotency_keys_actor" ON "idempotency_keys" USING (app_system() OR actor_id = app_actor()) WITH CHECK (app_system() OR actor_id = app_actor());
