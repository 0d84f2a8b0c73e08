from django.contrib.gis.db import models
from django.utils.translation import gettext_lazy as _

from layers.common.constants import STORAGE_SRID
from layers.common.constraints import geometry_constraints
from layers.common.models import GridAssigned


class KeySiteKind(models.TextChoices):
    VILLAGE_ENTRANCE = "entrance", _("Village entrance (村口)")
    SCHOOL = "school", _("School")
    MARKET = "market", _("Market")
    HOSPITAL = "hospital", _("Hospital / clinic")
    BRIDGE = "bridge", _("Bridge")
    OTHER = "other", _("Other")


class KeySite(GridAssigned):
    """A key site (重点部位) that must be watched: village entrances, schools, markets, bridges.

    Geometry: Point, EPSG:4326.
    """

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=KeySiteKind.choices)
    location = models.PointField(_("position"), srid=STORAGE_SRID)

    class Meta:
        verbose_name = _("key site")
        verbose_name_plural = _("key sites")
        ordering = ["name"]
        constraints = geometry_constraints("location")

    def __str__(self):
        return self.name
