-- Incidents of a part of a day (a window edge), binned and packed exactly as the day cells are.
SELECT category,
       string_agg(int4send(floor(ST_X(p.g) / f.cell_m)::integer)
                  || int4send(floor(ST_Y(p.g) / f.cell_m)::integer)
                  || int4send(coalesce(i.area_id, 0)::integer), ''::bytea)
FROM incidents_incident i
CROSS JOIN heatmaps_frame f
CROSS JOIN LATERAL (SELECT ST_Transform(i.location, f.srid) AS g) p
WHERE i.reported_at >= %(start)s AND i.reported_at < %(end)s
  AND i.category = ANY(%(categories)s::text[])
  AND i.status = ANY(%(statuses)s::text[])
GROUP BY category
