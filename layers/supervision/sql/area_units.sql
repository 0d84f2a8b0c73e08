-- The divisions at one level inside the area filter, or containing it.
SELECT a.code, a.name
FROM areas_adminarea a
WHERE a.level = %(unit_level)s
  AND (%(area_prefix)s::text IS NULL
       OR a.code LIKE %(area_prefix)s::text || '%%'
       OR starts_with(%(area_prefix)s::text, left(a.code, %(unit_prefix_length)s)))
  {scope}
