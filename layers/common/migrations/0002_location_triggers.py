"""Grid and village of every feature, assigned in the database whatever path writes the row."""

from django.db import migrations

FORWARD = """
-- PL/pgSQL rather than SQL: called once per row from triggers, its plans must be cached.
CREATE FUNCTION gisgov_locate(p geometry, OUT grid_id bigint, OUT area_id bigint)
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    SELECT g.id, g.village_id INTO grid_id, area_id FROM grids_grid g
    WHERE g.valid_to IS NULL AND ST_Intersects(g.geom, p) ORDER BY g.id LIMIT 1;
    IF grid_id IS NULL THEN
        SELECT a.id INTO area_id FROM areas_adminarea a
        WHERE ST_Intersects(a.geom, p) ORDER BY a.level DESC LIMIT 1;
    END IF;
END $$;

CREATE FUNCTION gisgov_assign_point() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT l.grid_id, l.area_id INTO NEW.grid_id, NEW.area_id FROM gisgov_locate(NEW.location) l;
    RETURN NEW;
END $$;

-- A footprint belongs where a point surely inside it lies (its centroid may fall outside).
CREATE FUNCTION gisgov_assign_footprint() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT l.grid_id, l.area_id INTO NEW.grid_id, NEW.area_id
    FROM gisgov_locate(ST_PointOnSurface(NEW.footprint)) l;
    RETURN NEW;
END $$;

-- Grid drawn, re-drawn, closed or removed: re-locate the features under the old and new shapes.
CREATE FUNCTION gisgov_relocate_after_grid_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed text := CASE TG_OP
        WHEN 'INSERT' THEN 'SELECT geom FROM new_grids'
        WHEN 'DELETE' THEN 'SELECT geom FROM old_grids'
        ELSE 'SELECT geom FROM old_grids UNION ALL SELECT geom FROM new_grids' END;
    target record;
BEGIN
    FOR target IN
        SELECT * FROM (VALUES
            ('buildings_building', 'footprint', 'ST_PointOnSurface(t.footprint)'),
            ('incidents_incident', 'location', 't.location'),
            ('cameras_camerasite', 'location', 't.location'),
            ('keysites_keysite', 'location', 't.location')
        ) AS v(tbl, col, point)
    LOOP
        EXECUTE format(
            'UPDATE %1$I u SET grid_id = l.grid_id, area_id = l.area_id
             FROM (SELECT DISTINCT t.id, %3$s AS p FROM %1$I t JOIN (%4$s) c
                   ON c.geom && t.%2$I AND ST_Intersects(c.geom, %3$s)) moved,
                  LATERAL gisgov_locate(moved.p) l
             WHERE u.id = moved.id
               AND (u.grid_id IS DISTINCT FROM l.grid_id OR u.area_id IS DISTINCT FROM l.area_id)',
            target.tbl, target.col, target.point, changed);
    END LOOP;
    RETURN NULL;
END $$;

CREATE TRIGGER buildings_assign_location BEFORE INSERT OR UPDATE OF footprint
    ON buildings_building FOR EACH ROW EXECUTE FUNCTION gisgov_assign_footprint();
CREATE TRIGGER incidents_assign_location BEFORE INSERT OR UPDATE OF location
    ON incidents_incident FOR EACH ROW EXECUTE FUNCTION gisgov_assign_point();
CREATE TRIGGER cameras_assign_location BEFORE INSERT OR UPDATE OF location
    ON cameras_camerasite FOR EACH ROW EXECUTE FUNCTION gisgov_assign_point();
CREATE TRIGGER keysites_assign_location BEFORE INSERT OR UPDATE OF location
    ON keysites_keysite FOR EACH ROW EXECUTE FUNCTION gisgov_assign_point();

CREATE TRIGGER grids_relocate_after_insert AFTER INSERT ON grids_grid
    REFERENCING NEW TABLE AS new_grids
    FOR EACH STATEMENT EXECUTE FUNCTION gisgov_relocate_after_grid_change();
CREATE TRIGGER grids_relocate_after_update AFTER UPDATE ON grids_grid
    REFERENCING OLD TABLE AS old_grids NEW TABLE AS new_grids
    FOR EACH STATEMENT EXECUTE FUNCTION gisgov_relocate_after_grid_change();
CREATE TRIGGER grids_relocate_after_delete AFTER DELETE ON grids_grid
    REFERENCING OLD TABLE AS old_grids
    FOR EACH STATEMENT EXECUTE FUNCTION gisgov_relocate_after_grid_change();
"""

REVERSE = """
DROP TRIGGER grids_relocate_after_delete ON grids_grid;
DROP TRIGGER grids_relocate_after_update ON grids_grid;
DROP TRIGGER grids_relocate_after_insert ON grids_grid;
DROP TRIGGER keysites_assign_location ON keysites_keysite;
DROP TRIGGER cameras_assign_location ON cameras_camerasite;
DROP TRIGGER incidents_assign_location ON incidents_incident;
DROP TRIGGER buildings_assign_location ON buildings_building;
DROP FUNCTION gisgov_relocate_after_grid_change();
DROP FUNCTION gisgov_assign_footprint();
DROP FUNCTION gisgov_assign_point();
DROP FUNCTION gisgov_locate(geometry);
"""


class Migration(migrations.Migration):
    dependencies = [
        ("common", "0001_lonlat_range_function"),
        ("areas", "0001_initial"),
        ("grids", "0001_initial"),
        ("buildings", "0001_initial"),
        ("incidents", "0001_initial"),
        ("cameras", "0001_initial"),
        ("keysites", "0001_initial"),
    ]

    operations = [migrations.RunSQL(FORWARD, REVERSE)]
