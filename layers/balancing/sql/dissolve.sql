-- Each labelled part as one grid polygon: its cells dissolved, back in storage lon/lat.
WITH labelled AS (
    UPDATE balancing_cells c SET label = l.label
    FROM unnest(%(unit_ids)s::bigint[], %(labels)s::integer[]) l(unit_id, label)
    WHERE c.unit_id = l.unit_id
    RETURNING c.village_id, c.label, c.geom
)
SELECT label, ST_AsEWKB(ST_Transform(ST_UnaryUnion(ST_Collect(geom)), 4326))
FROM labelled GROUP BY label ORDER BY label
