"""A lon/lat range test usable in CHECK constraints with the geometry written once."""

from django.db import migrations

FORWARD = """
CREATE FUNCTION gisgov_in_lonlat_range(g geometry) RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT ST_IsEmpty(g) OR ST_CoveredBy(g, ST_MakeEnvelope(-180, -90, 180, 90, ST_SRID(g)))
$$;
"""


class Migration(migrations.Migration):
    dependencies = []

    operations = [migrations.RunSQL(FORWARD, "DROP FUNCTION gisgov_in_lonlat_range(geometry);")]
