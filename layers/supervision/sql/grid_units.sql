-- The grids inside the area filter: current ones, and closed ones still holding incidents; a
-- re-drawn grid keeps its code, so one row a code with the current name.
SELECT DISTINCT ON (g.code) g.code, g.name
FROM grids_grid g JOIN areas_adminarea v ON v.id = g.village_id
WHERE (g.valid_to IS NULL OR g.code IN (SELECT grid_code FROM facts))
  AND (%(area_prefix)s::text IS NULL OR v.code LIKE %(area_prefix)s::text || '%%')
  {scope}
ORDER BY g.code, g.valid_to DESC NULLS FIRST
