"""The PostGIS functions vector tiles are made with, one small class each."""

from django.contrib.gis.db.models import GeometryField
from django.db.models import BigIntegerField, Func, IntegerField, Value
from django.db.models.functions import Cast

from layers.common.constants import WEB_MERCATOR_SRID


class ClipToWorld(Func):
    """The geometry cut to the Web Mercator square (ST_ClipByBox2D)."""

    function = "ST_ClipByBox2D"
    template = (
        "%(function)s(%(expressions)s, ST_MakeEnvelope(-20037508.342789244, -20037508.342789244,"
        " 20037508.342789244, 20037508.342789244, 3857))"
    )
    output_field = GeometryField(srid=WEB_MERCATOR_SRID)


class TileEnvelope(Func):
    """ST_TileEnvelope(z, x, y): the tile's Web Mercator square, grown by `margin` of its side."""

    function = "ST_TileEnvelope"
    # margin goes by name: the fourth positional argument is the tiling's bounds.
    template = "%(function)s(%(expressions)s, margin => %%s::float8)"
    output_field = GeometryField(srid=WEB_MERCATOR_SRID)

    def __init__(self, z: int, x: int, y: int, margin: float = 0.0):
        self.margin = margin
        super().__init__(*(Cast(Value(number), IntegerField()) for number in (z, x, y)))

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = super().as_sql(compiler, connection, **extra_context)
        return sql, (*params, self.margin)


class AsMVTGeom(Func):
    """ST_AsMVTGeom: a Web Mercator geometry in the integer coordinates of one tile, clipped.

    NULL when nothing of the geometry is left in the tile and its buffer.
    """

    function = "ST_AsMVTGeom"
    output_field = GeometryField(srid=0)

    def __init__(self, expression, envelope: TileEnvelope, extent: int, buffer: int):
        super().__init__(expression, envelope, Value(extent), Value(buffer))


class Simplify(Func):
    """ST_Simplify keeping collapsed parts: a polygon never vanishes at low zoom."""

    function = "ST_Simplify"
    template = "%(function)s(%(expressions)s, true)"

    def __init__(self, expression, tolerance: float):
        super().__init__(expression, Value(tolerance))


class EpochSeconds(Func):
    """A timestamp as whole seconds since 1970-01-01 UTC: MVT has no date type."""

    template = "EXTRACT(EPOCH FROM %(expressions)s)::bigint"
    output_field = BigIntegerField()
