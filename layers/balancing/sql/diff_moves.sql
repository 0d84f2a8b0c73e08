-- The buildings a plan moves to a grid of another code, with their point (GeoJSON).
SELECT a.building_id, g.code, pg.code, a.households,
       ST_AsGeoJSON(ST_PointOnSurface(b.footprint), 7)
FROM balancing_planassignment a
JOIN balancing_plangrid pg ON pg.id = a.plan_grid_id
JOIN buildings_building b ON b.id = a.building_id
LEFT JOIN grids_grid g ON g.id = a.previous_grid_id
WHERE a.plan_id = %(plan_id)s AND g.code IS DISTINCT FROM pg.code
ORDER BY a.building_id
