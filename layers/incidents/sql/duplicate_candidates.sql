-- Same-category reports near an incident in place and time, nearest first.
-- The && box (in degrees, wide enough for the distance at this latitude) lets the planner use
-- the GiST index on location; ST_DWithin on geography then measures metres on the ellipsoid.
SELECT candidate.id,
       ST_Distance(candidate.location::geography, subject.location::geography)
  FROM incidents_incident AS subject
  JOIN incidents_incident AS candidate
    ON candidate.location && ST_Expand(subject.location, %(degrees)s)
   AND ST_DWithin(candidate.location::geography, subject.location::geography, %(distance_m)s)
 WHERE subject.id = %(id)s
   AND candidate.category = subject.category
   AND candidate.reported_at BETWEEN subject.reported_at - %(window)s
                                 AND subject.reported_at + %(window)s
   AND candidate.id <> subject.id
   AND candidate.status <> %(rejected)s
 ORDER BY 2, candidate.id
 LIMIT 50
