-- One row per feature: the columns import_layer reads (references written as the code or name
-- they resolve from) and the geometry, in storage CRS (EPSG:4326).
SELECT {properties}, t.{geometry} AS geom
FROM {table} t
{joins}
WHERE t.{pk} IN ({selected})
ORDER BY t.{pk}
