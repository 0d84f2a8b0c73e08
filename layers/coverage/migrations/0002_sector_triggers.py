"""Camera view sectors computed and kept fresh in the database.

Statement-level triggers with transition tables refresh the sectors a write touches: a camera
moved or re-aimed, a building drawn, moved or removed inside a sector. One statement of a bulk
load (COPY of 18,000 buildings) refreshes each touched camera once, not once a row.
"""

from django.db import migrations

# The arc step (1°, layers.coverage.constants.ARC_STEP_DEGREES) is frozen here as written.
FORWARD = """
ALTER TABLE coverage_camerasector
    ADD CONSTRAINT coverage_camerasector_camera_fk FOREIGN KEY (camera_id)
    REFERENCES cameras_camerasite (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED;

-- The whole view sector of a camera, in the metric frame `srid`, before any obstacle: a disc for
-- a 360° camera, else a fan from the camera out to its range with an arc vertex every degree.
-- The azimuth is read from true north; a Gauss-Krueger zone's grid north is turned from it by
-- the meridian convergence (up to 1.5° at a zone's edge), so the fan is turned by as much.
CREATE FUNCTION gisgov_coverage_fan(
    location geometry, azimuth float8, field_of_view float8, range_m float8, srid integer
) RETURNS geometry LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    WITH frame AS (
        SELECT ST_Transform(location, srid) AS origin,
               ST_Transform(ST_Translate(location, 0, 1e-4), srid) AS north_of_origin
    ), fan AS (
        SELECT origin,
               azimuth + degrees(ST_Azimuth(origin, north_of_origin)) - field_of_view / 2
                   AS first_bearing,
               greatest(ceil(field_of_view / 1.0), 1)::integer AS steps
        FROM frame
    )
    SELECT CASE
        WHEN field_of_view >= 360 THEN ST_Buffer(origin, range_m, 90)
        ELSE ST_MakePolygon(ST_MakeLine(
            ARRAY[origin]
            || ARRAY(
                SELECT ST_SetSRID(ST_MakePoint(ST_X(origin) + range_m * sin(radians(bearing)),
                                               ST_Y(origin) + range_m * cos(radians(bearing))),
                                  srid)
                FROM generate_series(0, steps) step,
                     LATERAL (SELECT first_bearing + field_of_view * step / steps AS bearing) b
                ORDER BY step)
            || ARRAY[origin]))
    END
    FROM fan
$$;

-- What a camera sees: its fan less the footprints of the buildings in it and the 2-D shadow
-- each casts (the ground behind the building's camera-facing walls, as seen from the camera).
-- A camera inside a footprint is mounted on that building: it looks out from its wall or roof,
-- so its host casts no shadow (its footprint is still not ground the camera sees).
CREATE FUNCTION gisgov_coverage_view(
    location geometry, azimuth float8, field_of_view float8, range_m float8,
    OUT srid integer, OUT sector geometry, OUT visible geometry, OUT sector_area_m2 float8,
    OUT visible_area_m2 float8, OUT obstacles integer, OUT host_building_id bigint
) LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
    origin geometry;
    fan geometry;
    hidden geometry;
BEGIN
    srid := gisgov_gauss_kruger_srid(ST_X(location));
    origin := ST_Transform(location, srid);
    fan := gisgov_coverage_fan(location, azimuth, field_of_view, range_m, srid);
    sector := ST_Transform(fan, 4326);
    SELECT min(b.id) INTO host_building_id
    FROM buildings_building b WHERE ST_Intersects(b.footprint, location);
    WITH building AS (
        SELECT ST_Transform(ST_ForcePolygonCCW(b.footprint), srid) AS footprint,
               ST_Intersects(b.footprint, location) AS is_host
        FROM buildings_building b
        WHERE ST_Intersects(b.footprint, sector)
    ),
    edge AS (  -- wall ends relative to the camera, in metres
        SELECT ST_X(ST_StartPoint(s.geom)) - ST_X(origin) AS ax,
               ST_Y(ST_StartPoint(s.geom)) - ST_Y(origin) AS ay,
               ST_X(ST_EndPoint(s.geom)) - ST_X(origin) AS bx,
               ST_Y(ST_EndPoint(s.geom)) - ST_Y(origin) AS by
        FROM building, ST_DumpSegments(ST_ExteriorRing(footprint)) s
        WHERE NOT is_host
    ),
    facing AS (
        -- A counter-clockwise ring has the camera on its right of the walls facing it; a ray
        -- into the building crosses one of them first, so their shadows make the whole shadow.
        SELECT ax, ay, bx, by, atan2(ax, ay) AS bearing_a,
               mod((atan2(bx, by) - atan2(ax, ay) + 2 * pi())::numeric, (2 * pi())::numeric)::float8
                   AS spread,
               -- Far enough that the shadow's far side lies outside the range everywhere.
               2 * greatest(range_m, sqrt(ax * ax + ay * ay), sqrt(bx * bx + by * by)) AS far
        FROM edge
        WHERE ax * by - ay * bx < 0
    ),
    shadow AS (
        -- The wall, then the far ends of the rays through its ends, with a vertex every 10° or
        -- less between them so the far side stays beyond the range.
        SELECT ST_MakePolygon(ST_MakeLine(
                   ARRAY[ST_MakePoint(ax, ay), ST_MakePoint(bx, by)]
                   || ARRAY(
                       SELECT ST_MakePoint(far * sin(bearing_a + spread * (steps - k) / steps),
                                           far * cos(bearing_a + spread * (steps - k) / steps))
                       FROM generate_series(0, steps) k ORDER BY k)
                   || ARRAY[ST_MakePoint(ax, ay)])) AS geom
        FROM facing, LATERAL (SELECT greatest(ceil(spread / radians(10)), 1)::integer AS steps) n
    )
    SELECT ST_Union(geom), (SELECT count(*) FROM building WHERE NOT is_host)
    INTO hidden, obstacles
    FROM (
        SELECT footprint AS geom FROM building
        UNION ALL
        SELECT ST_Translate(ST_SetSRID(geom, srid), ST_X(origin), ST_Y(origin)) FROM shadow
    ) parts;
    visible := CASE WHEN hidden IS NULL THEN ST_Multi(fan)
                    ELSE ST_Multi(ST_CollectionExtract(ST_Difference(fan, hidden), 3)) END;
    sector_area_m2 := ST_Area(fan);
    visible_area_m2 := ST_Area(visible);
    -- Parts that touch at a vertex in metres can cross by a rounding error in degrees.
    -- (ST_IsValidDetail says so without a NOTICE in the log for each.)
    visible := ST_Transform(visible, 4326);
    IF NOT (ST_IsValidDetail(visible)).valid THEN
        visible := ST_Multi(ST_CollectionExtract(ST_MakeValid(visible), 3));
    END IF;
END $$;

-- Computes and stores the sectors of these cameras; returns how many it wrote.
CREATE FUNCTION gisgov_coverage_refresh(camera_ids bigint[]) RETURNS integer
LANGUAGE sql VOLATILE AS $$
    WITH written AS (
        INSERT INTO coverage_camerasector AS s (
            camera_id, srid, sector, visible, sector_area_m2, visible_area_m2, obstacles,
            host_building_id, computed_at)
        SELECT c.id, v.srid, v.sector, v.visible, v.sector_area_m2, v.visible_area_m2,
               v.obstacles, v.host_building_id, clock_timestamp()
        FROM cameras_camerasite c,
             LATERAL gisgov_coverage_view(c.location, c.azimuth, c.field_of_view, c.range_m) v
        WHERE c.id = ANY(camera_ids)
        ON CONFLICT (camera_id) DO UPDATE SET
            srid = excluded.srid, sector = excluded.sector, visible = excluded.visible,
            sector_area_m2 = excluded.sector_area_m2, visible_area_m2 = excluded.visible_area_m2,
            obstacles = excluded.obstacles, host_building_id = excluded.host_building_id,
            computed_at = excluded.computed_at
        RETURNING 1
    )
    SELECT count(*)::integer FROM written
$$;

CREATE FUNCTION gisgov_coverage_cameras_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM gisgov_coverage_refresh(ARRAY(SELECT id FROM new_cameras));
    ELSE
        -- A new status or name leaves the sector as it was (coverage reads the status).
        PERFORM gisgov_coverage_refresh(ARRAY(
            SELECT n.id FROM old_cameras o JOIN new_cameras n ON n.id = o.id
            WHERE NOT (o.location = n.location) OR o.azimuth <> n.azimuth
               OR o.field_of_view <> n.field_of_view OR o.range_m <> n.range_m));
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER coverage_cameras_insert AFTER INSERT ON cameras_camerasite
    REFERENCING NEW TABLE AS new_cameras
    FOR EACH STATEMENT EXECUTE FUNCTION gisgov_coverage_cameras_changed();
CREATE TRIGGER coverage_cameras_update AFTER UPDATE ON cameras_camerasite
    REFERENCING OLD TABLE AS old_cameras NEW TABLE AS new_cameras
    FOR EACH STATEMENT EXECUTE FUNCTION gisgov_coverage_cameras_changed();

-- Footprints a write drew, moved or removed: the cameras whose sectors they touch (before or
-- after a move) are refreshed.
CREATE FUNCTION gisgov_coverage_buildings_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM gisgov_coverage_refresh(ARRAY(
            SELECT DISTINCT s.camera_id FROM new_buildings b
            JOIN coverage_camerasector s ON ST_Intersects(s.sector, b.footprint)));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM gisgov_coverage_refresh(ARRAY(
            SELECT DISTINCT s.camera_id FROM old_buildings b
            JOIN coverage_camerasector s ON ST_Intersects(s.sector, b.footprint)));
    ELSIF TG_OP = 'UPDATE' THEN
        -- Households or a new grid leave the shadows as they were.
        PERFORM gisgov_coverage_refresh(ARRAY(
            SELECT DISTINCT s.camera_id
            FROM old_buildings o JOIN new_buildings n ON n.id = o.id,
                 LATERAL (VALUES (o.footprint), (n.footprint)) f(footprint)
                 JOIN coverage_camerasector s ON ST_Intersects(s.sector, f.footprint)
            WHERE NOT (o.footprint = n.footprint)));
    ELSE  -- TRUNCATE
        PERFORM gisgov_coverage_refresh(ARRAY(SELECT camera_id FROM coverage_camerasector));
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER coverage_buildings_insert AFTER INSERT ON buildings_building
    REFERENCING NEW TABLE AS new_buildings
    FOR EACH STATEMENT EXECUTE FUNCTION gisgov_coverage_buildings_changed();
CREATE TRIGGER coverage_buildings_update AFTER UPDATE ON buildings_building
    REFERENCING OLD TABLE AS old_buildings NEW TABLE AS new_buildings
    FOR EACH STATEMENT EXECUTE FUNCTION gisgov_coverage_buildings_changed();
CREATE TRIGGER coverage_buildings_delete AFTER DELETE ON buildings_building
    REFERENCING OLD TABLE AS old_buildings
    FOR EACH STATEMENT EXECUTE FUNCTION gisgov_coverage_buildings_changed();
CREATE TRIGGER coverage_buildings_truncate AFTER TRUNCATE ON buildings_building
    FOR EACH STATEMENT EXECUTE FUNCTION gisgov_coverage_buildings_changed();

-- Sectors of the cameras there were before this migration.
SELECT gisgov_coverage_refresh(ARRAY(SELECT id FROM cameras_camerasite));
"""

REVERSE = """
DROP TRIGGER coverage_buildings_truncate ON buildings_building;
DROP TRIGGER coverage_buildings_delete ON buildings_building;
DROP TRIGGER coverage_buildings_update ON buildings_building;
DROP TRIGGER coverage_buildings_insert ON buildings_building;
DROP FUNCTION gisgov_coverage_buildings_changed();
DROP TRIGGER coverage_cameras_update ON cameras_camerasite;
DROP TRIGGER coverage_cameras_insert ON cameras_camerasite;
DROP FUNCTION gisgov_coverage_cameras_changed();
DROP FUNCTION gisgov_coverage_refresh(bigint[]);
DROP FUNCTION gisgov_coverage_view(geometry, float8, float8, float8);
DROP FUNCTION gisgov_coverage_fan(geometry, float8, float8, float8, integer);
ALTER TABLE coverage_camerasector DROP CONSTRAINT coverage_camerasector_camera_fk;
DELETE FROM coverage_camerasector;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("coverage", "0001_initial"),
        ("grids", "0002_topology_enforcement"),  # gisgov_gauss_kruger_srid
    ]

    operations = [migrations.RunSQL(FORWARD, REVERSE)]
