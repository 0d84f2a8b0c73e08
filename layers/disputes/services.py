"""Writes to dispute cases: each atomic, each naming its actor for the history trigger."""

import tempfile
import uuid
from datetime import datetime
from pathlib import Path

from django.contrib.gis.gdal import DataSource, GDALException
from django.contrib.gis.geos import (
    GEOSException,
    GEOSGeometry,
    MultiPoint,
    MultiPolygon,
    Point,
    Polygon,
)
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from layers.common.crs import STORAGE_CRS, SourceCRS
from layers.common.geometry import GeometryProblem, geometry_to_storage
from layers.disputes.choices import BOUNDARY_FILE_SUFFIXES
from layers.disputes.models import (
    Claim,
    DisputeCase,
    FieldVisit,
    Party,
    ReferenceBoundary,
    VisitPhoto,
)

UPLOAD_MAX_BYTES = 20 * 1024 * 1024


class VisitKeyTaken(Exception):
    """The idempotency key names a visit of another case or officer."""


def _as_actor(actor) -> None:
    """Names who makes the change, for the history trigger, until the transaction ends."""
    name = getattr(actor, "username", "") or ""
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('gisgov.actor', %s, true)", [name])


def _touch(case: DisputeCase) -> None:
    """A change to the case or its boundaries: field visits made before it become conflicts."""
    DisputeCase.objects.filter(pk=case.pk).update(
        version=F("version") + 1, updated_at=timezone.now()
    )
    case.refresh_from_db(fields=["version", "updated_at"])


@transaction.atomic
def case_create(*, actor, **fields) -> DisputeCase:
    """Opens a dispute case."""
    _as_actor(actor)
    officers = fields.pop("officers", [])
    case = DisputeCase.objects.create(**fields)
    case.officers.set(officers)
    return case


@transaction.atomic
def case_update(*, case: DisputeCase, actor, **fields) -> DisputeCase:
    """Changes a case's fields (status, mediator, outcome…) and raises its version."""
    _as_actor(actor)
    officers = fields.pop("officers", None)
    for name, value in fields.items():
        setattr(case, name, value)
    case.save()
    if officers is not None:
        case.officers.set(officers)
    _touch(case)
    return case


@transaction.atomic
def party_add(*, case: DisputeCase, actor, name: str, role: str, contact: str = "") -> Party:
    """Adds a party to a case."""
    _as_actor(actor)
    party = Party.objects.create(case=case, name=name, role=role, contact=contact)
    _touch(case)
    return party


@transaction.atomic
def claim_add(
    *,
    case: DisputeCase,
    actor,
    party: Party,
    boundary: GEOSGeometry,
    method: str,
    recorded_at: datetime | None = None,
    source_file=None,
    note: str = "",
) -> Claim:
    """Records a party's claimed boundary."""
    if party.case_id != case.pk:
        raise ValidationError(_("The party does not belong to this case."))
    _as_actor(actor)
    claim = Claim(
        case=case,
        party=party,
        boundary=_multipolygon(boundary),
        method=method,
        recorded_at=recorded_at or timezone.now(),
        recorded_by=actor if getattr(actor, "pk", None) else None,
        note=note,
    )
    if source_file is not None:
        claim.source_file.save(Path(source_file.name).name, source_file, save=False)
    claim.save()
    _touch(case)
    return claim


def walked_boundary(visit: FieldVisit) -> MultiPolygon:
    """The polygon an officer walked: the visit's points in order, closed back to the first."""
    points = [(point.x, point.y) for point in visit.points]
    if len(points) < 3:
        raise GeometryProblem(_("A walked boundary needs at least 3 points."))
    polygon = Polygon([*points, points[0]], srid=STORAGE_CRS.epsg)
    return geometry_to_storage(polygon, STORAGE_CRS, "MultiPolygon")


@transaction.atomic
def reference_add(
    *,
    case: DisputeCase,
    actor,
    kind: str,
    boundary: GEOSGeometry,
    surveyed_on,
    source: str,
    document=None,
) -> ReferenceBoundary:
    """Records an earlier survey or registration of the land as the case's next version."""
    _as_actor(actor)
    DisputeCase.objects.select_for_update().filter(pk=case.pk).first()
    last = case.references.aggregate(last=Max("version"))["last"] or 0
    reference = ReferenceBoundary(
        case=case,
        kind=kind,
        boundary=_multipolygon(boundary),
        surveyed_on=surveyed_on,
        source=source,
        version=last + 1,
    )
    if document is not None:
        reference.document.save(Path(document.name).name, document, save=False)
    reference.save()
    _touch(case)
    return reference


