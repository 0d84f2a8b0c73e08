from django.contrib.gis.db import models
from django.utils.translation import gettext_lazy as _


class GridAssigned(models.Model):
    """The grid and village a feature lies in, set by database triggers from its geometry.

    Triggers (see the `location` migrations) fill both on insert and on a geometry change, and
    refresh them when a grid is drawn, re-drawn or removed, whatever path wrote the row.
    """

    grid = models.ForeignKey(
        "grids.Grid",
        verbose_name=_("grid"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    area = models.ForeignKey(
        "areas.AdminArea",
        verbose_name=_("village / community"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        abstract = True
