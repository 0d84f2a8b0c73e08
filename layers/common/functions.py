"""PostGIS functions Django lacks, one small class each (as django.contrib.gis does)."""

from django.contrib.gis.db.models.functions import GeoFuncMixin
from django.db.models import BooleanField, Func


class IsEmpty(GeoFuncMixin, Func):
    function = "ST_IsEmpty"
    output_field = BooleanField()


class CoveredByLonLatRange(GeoFuncMixin, Func):
    """True when every coordinate is a real longitude/latitude (no NaN, nothing beyond ±180/±90).

    Empty geometries pass here so that the not-empty constraint is the one that names them.
    The SQL function is created by the common app's first migration.
    """

    function = "gisgov_in_lonlat_range"
    output_field = BooleanField()
