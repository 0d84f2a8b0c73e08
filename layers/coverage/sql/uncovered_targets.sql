-- The cells a new camera could win: weighted cells whose centre no active camera sees, with
-- their centre in lon/lat for the candidates' sectors to test.
INSERT INTO coverage_targets (id, weight, centre)
WITH cell AS ({cells})
SELECT row_number() OVER (ORDER BY cell.i, cell.j), cell.weight,
       ST_Transform(ST_Centroid(cell.geom), 4326)
FROM cell
WHERE cell.weight > 0 AND NOT EXISTS (
    SELECT 1 FROM coverage_camerasector s
    JOIN cameras_camerasite c ON c.id = s.camera_id AND c.status = 'active'
    WHERE ST_Intersects(s.visible, ST_Transform(ST_Centroid(cell.geom), 4326)))
