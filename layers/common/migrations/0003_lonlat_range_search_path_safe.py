"""gisgov_in_lonlat_range with PostGIS calls schema-qualified: pg_restore runs with an empty
search_path, and a CHECK constraint calling an unqualified ST_IsEmpty then fails on every row
(`make restore`). Still a plain SQL function, so it stays inlinable."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION gisgov_in_lonlat_range(g geometry) RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT public.ST_IsEmpty(g)
        OR public.ST_CoveredBy(g, public.ST_MakeEnvelope(-180, -90, 180, 90, public.ST_SRID(g)))
$$;
"""
REVERSE = """
CREATE OR REPLACE FUNCTION gisgov_in_lonlat_range(g geometry) RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT ST_IsEmpty(g) OR ST_CoveredBy(g, ST_MakeEnvelope(-180, -90, 180, 90, ST_SRID(g)))
$$;
"""


class Migration(migrations.Migration):
    dependencies = [("common", "0002_location_triggers")]

    operations = [migrations.RunSQL(FORWARD, REVERSE)]
