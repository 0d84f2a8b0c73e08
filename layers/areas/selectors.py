from django.db import connection

from layers.areas.models import AreaLevel

# Simplified in metres-ish degrees: outlines only, drawn under the edited feature.
_OUTLINE_SQL = """
SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(
    json_build_object(
        'type', 'Feature',
        'geometry', ST_AsGeoJSON(ST_SimplifyPreserveTopology(geom, 0.00005), 6)::json,
        'properties', json_build_object('code', code, 'name', name, 'level', level)
    )), '[]'::json))::text
FROM areas_adminarea WHERE level BETWEEN %s AND %s
"""


def areas_outline_geojson(
    min_level: int = AreaLevel.COUNTY, max_level: int = AreaLevel.VILLAGE
) -> str:
    with connection.cursor() as cursor:
        cursor.execute(_OUTLINE_SQL, [min_level, max_level])
        return cursor.fetchone()[0]
