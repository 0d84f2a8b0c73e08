-- Helpers for import_layer, created in the session's temporary schema (pg_temp): they need no
-- migration and leave with the connection. Each turns a bad value into NULL or a named problem
-- instead of raising, so one bad row is reported rather than aborting the whole statement.

CREATE OR REPLACE FUNCTION pg_temp.transfer_int(value text) RETURNS bigint
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    number numeric;
BEGIN
    number := value::numeric;
    -- "3.0" (a Real column in a Shapefile) is a whole number; "3.5" and "NaN" are not.
    IF number = 'NaN' OR number <> trunc(number) THEN
        RETURN NULL;
    END IF;
    RETURN number::bigint;
EXCEPTION WHEN data_exception THEN
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION pg_temp.transfer_float(value text) RETURNS double precision
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    number double precision;
BEGIN
    number := value::double precision;
    IF number IN ('NaN', 'Infinity', '-Infinity') THEN
        RETURN NULL;
    END IF;
    RETURN number;
EXCEPTION WHEN data_exception THEN
    RETURN NULL;
END $$;

-- Year first only (2024-05-01, or 2024/05/01 as GDAL writes dates): 05/01/2024 is ambiguous.
CREATE OR REPLACE FUNCTION pg_temp.transfer_date(value text) RETURNS date
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    IF value !~ '^\d{4}[-/]\d{1,2}[-/]\d{1,2}$' THEN
        RETURN NULL;
    END IF;
    RETURN value::date;
EXCEPTION WHEN data_exception THEN
    RETURN NULL;
END $$;

-- A time without an offset is local time in `zone` (the project's TIME_ZONE), not UTC.
CREATE OR REPLACE FUNCTION pg_temp.transfer_datetime(value text, zone text) RETURNS timestamptz
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    local_part constant text := '^\d{4}[-/]\d{1,2}[-/]\d{1,2}([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?';
BEGIN
    IF value ~ (local_part || '\s*(Z|[+-]\d{2}(:?\d{2})?)$') THEN
        RETURN value::timestamptz;
    ELSIF value ~ (local_part || '$') THEN
        RETURN value::timestamp AT TIME ZONE zone;
    END IF;
    RETURN NULL;
EXCEPTION WHEN data_exception THEN
    RETURN NULL;
END $$;

-- The geometry as the layer stores it: a Polygon becomes a one-part MultiPolygon and a
-- one-part Multi* its single part; NULL when no such reading exists.
CREATE OR REPLACE FUNCTION pg_temp.transfer_as_layer_type(geom geometry, layer_type text)
RETURNS geometry LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN GeometryType(geom) = layer_type THEN geom
        WHEN 'MULTI' || GeometryType(geom) = layer_type THEN ST_Multi(geom)
        WHEN GeometryType(geom) = 'MULTI' || layer_type AND ST_NumGeometries(geom) = 1
            THEN ST_GeometryN(geom, 1)
    END
$$;

-- One feature's WKB made into the layer's storage geometry, or the first problem found, in the
-- order a person would fix them. `problem` names a message in layers/transfer/staging.py and
-- `detail` fills it; `repaired` is the PostGIS reason of an invalid geometry ST_MakeValid fixed.
CREATE OR REPLACE FUNCTION pg_temp.transfer_geometry(
    wkb bytea, source_srid integer, storage_srid integer, reproject boolean,
    layer_type text, fix_invalid boolean, max_vertices integer,
    OUT geom geometry, OUT problem text, OUT detail text, OUT repaired text)
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    given geometry;
    reason text;
BEGIN
    IF wkb IS NULL THEN
        problem := 'missing_geometry';
        RETURN;
    END IF;
    BEGIN
        given := ST_SetSRID(ST_GeomFromWKB(wkb), source_srid);
    EXCEPTION WHEN others THEN
        problem := 'unreadable_geometry';
        detail := SQLERRM;
        RETURN;
    END;
    IF ST_IsEmpty(given) THEN
        problem := 'empty_geometry';
        RETURN;
    END IF;
    -- As the API (layers.common.geometry): a height or a measure is refused, not dropped
    -- silently, and so is a geometry too large to check and index in reasonable time.
    IF ST_Zmflag(given) <> 0 THEN
        problem := 'not_2d';
        detail := (ARRAY['M', 'Z', 'ZM'])[ST_Zmflag(given)];
        RETURN;
    END IF;
    IF ST_NPoints(given) > max_vertices THEN
        problem := 'too_many_vertices';
        detail := ST_NPoints(given)::text;
        RETURN;
    END IF;
    -- NaN and ±Infinity: GEOS predicates raise on them, and bounding boxes skip NaN.
    IF ST_AsText(given) ~ '(NaN|Infinity)' THEN
        problem := 'not_finite';
        RETURN;
    END IF;
    IF reproject THEN
        BEGIN
            given := ST_Transform(given, storage_srid);
        EXCEPTION WHEN others THEN
            problem := 'transform_failed';
            detail := SQLERRM;
            RETURN;
        END;
    ELSE
        -- EPSG:4490 (CGCS2000) coordinates equal WGS84 ones at map precision.
        given := ST_SetSRID(given, storage_srid);
    END IF;
    -- The same test as the tables' CHECK constraint; NaN compares false, so it fails too.
    IF NOT gisgov_in_lonlat_range(given) THEN
        problem := 'out_of_range';
        detail := Box2D(given)::text;
        RETURN;
    END IF;
    geom := pg_temp.transfer_as_layer_type(given, layer_type);
    IF geom IS NULL THEN
        IF GeometryType(given) = 'MULTI' || layer_type THEN
            problem := 'multipart_geometry';
            detail := ST_NumGeometries(given)::text;
        ELSE
            problem := 'wrong_geometry_type';
            detail := GeometryType(given);
        END IF;
        RETURN;
    END IF;
    IF ST_IsValid(geom) THEN
        RETURN;
    END IF;
    reason := ST_IsValidReason(geom);
    IF NOT fix_invalid OR layer_type NOT IN ('POLYGON', 'MULTIPOLYGON') THEN
        problem := 'invalid_geometry';
        detail := reason;
        geom := NULL;
        RETURN;
    END IF;
    -- Only the polygonal part of the repair is kept: a bow-tie's crossing point, or a spike
    -- collapsed to a line, is no area. Two pieces still cannot be one Polygon.
    geom := pg_temp.transfer_as_layer_type(ST_CollectionExtract(ST_MakeValid(geom), 3), layer_type);
    IF geom IS NULL OR ST_IsEmpty(geom) THEN
        problem := 'unrepairable_geometry';
        detail := reason;
        geom := NULL;
        RETURN;
    END IF;
    repaired := reason;
END $$;
