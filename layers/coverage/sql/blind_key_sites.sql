-- Key sites at or under a division code that no active camera sees.
SELECT ks.id, ks.name, ks.kind, v.code AS village, g.code AS grid,
       ST_AsGeoJSON(ks.location, 7) AS geometry
FROM keysites_keysite ks
JOIN areas_adminarea v ON v.id = ks.area_id
LEFT JOIN grids_grid g ON g.id = ks.grid_id
WHERE starts_with(v.code, %(code_prefix)s)
  AND (%(kinds)s::text[] IS NULL OR ks.kind = ANY(%(kinds)s::text[]))
  AND NOT EXISTS (
      SELECT 1 FROM coverage_camerasector s
      JOIN cameras_camerasite c ON c.id = s.camera_id AND c.status = 'active'
      WHERE ST_Intersects(s.visible, ks.location))
ORDER BY ks.kind, v.code, ks.name, ks.id
