-- Custom SQL migration file, put your code below! ---- The case files of 0019 as they were last built (src/cases/document.ts), kept per case and per reading party, so
-- that a read is one lookup instead of the file's seven sub-selects. A read serves a kept file built the same day
-- (an open deadline's status depends on the day read) by the same code (`shape`, a hash of the statement and of the
-- parameters it used); otherwise it builds the file and keeps it. Nothing here is evidence: any row may be dropped,
-- and the file is built again from the record.
--
-- Every write to what a case file shows — the case, its history and deadlines; the person's holds, decisions,
-- requests, charges and listings; an assurance of the person or of an operation that lists them — drops the kept
-- files of the people it touches, in the writing transaction (the triggers below). What keeps a file built before
-- such a write from being kept after it is a pair of locks, taken by the reader before it builds:
--   * the writer takes, before it drops anything, a shared advisory lock on each person it touches, or, past 32
--     people in one transaction (an import, the demo seed), the guard table in SHARE mode, held to its commit;
--   * the reader takes the guard in ROW EXCLUSIVE mode and an exclusive advisory lock on the case's person, both
--     without waiting, and builds and keeps the file only if it got both, in the same transaction.
-- So while a write is in flight no reader keeps a file of its people, a write that began after the reader locked
-- waits for the reader's commit and then drops what it kept, and a write committed before is in the snapshot the
-- file is built from. Writers never wait for each other here (shared locks), and a reader never waits at all.
CREATE TABLE "case_file_guard" ();
--> statement-breakpoint
REVOKE ALL ON "case_file_guard" FROM traslado_app;
--> statement-breakpoint
ALTER TABLE "case_files" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
-- A party reads and keeps only the files built for it (each was built under that party's walls); the system may
-- drop any.
CREATE POLICY "case_files_own" ON "case_files" USING (app_system() OR party = app_party()) WITH CHECK (app_system() OR party = app_party());
--> statement-breakpoint
-- The reader's locks (see above): true when it may keep a file of `person` built after this call, in this
-- transaction.
CREATE FUNCTION case_file_may_keep(person uuid) RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  BEGIN
    LOCK TABLE case_file_guard IN ROW EXCLUSIVE MODE NOWAIT;
  EXCEPTION WHEN lock_not_available THEN
    RETURN false;
  END;
  RETURN pg_try_advisory_xact_lock(hashtext('traslado-case-files'), hashtext(person::text));
END $$;
--> statement-breakpoint
-- The writer's locks, then the drop. The count of people locked one by one is kept for the transaction, so that
-- many small statements do not fill the server's lock table either. Called only by the triggers' functions below,
-- as their owner (the application role may not call it); not a SECURITY DEFINER itself: switching the user and the
-- search path a second time cost each write statement about 50 µs.
CREATE FUNCTION forget_case_files(persons uuid[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  people uuid[] := array(SELECT DISTINCT p FROM unnest(persons) p WHERE p IS NOT NULL ORDER BY 1);
  locked int := coalesce(nullif(current_setting('app.case_file_locks', true), ''), '0')::int;
BEGIN
  IF cardinality(people) = 0 THEN
    RETURN;
  END IF;
  IF locked < 0 OR locked + cardinality(people) > 32 THEN
    IF locked >= 0 THEN
      LOCK TABLE case_file_guard IN SHARE MODE;
      PERFORM set_config('app.case_file_locks', '-1', true);
    END IF;
  ELSE
    PERFORM pg_advisory_xact_lock_shared(hashtext('traslado-case-files'), hashtext(p::text)) FROM unnest(people) p;
    PERFORM set_config('app.case_file_locks', (locked + cardinality(people))::text, true);
  END IF;
  DELETE FROM case_files WHERE person_id = ANY(people);
END $$;
--> statement-breakpoint
-- The triggers: one per table and kind of change, once per statement, with the rows it changed (a bulk insert
-- drops in one statement). Each maps the changed rows to their people, across parties (as the owner).
CREATE FUNCTION case_files_forget_by_person() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  CASE TG_OP
    WHEN 'INSERT' THEN PERFORM forget_case_files(array(SELECT n.person_id FROM new_rows n));
    WHEN 'DELETE' THEN PERFORM forget_case_files(array(SELECT o.person_id FROM old_rows o));
    ELSE PERFORM forget_case_files(array(SELECT n.person_id FROM new_rows n UNION SELECT o.person_id FROM old_rows o));
  END CASE;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION case_files_forget_by_case() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  CASE TG_OP
    WHEN 'INSERT' THEN
      PERFORM forget_case_files(array(SELECT c.person_id FROM cases c WHERE c.id IN (SELECT n.case_id FROM new_rows n)));
    WHEN 'DELETE' THEN
      PERFORM forget_case_files(array(SELECT c.person_id FROM cases c WHERE c.id IN (SELECT o.case_id FROM old_rows o)));
    ELSE
      PERFORM forget_case_files(array(SELECT c.person_id FROM cases c WHERE c.id IN (
        SELECT n.case_id FROM new_rows n UNION SELECT o.case_id FROM old_rows o)));
  END CASE;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION case_files_forget_by_request() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  CASE TG_OP
    WHEN 'INSERT' THEN
      PERFORM forget_case_files(array(SELECT r.person_id FROM requests r WHERE r.id IN (SELECT n.request_id FROM new_rows n)));
    WHEN 'DELETE' THEN
      PERFORM forget_case_files(array(SELECT r.person_id FROM requests r WHERE r.id IN (SELECT o.request_id FROM old_rows o)));
    ELSE
      PERFORM forget_case_files(array(SELECT r.person_id FROM requests r WHERE r.id IN (
        SELECT n.request_id FROM new_rows n UNION SELECT o.request_id FROM old_rows o)));
  END CASE;
  RETURN NULL;
END $$;
--> statement-breakpoint
-- An assurance covers its person, or everyone ever listed on its operation (listed now or not: more files built
-- again than needed, never fewer).
CREATE FUNCTION case_files_forget_by_assurance() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  CASE TG_OP
    WHEN 'INSERT' THEN
      PERFORM forget_case_files(array(
        SELECT n.person_id FROM new_rows n
        UNION ALL SELECT l.person_id FROM operation_people l WHERE l.operation_id IN (SELECT n.operation_id FROM new_rows n)));
    WHEN 'DELETE' THEN
      PERFORM forget_case_files(array(
        SELECT o.person_id FROM old_rows o
        UNION ALL SELECT l.person_id FROM operation_people l WHERE l.operation_id IN (SELECT o.operation_id FROM old_rows o)));
    ELSE
      PERFORM forget_case_files(array(
        SELECT n.person_id FROM new_rows n UNION ALL SELECT o.person_id FROM old_rows o
        UNION ALL SELECT l.person_id FROM operation_people l WHERE l.operation_id IN (
          SELECT n.operation_id FROM new_rows n UNION SELECT o.operation_id FROM old_rows o)));
  END CASE;
  RETURN NULL;
END $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION case_file_may_keep(uuid), forget_case_files(uuid[]), case_files_forget_by_person(), case_files_forget_by_case(), case_files_forget_by_request(), case_files_forget_by_assurance() FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION case_file_may_keep(uuid) TO traslado_app;
--> statement-breakpoint
DO $$
DECLARE
  t record;
BEGIN
  FOR t IN SELECT * FROM (VALUES
    ('cases', 'person'), ('legal_holds', 'person'), ('decisions', 'person'), ('requests', 'person'),
    ('operation_people', 'person'), ('case_transitions', 'case'), ('deadlines', 'case'), ('charges', 'request'),
    ('assurances', 'assurance')) AS v(tbl, via)
  LOOP
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION case_files_forget_by_%s()', t.tbl || '_case_files_insert', t.tbl, t.via);
    EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION case_files_forget_by_%s()', t.tbl || '_case_files_update', t.tbl, t.via);
    EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION case_files_forget_by_%s()', t.tbl || '_case_files_delete', t.tbl, t.via);
  END LOOP;
END
$$;
