"""Grids tile their village (四至清晰、无缝对接): every write path is checked at commit."""

from django.db import migrations

# The tolerance (1 m², layers.common.constants.TILING_TOLERANCE_M2) and the SQLSTATE
# (layers.grids.topology.TOPOLOGY_SQLSTATE) are frozen here as this migration was written.
FORWARD = """
-- What the edits of the current transaction touched: rows are inserted by the grid triggers and
-- deleted by the check at commit, so they are never visible to another transaction.
CREATE TABLE grids_topology_pending (
    village_id bigint NOT NULL,
    grid_code varchar(32),
    old_geom geometry(Polygon, 4326)  -- the shape a current grid had before the edit
);

CREATE FUNCTION gisgov_grids_record_edit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO grids_topology_pending (village_id)
        SELECT DISTINCT village_id FROM new_grids WHERE valid_to IS NULL;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO grids_topology_pending (village_id, grid_code, old_geom)
        SELECT village_id, code, geom FROM old_grids WHERE valid_to IS NULL;
    ELSE
        -- A rename or a staff change leaves the tiling as it was: no check.
        INSERT INTO grids_topology_pending (village_id, grid_code, old_geom)
        SELECT o.village_id, o.code, CASE WHEN o.valid_to IS NULL THEN o.geom END
        FROM old_grids o JOIN new_grids n ON n.id = o.id
        WHERE NOT (o.geom = n.geom) OR o.village_id <> n.village_id
           OR o.valid_to IS DISTINCT FROM n.valid_to
        UNION ALL
        SELECT n.village_id, NULL, NULL
        FROM old_grids o JOIN new_grids n ON n.id = o.id
        WHERE n.valid_to IS NULL AND (NOT (o.geom = n.geom) OR o.village_id <> n.village_id
                                      OR o.valid_to IS NOT NULL);
    END IF;
    -- Two transactions editing one village would each pass alone and overlap together.
    PERFORM 1 FROM areas_adminarea a
    WHERE a.id IN (SELECT village_id FROM grids_topology_pending) FOR NO KEY UPDATE;
    RETURN NULL;
END $$;

CREATE TRIGGER grids_record_insert AFTER INSERT ON grids_grid
    REFERENCING NEW TABLE AS new_grids
    FOR EACH STATEMENT EXECUTE FUNCTION gisgov_grids_record_edit();
CREATE TRIGGER grids_record_update AFTER UPDATE ON grids_grid
    REFERENCING OLD TABLE AS old_grids NEW TABLE AS new_grids
    FOR EACH STATEMENT EXECUTE FUNCTION gisgov_grids_record_edit();
CREATE TRIGGER grids_record_delete AFTER DELETE ON grids_grid
    REFERENCING OLD TABLE AS old_grids
    FOR EACH STATEMENT EXECUTE FUNCTION gisgov_grids_record_edit();

-- The CGCS2000 3-degree Gauss-Krueger zone (EPSG:4534-4554) whose central meridian is nearest.
CREATE FUNCTION gisgov_gauss_kruger_srid(longitude float8) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT least(greatest(4534 + round((longitude - 75) / 3)::integer, 4534), 4554)
$$;

-- How the current grids tile each village, as polygon parts with their area in m²:
-- overlaps of two grids, parts of grids outside their village, and gaps. With old shapes
-- (grids as they were before an edit), a gap is only what they covered and no grid covers now;
-- without (NULL), it is all of the village no grid covers.
-- A vertex placed on a boundary is on it only in the CRS it was computed in: storage lon/lat
-- for grids drawn on a map, a Gauss-Krueger zone for surveyed ones, where the straight edge
-- between the same two vertices runs up to metres away. Each village is judged in the frame
-- where its tiling is most exact, so that both kinds of data pass when they tile.
-- A shape valid in one frame can pinch into an invalid one in another (a needle collapsing);
-- the check must judge it, not fail on it.
CREATE FUNCTION gisgov_valid_in(g geometry, srid integer) RETURNS geometry
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CASE WHEN ST_IsValid(t) THEN t ELSE ST_CollectionExtract(ST_MakeValid(t), 3) END
    FROM (SELECT ST_Transform(g, srid) AS t) transformed
$$;

CREATE FUNCTION gisgov_grid_tiling(
    village_ids bigint[], old_village_ids bigint[], old_codes text[], old_geoms geometry[]
) RETURNS TABLE (kind text, village_id bigint, codes text[], area_m2 float8, geom geometry)
LANGUAGE sql STABLE AS $$
WITH villages AS (
    SELECT a.id, frame.srid, gisgov_valid_in(a.geom, frame.srid) AS geom
    FROM areas_adminarea a,
         LATERAL (VALUES (4326), (gisgov_gauss_kruger_srid(ST_X(ST_Centroid(a.geom))))) frame(srid)
    WHERE a.id = ANY(village_ids)
),
current_grids AS (
    SELECT g.id, g.code, v.id AS village_id, v.srid, gisgov_valid_in(g.geom, v.srid) AS geom
    FROM grids_grid g JOIN villages v ON v.id = g.village_id
    WHERE g.valid_to IS NULL
),
covers AS (
    SELECT v.id, v.srid, ST_Union(g.geom) AS geom
    FROM villages v JOIN current_grids g ON g.village_id = v.id AND g.srid = v.srid
    GROUP BY v.id, v.srid
),
old_shapes AS (
    SELECT v.id, v.srid, array_agg(DISTINCT o.code ORDER BY o.code) AS codes,
           ST_Union(gisgov_valid_in(o.geom, v.srid)) AS geom
    FROM unnest(old_village_ids, old_codes, old_geoms) o(village_id, code, geom)
    JOIN villages v ON v.id = o.village_id
    GROUP BY v.id, v.srid
),
pieces AS (
    SELECT 'overlap' AS kind, a.village_id, a.srid, ARRAY[a.code, b.code]::text[] AS codes,
           ST_Intersection(a.geom, b.geom) AS geom
    FROM current_grids a JOIN current_grids b
      ON b.village_id = a.village_id AND b.srid = a.srid AND a.id < b.id
     AND ST_Intersects(a.geom, b.geom)
    UNION ALL
    SELECT 'outside', g.village_id, g.srid, ARRAY[g.code]::text[], ST_Difference(g.geom, v.geom)
    FROM current_grids g JOIN villages v ON v.id = g.village_id AND v.srid = g.srid
    WHERE NOT ST_CoveredBy(g.geom, v.geom)
    UNION ALL
    SELECT 'gap', v.id, v.srid, coalesce(o.codes, ARRAY[]::text[]),
           ST_Difference(CASE WHEN old_geoms IS NULL THEN v.geom
                              ELSE ST_Intersection(o.geom, v.geom) END,
                         coalesce(c.geom, ST_SetSRID('POLYGON EMPTY'::geometry, v.srid)))
    FROM villages v
    LEFT JOIN old_shapes o ON o.id = v.id AND o.srid = v.srid
    LEFT JOIN covers c ON c.id = v.id AND c.srid = v.srid
    WHERE old_geoms IS NULL OR o.id IS NOT NULL
),
-- Measured in the frame they were cut in: moved to lon/lat, a sliver along a long edge would
-- take the other frame's curvature and grow by square metres.
measured AS (
    SELECT p.kind, p.village_id, p.srid, p.codes, ST_Transform(d.geom, 4326) AS geom,
           CASE WHEN p.srid = 4326 THEN ST_Area(d.geom::geography) ELSE ST_Area(d.geom) END
               AS area_m2
    FROM pieces p, ST_Dump(ST_CollectionExtract(p.geom, 3)) d
),
frames AS (
    SELECT DISTINCT ON (v.id) v.id, v.srid
    FROM villages v LEFT JOIN measured m ON m.village_id = v.id AND m.srid = v.srid
    GROUP BY v.id, v.srid
    ORDER BY v.id, coalesce(sum(m.area_m2), 0), v.srid = 4326 DESC
)
SELECT m.kind, m.village_id, m.codes, m.area_m2, m.geom
FROM measured m JOIN frames f ON f.id = m.village_id AND f.srid = m.srid
$$;

-- The problems (parts of 1 m² or more) the recorded edits leave in their villages: (a) overlaps
-- of two current grids, (b) area the old shapes covered that no current grid covers now (gaps
-- the village had before may stay), (c) grids sticking out of their village.
CREATE FUNCTION gisgov_grids_edit_problems() RETURNS jsonb LANGUAGE sql AS $$
WITH taken AS (
    DELETE FROM grids_topology_pending RETURNING village_id, grid_code, old_geom
),
edited AS (
    SELECT array_agg(DISTINCT village_id) AS village_ids,
           coalesce(array_agg(village_id) FILTER (WHERE old_geom IS NOT NULL), '{}')
               AS old_village_ids,
           coalesce(array_agg(grid_code::text) FILTER (WHERE old_geom IS NOT NULL), '{}')
               AS old_codes,
           coalesce(array_agg(old_geom::geometry) FILTER (WHERE old_geom IS NOT NULL), '{}')
               AS old_geoms
    FROM taken
)
SELECT jsonb_agg(jsonb_build_object(
    'kind', t.kind, 'village', a.code, 'codes', to_jsonb(t.codes),
    'area_m2', round(t.area_m2::numeric, 1),
    'geometry', ST_AsGeoJSON(t.geom, 7)::jsonb) ORDER BY t.area_m2 DESC)
FROM edited, gisgov_grid_tiling(edited.village_ids, edited.old_village_ids, edited.old_codes,
                                edited.old_geoms) t
JOIN areas_adminarea a ON a.id = t.village_id
WHERE t.area_m2 >= 1.0
$$;

CREATE FUNCTION gisgov_grids_check_topology() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    problems jsonb;
    worst jsonb;
BEGIN
    -- Fired once per edited row; the first firing checks the whole transaction's edits.
    IF NOT EXISTS (SELECT 1 FROM grids_topology_pending) THEN
        RETURN NULL;
    END IF;
    problems := gisgov_grids_edit_problems();
    IF problems IS NOT NULL THEN
        worst := problems -> 0;
        RAISE EXCEPTION USING
            ERRCODE = '23T01',
            MESSAGE = format(
                'grids must tile their village without gap or overlap: %s of %s m² in village '
                '%s (grids %s)%s',
                worst ->> 'kind', worst ->> 'area_m2', worst ->> 'village',
                array_to_string(ARRAY(SELECT jsonb_array_elements_text(worst -> 'codes')), ', '),
                CASE WHEN jsonb_array_length(problems) > 1
                     THEN format(' and %s more problems', jsonb_array_length(problems) - 1)
                     ELSE '' END),
            DETAIL = problems::text;
    END IF;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER grids_topology_check AFTER INSERT OR UPDATE OR DELETE ON grids_grid
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION gisgov_grids_check_topology();
"""

REVERSE = """
DROP TRIGGER grids_topology_check ON grids_grid;
DROP TRIGGER grids_record_delete ON grids_grid;
DROP TRIGGER grids_record_update ON grids_grid;
DROP TRIGGER grids_record_insert ON grids_grid;
DROP FUNCTION gisgov_grids_check_topology();
DROP FUNCTION gisgov_grids_edit_problems();
DROP FUNCTION gisgov_grid_tiling(bigint[], bigint[], text[], geometry[]);
DROP FUNCTION gisgov_valid_in(geometry, integer);
DROP FUNCTION gisgov_gauss_kruger_srid(float8);
DROP FUNCTION gisgov_grids_record_edit();
DROP TABLE grids_topology_pending;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("grids", "0001_initial"),
        ("areas", "0001_initial"),
        ("common", "0002_location_triggers"),
    ]

    operations = [migrations.RunSQL(FORWARD, REVERSE)]
