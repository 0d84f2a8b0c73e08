from django.contrib.gis.db import models
from django.contrib.gis.db.models.functions import IsValid
from django.db.models import CheckConstraint
from django.utils.translation import gettext_lazy as _

from layers.common.constants import STORAGE_SRID
from layers.common.constraints import geometry_constraints


class CameraSector(models.Model):
    """The ground one camera sees: its view sector less the buildings and their 2-D shadows.

    Geometry: `sector` Polygon and `visible` MultiPolygon, EPSG:4326, computed in the CGCS2000
    Gauss-Krueger zone of the camera (`srid`). Written only by the database: triggers on
    cameras and buildings refresh the rows they touch (migration 0002), `rebuild_camera_sectors`
    rebuilds all. `visible` is empty when buildings hide everything.
    """

    camera = models.OneToOneField(
        "cameras.CameraSite",
        verbose_name=_("camera"),
        primary_key=True,
        # The database cascades (a foreign key added by migration 0002), so raw deletes, bulk
        # loads and TRUNCATE ... CASCADE of cameras take their sectors with them.
        db_constraint=False,
        on_delete=models.CASCADE,
        related_name="sector",
    )
    srid = models.PositiveIntegerField(_("metric frame (EPSG)"))
    sector = models.PolygonField(_("view sector"), srid=STORAGE_SRID)
    visible = models.MultiPolygonField(_("visible ground"), srid=STORAGE_SRID)
    sector_area_m2 = models.FloatField(_("sector area (m²)"))
    visible_area_m2 = models.FloatField(_("visible area (m²)"))
    obstacles = models.PositiveIntegerField(_("blocking buildings"))
    host_building = models.ForeignKey(
        "buildings.Building",
        verbose_name=_("mounted on building"),
        null=True,
        blank=True,
        db_constraint=False,
        on_delete=models.DO_NOTHING,
        related_name="+",
    )
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("camera view sector")
        verbose_name_plural = _("camera view sectors")
        constraints = [
            *geometry_constraints("sector"),
            CheckConstraint(condition=IsValid("visible"), name="coverage_sector_visible_valid"),
        ]

    def __str__(self):
        return str(self.camera_id)
