-- Step 1 of the cells: the balancing units of some villages, for this transaction. A unit is
-- a building (or the buildings sharing one point), located at ST_PointOnSurface of its
-- footprint as the location triggers do, in the village's Gauss-Krueger frame (where the
-- topology check judges tiling). Buildings of exclusive grids are left out: those grids stay.
CREATE TEMP TABLE balancing_units ON COMMIT DROP AS
WITH villages AS (
    SELECT a.id, gisgov_gauss_kruger_srid(ST_X(ST_Centroid(a.geom))) AS srid
    FROM areas_adminarea a WHERE a.id = ANY(%(village_ids)s)
),
located AS (
    SELECT b.id, v.id AS village_id, v.srid, b.grid_id, b.households, b.residents,
           ST_SnapToGrid(ST_Transform(ST_PointOnSurface(b.footprint), v.srid), 0.01) AS point
    FROM buildings_building b
    JOIN villages v ON v.id = b.area_id
    LEFT JOIN grids_grid g ON g.id = b.grid_id
    WHERE g.kind IS DISTINCT FROM 'exclusive'
)
SELECT village_id, srid, min(id) AS unit_id, array_agg(id ORDER BY id) AS building_ids,
       mode() WITHIN GROUP (ORDER BY grid_id) AS grid_id,
       sum(households)::bigint AS households, sum(residents)::bigint AS residents, point
FROM located GROUP BY village_id, srid, point
