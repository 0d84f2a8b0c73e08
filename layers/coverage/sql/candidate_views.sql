-- What each candidate site would see looking each way (buildings and shadows included, as for
-- a real camera), as the target cells whose centre it sees. The shadows are only worked out
-- for the directions whose bare fan reaches a target at all: most see none.
WITH direction AS MATERIALIZED (
    SELECT c.id, a.azimuth, ST_SetSRID(ST_MakePoint(c.lon, c.lat), 4326) AS location
    FROM jsonb_to_recordset(%(candidates)s::jsonb) AS c(id integer, lon float8, lat float8),
         unnest(%(azimuths)s::float8[]) AS a(azimuth),
         LATERAL (
             SELECT ST_Transform(gisgov_coverage_fan(
                        ST_SetSRID(ST_MakePoint(c.lon, c.lat), 4326), a.azimuth,
                        %(field_of_view)s, %(range_m)s, gisgov_gauss_kruger_srid(c.lon)),
                    4326) AS geom
         ) fan
    WHERE EXISTS (SELECT 1 FROM coverage_targets t WHERE ST_Intersects(fan.geom, t.centre))
)
SELECT d.id, d.azimuth,
       ARRAY(SELECT t.id FROM coverage_targets t WHERE ST_Intersects(v.visible, t.centre))
FROM direction d,
     LATERAL gisgov_coverage_view(d.location, d.azimuth, %(field_of_view)s, %(range_m)s) v
