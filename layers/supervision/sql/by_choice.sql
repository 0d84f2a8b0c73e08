-- Metrics for each value of a choice (category or status), in the order given, zero rows kept.
WITH facts AS ({facts}),
measured AS (SELECT {key} AS key, {metrics} FROM facts GROUP BY 1)
SELECT k.key, {metric_columns}
FROM unnest(%(keys)s::text[]) WITH ORDINALITY AS k(key, position)
LEFT JOIN measured m ON m.key = k.key
ORDER BY k.position
