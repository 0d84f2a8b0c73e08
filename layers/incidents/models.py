from functools import reduce
from operator import or_

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from layers.common.constants import STORAGE_SRID
from layers.common.constraints import geometry_constraints
from layers.common.models import GridAssigned
from layers.incidents.choices import (
    SUBCATEGORIES,
    Action,
    AttachmentKind,
    Category,
    Level,
    Priority,
    RejectionReason,
    Source,
    Status,
    Subcategory,
)


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
    # Database defaults as well: bulk loaders (demo data, imports) insert rows with plain SQL.
    version = models.PositiveIntegerField(
        _("version"),
        default=0,
        db_default=0,
        editable=False,
        help_text=_("Raised by every workflow step; a step names the version it saw."),
    )
    level = models.PositiveSmallIntegerField(
        _("handling level"), choices=Level.choices, default=Level.GRID, db_default=Level.GRID
    )
    priority = models.CharField(
        _("priority"),
        max_length=8,
        choices=Priority.choices,
        default=Priority.NORMAL,
        db_default=Priority.NORMAL,
    )
    rejection_reason = models.CharField(
        _("rejection reason"),
        max_length=16,
        choices=RejectionReason.choices,
        blank=True,
        default="",
        db_default="",
    )
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("duplicate of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duplicates",
    )
    lead_department = models.ForeignKey(
        "departments.Department",
        verbose_name=_("lead department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_incidents",
    )
    co_departments = models.ManyToManyField(
        "departments.Department",
        verbose_name=_("co-handling departments"),
        blank=True,
        related_name="co_handled_incidents",
    )
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True, db_index=True)
    feedback = models.TextField(_("department feedback"), blank=True, default="", db_default="")
    rating = models.PositiveSmallIntegerField(_("reporter rating"), null=True, blank=True)
    review = models.TextField(_("supervisor review"), blank=True, default="", db_default="")
    # A citizen's report (民意快递) is followed by this code instead of a login; never listed.
    tracking_code = models.CharField(
        _("tracking code"), max_length=16, unique=True, null=True, blank=True, editable=False
    )
    citizen_contact = models.CharField(
        _("citizen's contact"),
        max_length=200,
        blank=True,
        default="",
        db_default="",
        help_text=_("A phone number or e-mail the citizen left; internal, never published."),
    )

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
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="incidents_rating_1_to_5",
                violation_error_message=_("A rating is from 1 to 5."),
            ),
        ]

    def __str__(self):
        return self.title

    def primary(self) -> "Incident":
        """The incident this one was merged into, followed to the end; itself if not merged."""
        incident, seen = self, {self.pk}
        while incident.duplicate_of_id is not None and incident.duplicate_of_id not in seen:
            seen.add(incident.duplicate_of_id)
            incident = incident.duplicate_of
        return incident


