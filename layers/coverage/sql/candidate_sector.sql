-- The ground one chosen site would see.
SELECT ST_AsGeoJSON(v.visible, 7), v.visible_area_m2
FROM gisgov_coverage_view(ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326), %(azimuth)s,
                          %(field_of_view)s, %(range_m)s) v
