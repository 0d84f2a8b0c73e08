-- Metrics for each county, township, village or grid, ranked on one metric (rank() shares a
-- rank between ties; units without a value for the metric come last). Units with no incident
-- are kept with zeros. Incidents outside every unit form one row with a NULL code unless only
-- units are asked for.
WITH facts AS ({facts}),
units AS ({units}),
measured AS (SELECT {key} AS key, {metrics} FROM facts GROUP BY 1),
unit_rows AS (
    SELECT coalesce(u.code, m.key) AS code, u.name, {metric_columns}
    FROM units u FULL JOIN measured m ON m.key = u.code
    WHERE u.code IS NOT NULL OR NOT %(units_only)s
)
SELECT rank() OVER (ORDER BY {ranked_on} NULLS LAST) AS rank, unit_rows.*
FROM unit_rows
ORDER BY {order}
