from django.contrib.gis.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from layers.common.constants import STORAGE_SRID
from layers.common.constraints import geometry_constraints
from layers.common.models import GridAssigned


class BuildingUse(models.TextChoices):
    RESIDENTIAL = "residential", _("Residential")
    MIXED = "mixed", _("Mixed residential / commercial")
    COMMERCIAL = "commercial", _("Commercial")
    PUBLIC = "public", _("Public service")
    INDUSTRIAL = "industrial", _("Industrial")
    AGRICULTURAL = "agricultural", _("Agricultural")
    OTHER = "other", _("Other")


class Building(GridAssigned):
    """A building (楼栋) with its households and residents: the unit grid workload is made of.

    Geometry: Polygon footprint, EPSG:4326. Its grid and village are those containing
    ST_PointOnSurface(footprint), assigned in the database.
    """

    footprint = models.PolygonField(_("footprint"), srid=STORAGE_SRID)
    address = models.CharField(_("address"), max_length=200, blank=True)
    floors = models.PositiveSmallIntegerField(_("floors"), default=1)
    households = models.PositiveIntegerField(_("households"), default=0)
    residents = models.PositiveIntegerField(_("residents"), default=0)
    use = models.CharField(_("use"), max_length=16, choices=BuildingUse.choices)

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        constraints = [
            *geometry_constraints("footprint"),
            models.CheckConstraint(condition=Q(floors__gte=1), name="buildings_floors_positive"),
        ]

    def __str__(self):
        return self.address or f"#{self.pk}"
