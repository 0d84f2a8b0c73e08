-- One vector tile layer of features.
-- The selected subquery is the layer's queryset as the ORM compiles it: filtered, limited to
-- what the caller may see, narrowed to the rows whose bounding box meets the tile and its buffer
-- (GiST index), ordered and capped; with tile_id, tile_geom (already in tile coordinates, NULL
-- when nothing is left after clipping) and one column per property, renamed here.
-- Parameters, in order: the layer name, the extent, then those of the selected subquery.
SELECT coalesce(ST_AsMVT(feature.*, %s, %s, 'geom', 'id'), ''::bytea)
FROM (
    SELECT selected.tile_id AS id, selected.tile_geom AS geom, {columns}
    FROM ({selected}) AS selected
    WHERE selected.tile_geom IS NOT NULL
) AS feature
