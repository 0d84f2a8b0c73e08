"""Mapbox Vector Tiles and TileJSON 3.0.0 documents, built by PostGIS in one statement each.

Which rows a tile holds is decided by the ORM: the layer's FilterSet (shared with the REST API),
the access policy, the layer's zoom rule, and an index-backed `&&` on the tile's envelope. The
compiled queryset is then wrapped in sql/features.sql or sql/clusters.sql, which encode it.
"""

import hashlib
import math
import re
from functools import partial

from django.contrib.gis.db.models import Extent
from django.contrib.gis.db.models.functions import Transform
from django.core.cache import cache as django_cache
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import F, QuerySet
from django.http import QueryDict
from django.utils.translation import gettext as _
from psycopg import sql

from layers.common.constants import STORAGE_SRID, WEB_MERCATOR_SRID
from layers.common.sql import template as app_template
from layers.tiles.functions import AsMVTGeom, ClipToWorld, Simplify, TileEnvelope
from layers.tiles.specs import LAYERS, MAX_ZOOM, TileLayer

template = partial(app_template, "tiles")
EXTENT = 4096  # tile units per side, the MVT default
BUFFER = 64  # tile units drawn beyond each edge, so strokes and labels meet across tiles
# Bins of 128 tile units: 8 pixels on a 256-pixel tile, at most 33 × 33 points per tile.
CLUSTER_CELLS_PER_SIDE = 32
WEB_MERCATOR_WORLD_M = 2 * 20037508.342789244
WORLD_BOUNDS = (-180.0, -85.0511287798066, 180.0, 85.0511287798066)
BOUNDS_CACHE_SECONDS = 300
_DIGITS = re.compile(r"[0-9]{1,8}")


class InvalidParameters(Exception):
    """Request parameters no tile can be made from, as {parameter: [messages]}."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


def tile_coordinates(z: str, x: str, y: str) -> tuple[int, int, int]:
    """z, x and y of a tile URL as integers, checked against the zoom's tile matrix."""
    zoom = _integer("z", z, MAX_ZOOM, _("z must be an integer from 0 to %(max)d"))
    last = 2**zoom - 1
    message = _("%(name)s must be an integer from 0 to %(max)d at zoom %(zoom)d")
    return zoom, _integer("x", x, last, message, zoom), _integer("y", y, last, message, zoom)


def _integer(name: str, text: str, maximum: int, message: str, zoom: int | None = None) -> int:
    if not _DIGITS.fullmatch(text) or int(text) > maximum:
        raise InvalidParameters({name: [message % {"name": name, "max": maximum, "zoom": zoom}]})
    return int(text)


def filtered(layer: TileLayer, params: QueryDict, queryset: QuerySet) -> QuerySet:
    """These rows narrowed by the layer's FilterSet from request parameters (and its defaults)."""
    data = params.copy()
    for name, value in layer.default_filters.items():
        data.setdefault(name, value)
    filterset = layer.filterset_class(data, queryset=queryset)
    if not filterset.is_valid():
        raise InvalidParameters({name: list(errors) for name, errors in filterset.errors.items()})
    return filterset.qs


def tile(layer: str | TileLayer, z: int, x: int, y: int, queryset: QuerySet | None = None) -> bytes:
    """Tile z/x/y of a layer as MVT bytes, from these rows (default: all); b"" when empty."""
    spec = LAYERS[layer] if isinstance(layer, str) else layer
    rows = spec.queryset() if queryset is None else queryset
    if z < spec.minzoom:
        return b""
    if spec.rows_at_zoom is not None:
        rows = spec.rows_at_zoom(rows, z)
    try:
        if spec.clustered_at(z):
            query, params = _clusters_query(spec, rows, z, x, y)
        else:
            query, params = _features_query(spec, rows, z, x, y)
    except EmptyResultSet:  # a filter no row can match
        return b""
    with connections[rows.db].cursor() as cursor:
        cursor.execute(query, params)
        return bytes(cursor.fetchone()[0])


def _features_query(spec: TileLayer, rows: QuerySet, z: int, x: int, y: int):
    """sql/features.sql around the layer's rows in the tile, capped, in tile coordinates."""
    geometry = Transform(F(spec.geometry_field), WEB_MERCATOR_SRID)
    if spec.simplify:
        # One tile unit: finer detail would be rounded away by the encoding anyway.
        geometry = Simplify(geometry, WEB_MERCATOR_WORLD_M / 2**z / EXTENT)
    margin = BUFFER / EXTENT
    selected = (
        _inside(spec, rows, TileEnvelope(z, x, y, margin))
        .order_by(*spec.ordering)
        .values(
            tile_id=F("pk"),
            tile_geom=AsMVTGeom(geometry, TileEnvelope(z, x, y), EXTENT, BUFFER),
            **{_column(prop.name): prop.expression for prop in spec.properties},
        )[: spec.feature_cap]
    )
    selected_sql, selected_params = selected.query.sql_with_params()
    columns = sql.SQL(", ").join(
        sql.SQL("selected.{} AS {}").format(
            sql.Identifier(_column(prop.name)), sql.Identifier(prop.name)
        )
        for prop in spec.properties
    )
    query = template("features").format(selected=sql.SQL(selected_sql), columns=columns)
    return query, [spec.name, EXTENT, *selected_params]


