from django.contrib.gis.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from layers.common.constants import STORAGE_SRID
from layers.common.constraints import geometry_constraints
from layers.common.models import GridAssigned


class CameraKind(models.TextChoices):
    SHARP_EYES = "sharp_eyes", _("Sharp Eyes (雪亮)")
    SKYNET = "skynet", _("Skynet (天网)")
    HUIYAN = "huiyan", _("Huiyan village camera (慧眼)")
    OTHER = "other", _("Other")


class CameraStatus(models.TextChoices):
    ACTIVE = "active", _("In service")
    FAULTY = "faulty", _("Faulty")
    OFFLINE = "offline", _("Offline")
    PLANNED = "planned", _("Planned")


class CameraSite(GridAssigned):
    """A video surveillance camera and the sector it sees. Sensitive: never public.

    Geometry: Point, EPSG:4326. Azimuth in degrees clockwise from north, field of view in
    degrees (360 for a dome camera), range in metres.
    """

    code = models.CharField(_("camera code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    location = models.PointField(_("position"), srid=STORAGE_SRID)
    kind = models.CharField(_("kind"), max_length=16, choices=CameraKind.choices)
    azimuth = models.FloatField(_("azimuth (°)"))
    field_of_view = models.FloatField(_("field of view (°)"))
    range_m = models.FloatField(_("range (m)"))
    status = models.CharField(
        _("status"), max_length=16, choices=CameraStatus.choices, default=CameraStatus.ACTIVE
    )
    department = models.ForeignKey(
        "departments.Department",
        verbose_name=_("owning department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cameras",
    )
    installed_on = models.DateField(_("installed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("camera site")
        verbose_name_plural = _("camera sites")
        ordering = ["code"]
        constraints = [
            *geometry_constraints("location"),
            models.CheckConstraint(
                condition=Q(azimuth__gte=0, azimuth__lt=360), name="cameras_azimuth_range"
            ),
            models.CheckConstraint(
                condition=Q(field_of_view__gt=0, field_of_view__lte=360),
                name="cameras_fov_range",
            ),
            models.CheckConstraint(
                condition=Q(range_m__gt=0, range_m__lte=5000), name="cameras_range_positive"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"
