"""PostGIS functions Django lacks, one small class each (as django.contrib.gis does)."""

from django.contrib.gis.db.models.functions import GeoFuncMixin
from django.db.models import BooleanField, Func


class IsEmpty(GeoFuncMixin, Func):
    function = "ST_IsEmpty"
    output_field = BooleanField()


class CoveredByLonLatRange(GeoFuncMixin, Func):
    """True when every coordinate is a real longitude/latitude (no NaN, nothing beyond ±180/±90)."""

    template = "ST_CoveredBy(%(expressions)s, ST_MakeEnvelope(-180, -90, 180, 90, ST_SRID(%(expressions)s)))"
    output_field = BooleanField()