def _clusters_query(spec: TileLayer, rows: QuerySet, z: int, x: int, y: int):
    """sql/clusters.sql around the layer's points in the tile."""
    rule = spec.cluster
    selected = (
        _inside(spec, rows, TileEnvelope(z, x, y))
        .order_by()
        .values(
            # The id keeps two reports at one place apart when a filter made the rows DISTINCT.
            tile_id=F("pk"),
            tile_geom=Transform(F(spec.geometry_field), WEB_MERCATOR_SRID),
            tile_breakdown=F(rule.breakdown_field),
        )
    )
    selected_sql, selected_params = selected.query.sql_with_params()
    counts = [sql.SQL("count(*) AS {}").format(sql.Identifier("count"))]
    counts += [
        sql.SQL("count(*) FILTER (WHERE member.tile_breakdown = %s) AS {}").format(
            sql.Identifier(f"count_{value}")
        )
        for value in rule.breakdown_values
    ]
    query = template("clusters").format(
        selected=sql.SQL(selected_sql), counts=sql.SQL(",\n        ").join(counts)
    )
    tile_side = WEB_MERCATOR_WORLD_M / 2**z
    west = -WEB_MERCATOR_WORLD_M / 2 + x * tile_side
    north = WEB_MERCATOR_WORLD_M / 2 - y * tile_side
    unit = tile_side / EXTENT
    cell = EXTENT / CLUSTER_CELLS_PER_SIDE
    params = [
        *(spec.name, EXTENT),
        *rule.breakdown_values,
        *(west, unit, north, unit),
        *selected_params,
        *(cell, cell),
    ]
    return query, params


def _inside(spec: TileLayer, rows: QuerySet, envelope: TileEnvelope) -> QuerySet:
    """The rows whose bounding box meets the envelope: `&&` on the storage column, GiST-indexed.

    The envelope is first clipped to the Web Mercator square: a margin past the antimeridian
    would wrap to the other side of the world once transformed to longitude/latitude.
    """
    search_box = Transform(ClipToWorld(envelope), STORAGE_SRID)
    return rows.filter(**{f"{spec.geometry_field}__bboverlaps": search_box})


def _column(property_name: str) -> str:
    # Selected under another name: a property may be named like a model field it is not.
    return f"property_{property_name}"


def tilejson(layer: TileLayer, rows: QuerySet, tiles_url: str) -> dict:
    """The TileJSON 3.0.0 document of a layer's tiles at tiles_url, bounded by these rows."""
    west, south, east, north = bounds(layer, rows) or WORLD_BOUNDS
    description = layer.description
    if layer.cluster is not None:
        description += " " + _(
            "Below zoom %(zoom)d, points binned per %(pixels)d pixels with their counts."
        ) % {"zoom": layer.cluster.below_zoom(), "pixels": 256 // CLUSTER_CELLS_PER_SIDE}
    return {
        "tilejson": "3.0.0",
        "name": layer.name,
        "description": description,
        "scheme": "xyz",
        "tiles": [tiles_url],
        "minzoom": layer.minzoom,
        "maxzoom": layer.maxzoom,
        "bounds": [west, south, east, north],
        "center": [
            round((west + east) / 2, 7),
            round((south + north) / 2, 7),
            _zoom_showing(layer, east - west, north - south),
        ],
        "vector_layers": [
            {
                "id": layer.name,
                "description": description,
                "minzoom": layer.minzoom,
                "maxzoom": layer.maxzoom,
                "fields": layer.fields,
            }
        ],
    }


def bounds(layer: TileLayer, rows: QuerySet) -> tuple[float, float, float, float] | None:
    """The longitude/latitude box of these rows (None when there are none), cached a while."""
    try:
        rows_sql, rows_params = rows.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:  # a filter no row can match
        return None
    # str() of a parameter is its value (EWKT for a geometry), so equal queries share a key.
    query_text = "\n".join([rows_sql, *map(str, rows_params)])
    key = "tiles-bounds:" + hashlib.sha256(query_text.encode()).hexdigest()

    def compute():
        box = rows.aggregate(box=Extent(layer.geometry_field))["box"]
        return None if box is None else tuple(round(value, 7) for value in box)

    return django_cache.get_or_set(key, compute, BOUNDS_CACHE_SECONDS)


def _zoom_showing(layer: TileLayer, width: float, height: float) -> int:
    """The deepest zoom whose one tile still spans the box, within the layer's zooms."""
    span = max(width, height)
    zoom = math.floor(math.log2(360 / span)) if span > 0 else layer.maxzoom
    return min(max(zoom, layer.minzoom), layer.maxzoom)
