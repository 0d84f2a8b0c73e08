-- The cells of these group versions: the base cell and village of each incident as packed
-- big-endian int4 vectors (read straight into numpy).
SELECT version, category, cell_x, cell_y, area_id
FROM heatmaps_daycells
WHERE version = ANY(%(versions)s::bigint[])
