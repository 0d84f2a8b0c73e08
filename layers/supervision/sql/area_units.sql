-- The divisions at one level inside the area filter, or containing it, and the villages each
-- holds (by division code prefix): `members` maps an incident's village to its unit.
units AS (
    SELECT a.id, a.code, a.name, left(a.code, %(unit_prefix_length)s) AS prefix
    FROM areas_adminarea a
    WHERE a.level = %(unit_level)s
      AND (%(area_prefix)s::text IS NULL
           OR a.code LIKE %(area_prefix)s::text || '%%'
           OR starts_with(%(area_prefix)s::text, left(a.code, %(unit_prefix_length)s)))
),
members AS (
    SELECT v.id AS member_id, u.id AS unit_id
    FROM units u JOIN areas_adminarea v ON v.code LIKE u.prefix || '%%'
    WHERE v.level = 5
)
