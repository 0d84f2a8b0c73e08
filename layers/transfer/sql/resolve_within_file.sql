-- A row may name another row of the same file (an area and its parent arrive together): that
-- row's pre-allocated id. Duplicate keys are reported by the uniqueness checks.
UPDATE transfer_rows r
SET {resolved} = named.new_id, {matches} = 1
FROM transfer_rows named
WHERE named.{key} = r.{column} AND r.{resolved} IS NULL
