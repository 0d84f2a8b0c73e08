-- Coverage of each current grid or each village at or under a division code: the share of its
-- area seen by an active camera (in the Gauss-Krueger zone of the unit, in m²), of its key
-- sites, and of the incidents reported in it in [since, until).
WITH unit AS (
    SELECT g.id, g.code, g.name, v.code AS village, g.geom::geometry AS geom
    FROM grids_grid g JOIN areas_adminarea v ON v.id = g.village_id
    WHERE %(level)s = 'grid' AND g.valid_to IS NULL AND starts_with(v.code, %(code_prefix)s)
    UNION ALL
    SELECT a.id, a.code, a.name, a.code, a.geom::geometry
    FROM areas_adminarea a
    WHERE %(level)s = 'village' AND a.level = 5 AND starts_with(a.code, %(code_prefix)s)
),
framed AS (
    SELECT unit.*, gisgov_gauss_kruger_srid(ST_X(ST_Centroid(geom))) AS srid FROM unit
),
measured AS (
    SELECT f.*, ST_Area(ST_Transform(f.geom, f.srid)) AS area_m2,
           coalesce(ST_Area(ST_Intersection(ST_Transform(f.geom, f.srid), seen.ground)), 0)
               AS covered_m2,
           coalesce(seen.cameras, 0) AS cameras
    FROM framed f
    LEFT JOIN LATERAL (
        SELECT ST_Union(ST_Transform(s.visible, f.srid)) AS ground, count(*) AS cameras
        FROM coverage_camerasector s
        JOIN cameras_camerasite c ON c.id = s.camera_id AND c.status = 'active'
        WHERE ST_Intersects(s.visible, f.geom)
    ) seen ON true
)
SELECT m.code, m.name, m.village, m.area_m2, m.covered_m2,
       round((100 * m.covered_m2 / nullif(m.area_m2, 0))::numeric, 2)::float8 AS area_pct,
       m.cameras,
       k.total AS key_sites, k.seen AS key_sites_seen,
       round((100.0 * k.seen / nullif(k.total, 0))::numeric, 2)::float8 AS key_sites_pct,
       n.total AS incidents, n.seen AS incidents_seen,
       round((100.0 * n.seen / nullif(n.total, 0))::numeric, 2)::float8 AS incidents_pct,
       ST_AsGeoJSON(m.geom, 7) AS geometry
FROM measured m
LEFT JOIN LATERAL (
    SELECT count(*) AS total, count(*) FILTER (WHERE seen) AS seen
    FROM keysites_keysite ks,
         LATERAL (SELECT EXISTS (
             SELECT 1 FROM coverage_camerasector s
             JOIN cameras_camerasite c ON c.id = s.camera_id AND c.status = 'active'
             WHERE ST_Intersects(s.visible, ks.location)) AS seen) v
    WHERE CASE WHEN %(level)s = 'grid' THEN ks.grid_id ELSE ks.area_id END = m.id
) k ON true
LEFT JOIN LATERAL (
    SELECT count(*) AS total, count(*) FILTER (WHERE seen) AS seen
    FROM incidents_incident i,
         LATERAL (SELECT EXISTS (
             SELECT 1 FROM coverage_camerasector s
             JOIN cameras_camerasite c ON c.id = s.camera_id AND c.status = 'active'
             WHERE ST_Intersects(s.visible, i.location)) AS seen) v
    WHERE CASE WHEN %(level)s = 'grid' THEN i.grid_id ELSE i.area_id END = m.id
      AND i.reported_at >= %(since)s AND i.reported_at < %(until)s
) n ON true
ORDER BY m.code
