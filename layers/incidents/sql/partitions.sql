-- Monthly partitions of incidents_incident and the references into it (installed by migration
-- 0004 and re-installed by later migrations that change them; every statement is re-runnable).
--
-- A unique key of a partitioned table must contain the partition key, so an incident's key in
-- the database is (id, reported_at): a table referencing an incident carries a hidden
-- `<name>_reported_at` column beside its `<name>_id`, filled by a trigger, and a composite
-- foreign key ON UPDATE CASCADE (PostgreSQL 15 runs a cross-partition UPDATE's foreign-key
-- actions as an update of the root, so a corrected reported_at carries the references along).

-- Month boundaries are local midnights of this time zone (settings.TIME_ZONE at conversion); it
-- never changes afterwards, as existing partitions' bounds would then overlap new ones.
CREATE TABLE IF NOT EXISTS incidents_partitioning (
    id boolean PRIMARY KEY DEFAULT true CHECK (id),
    time_zone text NOT NULL
);

CREATE OR REPLACE FUNCTION incidents_partition_name(month date) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT 'incidents_incident_y' || to_char(month, 'YYYY') || 'm' || to_char(month, 'MM')
$$;

-- Makes `referencing.id_column` a real foreign key to an incident: adds the hidden
-- `<name>_reported_at` column, fills it, keeps it filled on insert and on a change of the id
-- column, and replaces any single-column foreign key by the composite one. MATCH FULL: an id
-- whose incident does not exist leaves the time empty, which the key refuses. Deferred like
-- Django's own keys; on_delete is NO ACTION (Django emulates its on_delete in Python) unless
-- the caller says otherwise.
CREATE OR REPLACE FUNCTION incidents_add_reference(
    referencing regclass, id_column text, on_delete text DEFAULT 'NO ACTION'
) RETURNS void LANGUAGE plpgsql AS $function$
DECLARE
    time_column text := regexp_replace(id_column, '_id$', '') || '_reported_at';
    table_name text := (SELECT relname FROM pg_class WHERE oid = referencing);
    fill_function text := left(table_name || '_' || time_column, 58) || '_fill';
    old_key record;
BEGIN
    FOR old_key IN
        SELECT c.conname FROM pg_constraint c
        WHERE c.conrelid = referencing AND c.contype = 'f' AND c.conparentid = 0
          AND c.confrelid = 'incidents_incident'::regclass
          AND c.conkey IN (
              ARRAY[(SELECT attnum FROM pg_attribute WHERE attrelid = referencing
                     AND attname = id_column)],
              ARRAY[(SELECT attnum FROM pg_attribute WHERE attrelid = referencing
                     AND attname = id_column),
                    (SELECT attnum FROM pg_attribute WHERE attrelid = referencing
                     AND attname = time_column)])
    LOOP
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', referencing, old_key.conname);
    END LOOP;
    EXECUTE format('ALTER TABLE %s ADD COLUMN IF NOT EXISTS %I timestamptz',
                   referencing, time_column);
    EXECUTE format(
        'UPDATE %1$s r SET %3$I = i.reported_at FROM incidents_incident i
         WHERE i.id = r.%2$I AND r.%3$I IS DISTINCT FROM i.reported_at',
        referencing, id_column, time_column);
    -- Static column names per reference: a plain PL/pgSQL body whose plan is cached.
    EXECUTE format($body$
        CREATE OR REPLACE FUNCTION %1$I() RETURNS trigger LANGUAGE plpgsql AS $fill$
        BEGIN
            IF NEW.%2$I IS NULL THEN
                NEW.%3$I := NULL;
            ELSIF NEW.%3$I IS NULL OR (TG_OP = 'UPDATE' AND NEW.%2$I IS DISTINCT FROM OLD.%2$I)
            THEN
                NEW.%3$I := (SELECT i.reported_at FROM incidents_incident i
                             WHERE i.id = NEW.%2$I);
            END IF;
            -- A time given on insert (bulk loaders, a row moving partition) is checked by the key.
            RETURN NEW;
        END $fill$;
        $body$, fill_function, id_column, time_column);
    EXECUTE format(
        'CREATE OR REPLACE TRIGGER %1$I BEFORE INSERT OR UPDATE OF %2$I ON %3$s
         FOR EACH ROW EXECUTE FUNCTION %4$I()',
        left(time_column, 58) || '_fill', id_column, referencing, fill_function);
    EXECUTE format(
        'ALTER TABLE %1$s ADD CONSTRAINT %2$I FOREIGN KEY (%3$I, %4$I)
         REFERENCES incidents_incident (id, reported_at) MATCH FULL
         ON UPDATE CASCADE ON DELETE %5$s DEFERRABLE INITIALLY DEFERRED',
        referencing, left(table_name || '_' || time_column, 59) || '_fk', id_column,
        time_column, on_delete);
