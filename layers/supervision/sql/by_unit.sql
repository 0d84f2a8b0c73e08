-- Metrics for each county, township, village or grid, ranked on one metric (rank() shares a
-- rank between ties; units without a value for the metric come last). Incidents are grouped by
-- their unit's id (an integer sorts far faster than a code); units with no incident are kept
-- with zeros when the caller may see them; a unit the caller may not see is listed only with
-- the incidents of it the caller may see (a township's token ranks its county on its township);
-- incidents outside every unit form one row with a NULL code unless only units are asked for.
WITH facts AS ({facts}),
{units},
measured AS (
    SELECT members.unit_id AS key, {metrics}
    FROM facts LEFT JOIN members ON members.member_id = facts.{member_column}
    GROUP BY 1
),
unit_rows AS (
    SELECT u.code, u.name, {metric_columns}
    FROM units u FULL JOIN measured m ON m.key = u.id
    WHERE CASE WHEN u.id IS NULL THEN NOT %(units_only)s ELSE m.key IS NOT NULL OR {visible} END
)
SELECT rank() OVER (ORDER BY {ranked_on} NULLS LAST) AS rank, unit_rows.*
FROM unit_rows
ORDER BY {order}
