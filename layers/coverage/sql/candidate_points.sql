-- Candidate camera sites under a division code: its key sites, and road points every
-- %(spacing)s m along the boundaries of its current grids (grids tile villages along roads,
-- lanes and field edges; shared edges are sampled once).
WITH boundary AS (
    SELECT (ST_Dump(ST_LineMerge(ST_Union(ST_Boundary(ST_Transform(g.geom, %(srid)s)))))).geom
               AS line
    FROM grids_grid g JOIN areas_adminarea v ON v.id = g.village_id
    WHERE g.valid_to IS NULL AND starts_with(v.code, %(code_prefix)s) AND %(spacing)s > 0
),
road AS (
    SELECT (ST_Dump(ST_Transform(
               ST_LineInterpolatePoints(line, least(1.0, %(spacing)s / ST_Length(line)), true),
               4326))).geom AS location
    FROM boundary WHERE ST_Length(line) > 0
)
SELECT 'key_site' AS source, ks.name AS label, ST_X(ks.location), ST_Y(ks.location)
FROM keysites_keysite ks JOIN areas_adminarea v ON v.id = ks.area_id
WHERE %(key_sites)s AND starts_with(v.code, %(code_prefix)s)
UNION ALL
SELECT 'road', '', ST_X(location), ST_Y(location) FROM road
