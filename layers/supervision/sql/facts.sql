-- One row per incident inside the filters and the caller's scope, with what supervision asks of
-- it. resolved_at is the last `resolve` event of an incident that is still resolved, evaluated or
-- closed (an unsatisfied evaluation reopens it, and only a later resolve counts). Due: it has a
-- deadline, and either it was resolved or the deadline passed by %(now)s. On time: resolved at or
-- before its deadline. Overdue: still open and past its deadline at %(now)s.
SELECT i.id, i.title, i.category, i.status, i.level, i.reported_at, i.deadline, i.rating,
       i.lead_department_id, i.area_id, i.grid_id, v.code AS village_code, v.name AS village_name,
       g.code AS grid_code, g.name AS grid_name,
       resolved.at AS resolved_at,
       -- date_part gives float8; extract gives numeric, several times slower to average.
       date_part('epoch', resolved.at - i.reported_at) / 3600 AS handling_hours,
       (i.deadline IS NOT NULL AND (resolved.at IS NOT NULL OR i.deadline <= %(now)s)) AS is_due,
       coalesce(resolved.at <= i.deadline, false) AS is_on_time,
       (i.status = ANY(%(open_statuses)s::text[]) AND i.deadline < %(now)s) AS is_overdue
FROM incidents_incident i
LEFT JOIN areas_adminarea v ON v.id = i.area_id
LEFT JOIN grids_grid g ON g.id = i.grid_id
-- The last resolve event: none later (by time, then id). A plain join rather than a max() per incident
-- lets the planner merge the whole partial index for a county and probe it for a township.
LEFT JOIN incidents_incidentevent resolved
    ON resolved.incident_id = i.id AND resolved.action = 'resolve'
   AND i.status = ANY(%(resolved_statuses)s::text[])
   AND NOT EXISTS (
       SELECT FROM incidents_incidentevent later
       WHERE later.incident_id = resolved.incident_id AND later.action = 'resolve'
         AND (later.at, later.id) > (resolved.at, resolved.id))
WHERE (%(since)s::timestamptz IS NULL OR i.reported_at >= %(since)s::timestamptz)
  AND (%(until)s::timestamptz IS NULL OR i.reported_at < %(until)s::timestamptz)
  AND (%(categories)s::text[] IS NULL OR i.category = ANY(%(categories)s::text[]))
  AND (%(statuses)s::text[] IS NULL OR i.status = ANY(%(statuses)s::text[]))
  AND (%(area_prefix)s::text IS NULL OR v.code LIKE %(area_prefix)s::text || '%%')
  AND {scope}
