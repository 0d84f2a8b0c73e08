-- The units of one village with their measures, in a stable order.
SELECT unit_id, building_ids, grid_id, households, residents, weighted_incidents, area_km2, x, y
FROM balancing_cells WHERE village_id = %(village_id)s ORDER BY unit_id