END
$function$;

-- Creates every missing monthly partition from the month of `since` through the month of
-- `until`; returns how many it created. Rows that fell into the default partition for a month
-- being created are moved into it first (PostgreSQL refuses the partition otherwise).
-- Idempotent, and serialized by an advisory lock so two runs never race.
CREATE OR REPLACE FUNCTION incidents_ensure_partitions(since date, until date)
RETURNS integer LANGUAGE plpgsql AS $function$
DECLARE
    zone text := (SELECT time_zone FROM incidents_partitioning);
    month date := date_trunc('month', since)::date;
    lower_bound timestamptz;
    upper_bound timestamptz;
    name text;
    created integer := 0;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('incidents_ensure_partitions'));
    WHILE month <= until LOOP
        name := incidents_partition_name(month);
        IF to_regclass(name) IS NULL THEN
            lower_bound := month::timestamp AT TIME ZONE zone;
            upper_bound := (month + interval '1 month')::timestamp AT TIME ZONE zone;
            IF EXISTS (SELECT FROM incidents_incident_default
                       WHERE reported_at >= lower_bound AND reported_at < upper_bound) THEN
                PERFORM incidents_move_out_of_default(name, lower_bound, upper_bound);
            ELSE
                EXECUTE format(
                    'CREATE TABLE %I PARTITION OF incidents_incident FOR VALUES FROM (%L) TO (%L)',
                    name, lower_bound, upper_bound);
            END IF;
            created := created + 1;
        END IF;
        month := (month + interval '1 month')::date;
    END LOOP;
    RETURN created;
END
$function$;

-- The default partition's rows of [lower_bound, upper_bound) into a new partition `name`.
-- A row deleted from one partition of a referenced table fails the keys pointing at it even
-- when it reappears in another (the check looks in the partition it left), so the keys into
-- incidents are dropped for the move and re-added after it, which validates them again.
-- Statement triggers of the parent do not fire: the rows change place, not content (no audit
-- entry, the heatmap cells stay as they are).
CREATE OR REPLACE FUNCTION incidents_move_out_of_default(
    name text, lower_bound timestamptz, upper_bound timestamptz
) RETURNS void LANGUAGE plpgsql AS $function$
DECLARE
    reference record;
    keys jsonb := '[]';
BEGIN
    -- Checks the caller's transaction deferred must run now: a table with pending trigger events
    -- cannot be altered.
    SET CONSTRAINTS ALL IMMEDIATE;
    FOR reference IN
        SELECT c.conrelid::regclass AS tbl, c.conname, pg_get_constraintdef(c.oid) AS definition
        FROM pg_constraint c
        WHERE c.confrelid = 'incidents_incident'::regclass AND c.contype = 'f'
          AND c.conparentid = 0
    LOOP
        keys := keys || jsonb_build_object('tbl', reference.tbl::text, 'name', reference.conname,
                                           'definition', reference.definition);
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', reference.tbl, reference.conname);
    END LOOP;
    EXECUTE format('CREATE TABLE %I (LIKE incidents_incident INCLUDING DEFAULTS'
                   ' INCLUDING CONSTRAINTS)', name);
    EXECUTE format(
        'WITH moved AS (DELETE FROM incidents_incident_default
                        WHERE reported_at >= $1 AND reported_at < $2 RETURNING *)
         INSERT INTO %I SELECT * FROM moved', name) USING lower_bound, upper_bound;
    EXECUTE format('ALTER TABLE incidents_incident ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
                   name, lower_bound, upper_bound);
    -- The delete from the default partition dropped their tracking codes; the rows are back.
    EXECUTE format('INSERT INTO incidents_tracking_code (code, incident_id, incident_reported_at)
                    SELECT tracking_code, id, reported_at FROM %I
                    WHERE tracking_code IS NOT NULL', name);
    FOR reference IN SELECT * FROM jsonb_to_recordset(keys) AS k(tbl text, name text, definition text)
    LOOP
        EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I %s',
                       reference.tbl, reference.name, reference.definition);
    END LOOP;
