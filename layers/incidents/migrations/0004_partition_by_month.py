"""incidents_incident becomes PARTITION BY RANGE (reported_at), one partition a month.

The table is rebuilt, not altered (PostgreSQL cannot turn a table into a partitioned one): the
old table's indexes, triggers (grid assignment, audit, heatmap cells, and whatever else other
apps installed) and foreign keys are read from the catalogue and re-created on the new parent,
so partitions inherit them; rows are copied with their ids, and the identity sequence goes on
from where it was. Django's model state is unchanged: `id` is still the primary key for the
ORM; in the database the key is (id, reported_at) and references carry reported_at (see
sql/partitions.sql). The reverse rebuilds the plain table the same way.
"""

from pathlib import Path

from django.conf import settings
from django.db import migrations

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"
MONTHS_AHEAD = 3
OLD = "incidents_incident_rebuilt"

# The event log stays append-only; only the copy of its incident's reported_at may follow a
# corrected incident (the key's ON UPDATE CASCADE writes it).
APPEND_ONLY_WITH_REFERENCE = """
CREATE OR REPLACE FUNCTION incidents_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND to_jsonb(NEW) - 'incident_reported_at' = to_jsonb(OLD) - 'incident_reported_at' THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'incident events are append-only (% refused)', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$;
"""
APPEND_ONLY = """
CREATE OR REPLACE FUNCTION incidents_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'incident events are append-only (% refused)', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$;
"""

TRACKING_CODES = """
INSERT INTO incidents_tracking_code (code, incident_id, incident_reported_at)
SELECT tracking_code, id, reported_at FROM incidents_incident WHERE tracking_code IS NOT NULL;
CREATE TRIGGER incidents_keep_tracking_code
    AFTER INSERT OR UPDATE OF tracking_code, reported_at OR DELETE ON incidents_incident
    FOR EACH ROW EXECUTE FUNCTION incidents_keep_tracking_code();
CREATE TRIGGER incidents_forget_tracking_codes AFTER TRUNCATE ON incidents_incident
    FOR EACH STATEMENT EXECUTE FUNCTION incidents_forget_tracking_codes();
"""

PARTITIONING_OBJECTS_REVERSE = """
DROP TABLE incidents_partitioning;
DROP FUNCTION incidents_keep_tracking_code();
DROP FUNCTION incidents_forget_tracking_codes();
DROP FUNCTION incidents_detach_month(date);
DROP FUNCTION incidents_move_out_of_default(text, timestamptz, timestamptz);
DROP FUNCTION incidents_ensure_partitions(date, date);
DROP FUNCTION incidents_add_reference(regclass, text, text);
DROP FUNCTION incidents_partition_name(date);
"""


def _rows(cursor, query, params=()):
    cursor.execute(query, params)
    return cursor.fetchall()


def _definition(cursor):
    """What the current incidents table carries and what points at it, from the catalogue."""
    table = "incidents_incident"
    unique = _rows(
        cursor,
        """SELECT c.relname FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid
           WHERE x.indrelid = %s::regclass AND x.indisunique""",
        [table],
    )
    unexpected = {name for (name,) in unique} - {
        "incidents_incident_pkey",
        "incidents_incident_tracking_code_key",
    }
    if unexpected:
        raise RuntimeError(
            f"unique indexes on incidents_incident the rebuild does not know: {unexpected}"
        )
    return {
        "indexes": _rows(
            cursor,
            """SELECT c.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x
               JOIN pg_class c ON c.oid = x.indexrelid
               WHERE x.indrelid = %s::regclass AND NOT x.indisunique
                 AND NOT EXISTS (SELECT FROM pg_inherits WHERE inhrelid = x.indexrelid)""",
            [table],
        ),
        "triggers": _rows(
            cursor,
            """SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger
               WHERE tgrelid = %s::regclass AND NOT tgisinternal AND tgparentid = 0
                 AND tgname NOT IN ('incidents_keep_tracking_code',
                                    'incidents_forget_tracking_codes',
                                    'duplicate_of_reported_at_fill')""",
            [table],
        ),
        "keys_out": _rows(
            cursor,
            """SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
               WHERE conrelid = %s::regclass AND contype = 'f' AND conparentid = 0
                 AND confrelid <> %s::regclass""",
            [table, table],
        ),
        # (referencing table, its id column, the constraint) of every key into incidents.
        "keys_in": _rows(
            cursor,
            """SELECT c.conrelid::regclass::text, a.attname, c.conname FROM pg_constraint c
               JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
               WHERE c.confrelid = %s::regclass AND c.contype = 'f' AND c.conparentid = 0""",
            [table],
        ),
        "sequence": _rows(
            cursor,
            "SELECT pg_sequence_last_value(pg_get_serial_sequence('incidents_incident', 'id'))",
        )[0][0],
    }


