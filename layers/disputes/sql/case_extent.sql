-- The box around a case's boundaries and position, grown by a margin, in EPSG:4326.
SELECT ST_AsBinary(ST_Expand(extent, greatest(ST_XMax(extent) - ST_XMin(extent),
                                              ST_YMax(extent) - ST_YMin(extent), 0.001) * 0.15))
FROM (
    SELECT ST_Envelope(ST_Collect(g)) AS extent FROM (
        SELECT location AS g FROM disputes_disputecase WHERE id = %(case_id)s
        UNION ALL SELECT boundary FROM disputes_claim WHERE case_id = %(case_id)s
        UNION ALL SELECT boundary FROM disputes_referenceboundary WHERE case_id = %(case_id)s
    ) boundaries
) e
