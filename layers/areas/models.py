from django.contrib.gis.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from layers.common.constants import STORAGE_SRID
from layers.common.constraints import geometry_constraints


class AreaLevel(models.IntegerChoices):
    """Levels of the statistical division hierarchy; the value orders them from wide to narrow."""

    PROVINCE = 1, _("Province")
    CITY = 2, _("City")
    COUNTY = 3, _("County / district")
    TOWNSHIP = 4, _("Township / street")
    VILLAGE = 5, _("Village / community")


# How many leading digits of the 12-digit code identify a unit at each level (GB/T 2260 + NBS).
CODE_PREFIX_LENGTH = {
    AreaLevel.PROVINCE: 2,
    AreaLevel.CITY: 4,
    AreaLevel.COUNTY: 6,
    AreaLevel.TOWNSHIP: 9,
    AreaLevel.VILLAGE: 12,
}


class AdminAreaQuerySet(models.QuerySet):
    def inside_code(self, code: str):
        """Every area at or below the unit with this division code (its code prefix)."""
        return self.filter(code__startswith=code_prefix(code))


class AdminArea(models.Model):
    """An administrative unit (city, county, township/street, village/community).

    Geometry: MultiPolygon, EPSG:4326. Identified by its 12-digit statistical division code
    (统计用区划代码); children share the parent's code prefix.
    """

    code = models.CharField(_("division code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.PositiveSmallIntegerField(_("level"), choices=AreaLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    geom = models.MultiPolygonField(_("boundary"), srid=STORAGE_SRID)

    objects = AdminAreaQuerySet.as_manager()

    class Meta:
        verbose_name = _("administrative area")
        verbose_name_plural = _("administrative areas")
        ordering = ["code"]
        indexes = [
            models.Index(
                fields=["code"], name="areas_code_prefix_idx", opclasses=["varchar_pattern_ops"]
            )
        ]
        constraints = [
            *geometry_constraints("geom"),
            models.CheckConstraint(
                condition=Q(code__regex=r"^[0-9]{12}$"),
                name="areas_code_12_digits",
                violation_error_message=_("A division code is exactly 12 digits."),
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"

    @property
    def code_prefix(self) -> str:
        return self.code[: CODE_PREFIX_LENGTH[self.level]]


DIVISION_CODE_LENGTHS = frozenset(CODE_PREFIX_LENGTH.values())


def division_prefix(text: str) -> str:
    """The code prefix of everything inside a unit named by its 12-digit code or by the
    significant digits of one (2, 4, 6, 9 or 12); ValueError for anything else."""
    if not (text.isascii() and text.isdigit() and len(text) in DIVISION_CODE_LENGTHS):
        raise ValueError(
            _("a division code is 12 digits, or its first 2, 4, 6 or 9 digits: not %(text)r")
            % {"text": text}
        )
    return code_prefix(text.ljust(12, "0"))


def code_prefix(code: str) -> str:
    """The significant digits of a division code: trailing zero groups mark wider levels."""
    for level in (AreaLevel.PROVINCE, AreaLevel.CITY, AreaLevel.COUNTY, AreaLevel.TOWNSHIP):
        length = CODE_PREFIX_LENGTH[level]
        if code[length:].strip("0") == "":
            return code[:length]
    return code
