-- Metrics by the local day, week (from Monday) or month an incident was reported in; every
-- bucket from the first to the last day asked for (or found) appears, empty ones with zeros.
WITH facts AS ({facts}),
measured AS (
    SELECT date_trunc(%(period)s, reported_at AT TIME ZONE %(time_zone)s)::date AS key, {metrics}
    FROM facts GROUP BY 1
),
bounds AS (
    SELECT coalesce(date_trunc(%(period)s, %(first_day)s::date::timestamp), min(key)) AS first,
           coalesce(date_trunc(%(period)s, %(last_day)s::date::timestamp), max(key)) AS last
    FROM measured
),
buckets AS (
    SELECT generate_series(first, last, ('1 ' || %(period)s)::interval)::date AS key FROM bounds
)
SELECT b.key, {metric_columns}
FROM buckets b LEFT JOIN measured m ON m.key = b.key
ORDER BY b.key
