"""FeatureCollections serialized by PostGIS: the list endpoints' hot path never loops in Python."""

from dataclasses import dataclass

from django.db import connections
from django.db.models import F, Func, JSONField, QuerySet

GEOJSON_PRECISION = 7  # ~1 cm in degrees


class AsGeoJSONGeometry(Func):
    function = "ST_AsGeoJSON"
    output_field = JSONField()

    def __init__(
        self,
        expression,
        srid: int | None = None,
        precision: int = GEOJSON_PRECISION,
        latitude_first: bool = False,
    ):
        if srid is not None:
            expression = Func(expression, srid, function="ST_Transform")
        if latitude_first:
            expression = Func(expression, function="ST_FlipCoordinates")
        super().__init__(expression, precision, template="%(function)s(%(expressions)s)::json")


# The page query returns limit + 1 rows; the extra one only says that another page follows.
_PAGE_SQL = """
WITH page AS (SELECT row_number() OVER () AS page_row, p.* FROM ({inner}) p)
SELECT
    coalesce(json_agg(json_build_object(
        'type', 'Feature',
        'id', page.id,
        'geometry', page.feature_geometry,
        'properties', to_jsonb(page) - 'feature_geometry' - 'id' - 'page_row' - 'page_key'
    ) ORDER BY page_row) FILTER (WHERE page_row <= %s), '[]'::json)::text,
    count(*),
    (array_agg(page_key ORDER BY page_row))[%s],
    (array_agg(id ORDER BY page_row))[%s]
FROM page
"""


@dataclass
class FeaturePage:
    features_json: str  # a JSON array of GeoJSON Features
    returned: int
    has_more: bool
    last_key: object
    last_id: int | None


def feature_page(
    queryset: QuerySet,
    *,
    geometry_field: str,
    properties: list[str],
    key_field: str,
    limit: int,
    offset: int = 0,
    srid: int | None = None,
    latitude_first: bool = False,
) -> FeaturePage:
    """One page of an ordered queryset as GeoJSON Features, built in a single SQL statement."""
    rows = queryset.values(
        "id",
        *properties,
        page_key=F(key_field),
        feature_geometry=AsGeoJSONGeometry(F(geometry_field), srid, latitude_first=latitude_first),
    )[offset : offset + limit + 1]
    sql, params = rows.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(_PAGE_SQL.format(inner=sql), (*params, limit, limit, limit))
        features, count, last_key, last_id = cursor.fetchone()
    return FeaturePage(features, min(count, limit), count > limit, last_key, last_id)
