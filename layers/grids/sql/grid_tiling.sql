-- Gaps, overlaps and parts outside of the current grids of each village, with areas in m²
-- (gisgov_grid_tiling, migration grids 0002, also used by the enforcement trigger).
SELECT t.kind, a.code, t.codes, t.area_m2, ST_AsGeoJSON(t.geom, 7)
FROM gisgov_grid_tiling(%(village_ids)s, NULL, NULL, NULL) t
JOIN areas_adminarea a ON a.id = t.village_id
ORDER BY a.code, t.kind, t.area_m2 DESC
