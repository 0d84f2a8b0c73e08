-- Hot-spot hexagons (bound as arrays: GeoJSON geometry, Gi* z, class, incidents) whose centre
-- no active camera sees, with the share of each hexagon active cameras do see (m² in the
-- Gauss-Krueger zone %(srid)s): the same test as blind cells, so the two agree.
WITH hot AS (
    SELECT h.i, h.j, h.z, h.hot_class, h.incidents, h.geometry,
           ST_SetSRID(ST_GeomFromGeoJSON(h.geometry), 4326) AS geom
    FROM unnest(%(hot_i)s::integer[], %(hot_j)s::integer[], %(hot_geometry)s::text[],
                %(hot_z)s::float8[], %(hot_class)s::text[], %(hot_incidents)s::integer[])
         AS h(i, j, geometry, z, hot_class, incidents)
),
metric AS (
    SELECT hot.*, ST_Transform(hot.geom, %(srid)s) AS ground FROM hot
)
SELECT m.i, m.j, m.z, m.hot_class, m.incidents,
       round((100 * coalesce(ST_Area(ST_Intersection(m.ground, seen.ground)), 0)
              / nullif(ST_Area(m.ground), 0))::numeric, 2)::float8 AS seen_pct,
       m.geometry
FROM metric m
LEFT JOIN LATERAL (
    SELECT ST_Union(ST_Transform(s.visible, %(srid)s)) AS ground
    FROM coverage_camerasector s
    JOIN cameras_camerasite c ON c.id = s.camera_id AND c.status = 'active'
    WHERE ST_Intersects(s.visible, m.geom)
) seen ON true
WHERE NOT EXISTS (
    SELECT 1 FROM coverage_camerasector s
    JOIN cameras_camerasite c ON c.id = s.camera_id AND c.status = 'active'
    WHERE ST_Intersects(s.visible, ST_Transform(ST_Centroid(m.ground), 4326)))
ORDER BY m.z DESC, m.i, m.j
