-- Every building of the labelled units, with the grid it is in now and the plan grid it goes to.
INSERT INTO balancing_planassignment (plan_id, building_id, plan_grid_id, previous_grid_id,
                                      households)
SELECT %(plan_id)s, b.id, l.plan_grid_id, b.grid_id, b.households
FROM unnest(%(unit_ids)s::bigint[], %(plan_grid_ids)s::bigint[]) l(unit_id, plan_grid_id)
JOIN balancing_cells c ON c.unit_id = l.unit_id
JOIN buildings_building b ON b.id = ANY(c.building_ids)
