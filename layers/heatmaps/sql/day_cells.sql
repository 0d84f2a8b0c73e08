-- The pre-binned incidents of whole local days [%(first_day)s, %(end_day)s): per group, the base
-- cell and village of each incident as packed big-endian int4 vectors (read straight into numpy);
-- villages only when the selection is limited to some.
SELECT category, cell_x, cell_y, CASE WHEN %(with_areas)s THEN area_id ELSE ''::bytea END
FROM heatmaps_daycells
WHERE (%(first_day)s::date IS NULL OR day >= %(first_day)s::date)
  AND (%(end_day)s::date IS NULL OR day < %(end_day)s::date)
  AND category = ANY(%(categories)s::text[])
  AND status = ANY(%(statuses)s::text[])
