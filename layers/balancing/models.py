from django.conf import settings
from django.contrib.gis.db import models
from django.utils.translation import gettext_lazy as _

from layers.common.constants import STORAGE_SRID


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPLIED = "applied", _("Applied")
    DISCARDED = "discarded", _("Discarded")


class TargetKind(models.TextChoices):
    GRIDS = "grids", _("Number of grids")
    WORKLOAD = "workload", _("Workload per grid")


class Plan(models.Model):
    """A re-drawing of the basic grids of a village or township, a draft until applied.

    No geometry of its own: its grids (PlanGrid) carry the polygons, its assignments the
    buildings. `base_grids` are the current grid ids it was computed from; applying refuses a
    plan whose base changed since.
    """

    parent = models.ForeignKey(
        "areas.AdminArea", verbose_name=_("parent area"), on_delete=models.PROTECT
    )
    target_kind = models.CharField(_("target kind"), max_length=16, choices=TargetKind.choices)
    target_value = models.FloatField(_("target value"))
    weights = models.JSONField(_("workload weights"), default=dict)
    from_current = models.BooleanField(_("starts from the current grids"), default=False)
    status = models.CharField(
        _("status"), max_length=16, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    summary = models.JSONField(_("summary"), default=dict)
    base_grids = models.JSONField(_("current grids it starts from"), default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("applied or discarded by"),
    )
    decided_at = models.DateTimeField(_("applied or discarded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("balancing plan")
        verbose_name_plural = _("balancing plans")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.parent.code} #{self.pk} ({self.get_status_display()})"


class PlanGrid(models.Model):
    """One grid of a plan. Geometry: Polygon, EPSG:4326 (dissolved Voronoi cells)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="grids")
    village = models.ForeignKey("areas.AdminArea", on_delete=models.PROTECT, related_name="+")
    code = models.CharField(_("grid code"), max_length=32)
    geom = models.PolygonField(_("boundary"), srid=STORAGE_SRID)
    households = models.PositiveIntegerField(_("households"))
    workload = models.FloatField(_("workload"))
    continues = models.ForeignKey(
        "grids.Grid",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("current grid it continues"),
    )
    created_grid = models.ForeignKey(
        "grids.Grid",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("grid created when applied"),
    )

    class Meta:
        verbose_name = _("plan grid")
        verbose_name_plural = _("plan grids")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="balancing_plan_grid_code")
        ]


class PlanAssignment(models.Model):
    """A building of the plan's parent: the grid it is in now and the plan grid it goes to."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="assignments")
    building = models.ForeignKey("buildings.Building", on_delete=models.CASCADE, related_name="+")
    plan_grid = models.ForeignKey(PlanGrid, on_delete=models.CASCADE, related_name="assignments")
    previous_grid = models.ForeignKey(
        "grids.Grid", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    households = models.PositiveIntegerField(_("households"))

    class Meta:
        verbose_name = _("plan assignment")
        verbose_name_plural = _("plan assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "building"], name="balancing_assignment_once_per_plan"
            )
        ]
