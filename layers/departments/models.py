from django.contrib.gis.db import models
from django.utils.translation import gettext_lazy as _


class DepartmentKind(models.TextChoices):
    POLICE_STATION = "police", _("Police station (派出所)")
    JUSTICE_OFFICE = "justice", _("Justice office (司法所)")
    COURT = "court", _("People's court tribunal (法庭)")
    URBAN_MANAGEMENT = "urban", _("Urban management (城管)")
    CIVIL_AFFAIRS = "civil", _("Civil affairs (民政)")
    EMERGENCY = "emergency", _("Emergency management (应急)")
    NATURAL_RESOURCES = "land", _("Natural resources (自然资源)")
    GOVERNANCE_CENTRE = "centre", _("Governance centre (综治中心)")
    OTHER = "other", _("Other")


class Department(models.Model):
    """A government department that receives dispatched incidents for its area of responsibility.

    No geometry of its own: its area is an AdminArea (a county, township or village).
    """

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=DepartmentKind.choices)
    area = models.ForeignKey(
        "areas.AdminArea",
        verbose_name=_("area of responsibility"),
        on_delete=models.PROTECT,
        related_name="departments",
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["area__code", "name"]
        constraints = [
            models.UniqueConstraint(fields=["area", "name"], name="departments_name_unique_in_area")
        ]

    def __str__(self):
        return self.name
