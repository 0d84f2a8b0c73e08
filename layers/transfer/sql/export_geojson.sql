-- Each feature as a GeoJSON Feature; 9 decimals of a degree is a tenth of a millimetre.
SELECT ST_AsGeoJSON(feature.*, 'geom', 9)
FROM ({features}) AS feature
