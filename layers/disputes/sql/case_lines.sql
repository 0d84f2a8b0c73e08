-- Every boundary of a case as GeoJSON in the given SRID, with what it is, for drawing.
SELECT 'claim' AS kind, c.id, p.name AS label, ST_AsGeoJSON(ST_Transform(c.boundary, %(srid)s), 3)
FROM disputes_claim c JOIN disputes_party p ON p.id = c.party_id
WHERE c.case_id = %(case_id)s
UNION ALL
SELECT 'reference', r.id, 'v' || r.version || ' ' || r.surveyed_on,
       ST_AsGeoJSON(ST_Transform(r.boundary, %(srid)s), 3)
FROM disputes_referenceboundary r
WHERE r.case_id = %(case_id)s
ORDER BY 1, 2