END
$function$;

-- Detaches a month (to archive it, or move it to cheaper storage): the partition becomes a
-- plain table of the same name, no longer seen through incidents_incident. References into it
-- must be gone first (PostgreSQL refuses to detach rows still referenced): archive the events,
-- attachments and co-departments of those incidents before.
CREATE OR REPLACE FUNCTION incidents_detach_month(month date) RETURNS text
LANGUAGE plpgsql AS $function$
DECLARE
    name text := incidents_partition_name(date_trunc('month', month)::date);
BEGIN
    IF to_regclass(name) IS NULL THEN
        RAISE EXCEPTION 'no partition % for %', name, month USING ERRCODE = 'undefined_table';
    END IF;
    SET CONSTRAINTS ALL IMMEDIATE;
    EXECUTE format('ALTER TABLE incidents_incident DETACH PARTITION %I', name);
    EXECUTE format('DELETE FROM incidents_tracking_code c USING %I d
                    WHERE c.code = d.tracking_code AND c.incident_id = d.id', name);
    RETURN name;
END
$function$;

-- A citizen's tracking code is unique among all incidents: a unique index on a partitioned
-- table can only be unique per partition (it must contain reported_at), so the codes live in a
-- table of their own, whose primary key is global; the status page finds its incident with one
-- probe there and one in the right partition. Kept by triggers rather than a foreign key, so a
-- TRUNCATE of the incidents (Django's test flush) needs no CASCADE.
CREATE TABLE IF NOT EXISTS incidents_tracking_code (
    code varchar(16) PRIMARY KEY,
    incident_id bigint NOT NULL,
    incident_reported_at timestamptz NOT NULL
);

CREATE OR REPLACE FUNCTION incidents_keep_tracking_code() RETURNS trigger
LANGUAGE plpgsql AS $function$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.tracking_code IS NOT DISTINCT FROM OLD.tracking_code
       AND NEW.reported_at = OLD.reported_at THEN
        RETURN NULL;
    END IF;
    -- A row moving to another partition is a delete from the old one and an insert into the new.
    IF TG_OP <> 'INSERT' AND OLD.tracking_code IS NOT NULL THEN
        DELETE FROM incidents_tracking_code WHERE code = OLD.tracking_code AND incident_id = OLD.id;
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.tracking_code IS NOT NULL THEN
        INSERT INTO incidents_tracking_code (code, incident_id, incident_reported_at)
        VALUES (NEW.tracking_code, NEW.id, NEW.reported_at)
        ON CONFLICT (code) DO UPDATE SET incident_reported_at = excluded.incident_reported_at
        WHERE incidents_tracking_code.incident_id = excluded.incident_id;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'tracking code % is already used by another incident',
                NEW.tracking_code
                USING ERRCODE = 'unique_violation', CONSTRAINT = 'incidents_tracking_code_pkey';
        END IF;
    END IF;
    RETURN NULL;
END
$function$;

CREATE OR REPLACE FUNCTION incidents_forget_tracking_codes() RETURNS trigger
LANGUAGE plpgsql AS $function$
BEGIN
    TRUNCATE incidents_tracking_code;
    RETURN NULL;
END
$function$;
