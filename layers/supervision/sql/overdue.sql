-- Open incidents past their deadline at %(now)s, longest overdue first, one page of them with
-- the count of all.
WITH facts AS ({facts})
SELECT f.id, f.title, f.category, f.status, f.level, f.reported_at, f.deadline,
       round((extract(epoch FROM %(now)s::timestamptz - f.deadline) / 3600)::numeric, 2)::float8
           AS hours_overdue,
       f.village_code AS area_code, f.village_name AS area_name, f.grid_code, f.grid_name,
       d.id AS lead_department, d.name AS lead_department_name,
       count(*) OVER () AS full_count
FROM facts f
LEFT JOIN departments_department d ON d.id = f.lead_department_id
WHERE f.is_overdue
ORDER BY f.deadline, f.id
LIMIT %(limit)s OFFSET %(offset)s
