from functools import reduce
from operator import or_

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from layers.common.constants import STORAGE_SRID
from layers.common.constraints import geometry_constraints
from layers.common.models import GridAssigned
from layers.incidents.choices import SUBCATEGORIES, Category, Source, Status, Subcategory


class Incident(GridAssigned):
    """A reported problem (事件): a dispute, hazard, request or sudden event at a place.

    Geometry: Point, EPSG:4326. Its grid and village are assigned in the database on create
    and whenever the point moves.
    """

    location = models.PointField(_("position"), srid=STORAGE_SRID)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    subcategory = models.CharField(_("subcategory"), max_length=20, choices=Subcategory.choices)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    reported_at = models.DateTimeField(_("reported at"), db_index=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.REPORTED
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reporter"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reported_incidents",
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-reported_at"]
        indexes = [models.Index(fields=["category", "reported_at"], name="incidents_cat_time_idx")]
        constraints = [
            *geometry_constraints("location"),
            models.CheckConstraint(
                condition=reduce(
                    or_,
                    (Q(category=cat, subcategory__in=subs) for cat, subs in SUBCATEGORIES.items()),
                ),
                name="incidents_subcategory_of_category",
                violation_error_message=_("The subcategory does not belong to the category."),
            ),
        ]

    def __str__(self):
        return self.title
