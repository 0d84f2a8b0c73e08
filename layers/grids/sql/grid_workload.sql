-- The workload of every current grid under a division code: households and residents of its
-- buildings, incidents reported in [since, until) weighted by category, its area and a travel
-- proxy (mean distance from its buildings to its centroid), combined into one score.
WITH category_weights AS (
    SELECT key AS category, value::float8 AS weight FROM jsonb_each_text(%(category_weights)s::jsonb)
),
grids AS (
    SELECT g.id, g.code, g.name, v.code AS village, g.geom,
           ST_Area(g.geom::geography) / 1e6 AS area_km2,
           ST_Perimeter(g.geom::geography) / 1e3 AS perimeter_km,
           ST_Centroid(g.geom)::geography AS centre
    FROM grids_grid g JOIN areas_adminarea v ON v.id = g.village_id
    WHERE g.valid_to IS NULL AND starts_with(v.code, %(code_prefix)s)
),
rows AS (
    SELECT g.*, coalesce(b.households, 0) AS households, coalesce(b.residents, 0) AS residents,
           coalesce(b.mean_distance_m, 0) AS mean_distance_m,
           coalesce(i.incidents, 0) AS incidents, coalesce(i.weighted, 0) AS weighted_incidents
    FROM grids g
    LEFT JOIN LATERAL (
        SELECT sum(households) AS households, sum(residents) AS residents,
               avg(ST_Distance(ST_PointOnSurface(footprint)::geography, g.centre))
                   AS mean_distance_m
        FROM buildings_building WHERE grid_id = g.id
    ) b ON true
    LEFT JOIN LATERAL (
        SELECT count(*) AS incidents, sum(coalesce(w.weight, %(default_category_weight)s))
                   AS weighted
        FROM incidents_incident n LEFT JOIN category_weights w ON w.category = n.category
        WHERE n.grid_id = g.id AND n.reported_at >= %(since)s AND n.reported_at < %(until)s
    ) i ON true
),
scored AS (
    SELECT rows.*,
           %(per_household)s * households + %(per_resident)s * residents
           + %(per_weighted_incident)s * weighted_incidents + %(per_km2)s * area_km2
           + %(per_km_travel)s * mean_distance_m / 1e3 AS score
    FROM rows
)
SELECT id, code, name, village, households, residents, incidents, weighted_incidents,
       area_km2, perimeter_km, mean_distance_m, score, ST_AsGeoJSON(geom, 7)
FROM scored ORDER BY code