def _rebuild(cursor, *, partitioned: bool):
    """The incidents table rebuilt as a partitioned (or, backwards, a plain) table."""
    # Deferred checks queued by the copy would forbid the ALTER TABLEs that follow it.
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    before = _definition(cursor)
    for table, _column, key in before["keys_in"]:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{key}"')
    cursor.execute(f"ALTER TABLE incidents_incident RENAME TO {OLD}")
    # Index and sequence names are schema-wide: free them for the new table.
    cursor.execute(f"ALTER TABLE {OLD} ALTER id DROP IDENTITY")
    for name, _definition_sql in before["indexes"]:
        cursor.execute(f'DROP INDEX "{name}"')
    cursor.execute(f"ALTER TABLE {OLD} DROP CONSTRAINT incidents_incident_pkey")
    cursor.execute(
        f"ALTER TABLE {OLD} DROP CONSTRAINT IF EXISTS incidents_incident_tracking_code_key"
    )
    cursor.execute(
        f"CREATE TABLE incidents_incident (LIKE {OLD} INCLUDING DEFAULTS INCLUDING CONSTRAINTS"
        " INCLUDING STORAGE INCLUDING COMMENTS)"
        + (" PARTITION BY RANGE (reported_at)" if partitioned else "")
    )
    cursor.execute("ALTER TABLE incidents_incident DROP COLUMN IF EXISTS duplicate_of_reported_at")
    if partitioned:
        cursor.execute(
            "ALTER TABLE incidents_incident ADD PRIMARY KEY (id, reported_at);"
            "CREATE TABLE incidents_incident_default PARTITION OF incidents_incident DEFAULT;"
            "INSERT INTO incidents_partitioning (time_zone) VALUES (%s)",
            [settings.TIME_ZONE],
        )
        cursor.execute(
            f"""SELECT incidents_ensure_partitions(
                    coalesce((SELECT (min(reported_at) AT TIME ZONE p.time_zone)::date FROM {OLD}),
                             (now() AT TIME ZONE p.time_zone)::date),
                    ((now() AT TIME ZONE p.time_zone) + %s * interval '1 month')::date)
                FROM incidents_partitioning p""",
            [MONTHS_AHEAD],
        )
    else:
        cursor.execute(
            "ALTER TABLE incidents_incident ADD PRIMARY KEY (id);"
            "ALTER TABLE incidents_incident ADD CONSTRAINT incidents_incident_tracking_code_key"
            " UNIQUE (tracking_code)"
        )
    columns = ", ".join(
        f'"{name}"'
        for (name,) in _rows(
            cursor,
            """SELECT attname FROM pg_attribute WHERE attrelid = 'incidents_incident'::regclass
               AND attnum > 0 AND NOT attisdropped ORDER BY attnum""",
        )
    )
    cursor.execute(f"INSERT INTO incidents_incident ({columns}) SELECT {columns} FROM {OLD}")
    cursor.execute(f"DROP TABLE {OLD}")
    # The next id is the one the old sequence would have given (NULL: never used).
    cursor.execute("ALTER TABLE incidents_incident ALTER id ADD GENERATED BY DEFAULT AS IDENTITY")
    if before["sequence"] is not None:
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('incidents_incident', 'id'), %s)",
            [before["sequence"]],
        )
    for _name, definition in before["indexes"]:
        cursor.execute(definition)
    for name, definition in before["keys_out"]:
        cursor.execute(f'ALTER TABLE incidents_incident ADD CONSTRAINT "{name}" {definition}')
    for _name, definition in before["triggers"]:
        cursor.execute(definition)
    for table, column, key in before["keys_in"]:
        if partitioned:
            cursor.execute("SELECT incidents_add_reference(%s, %s)", [table, column])
        else:
            cursor.execute(
                f'ALTER TABLE {table} ADD CONSTRAINT "{key}" FOREIGN KEY ("{column}")'
                " REFERENCES incidents_incident (id) DEFERRABLE INITIALLY DEFERRED"
            )
    cursor.execute("ANALYZE incidents_incident")


def partition(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute((SQL_DIR / "partitions.sql").read_text())
        cursor.execute(APPEND_ONLY_WITH_REFERENCE)
        _rebuild(cursor, partitioned=True)
        cursor.execute(TRACKING_CODES)


def unpartition(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        references = _rows(
            cursor,
            """SELECT conrelid::regclass::text, t.tgname, t.tgfoid::regproc::text
               FROM pg_constraint c JOIN pg_trigger t ON t.tgrelid = c.conrelid
                AND t.tgname LIKE '%%\\_reported\\_at\\_fill'
               WHERE c.confrelid = 'incidents_incident'::regclass AND c.contype = 'f'
                 AND c.conparentid = 0 AND c.conrelid <> 'incidents_incident'::regclass""",
        )
        cursor.execute(
            "DROP TRIGGER incidents_keep_tracking_code ON incidents_incident;"
            "DROP TRIGGER incidents_forget_tracking_codes ON incidents_incident;"
            "DROP TABLE incidents_tracking_code"
        )
        _rebuild(cursor, partitioned=False)
        for table, trigger, function in set(references):
            column = trigger.removesuffix("_fill")
            cursor.execute(f'DROP TRIGGER "{trigger}" ON {table}')
            cursor.execute(f"DROP FUNCTION {function}()")
            cursor.execute(f'ALTER TABLE {table} DROP COLUMN IF EXISTS "{column}"')
        cursor.execute("DROP FUNCTION IF EXISTS incidents_incident_duplicate_of_reported_at_fill()")
        cursor.execute(APPEND_ONLY)
        cursor.execute(PARTITIONING_OBJECTS_REVERSE)


class Migration(migrations.Migration):
    # The catalogue is read for the triggers and indexes other apps put on the table: theirs
    # must exist before the rebuild copies them.
    dependencies = [
        ("incidents", "0003_routing_citizens"),
        ("common", "0002_location_triggers"),
        ("heatmaps", "0001_initial"),
        ("supervision", "0001_supervision_indexes"),
    ]

    operations = [migrations.RunPython(partition, unpartition)]
