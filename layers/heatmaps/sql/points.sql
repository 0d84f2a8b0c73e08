-- Incidents at their true position in the metric frame (the exact density path, hot spots).
SELECT i.category, ST_X(p.g), ST_Y(p.g), coalesce(i.area_id, 0)
FROM incidents_incident i
CROSS JOIN heatmaps_frame f
CROSS JOIN LATERAL (SELECT ST_Transform(i.location, f.srid) AS g) p
WHERE (%(start)s::timestamptz IS NULL OR i.reported_at >= %(start)s::timestamptz)
  AND (%(end)s::timestamptz IS NULL OR i.reported_at < %(end)s::timestamptz)
  AND i.category = ANY(%(categories)s::text[])
  AND i.status = ANY(%(statuses)s::text[])
  AND (%(all_areas)s OR coalesce(i.area_id, 0) = ANY(%(area_ids)s::bigint[]))
LIMIT %(limit)s
