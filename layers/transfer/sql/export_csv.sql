-- Each feature's properties and its geometry as CSV columns: lon/lat for points, WKT otherwise.
-- Properties as JSON text: Django's connection hands jsonb over as text anyway.
SELECT (to_jsonb(feature) - 'geom')::text, {geometry_columns}
FROM ({features}) AS feature
