-- The current grids inside the area filter (a re-drawn grid's incidents are moved to the grids
-- in force by the location triggers); each grid is its own member.
units AS (
    SELECT g.id, g.code, g.name
    FROM grids_grid g JOIN areas_adminarea v ON v.id = g.village_id
    WHERE g.valid_to IS NULL
      AND (%(area_prefix)s::text IS NULL OR v.code LIKE %(area_prefix)s::text || '%%')
),
members AS (SELECT id AS member_id, id AS unit_id FROM units)
