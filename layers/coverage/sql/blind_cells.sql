-- Weighted cells whose centre no active camera sees: where incidents happen out of sight.
WITH cell AS ({cells})
SELECT cell.i, cell.j, cell.weight, cell.incidents,
       ST_AsGeoJSON(ST_Transform(cell.geom, 4326), 7) AS geometry
FROM cell
WHERE cell.weight > 0 AND NOT EXISTS (
    SELECT 1 FROM coverage_camerasector s
    JOIN cameras_camerasite c ON c.id = s.camera_id AND c.status = 'active'
    WHERE ST_Intersects(s.visible, ST_Transform(ST_Centroid(cell.geom), 4326)))
ORDER BY cell.weight DESC, cell.i, cell.j
