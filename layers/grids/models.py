from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from layers.common.constants import STORAGE_SRID
from layers.common.constraints import geometry_constraints


class GridKind(models.TextChoices):
    BASIC = "basic", _("Basic grid")
    EXCLUSIVE = "exclusive", _("Exclusive grid")


class ExclusiveType(models.TextChoices):
    """Exclusive grids (专属网格) cover one institution or site."""

    SCHOOL = "school", _("School")
    HOSPITAL = "hospital", _("Hospital")
    MARKET = "market", _("Market")
    PARK = "park", _("Park")
    BUSINESS = "business", _("Office / business building")
    INDUSTRIAL = "industrial", _("Industrial park")


class StaffRole(models.TextChoices):
    HEAD = "head", _("Grid head (网格长)")
    MEMBER = "member", _("Gridder (网格员)")
    ASSISTANT = "assistant", _("Grid assistant (网格助理员)")


class GridQuerySet(models.QuerySet):
    def current(self):
        """Grids in force today; a re-drawn grid keeps its old row with valid_to set."""
        return self.filter(valid_to__isnull=True)

    def inside_code(self, code: str):
        from layers.areas.models import code_prefix

        return self.filter(village__code__startswith=code_prefix(code))


class Grid(models.Model):
    """A management grid (网格) inside one village or community, patrolled by its gridders.

    Geometry: Polygon, EPSG:4326. The current grids of a village tile it with no gap and no
    overlap. A re-drawing closes the old grid (valid_to) and adds a new one, so history stays.
    """

    code = models.CharField(_("grid code"), max_length=32)
    name = models.CharField(_("name"), max_length=100)
    village = models.ForeignKey(
        "areas.AdminArea",
        verbose_name=_("village / community"),
        on_delete=models.PROTECT,
        related_name="grids",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=GridKind.choices)
    exclusive_type = models.CharField(
        _("exclusive grid type"), max_length=16, choices=ExclusiveType.choices, blank=True
    )
    geom = models.PolygonField(_("boundary"), srid=STORAGE_SRID)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid until"), null=True, blank=True)
    # Who drew this version (a person's edit, or the applier of a balancing plan); when is
    # valid_from.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("drawn by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="GridStaff",
        verbose_name=_("staff"),
        related_name="grids",
        blank=True,
    )

    objects = GridQuerySet.as_manager()

    class Meta:
        verbose_name = _("grid")
        verbose_name_plural = _("grids")
        ordering = ["code"]
        constraints = [
            *geometry_constraints("geom"),
            models.UniqueConstraint(
                fields=["code"],
                condition=Q(valid_to__isnull=True),
                name="grids_code_unique_current",
                violation_error_message=_("A current grid already has this code."),
            ),
            models.CheckConstraint(
                condition=Q(kind=GridKind.BASIC, exclusive_type="")
                | Q(kind=GridKind.EXCLUSIVE) & ~Q(exclusive_type=""),
                name="grids_exclusive_type_iff_exclusive",
                violation_error_message=_(
                    "Exclusive grids, and only they, have an exclusive type."
                ),
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=F("valid_from")),
                name="grids_valid_period",
                violation_error_message=_("A grid's end date comes after its start date."),
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"


class GridStaff(models.Model):
    """A person's role in one grid: head, member or assistant."""

    grid = models.ForeignKey(Grid, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="grid_memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=StaffRole.choices)

    class Meta:
        verbose_name = _("grid staff")
        verbose_name_plural = _("grid staff")
        constraints = [
            models.UniqueConstraint(fields=["grid", "user"], name="grids_staff_once_per_grid"),
            models.UniqueConstraint(
                fields=["grid"], condition=Q(role=StaffRole.HEAD), name="grids_one_head"
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()}"
