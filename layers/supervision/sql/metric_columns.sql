-- The published metrics of an aggregated row `m` (possibly missing: a group with no incident).
coalesce(m.total, 0) AS total,
coalesce(m.due, 0) AS due,
coalesce(m.resolved_on_time, 0) AS resolved_on_time,
round(m.resolved_on_time::numeric / nullif(m.due, 0), 4)::float8 AS completion_rate,
coalesce(m.overdue, 0) AS overdue,
round(m.mean_handling_hours::numeric, 2)::float8 AS mean_handling_hours,
round(m.p90_handling_hours::numeric, 2)::float8 AS p90_handling_hours,
round(m.satisfaction::numeric, 2)::float8 AS satisfaction,
round(m.satisfied_share::numeric, 4)::float8 AS satisfied_share
