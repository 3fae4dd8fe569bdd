-- Custom SQL migration file, put your code below! --
-- hand-written below
-- The case-file triggers of 0020 in a cost that does not grow with the record (issue 9: an import of 1,000,000
-- requests in at most 10 times the time of 100,000). Their lookups from a changed row to its person (a charge's
-- request, a transition's case, an assurance's operation) were written as plain queries of PL/pgSQL: a query with
-- no parameters is planned once per session and that plan kept, whatever the tables grow to. An import plans it
-- while `requests` is small, as a hash join over a sequential scan, and then reads the whole of `requests` at every
-- statement that writes charges: at a million requests, 1,247 scans read 623,756,000 rows (pg_stat_user_tables).
-- The lookup is now one function, run as dynamic SQL (planned afresh at every call), that looks each distinct key up
-- on its own: a subquery per key, which the planner neither flattens into a join nor answers by a scan. (Planned
-- afresh as `id = ANY($1)`, or as a LATERAL join, a few thousand keys against a table the planner still took to be
-- small still made it a hashed sequential scan.) A statement changes at most a batch of rows, so the planning costs
-- some tens of microseconds a statement.
--
-- The people of the rows of `tbl` whose `col` is one of `keys`. Called only by the triggers' functions below, as
-- their owner.
CREATE FUNCTION case_file_people(tbl regclass, col text, keys uuid[]) RETURNS uuid[] LANGUAGE plpgsql AS $$
DECLARE
  people uuid[];
BEGIN
  IF cardinality(keys) = 0 THEN
    RETURN '{}';
  END IF;
  EXECUTE format('SELECT array(SELECT p FROM (SELECT DISTINCT unnest($1)) k(key), unnest(array(SELECT t.person_id FROM %s t WHERE t.%I = k.key)) p)', tbl, col) INTO people USING keys;
  RETURN people;
END $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION case_files_forget_by_case() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  CASE TG_OP
    WHEN 'INSERT' THEN
      PERFORM forget_case_files(case_file_people('cases', 'id', array(SELECT n.case_id FROM new_rows n)));
    WHEN 'DELETE' THEN
      PERFORM forget_case_files(case_file_people('cases', 'id', array(SELECT o.case_id FROM old_rows o)));
    ELSE
      PERFORM forget_case_files(case_file_people('cases', 'id', array(
        SELECT n.case_id FROM new_rows n UNION SELECT o.case_id FROM old_rows o)));
  END CASE;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION case_files_forget_by_request() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  CASE TG_OP
    WHEN 'INSERT' THEN
      PERFORM forget_case_files(case_file_people('requests', 'id', array(SELECT n.request_id FROM new_rows n)));
    WHEN 'DELETE' THEN
      PERFORM forget_case_files(case_file_people('requests', 'id', array(SELECT o.request_id FROM old_rows o)));
    ELSE
      PERFORM forget_case_files(case_file_people('requests', 'id', array(
        SELECT n.request_id FROM new_rows n UNION SELECT o.request_id FROM old_rows o)));
  END CASE;
  RETURN NULL;
END $$;
--> statement-breakpoint
-- As in 0020: an assurance covers its person, or everyone ever listed on its operation.
CREATE OR REPLACE FUNCTION case_files_forget_by_assurance() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  CASE TG_OP
    WHEN 'INSERT' THEN
      PERFORM forget_case_files(array(SELECT n.person_id FROM new_rows n)
        || case_file_people('operation_people', 'operation_id', array(SELECT n.operation_id FROM new_rows n)));
    WHEN 'DELETE' THEN
      PERFORM forget_case_files(array(SELECT o.person_id FROM old_rows o)
        || case_file_people('operation_people', 'operation_id', array(SELECT o.operation_id FROM old_rows o)));
    ELSE
      PERFORM forget_case_files(array(SELECT n.person_id FROM new_rows n UNION ALL SELECT o.person_id FROM old_rows o)
        || case_file_people('operation_people', 'operation_id', array(
          SELECT n.operation_id FROM new_rows n UNION SELECT o.operation_id FROM old_rows o)));
  END CASE;
  RETURN NULL;
END $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION case_file_people(regclass, text, uuid[]) FROM PUBLIC;
