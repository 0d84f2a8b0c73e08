-- Pairs of units whose cells share an edge at least half a metre long, in the same village: a
-- corner, or the sliver of edge floating point leaves where four cells nearly meet, is no path
-- for a gridder and would join a grid through a point.
SELECT a.unit_id, b.unit_id
FROM balancing_cells a
JOIN balancing_cells b
  ON b.village_id = a.village_id AND b.unit_id > a.unit_id AND a.geom && b.geom
 AND ST_Intersects(a.geom, b.geom)
WHERE a.village_id = %(village_id)s
  AND ST_Length(ST_CollectionExtract(ST_Intersection(a.geom, b.geom), 2)) >= 0.5
