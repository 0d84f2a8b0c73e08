-- Step 2: the Voronoi cells of each village's unit points, and the region they are clipped
-- to: the village minus its exclusive grids.
CREATE TEMP TABLE balancing_voronoi ON COMMIT DROP AS
WITH regions AS (
    SELECT a.id AS village_id, s.srid,
           coalesce(ST_Difference(gisgov_valid_in(a.geom, s.srid), e.geom),
                    gisgov_valid_in(a.geom, s.srid)) AS geom
    FROM areas_adminarea a
    JOIN (SELECT DISTINCT village_id, srid FROM balancing_units) s ON s.village_id = a.id
    LEFT JOIN LATERAL (
        SELECT ST_Union(gisgov_valid_in(g.geom, s.srid)) AS geom FROM grids_grid g
        WHERE g.village_id = a.id AND g.valid_to IS NULL AND g.kind = 'exclusive'
    ) e ON true
)
SELECT r.village_id, r.geom AS region, d.geom AS cell
FROM regions r,
     LATERAL (SELECT ST_Collect(point) AS points, count(*) AS n FROM balancing_units u
              WHERE u.village_id = r.village_id) p,
     LATERAL ST_Dump(CASE WHEN p.n > 1
                          THEN ST_VoronoiPolygons(p.points, 0, ST_Expand(r.geom, 100))
                          ELSE ST_Expand(r.geom, 100) END) d
