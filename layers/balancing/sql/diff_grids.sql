-- Per grid code of a plan's villages: households now (current basic grids) and in the plan, the
-- plan's workload, and whether the code is kept, new or closed.
WITH before AS (
    SELECT g.code, sum(a.households)::bigint AS households
    FROM balancing_planassignment a JOIN grids_grid g ON g.id = a.previous_grid_id
    WHERE a.plan_id = %(plan_id)s GROUP BY g.code
),
after AS (
    SELECT code, households, workload FROM balancing_plangrid WHERE plan_id = %(plan_id)s
),
base AS (
    SELECT g.code FROM grids_grid g
    WHERE g.id IN (SELECT (jsonb_array_elements_text(base_grids))::bigint FROM balancing_plan
                   WHERE id = %(plan_id)s)
)
SELECT coalesce(af.code, bf.code, bs.code) AS code,
       coalesce(bf.households, 0), af.households, af.workload,
       CASE WHEN af.code IS NULL THEN 'closed'
            WHEN bs.code IS NULL THEN 'new' ELSE 'kept' END
FROM after af
FULL JOIN before bf ON bf.code = af.code
FULL JOIN base bs ON bs.code = coalesce(af.code, bf.code)
ORDER BY 1
