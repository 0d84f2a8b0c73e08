-- Incidents counted in hexagons of edge %(size)s m in the Gauss-Krueger frame, over every hexagon
-- touching the region (empty ones too: hot-spot statistics need the zeros).
WITH frame AS (SELECT srid FROM heatmaps_frame),
region AS (
    SELECT ST_Union(ST_Transform(a.geom, f.srid)) AS g
    FROM areas_adminarea a CROSS JOIN frame f
    WHERE a.id = ANY(%(region_ids)s::bigint[])
),
hexes AS (
    SELECT h.i, h.j, h.geom
    FROM region r CROSS JOIN LATERAL ST_HexagonGrid(%(size)s, r.g) h
    WHERE ST_Intersects(h.geom, r.g)
),
weights AS (
    SELECT * FROM unnest(%(categories)s::text[], %(weights)s::float8[]) w(category, weight)
),
counts AS (
    SELECT h.i, h.j, count(*) AS incidents, sum(w.weight) AS weight
    FROM incidents_incident i
    JOIN weights w ON w.category = i.category
    CROSS JOIN frame f
    CROSS JOIN LATERAL (SELECT ST_Transform(i.location, f.srid) AS g) p
    -- A point on a shared edge belongs to one hexagon only: the first by index.
    CROSS JOIN LATERAL (
        SELECT c.i, c.j FROM ST_HexagonGrid(%(size)s, p.g) c
        WHERE ST_Intersects(c.geom, p.g) ORDER BY c.i, c.j LIMIT 1
    ) h
    WHERE (%(start)s::timestamptz IS NULL OR i.reported_at >= %(start)s::timestamptz)
      AND (%(end)s::timestamptz IS NULL OR i.reported_at < %(end)s::timestamptz)
      AND i.status = ANY(%(statuses)s::text[])
      AND (%(all_areas)s OR coalesce(i.area_id, 0) = ANY(%(area_ids)s::bigint[]))
    GROUP BY h.i, h.j
)
SELECT x.i, x.j, ST_X(ST_Centroid(x.geom)), ST_Y(ST_Centroid(x.geom)),
       ST_AsGeoJSON(ST_Transform(x.geom, 4326), 7),
       coalesce(c.incidents, 0), coalesce(c.weight, 0)
FROM hexes x LEFT JOIN counts c USING (i, j)
ORDER BY x.i, x.j
