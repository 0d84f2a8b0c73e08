-- A code (or name) column resolved to the id of the one row it names. `matches` counts the
-- candidates, so a name two rows share is reported as ambiguous instead of one being picked.
UPDATE transfer_rows r
SET {resolved} = CASE WHEN found.matches = 1 THEN found.id END, {matches} = found.matches
FROM (
    SELECT candidate.key, min(candidate.id) AS id, count(*) AS matches
    FROM ({candidates}) AS candidate (id, key)
    GROUP BY candidate.key
) found
WHERE found.key = r.{column}
