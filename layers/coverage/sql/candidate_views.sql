-- What each candidate site would see looking each way (buildings and shadows included, as for
-- a real camera), as the target cells whose centre it sees.
SELECT c.id, a.azimuth,
       ARRAY(SELECT t.id FROM coverage_targets t WHERE ST_Intersects(v.visible, t.centre))
FROM jsonb_to_recordset(%(candidates)s::jsonb) AS c(id integer, lon float8, lat float8),
     unnest(%(azimuths)s::float8[]) AS a(azimuth),
     LATERAL gisgov_coverage_view(
         ST_SetSRID(ST_MakePoint(c.lon, c.lat), 4326), a.azimuth, %(field_of_view)s,
         %(range_m)s) v
