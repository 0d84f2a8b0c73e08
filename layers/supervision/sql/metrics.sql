-- The aggregates of a group of facts rows; percentile_cont interpolates between the two nearest
-- handling times, and every aggregate but count skips NULLs (unresolved, unrated incidents).
count(*) AS total,
count(*) FILTER (WHERE is_due) AS due,
count(*) FILTER (WHERE is_due AND is_on_time) AS resolved_on_time,
count(*) FILTER (WHERE is_overdue) AS overdue,
avg(handling_hours) AS mean_handling_hours,
percentile_cont(0.9) WITHIN GROUP (ORDER BY handling_hours) AS p90_handling_hours,
avg(rating::float8) AS satisfaction,
avg((rating >= 4)::int::float8) AS satisfied_share
