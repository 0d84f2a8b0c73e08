-- Each labelled part as one grid polygon (its cells dissolved, back in storage lon/lat) and its
-- Polsby-Popper compactness 4πA/P², measured where the cells were cut.
WITH labelled AS (
    UPDATE balancing_cells c SET label = l.label
    FROM unnest(%(unit_ids)s::bigint[], %(labels)s::integer[]) l(unit_id, label)
    WHERE c.unit_id = l.unit_id
    RETURNING c.label, c.geom
),
parts AS (
    SELECT label, ST_UnaryUnion(ST_Collect(geom)) AS geom FROM labelled GROUP BY label
)
SELECT label, ST_AsEWKB(ST_Transform(geom, 4326)),
       4 * pi() * ST_Area(geom) / nullif(ST_Perimeter(geom) ^ 2, 0)
FROM parts ORDER BY label
