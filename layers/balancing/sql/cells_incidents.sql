-- Step 4: the incidents of [since, until) inside each cell, weighted by category.
UPDATE balancing_cells c SET weighted_incidents = w.weighted
FROM (
    SELECT c.unit_id, sum(coalesce((%(category_weights)s::jsonb ->> n.category)::float8,
                                   %(default_category_weight)s)) AS weighted
    FROM incidents_incident n
    JOIN balancing_cells c
      ON c.village_id = n.area_id AND c.geom && ST_Transform(n.location, c.srid)
     AND ST_Intersects(c.geom, ST_Transform(n.location, c.srid))
    WHERE n.area_id = ANY(%(village_ids)s)
      AND n.reported_at >= %(since)s AND n.reported_at < %(until)s
    GROUP BY c.unit_id
) w
WHERE w.unit_id = c.unit_id
