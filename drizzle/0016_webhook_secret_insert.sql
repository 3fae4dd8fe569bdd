-- Custom SQL migration file, put your code below! --
-- hand-written below
-- Adding and removing a webhook endpoint is all-or-nothing (review of issue 12): its secret is inserted, and
-- its pending deliveries given up, in the endpoint's own audited write, under the party's scope. The party
-- may insert its endpoints' secrets but still never read them (reads stay in the system context), and may
-- update its own deliveries (the removal gives up the pending ones).
CREATE POLICY "webhook_secrets_insert" ON "webhook_secrets" FOR INSERT WITH CHECK (party = app_party());
--> statement-breakpoint
CREATE POLICY "webhook_deliveries_party_update" ON "webhook_deliveries" FOR UPDATE USING (party = app_party()) WITH CHECK (party = app_party());