@transaction.atomic
def visit_record(
    *,
    case: DisputeCase,
    officer,
    idempotency_key: uuid.UUID,
    purpose: str,
    visited_at: datetime,
    points: list[tuple[float, float, float | None]],
    notes: str,
    case_version: int,
) -> tuple[FieldVisit, bool]:
    """Stores a visit once per idempotency key; (visit, created).

    A repeated key returns the stored visit unchanged: a phone that lost the answer to its
    first sync sends again and must not make a second visit. A visit recorded against an
    older case version is kept and marked as a conflict, never merged over what changed.
    """
    existing = FieldVisit.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        if existing.case_id != case.pk or existing.officer_id != officer.pk:
            raise VisitKeyTaken(_("This idempotency key belongs to another visit."))
        return existing, False
    _as_actor(officer)
    geometry = MultiPoint(
        [Point(lon, lat) for lon, lat, _accuracy in points], srid=STORAGE_CRS.epsg
    )
    geometry = geometry_to_storage(geometry, STORAGE_CRS, "MultiPoint")
    case.refresh_from_db(fields=["version"])
    visit = FieldVisit.objects.create(
        case=case,
        officer=officer,
        idempotency_key=idempotency_key,
        purpose=purpose,
        visited_at=visited_at,
        points=geometry,
        accuracies_m=[accuracy for _lon, _lat, accuracy in points],
        notes=notes,
        case_version=case_version,
        conflict=case_version != case.version,
    )
    return visit, True


@transaction.atomic
def visit_photo_add(
    *, visit: FieldVisit, actor, image, taken_at: datetime, position=None, accuracy_m=None
) -> VisitPhoto:
    """Attaches a photo to a visit, with where and when it was taken."""
    _as_actor(actor)
    photo = VisitPhoto(visit=visit, taken_at=taken_at, accuracy_m=accuracy_m)
    if position is not None:
        photo.position = Point(position[0], position[1], srid=STORAGE_CRS.epsg)
    photo.image.save(Path(image.name).name or "photo.jpg", image, save=False)
    photo.save()
    return photo


def boundary_from_file(upload, source: SourceCRS | None = None) -> MultiPolygon:
    """The polygons of an uploaded GeoJSON, zipped Shapefile or KML, merged, in EPSG:4326.

    The CRS is the one the file declares (a .prj, GeoJSON's crs member; KML is always
    lon/lat); `source` is used only for a file that declares none.
    """
    suffix = Path(upload.name or "").suffix.lower()
    if suffix not in BOUNDARY_FILE_SUFFIXES:
        raise GeometryProblem(_("Upload a boundary as %s.") % ", ".join(BOUNDARY_FILE_SUFFIXES))
    if upload.size > UPLOAD_MAX_BYTES:
        raise GeometryProblem(_("The file is larger than %d MB.") % (UPLOAD_MAX_BYTES // 2**20))
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / f"boundary{suffix}"
        with path.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        name = f"/vsizip/{path}" if suffix == ".zip" else str(path)
        try:
            layer = DataSource(name)[0]
        except (GDALException, IndexError) as exc:
            raise GeometryProblem(_("The file cannot be read as vector data: %s") % exc) from exc
        srs = layer.srs
        declared = None
        if srs is not None:
            srs.identify_epsg()
            declared = srs.srid
        # GDAL gives x = east whatever the CRS's own axis order.
        crs = SourceCRS(declared) if declared else (source or STORAGE_CRS).for_files()
        # Each feature is checked as the API checks one geometry before they are merged: a
        # union of invalid polygons fails inside GEOS, and a point or line left out silently
        # would change the claimed land.
        polygons = [
            _feature_boundary(number, feature, crs) for number, feature in enumerate(layer, 1)
        ]
    if not polygons:
        raise GeometryProblem(_("The file holds no polygon."))
    merged = polygons[0]
    for polygon in polygons[1:]:
        merged = merged.union(polygon)
    return _multipolygon(merged)


def _feature_boundary(number: int, feature, crs: SourceCRS) -> MultiPolygon:
    try:
        geometry = feature.geom.geos
        geometry.srid = None
        return geometry_to_storage(geometry, crs, "MultiPolygon")
    except (GDALException, GEOSException, GeometryProblem) as exc:
        problem = exc if isinstance(exc, GeometryProblem) else _("it cannot be read (%s)") % exc
        raise GeometryProblem(
            _("Feature %(number)d: %(problem)s") % {"number": number, "problem": problem}
        ) from exc


def _multipolygon(geometry: GEOSGeometry) -> MultiPolygon:
    if geometry.geom_type == "Polygon":
        return MultiPolygon(geometry, srid=geometry.srid)
    return geometry
