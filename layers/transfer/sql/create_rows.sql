-- Each feature checked and typed: its storage geometry or the geometry's problem (see
-- pg_temp.transfer_geometry), then one column per file field, NULL where the value is absent
-- or not of the field's type.
CREATE TEMP TABLE transfer_rows ON COMMIT DROP AS
SELECT raw.row_number, raw.read_error, raw.attributes, prepared.*, {typed_columns}
FROM transfer_raw raw
CROSS JOIN LATERAL pg_temp.transfer_geometry(
    raw.geometry_wkb, %(source_srid)s, %(storage_srid)s, %(reproject)s,
    %(layer_type)s, %(fix_invalid)s, %(max_vertices)s
) AS prepared
