-- Each feature's properties and its geometry as CSV columns: lon/lat for points, WKT otherwise.
SELECT to_jsonb(feature) - 'geom', {geometry_columns}
FROM ({features}) AS feature
