-- Custom SQL migration file, put your code below! --
-- hand-written below
-- The case-file triggers of 0020 and 0022 as one function. Each of the four (by person, by case, by request, by
-- assurance) said the same thing three times over, once per kind of change, for its own column and lookup: which
-- people a statement's changed rows belong to. The trigger now says it in its arguments instead, and the function
-- reads them: pairs of (column of the changed rows, how that column leads to a person), where the way is either
-- `person` (the column is the person's id) or `table.column` (the people of the rows of that table whose column
-- holds the value, looked up by key with 0022's case_file_people). An assurance gives two pairs: its person, and
-- everyone ever listed on its operation. The changed rows are read from the statement's transition tables by
-- dynamic SQL (PL/pgSQL registers them for EXECUTE too), planned at each statement as 0022's lookups already were.
CREATE FUNCTION case_files_forget() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  changed text := CASE TG_OP
    WHEN 'INSERT' THEN 'SELECT %1$I FROM new_rows'
    WHEN 'DELETE' THEN 'SELECT %1$I FROM old_rows'
    ELSE 'SELECT %1$I FROM new_rows UNION SELECT %1$I FROM old_rows'
  END;
  people uuid[] := '{}';
  keys uuid[];
  way text[];
BEGIN
  FOR i IN 0 .. TG_NARGS - 1 BY 2 LOOP
    EXECUTE format('SELECT array(' || changed || ')', TG_ARGV[i]) INTO keys;
    IF TG_ARGV[i + 1] = 'person' THEN
      people := people || keys;
    ELSE
      way := string_to_array(TG_ARGV[i + 1], '.');
      people := people || case_file_people(way[1]::regclass, way[2], keys);
    END IF;
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
    ('cases', '''person_id'', ''person'''),
    ('legal_holds', '''person_id'', ''person'''),
    ('decisions', '''person_id'', ''person'''),
    ('requests', '''person_id'', ''person'''),
    ('operation_people', '''person_id'', ''person'''),
    ('case_transitions', '''case_id'', ''cases.id'''),
    ('deadlines', '''case_id'', ''cases.id'''),
    ('charges', '''request_id'', ''requests.id'''),
    ('assurances', '''person_id'', ''person'', ''operation_id'', ''operation_people.operation_id''')) AS v(tbl, args)
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
