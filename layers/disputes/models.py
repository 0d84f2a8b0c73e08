"""Land-dispute cases and their evidence: claimed boundaries, earlier surveys, imagery, visits.

Every table here is copied, row by row, into `disputes_history` by a database trigger on each
insert, update and delete (migration 0002): "every record keeps its history".
"""

import uuid

from django.conf import settings
from django.contrib.gis.db import models
from django.utils.translation import gettext_lazy as _

from layers.common.constants import STORAGE_SRID
from layers.common.constraints import geometry_constraints
from layers.disputes.choices import (
    CaseKind,
    CaseStatus,
    ClaimMethod,
    ImageryStatus,
    PartyRole,
    ReferenceKind,
    VisitPurpose,
)


class DisputeCase(models.Model):
    """A land, forest, grassland or homestead boundary dispute in a village.

    Geometry: Point, EPSG:4326 — where the disputed land is (the field page's map centre).
    `version` rises whenever the case or its boundaries change; a field visit names the version
    it was recorded against, so a visit made on stale information shows as a conflict.
    """

    code = models.CharField(_("case code"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=CaseKind.choices)
    village = models.ForeignKey(
        "areas.AdminArea",
        verbose_name=_("village"),
        on_delete=models.PROTECT,
        related_name="dispute_cases",
    )
    location = models.PointField(_("position"), srid=STORAGE_SRID)
    status = models.CharField(
        _("status"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.OPEN
    )
    mediator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("mediator"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mediated_disputes",
    )
    officers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("field officers"),
        blank=True,
        related_name="field_disputes",
    )
    description = models.TextField(_("description"), blank=True, default="")
    outcome = models.TextField(_("outcome"), blank=True, default="")
    opened_on = models.DateField(_("opened on"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=0, editable=False)

    class Meta:
        verbose_name = _("dispute case")
        verbose_name_plural = _("dispute cases")
        ordering = ["-opened_on", "id"]
        constraints = [*geometry_constraints("location")]

    def __str__(self):
        return f"{self.code} {self.title}"


class Party(models.Model):
    """A person, household or collective taking part in a dispute. No geometry."""

    case = models.ForeignKey(
        DisputeCase, verbose_name=_("case"), on_delete=models.CASCADE, related_name="parties"
    )
    name = models.CharField(_("name"), max_length=100)
    role = models.CharField(_("role"), max_length=16, choices=PartyRole.choices)
    contact = models.CharField(_("contact"), max_length=100, blank=True, default="")

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["id"]

    def __str__(self):
        return self.name


class Claim(models.Model):
    """The boundary a party claims. Geometry: MultiPolygon, EPSG:4326."""

    case = models.ForeignKey(
        DisputeCase, verbose_name=_("case"), on_delete=models.CASCADE, related_name="claims"
    )
    party = models.ForeignKey(
        Party, verbose_name=_("party"), on_delete=models.PROTECT, related_name="claims"
    )
    boundary = models.MultiPolygonField(_("claimed boundary"), srid=STORAGE_SRID)
    method = models.CharField(_("how it was recorded"), max_length=16, choices=ClaimMethod.choices)
    source_file = models.FileField(_("uploaded file"), upload_to="disputes/claims/", blank=True)
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True, default="")

    class Meta:
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        ordering = ["id"]
        constraints = [*geometry_constraints("boundary")]


class ReferenceBoundary(models.Model):
    """An earlier survey or registration of the land (确权 record, homestead certificate).

    Geometry: MultiPolygon, EPSG:4326. Versions of a case's references are numbered 1, 2, …
    in the order they were added; `surveyed_on` orders them in time.
    """

    case = models.ForeignKey(
        DisputeCase, verbose_name=_("case"), on_delete=models.CASCADE, related_name="references"
    )
    kind = models.CharField(_("kind"), max_length=24, choices=ReferenceKind.choices)
    boundary = models.MultiPolygonField(_("recorded boundary"), srid=STORAGE_SRID)
    surveyed_on = models.DateField(_("survey or registration date"))
    source = models.CharField(_("source"), max_length=200)
    document = models.FileField(_("document"), upload_to="disputes/references/", blank=True)
    version = models.PositiveIntegerField(_("version"), editable=False)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reference boundary")
        verbose_name_plural = _("reference boundaries")
        ordering = ["surveyed_on", "version"]
        constraints = [
            *geometry_constraints("boundary"),
            models.UniqueConstraint(fields=["case", "version"], name="disputes_reference_version"),
        ]


class Imagery(models.Model):
    """A dated image of the ground (satellite or aerial), kept as a Cloud-Optimized GeoTIFF.

    Geometry: Polygon, EPSG:4326 — the footprint of the image, set once the upload is converted.
    """

    title = models.CharField(_("title"), max_length=200)
    captured_on = models.DateField(_("capture date"))
    sensor = models.CharField(_("sensor"), max_length=100, blank=True, default="")
    resolution_m = models.FloatField(_("resolution (m)"), null=True, blank=True)
    source_crs = models.CharField(_("source CRS"), max_length=100, blank=True, default="")
    footprint = models.PolygonField(_("footprint"), srid=STORAGE_SRID, null=True, blank=True)
    cog = models.CharField(_("COG file"), max_length=300, blank=True, default="")
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ImageryStatus.choices,
        default=ImageryStatus.PROCESSING,
    )
    job = models.ForeignKey(
        "jobs.JobRun", verbose_name=_("job"), null=True, on_delete=models.SET_NULL
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("image")
        verbose_name_plural = _("imagery")
        ordering = ["captured_on", "id"]
        constraints = [*geometry_constraints("footprint")]


class FieldVisit(models.Model):
    """An officer's visit to the disputed land: GPS points with their accuracy, notes, photos.

    Geometry: MultiPoint, EPSG:4326 (the positions, in the order taken); `accuracies_m` holds
    each point's reported accuracy. `idempotency_key` is made by the phone, so a visit synced
    twice is stored once. A visit recorded against an older case version is kept and marked
    as a conflict: the officer saw boundaries that have changed since.
    """

    case = models.ForeignKey(
        DisputeCase, verbose_name=_("case"), on_delete=models.CASCADE, related_name="visits"
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("officer"),
        on_delete=models.PROTECT,
        related_name="dispute_visits",
    )
    idempotency_key = models.UUIDField(_("idempotency key"), unique=True, default=uuid.uuid4)
    purpose = models.CharField(_("purpose"), max_length=16, choices=VisitPurpose.choices)
    visited_at = models.DateTimeField(_("visited at"))
    points = models.MultiPointField(_("GPS points"), srid=STORAGE_SRID)
    accuracies_m = models.JSONField(_("accuracy of each point (m)"), default=list)
    notes = models.TextField(_("notes"), blank=True, default="")
    case_version = models.PositiveIntegerField(_("case version seen"))
    conflict = models.BooleanField(_("conflict"), default=False)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        verbose_name = _("field visit")
        verbose_name_plural = _("field visits")
        ordering = ["visited_at", "id"]
        constraints = [*geometry_constraints("points")]


class VisitPhoto(models.Model):
    """A photo taken on a visit, with where and when. Geometry: Point, EPSG:4326 (nullable)."""

    visit = models.ForeignKey(
        FieldVisit, verbose_name=_("visit"), on_delete=models.CASCADE, related_name="photos"
    )
    image = models.FileField(_("photo"), upload_to="disputes/photos/")
    position = models.PointField(_("position"), srid=STORAGE_SRID, null=True, blank=True)
    accuracy_m = models.FloatField(_("accuracy (m)"), null=True, blank=True)
    taken_at = models.DateTimeField(_("taken at"))

    class Meta:
        verbose_name = _("visit photo")
        verbose_name_plural = _("visit photos")
        ordering = ["taken_at", "id"]


class HistoryEntry(models.Model):
    """One insert, update or delete of a disputes row, written by the database trigger.

    No geometry column: `row` holds the whole row as JSON (geometries as EWKB hex). Append-only.
    """

    table = models.CharField(_("table"), max_length=63)
    row_id = models.BigIntegerField(_("row id"))
    operation = models.CharField(_("operation"), max_length=6)
    at = models.DateTimeField(_("at"))
    actor = models.CharField(_("actor"), max_length=150, blank=True, default="")
    row = models.JSONField(_("row"))

    class Meta:
        db_table = "disputes_history"
        verbose_name = _("history entry")
        verbose_name_plural = _("history")
        ordering = ["id"]
        indexes = [models.Index(fields=["table", "row_id"], name="disputes_history_row_idx")]
