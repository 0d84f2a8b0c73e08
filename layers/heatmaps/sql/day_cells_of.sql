-- The cells of these group versions: (base cell column, row, village) of each incident as
-- packed big-endian int4 triples (read straight into numpy).
SELECT version, category, cells
FROM heatmaps_daycells
WHERE version = ANY(%(versions)s::bigint[])
