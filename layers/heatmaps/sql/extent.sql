-- The metric bounding box of the selected villages (all areas when none are named).
SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)
FROM (
    SELECT ST_Extent(ST_Transform(a.geom, f.srid)) AS e
    FROM areas_adminarea a CROSS JOIN heatmaps_frame f
    WHERE (%(all_areas)s AND a.parent_id IS NULL) OR a.id = ANY(%(area_ids)s::bigint[])
) s