class RoutingRule(models.Model):
    """Where incidents of a category in an area go (分流): one department, editable in the admin.

    No geometry of its own: the rule names an administrative area (county, township or village)
    or one grid. The most specific rule wins: a grid's over a village's over a township's over a
    county's; at the same place, a rule for the incident's category over one for every category.
    """

    area = models.ForeignKey(
        "areas.AdminArea",
        verbose_name=_("area"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="incident_routing_rules",
    )
    grid = models.ForeignKey(
        "grids.Grid",
        verbose_name=_("grid"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="incident_routing_rules",
    )
    category = models.CharField(
        _("category"),
        max_length=20,
        choices=Category.choices,
        blank=True,
        default="",
        help_text=_("Empty: every category."),
    )
    department = models.ForeignKey(
        "departments.Department",
        verbose_name=_("department"),
        on_delete=models.CASCADE,
        related_name="incident_routing_rules",
    )

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        ordering = ["area__code", "grid__code", "category"]
        constraints = [
            models.CheckConstraint(
                condition=Q(area__isnull=True, grid__isnull=False)
                | Q(area__isnull=False, grid__isnull=True),
                name="incidents_rule_area_or_grid",
                violation_error_message=_("A routing rule names an area or a grid, not both."),
            ),
            models.UniqueConstraint(
                fields=["area", "category"],
                condition=Q(area__isnull=False),
                name="incidents_rule_once_per_area_category",
                violation_error_message=_("This area already has a rule for this category."),
            ),
            models.UniqueConstraint(
                fields=["grid", "category"],
                condition=Q(grid__isnull=False),
                name="incidents_rule_once_per_grid_category",
                violation_error_message=_("This grid already has a rule for this category."),
            ),
        ]

    def __str__(self):
        place = self.grid or self.area
        category = self.get_category_display() if self.category else _("every category")
        return f"{place} · {category} → {self.department}"


class DepartmentMember(models.Model):
    """A person who handles the incidents dispatched to a department (starts and resolves them).

    No geometry. Kept here until the departments app has members of its own.
    """

    department = models.ForeignKey(
        "departments.Department",
        verbose_name=_("department"),
        on_delete=models.CASCADE,
        related_name="incident_handlers",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="incident_departments",
    )

    class Meta:
        verbose_name = _("department member")
        verbose_name_plural = _("department members")
        constraints = [
            models.UniqueConstraint(
                fields=["department", "user"], name="incidents_member_once_per_department"
            )
        ]

    def __str__(self):
        return f"{self.user} · {self.department}"


class AppendOnlyError(Exception):
    """Raised on an attempt to change or remove a workflow event."""


class IncidentEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError(_("Incident events are never changed."))

    def delete(self):
        raise AppendOnlyError(_("Incident events are never deleted."))


class IncidentEvent(models.Model):
    """One step in an incident's life (accepted, dispatched, escalated, …): who, when, from what.

    Geometry: optional Point, EPSG:4326, where the actor stood. Append-only: the ORM refuses
    updates and deletes, and a database trigger refuses them from any other path.
    """

    incident = models.ForeignKey(
        Incident, verbose_name=_("incident"), on_delete=models.PROTECT, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incident_events",
        help_text=_("Empty: the system (an automatic escalation)."),
    )
    at = models.DateTimeField(_("at"), db_index=True)
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    from_state = models.CharField(_("from status"), max_length=16, choices=Status.choices)
    to_state = models.CharField(_("to status"), max_length=16, choices=Status.choices)
    note = models.TextField(_("note"), blank=True)
    position = models.PointField(_("position"), srid=STORAGE_SRID, null=True, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    objects = IncidentEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("incident event")
        verbose_name_plural = _("incident events")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.incident_id} {self.action} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(_("Incident events are never changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(_("Incident events are never deleted."))


class IncidentAttachment(models.Model):
    """A file attached to an incident: a photo of the problem, or a department's evidence.

    Geometry: optional Point, EPSG:4326, where a photo was taken, read from its EXIF GPS tags;
    `far_from_incident` flags one taken farther from the incident than the settings allow.
    Files and thumbnails go through Django's default storage (settings.STORAGES["default"]).
    """

    incident = models.ForeignKey(
        Incident, verbose_name=_("incident"), on_delete=models.PROTECT, related_name="attachments"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=AttachmentKind.choices)
    file = models.FileField(_("file"), upload_to="incidents/attachments/%Y/%m/")
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size in bytes"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="incident_attachments",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), db_index=True)
    position = models.PointField(_("taken at"), srid=STORAGE_SRID, null=True, blank=True)
    taken_at = models.DateTimeField(_("photo taken at"), null=True, blank=True)
    thumbnail = models.FileField(
        _("thumbnail"), upload_to="incidents/thumbnails/%Y/%m/", blank=True, default=""
    )
    distance_m = models.FloatField(_("distance from the incident (m)"), null=True, blank=True)
    far_from_incident = models.BooleanField(_("far from the incident"), default=False)

    class Meta:
        verbose_name = _("incident attachment")
        verbose_name_plural = _("incident attachments")
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.file.name
