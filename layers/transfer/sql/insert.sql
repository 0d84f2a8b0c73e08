-- Every staged row into the layer's table in one statement. The location triggers then assign
-- grid and village to points and footprints, and re-locate features under new grids.
INSERT INTO {table} ({columns})
SELECT {values}
FROM transfer_rows r
ORDER BY r.row_number
