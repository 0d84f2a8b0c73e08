"""Daily incident cells: the pre-aggregate behind fast heatmaps, kept current by triggers.

One row per (local day, category, status) holds the base metric cell (column, row) and the
village of every incident of that group, packed as big-endian int4 triples (bytea). A heatmap reads the rows of
its window (at most days x categories x statuses, a few tens of thousands) as flat arrays in
one round trip; the point table itself (millions of rows) is never scanned for a map. Each row
has a version (a sequence number given on every recompute) so that a reader may keep the groups
it has read and fetch only those that are new or changed.

Statement-level triggers with transition tables recompute only the groups a statement touched,
from the incidents table through its (category, reported_at) index; a bulk load of millions of
rows is one recompute of every group, roughly one aggregate pass. An advisory lock per group
hash orders concurrent writers so a recompute always sees the other writer's committed rows.
The frame (Gauss-Krueger SRID, base cell, time zone) lives in heatmaps_frame; the
rebuild_heatmap_cells command changes it and rebuilds.
"""

from django.conf import settings
from django.db import migrations

from layers.common.constants import gauss_kruger_srid

TABLES = """
CREATE TABLE heatmaps_frame (
    id boolean PRIMARY KEY DEFAULT true CHECK (id),
    srid integer NOT NULL,
    cell_m integer NOT NULL CHECK (cell_m > 0),
    time_zone text NOT NULL
);
CREATE SEQUENCE heatmaps_daycells_version;
CREATE TABLE heatmaps_daycells (
    -- A new number whenever the group is recomputed: readers cache groups by it.
    version bigint NOT NULL DEFAULT nextval('heatmaps_daycells_version') UNIQUE,
    day date NOT NULL,
    category varchar(20) NOT NULL,
    status varchar(16) NOT NULL,
    -- Per incident: base cell column, base cell row, village id (0: none), big-endian int4 each.
    cells bytea NOT NULL,
    PRIMARY KEY (day, category, status)
);
ALTER TABLE heatmaps_daycells ALTER cells SET STORAGE EXTERNAL;
"""

FUNCTIONS = """
-- Recomputes the named groups from the incidents table (the one definition of a group's content).
CREATE FUNCTION heatmaps_recompute(groups jsonb) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    frame heatmaps_frame;
    lock_key integer;
BEGIN
    SELECT * INTO frame FROM heatmaps_frame;
    IF frame IS NULL THEN
        RETURN;
    END IF;
    -- 256 lock slots keep a bulk load within the lock table; sorted, so writers never deadlock.
    FOR lock_key IN
        SELECT DISTINCT abs(hashtext(concat(g->>'day', g->>'category', g->>'status'))) % 256
        FROM jsonb_array_elements(groups) g ORDER BY 1
    LOOP
        PERFORM pg_advisory_xact_lock(774411, lock_key);
    END LOOP;
    -- A temporary table rather than a CTE: ANALYZE gives the planner its size, so a bulk load
    -- hash-joins and a single write uses the index.
    IF to_regclass('pg_temp.heatmaps_touched') IS NULL THEN
        CREATE TEMP TABLE heatmaps_touched
            (day date, category varchar(20), status varchar(16)) ON COMMIT DROP;
    ELSE
        TRUNCATE heatmaps_touched;
    END IF;
    INSERT INTO heatmaps_touched
    SELECT DISTINCT (g->>'day')::date, g->>'category', g->>'status'
    FROM jsonb_array_elements(groups) g;
    ANALYZE heatmaps_touched;
    DELETE FROM heatmaps_daycells c USING heatmaps_touched t
    WHERE c.day = t.day AND c.category = t.category AND c.status = t.status;
    INSERT INTO heatmaps_daycells (day, category, status, cells)
    SELECT t.day, t.category, t.status,
           string_agg(int4send(floor(ST_X(p.g) / frame.cell_m)::integer)
                      || int4send(floor(ST_Y(p.g) / frame.cell_m)::integer)
                      || int4send(coalesce(i.area_id, 0)::integer), ''::bytea)
    FROM heatmaps_touched t
    -- The day equality lets a bulk recompute hash-join; the time range lets a small one use
    -- the (category, reported_at) index.
    JOIN incidents_incident i
      ON i.category = t.category AND i.status = t.status
     AND (i.reported_at AT TIME ZONE frame.time_zone)::date = t.day
     AND i.reported_at >= (t.day::timestamp AT TIME ZONE frame.time_zone)
     AND i.reported_at < ((t.day + 1)::timestamp AT TIME ZONE frame.time_zone)
    CROSS JOIN LATERAL (SELECT ST_Transform(i.location, frame.srid) AS g) p
    GROUP BY t.day, t.category, t.status;
END $$;

CREATE FUNCTION heatmaps_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE frame heatmaps_frame;
BEGIN
    SELECT * INTO frame FROM heatmaps_frame;
    IF frame IS NULL THEN RETURN NULL; END IF;
    PERFORM heatmaps_recompute((
        SELECT coalesce(jsonb_agg(jsonb_build_object('day', d.day, 'category', d.category,
                                                     'status', d.status)), '[]'::jsonb)
        FROM (SELECT DISTINCT (reported_at AT TIME ZONE frame.time_zone)::date AS day,
                     category, status FROM new_rows) d));
    RETURN NULL;
END $$;

CREATE FUNCTION heatmaps_after_delete() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE frame heatmaps_frame;
BEGIN
    SELECT * INTO frame FROM heatmaps_frame;
    IF frame IS NULL THEN RETURN NULL; END IF;
    PERFORM heatmaps_recompute((
        SELECT coalesce(jsonb_agg(jsonb_build_object('day', d.day, 'category', d.category,
                                                     'status', d.status)), '[]'::jsonb)
        FROM (SELECT DISTINCT (reported_at AT TIME ZONE frame.time_zone)::date AS day,
                     category, status FROM old_rows) d));
    RETURN NULL;
END $$;

-- Only rows whose place, time, category, status or village changed touch the cells.
CREATE FUNCTION heatmaps_after_update() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE frame heatmaps_frame;
BEGIN
    SELECT * INTO frame FROM heatmaps_frame;
    IF frame IS NULL THEN RETURN NULL; END IF;
    PERFORM heatmaps_recompute((
        SELECT coalesce(jsonb_agg(jsonb_build_object('day', d.day, 'category', d.category,
                                                     'status', d.status)), '[]'::jsonb)
        FROM (
            SELECT (r.reported_at AT TIME ZONE frame.time_zone)::date AS day, r.category, r.status
            FROM old_rows o JOIN new_rows n ON n.id = o.id,
                 LATERAL (VALUES (o.reported_at, o.category, o.status),
                                 (n.reported_at, n.category, n.status))
                         r(reported_at, category, status)
            WHERE (o.location, o.reported_at, o.category, o.status, o.area_id)
                  IS DISTINCT FROM (n.location, n.reported_at, n.category, n.status, n.area_id)
            GROUP BY 1, 2, 3
        ) d));
    RETURN NULL;
END $$;

CREATE FUNCTION heatmaps_after_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE heatmaps_daycells;
    RETURN NULL;
END $$;

CREATE TRIGGER heatmaps_cells_insert AFTER INSERT ON incidents_incident
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION heatmaps_after_insert();
CREATE TRIGGER heatmaps_cells_update AFTER UPDATE ON incidents_incident
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION heatmaps_after_update();
CREATE TRIGGER heatmaps_cells_delete AFTER DELETE ON incidents_incident
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION heatmaps_after_delete();
CREATE TRIGGER heatmaps_cells_truncate AFTER TRUNCATE ON incidents_incident
    FOR EACH STATEMENT EXECUTE FUNCTION heatmaps_after_truncate();
"""

