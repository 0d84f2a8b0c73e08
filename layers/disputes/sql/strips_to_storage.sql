-- Disputed strips, computed in metres, back to GeoJSON in EPSG:4326, in the order given.
SELECT ST_AsGeoJSON(ST_Transform(ST_SetSRID(ST_GeomFromWKB(w), %(srid)s), 4326), 7)
FROM unnest(%(wkbs)s::bytea[]) WITH ORDINALITY AS s(w, n)
ORDER BY n
