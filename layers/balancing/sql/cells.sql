-- Step 3: each unit's cell, clipped to its region. Clipping can cut a cell in pieces (a
-- concave village, an exclusive grid): the piece holding the point stays, the others join the
-- neighbouring cell they share most edge with. The cells tile the region exactly, so grids
-- dissolved from them tile it too.
CREATE TEMP TABLE balancing_cells ON COMMIT DROP AS
WITH parts AS (
    SELECT u.unit_id, u.village_id, d.geom, ST_Intersects(d.geom, u.point) AS own
    FROM balancing_voronoi v
    JOIN balancing_units u ON u.village_id = v.village_id AND v.cell && u.point
     AND ST_Intersects(v.cell, u.point),
         LATERAL ST_Dump(ST_CollectionExtract(ST_Intersection(v.cell, v.region), 3)) d
),
adopted AS (
    SELECT coalesce((
        SELECT m.unit_id FROM parts m
        WHERE m.own AND m.village_id = o.village_id AND m.geom && o.geom
          AND ST_Intersects(m.geom, o.geom)
        ORDER BY ST_Length(ST_CollectionExtract(ST_Intersection(m.geom, o.geom), 2)) DESC,
                 m.unit_id
        LIMIT 1), o.unit_id) AS unit_id, o.geom
    FROM parts o WHERE NOT o.own
),
cells AS (
    SELECT unit_id, ST_Union(geom) AS geom
    FROM (SELECT unit_id, geom FROM parts WHERE own UNION ALL SELECT * FROM adopted) p
    GROUP BY unit_id
)
SELECT u.unit_id, u.village_id, u.srid, u.building_ids, u.grid_id, u.households, u.residents,
       0::float8 AS weighted_incidents, ST_Area(c.geom) / 1e6 AS area_km2,
       ST_X(u.point) AS x, ST_Y(u.point) AS y, c.geom, NULL::integer AS label
FROM balancing_units u JOIN cells c USING (unit_id)
