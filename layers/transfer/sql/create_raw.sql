-- The features exactly as read from the file, one row each, before any checking. Dropped first
-- in case an outer transaction (a test, a background job) still holds an earlier import's.
DROP TABLE IF EXISTS transfer_rows, transfer_raw;
CREATE TEMP TABLE transfer_raw (
    row_number integer PRIMARY KEY,
    geometry_wkb bytea,
    read_error text,
    attributes jsonb NOT NULL
) ON COMMIT DROP;
