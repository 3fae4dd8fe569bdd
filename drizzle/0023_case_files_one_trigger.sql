-- Custom SQL migration file, put your code below! --
-- hand-written below
-- The case-file triggers of 0020 and 0022 as one function. Each of the four (by person, by case, by request, by
-- assurance) said the same thing three times over, once per kind of change, for its own column and lookup: which
-- people a statement's changed rows belong to. Each trigger now names in its arguments the ways from its rows to
-- people, and the function follows them: `person_id` (the row's person), or `column:table.key` (the people of the
-- rows of that table whose key is the row's column: `case_id:cases.id`). An assurance gives two: its person, and
-- everyone ever listed on its operation.
--
-- A lookup is one query run as dynamic SQL (PL/pgSQL registers the transition tables for EXECUTE too), planned at
-- every statement, as 0022's lookups were and for the same reason: each distinct key is looked up on its own, in a
-- subquery per key that the planner neither flattens into a join nor answers by a scan, whatever it thinks the
-- table's size. That one query replaces 0022's case_file_people (the keys gathered, then looked up). The row's own
-- person is read by static queries, planned once per trigger as in 0020: run as dynamic SQL too, it cost every
-- write to those tables about 20 µs more a statement.
CREATE FUNCTION case_files_forget() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  changed text := CASE TG_OP
    WHEN 'INSERT' THEN 'SELECT DISTINCT %1$I FROM new_rows'
    WHEN 'DELETE' THEN 'SELECT DISTINCT %1$I FROM old_rows'
    ELSE 'SELECT %1$I FROM new_rows UNION SELECT %1$I FROM old_rows'
  END;
  people uuid[] := '{}';
  found uuid[];
  way text;
BEGIN
  FOREACH way IN ARRAY TG_ARGV LOOP
    IF way = 'person_id' AND TG_OP = 'INSERT' THEN
      found := array(SELECT n.person_id FROM new_rows n);
    ELSIF way = 'person_id' AND TG_OP = 'DELETE' THEN
      found := array(SELECT o.person_id FROM old_rows o);
    ELSIF way = 'person_id' THEN
      found := array(SELECT n.person_id FROM new_rows n UNION SELECT o.person_id FROM old_rows o);
    ELSE
      EXECUTE format('SELECT array(SELECT p FROM (' || changed || ') k(key), '
        'unnest(array(SELECT t.person_id FROM %2$I t WHERE t.%3$I = k.key)) p)',
        split_part(way, ':', 1), split_part(split_part(way, ':', 2), '.', 1), split_part(way, '.', 2))
        INTO found;
    END IF;
    people := people || found;
  END LOOP;
  PERFORM forget_case_files(people);
  RETURN NULL;
END $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION case_files_forget() FROM PUBLIC;
--> statement-breakpoint
DO $$
DECLARE
  t record;
BEGIN
  FOR t IN SELECT * FROM (VALUES
    ('cases', '''person_id'''),
    ('legal_holds', '''person_id'''),
    ('decisions', '''person_id'''),
    ('requests', '''person_id'''),
    ('operation_people', '''person_id'''),
    ('case_transitions', '''case_id:cases.id'''),
    ('deadlines', '''case_id:cases.id'''),
    ('charges', '''request_id:requests.id'''),
    ('assurances', '''person_id'', ''operation_id:operation_people.operation_id''')) AS v(tbl, args)
  LOOP
    EXECUTE format('DROP TRIGGER %I ON %I', t.tbl || '_case_files_insert', t.tbl);
    EXECUTE format('DROP TRIGGER %I ON %I', t.tbl || '_case_files_update', t.tbl);
    EXECUTE format('DROP TRIGGER %I ON %I', t.tbl || '_case_files_delete', t.tbl);
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION case_files_forget(%s)', t.tbl || '_case_files_insert', t.tbl, t.args);
    EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION case_files_forget(%s)', t.tbl || '_case_files_update', t.tbl, t.args);
    EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION case_files_forget(%s)', t.tbl || '_case_files_delete', t.tbl, t.args);
  END LOOP;
END
$$;
--> statement-breakpoint
DROP FUNCTION case_files_forget_by_person();
--> statement-breakpoint
DROP FUNCTION case_files_forget_by_case();
--> statement-breakpoint
DROP FUNCTION case_files_forget_by_request();
--> statement-breakpoint
DROP FUNCTION case_files_forget_by_assurance();
--> statement-breakpoint
DROP FUNCTION case_file_people(regclass, text, uuid[]);
