-- One vector tile layer of binned points, for zooms where the features are too many to draw.
-- The selected subquery holds the layer's rows inside the tile, without margin so that each
-- point is counted in one tile only, with tile_geom in Web Mercator and tile_breakdown, the value
-- the bins count features per value of.
-- Members are placed in tile units (x east, y south from the tile's north-west corner) by plain
-- arithmetic: ST_AsMVTGeom per point costs more than the rest of the query. Bins are square
-- cells numbered by floor(), so they partition the tile (ST_SnapToGrid rounds, and its cells
-- would straddle tile edges). Each non-empty bin becomes one point at its members' mean.
-- Parameters, in order: the layer name, the extent, one per breakdown value, the tile's west
-- edge, metres per tile unit, its north edge, metres per tile unit, those of the selected
-- subquery, then the cell side in tile units, twice.
SELECT coalesce(ST_AsMVT(bin.*, %s, %s, 'geom'), ''::bytea)
FROM (
    SELECT
        ST_MakePoint(round(avg(member.tile_x)), round(avg(member.tile_y))) AS geom,
        {counts}
    FROM (
        SELECT
            (ST_X(selected.tile_geom) - %s) / %s AS tile_x,
            (%s - ST_Y(selected.tile_geom)) / %s AS tile_y,
            selected.tile_breakdown
        FROM ({selected}) AS selected
    ) AS member
    GROUP BY floor(member.tile_x / %s), floor(member.tile_y / %s)
) AS bin
