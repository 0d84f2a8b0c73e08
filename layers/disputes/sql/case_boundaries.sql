-- A case's claims and reference versions as WKB in the case's Gauss–Krüger zone (metres).
-- Parameters: the zone's SRID, the case id (twice).
SELECT 'claim' AS kind, c.id, p.name AS label, NULL::date AS surveyed_on,
       ST_AsBinary(ST_Transform(c.boundary, {srid})) AS wkb
FROM disputes_claim c JOIN disputes_party p ON p.id = c.party_id
WHERE c.case_id = %(case_id)s
UNION ALL
SELECT 'reference', r.id, 'v' || r.version || ' ' || r.source, r.surveyed_on,
       ST_AsBinary(ST_Transform(r.boundary, {srid}))
FROM disputes_referenceboundary r
WHERE r.case_id = %(case_id)s
ORDER BY 1, 2
