-- The weight source "incidents": hexagons of side %(cell_side)s m in the Gauss-Krueger zone
-- %(srid)s, each weighted by the incidents reported in it under the division code in
-- [since, until). Each incident finds its hexagon among those ST_HexagonGrid lays over the
-- point alone (the grid is anchored at the frame's origin, so every point agrees on it).
SELECT h.i, h.j, h.geom, count(*)::float8 AS weight, count(*) AS incidents
FROM incidents_incident n
JOIN areas_adminarea v ON v.id = n.area_id,
     LATERAL (
         SELECT hex.i, hex.j, hex.geom
         FROM ST_HexagonGrid(%(cell_side)s, ST_Transform(n.location, %(srid)s)) hex
         WHERE ST_Intersects(hex.geom, ST_Transform(n.location, %(srid)s))
         ORDER BY hex.i, hex.j LIMIT 1
     ) h
WHERE starts_with(v.code, %(code_prefix)s)
  AND n.reported_at >= %(since)s AND n.reported_at < %(until)s
GROUP BY h.i, h.j, h.geom
