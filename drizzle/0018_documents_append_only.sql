-- Custom SQL migration file, put your code below! --
-- A document's record (its name, type, hash, size, parent, uploader) is evidence, kept as it was uploaded: the
-- application inserts and reads it, and never updates or deletes it (a wrong document stays; the right one is uploaded
-- beside it). The application role loses the grants and the policies it never used, as for `reads`.
REVOKE UPDATE, DELETE ON "documents" FROM traslado_app;
--> statement-breakpoint
DROP POLICY IF EXISTS "documents_update" ON "documents";
--> statement-breakpoint
DROP POLICY IF EXISTS "documents_delete" ON "documents";
