"""FeatureCollections serialized by PostGIS: the list endpoints' hot path never loops in Python."""

from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import (
    Count,
    F,
    Func,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    TextField,
    Value,
    Window,
)

GEOJSON_PRECISION = 7  # ~1 cm in degrees


class AsGeoJSONGeometry(Func):
    function = "ST_AsGeoJSON"
    output_field = TextField()

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
        super().__init__(expression, precision)


# Features are concatenated as text: building json values and re-serializing them (to_jsonb,
# json_agg) costs three times the query itself on a 1,000-feature page. The page query returns
# limit + 1 rows; the extra one only says that another page follows.
_PAGE_SQL = """
WITH page AS (SELECT row_number() OVER () AS page_row, p.* FROM ({inner}) p)
SELECT
    coalesce('[' || string_agg(
        '{{"type":"Feature","id":' || page.id
        || ',"geometry":' || coalesce(page.feature_geometry, 'null')
        || ',"properties":' || json_build_object({properties})::text || '}}',
        ',' ORDER BY page_row) FILTER (WHERE page_row <= %s) || ']', '[]'),
    count(*),
    (array_agg(page_key ORDER BY page_row))[%s],
    (array_agg(id ORDER BY page_row))[%s],
    max(page.matched)
FROM page
"""


def _column(model, lookup: str):
    """A property's column; a related row's field is looked up per output row, after the LIMIT.

    A join would hash the whole related table (every grid, every area) on each request.
    """
    if "__" not in lookup:
        return F(lookup)
    relation, field = lookup.split("__", 1)
    related = model._meta.get_field(relation)
    return Subquery(
        related.related_model.objects.filter(pk=OuterRef(related.attname)).values(field)[:1]
    )


@dataclass
class FeaturePage:
    features_json: str  # a JSON array of GeoJSON Features
    returned: int
    has_more: bool
    last_key: object
    last_id: int | None
    matched: int | None  # all rows the queryset matches, when asked for and the page is not empty


def feature_page(
    queryset: QuerySet,
    *,
    geometry_field: str,
    properties: dict[str, str],
    key_field: str,
    limit: int,
    offset: int = 0,
    srid: int | None = None,
    latitude_first: bool = False,
    count_matches: bool = False,
) -> FeaturePage:
    """One page of an ordered queryset as GeoJSON Features, built in a single SQL statement.

    `properties` maps each output property name to the model lookup that fills it. With
    `count_matches`, a window count gives the number of all matches in the same scan: the
    ORDER BY reads every match anyway.
    """
    columns = {
        f"property_{number}": _column(queryset.model, lookup)
        for number, lookup in enumerate(properties.values())
    }
    matched = Window(Count("*")) if count_matches else Value(None, output_field=IntegerField())
    rows = queryset.values(
        "id",
        **columns,
        matched=matched,
        page_key=F(key_field),
        feature_geometry=AsGeoJSONGeometry(F(geometry_field), srid, latitude_first=latitude_first),
    )[offset : offset + limit + 1]
    try:
        sql, params = rows.query.sql_with_params()
    except EmptyResultSet:  # a filter no row can match, e.g. an integer beyond the column's range
        return FeaturePage("[]", 0, False, None, None, 0)
    pairs = ", ".join(f"%s, page.{column}" for column in columns)
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(
            _PAGE_SQL.format(inner=sql, properties=pairs),
            (*params, *properties, limit, limit, limit),
        )
        features, count, last_key, last_id, matches = cursor.fetchone()
    return FeaturePage(features, min(count, limit), count > limit, last_key, last_id, matches)
