-- The balancing units of some villages, one row each, in a temporary table for this transaction:
-- a unit is a building (or the buildings sharing one point), located at ST_PointOnSurface of its
-- footprint as the location triggers do, and owning the Voronoi cell of that point clipped to
-- its village minus the village's exclusive grids, which stay as they are. Cells tile that
-- region exactly, in the village's Gauss-Krueger frame (as the topology check judges it), so
-- grids dissolved from them tile it too. Its workload: households, residents, the incidents of
-- [since, until) inside its cell weighted by category, and its area; all add up per grid.
CREATE TEMP TABLE balancing_cells ON COMMIT DROP AS
WITH villages AS (
    SELECT a.id, gisgov_gauss_kruger_srid(ST_X(ST_Centroid(a.geom))) AS srid, a.geom
    FROM areas_adminarea a WHERE a.id = ANY(%(village_ids)s)
),
regions AS (
    SELECT v.id AS village_id, v.srid,
           coalesce(ST_Difference(gisgov_valid_in(v.geom, v.srid), e.geom),
                    gisgov_valid_in(v.geom, v.srid)) AS geom
    FROM villages v
    LEFT JOIN LATERAL (
        SELECT ST_Union(gisgov_valid_in(g.geom, v.srid)) AS geom FROM grids_grid g
        WHERE g.village_id = v.id AND g.valid_to IS NULL AND g.kind = 'exclusive'
    ) e ON true
),
located AS (
    SELECT b.id, r.village_id, b.grid_id, b.households, b.residents,
           ST_SnapToGrid(ST_Transform(ST_PointOnSurface(b.footprint), r.srid), 0.01) AS point
    FROM buildings_building b
    JOIN regions r ON r.village_id = b.area_id
    LEFT JOIN grids_grid g ON g.id = b.grid_id
    WHERE g.kind IS DISTINCT FROM 'exclusive'
),
units AS (
    SELECT village_id, min(id) AS unit_id, array_agg(id ORDER BY id) AS building_ids,
           mode() WITHIN GROUP (ORDER BY grid_id) AS grid_id,
           sum(households)::bigint AS households, sum(residents)::bigint AS residents, point
    FROM located GROUP BY village_id, point
),
voronoi AS (
    SELECT r.village_id, r.geom AS region, d.geom AS cell
    FROM regions r,
         LATERAL (SELECT ST_Collect(point) AS points, count(*) AS n FROM units u
                  WHERE u.village_id = r.village_id) p,
         LATERAL ST_Dump(CASE WHEN p.n > 1
                              THEN ST_VoronoiPolygons(p.points, 0, ST_Expand(r.geom, 100))
                              ELSE ST_Expand(r.geom, 100) END) d
    WHERE p.n > 0
),
parts AS (
    -- Clipping can cut a cell in pieces (a concave village, an exclusive grid): the piece
    -- holding the point stays, the others join the neighbouring cell they share most edge with.
    SELECT u.unit_id, u.village_id, u.point, d.geom, ST_Intersects(d.geom, u.point) AS own
    FROM voronoi v
    JOIN units u ON u.village_id = v.village_id AND ST_Intersects(v.cell, u.point),
         LATERAL ST_Dump(ST_CollectionExtract(ST_Intersection(v.cell, v.region), 3)) d
),
adopted AS (
    SELECT coalesce((
        SELECT m.unit_id FROM parts m
        WHERE m.own AND m.village_id = o.village_id AND ST_Intersects(m.geom, o.geom)
        ORDER BY ST_Length(ST_CollectionExtract(ST_Intersection(m.geom, o.geom), 2)) DESC,
                 m.unit_id
        LIMIT 1), o.unit_id) AS unit_id, o.geom
    FROM parts o WHERE NOT o.own
),
cells AS (
    SELECT unit_id, ST_Union(geom) AS geom
    FROM (SELECT unit_id, geom FROM parts WHERE own UNION ALL SELECT * FROM adopted) p
    GROUP BY unit_id
),
incidents AS (
    SELECT c.unit_id, sum(coalesce((%(category_weights)s::jsonb ->> n.category)::float8,
                                   %(default_category_weight)s)) AS weighted
    FROM cells c JOIN units u USING (unit_id)
    JOIN incidents_incident n
      ON n.area_id = u.village_id AND n.reported_at >= %(since)s AND n.reported_at < %(until)s
     AND ST_Intersects(c.geom, ST_Transform(n.location, ST_SRID(c.geom)))
    GROUP BY c.unit_id
)
SELECT u.unit_id, u.village_id, u.building_ids, u.grid_id, u.households, u.residents,
       coalesce(i.weighted, 0) AS weighted_incidents, ST_Area(c.geom) / 1e6 AS area_km2,
       ST_X(u.point) AS x, ST_Y(u.point) AS y, c.geom, NULL::integer AS label
FROM units u JOIN cells c USING (unit_id) LEFT JOIN incidents i USING (unit_id);

CREATE INDEX ON balancing_cells USING gist (geom);
CREATE INDEX ON balancing_cells (unit_id);
ANALYZE balancing_cells;
