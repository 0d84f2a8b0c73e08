-- The groups (local day, category, status) of whole days [%(first_day)s, %(end_day)s) by version;
-- the reader fetches the cells of versions it does not hold with day_cells_of.
SELECT version
FROM heatmaps_daycells
WHERE (%(first_day)s::date IS NULL OR day >= %(first_day)s::date)
  AND (%(end_day)s::date IS NULL OR day < %(end_day)s::date)
  AND category = ANY(%(categories)s::text[])
  AND status = ANY(%(statuses)s::text[])
