"""Database constraints shared by every geometry column."""

from django.contrib.gis.db.models.functions import IsValid
from django.db.models import CheckConstraint
from django.utils.translation import gettext_lazy as _

from layers.common.functions import CoveredByLonLatRange, IsEmpty


def geometry_constraints(field: str) -> list[CheckConstraint]:
    """Valid, non-empty, inside the lon/lat range: what every stored geometry must be."""
    return [
        CheckConstraint(
            condition=IsValid(field),
            name=f"%(app_label)s_%(class)s_{field}_valid",
            violation_error_message=_("The geometry is not valid (self-intersection or bad ring)."),
        ),
        CheckConstraint(
            condition=~IsEmpty(field),
            name=f"%(app_label)s_%(class)s_{field}_not_empty",
            violation_error_message=_("The geometry is empty."),
        ),
        CheckConstraint(
            condition=CoveredByLonLatRange(field),
            name=f"%(app_label)s_%(class)s_{field}_lonlat_range",
            violation_error_message=_("Coordinates lie outside longitude ±180 / latitude ±90."),
        ),
    ]