REVERSE = """
DROP TRIGGER heatmaps_cells_truncate ON incidents_incident;
DROP TRIGGER heatmaps_cells_delete ON incidents_incident;
DROP TRIGGER heatmaps_cells_update ON incidents_incident;
DROP TRIGGER heatmaps_cells_insert ON incidents_incident;
DROP FUNCTION heatmaps_after_truncate();
DROP FUNCTION heatmaps_after_update();
DROP FUNCTION heatmaps_after_delete();
DROP FUNCTION heatmaps_after_insert();
DROP FUNCTION heatmaps_recompute(jsonb);
DROP TABLE heatmaps_daycells;
DROP SEQUENCE heatmaps_daycells_version;
DROP TABLE heatmaps_frame;
"""


def set_frame_and_fill(apps, schema_editor):
    """The frame from the settings, then every existing incident into its group."""
    with schema_editor.connection.cursor() as cursor:
        # Versions start at the current time in microseconds: a table dropped and re-created
        # never hands out a version a running process may still hold in its cache.
        cursor.execute(
            "SELECT setval('heatmaps_daycells_version', (extract(epoch FROM clock_timestamp())"
            " * 1e6)::bigint)"
        )
        cursor.execute(
            "INSERT INTO heatmaps_frame (srid, cell_m, time_zone) VALUES (%s, %s, %s)",
            [
                gauss_kruger_srid(settings.GISGOV_MAP_CENTER[0]),
                settings.GISGOV_HEATMAP_BASE_CELL_M,
                settings.TIME_ZONE,
            ],
        )
        cursor.execute(
            """
            SELECT heatmaps_recompute(coalesce(jsonb_agg(jsonb_build_object(
                'day', d.day, 'category', d.category, 'status', d.status)), '[]'::jsonb))
            FROM (SELECT DISTINCT (reported_at AT TIME ZONE f.time_zone)::date AS day,
                         category, status FROM incidents_incident, heatmaps_frame f) d
            """
        )


class Migration(migrations.Migration):
    initial = True

    dependencies = [("incidents", "0002_workflow"), ("areas", "0001_initial")]

    operations = [
        migrations.RunSQL(TABLES + FUNCTIONS, reverse_sql=REVERSE),
        migrations.RunPython(set_frame_and_fill, reverse_code=migrations.RunPython.noop),
    ]
