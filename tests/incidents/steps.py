"""Run any workflow step with plausible arguments, and bring an incident to a status."""

import io

from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import ExifTags, Image

from layers.departments.models import Department
from layers.incidents import services
from layers.incidents.choices import Action, AttachmentKind, Status
from layers.incidents.models import Incident, IncidentAttachment

SERVICES = {
    Action.ACCEPT: services.incident_accept,
    Action.REJECT: services.incident_reject,
    Action.DISPATCH: services.incident_dispatch,
    Action.START: services.incident_start,
    Action.RESOLVE: services.incident_resolve,
    Action.EVALUATE: services.incident_evaluate,
    Action.CLOSE: services.incident_close,
    Action.ESCALATE: services.incident_escalate,
    Action.DEESCALATE: services.incident_deescalate,
}

# The steps from a new report to each status, by the shortest legal path.
PATH = {
    Status.REPORTED: [],
    Status.ACCEPTED: [Action.ACCEPT],
    Status.REJECTED: [Action.REJECT],
    Status.DISPATCHED: [Action.ACCEPT, Action.DISPATCH],
    Status.IN_PROGRESS: [Action.ACCEPT, Action.DISPATCH, Action.START],
    Status.RESOLVED: [Action.ACCEPT, Action.DISPATCH, Action.START, Action.RESOLVE],
    Status.EVALUATED: [
        Action.ACCEPT,
        Action.DISPATCH,
        Action.START,
        Action.RESOLVE,
        Action.EVALUATE,
    ],
    Status.CLOSED: [
        Action.ACCEPT,
        Action.DISPATCH,
        Action.START,
        Action.RESOLVE,
        Action.EVALUATE,
        Action.CLOSE,
    ],
}


def default_arguments(action: str) -> dict:
    if action == Action.REJECT:
        return {"reason": "invalid"}
    if action == Action.DISPATCH:
        return {"lead_department": Department.objects.order_by("id").first()}
    if action == Action.RESOLVE:
        return {"feedback": "the neighbours agreed on the fence line"}
    if action == Action.EVALUATE:
        return {"satisfied": True, "rating": 5}
    if action in (Action.ESCALATE, Action.DEESCALATE):
        return {"reason": "needs the township's land office"}
    return {}


def photo(
    lon: float | None = None,
    lat: float | None = None,
    image_format="JPEG",
    taken: str | None = None,
    offset: str | None = None,
    size: tuple[int, int] = (8, 8),
) -> bytes:
    """A small image, with EXIF GPS tags when a position is given (north and east only) and
    DateTimeOriginal ("YYYY:MM:DD HH:MM:SS", with OffsetTimeOriginal) when a time is."""
    exif = Image.Exif()
    if taken is not None:
        details = {ExifTags.Base.DateTimeOriginal: taken}
        if offset is not None:
            details[ExifTags.Base.OffsetTimeOriginal] = offset
        exif[ExifTags.IFD.Exif] = details
    if lon is not None:
        exif[ExifTags.IFD.GPSInfo] = {
            ExifTags.GPS.GPSLatitudeRef: "N",
            ExifTags.GPS.GPSLatitude: dms(lat),
            ExifTags.GPS.GPSLongitudeRef: "E",
            ExifTags.GPS.GPSLongitude: dms(lon),
        }
    buffer = io.BytesIO()
    Image.new("RGB", size, "green").save(buffer, image_format, exif=exif)
    return buffer.getvalue()


def dms(value: float) -> tuple[float, float, float]:
    degrees, rest = divmod(value * 3600, 3600)
    minutes, seconds = divmod(rest, 60)
    return (degrees, minutes, round(seconds, 4))


def attach_evidence(incident: Incident) -> IncidentAttachment:
    """Evidence written straight to the table, whatever the status: set-up, not the service."""
    return IncidentAttachment.objects.create(
        incident=incident,
        kind=AttachmentKind.EVIDENCE,
        file=ContentFile(photo(), name="evidence.jpg"),
        content_type="image/jpeg",
        size=1,
        uploaded_at=timezone.now(),
    )


def step(action: str, incident: Incident, actor, evidence: bool = True, **arguments) -> Incident:
    """Runs one step at the incident's current version; a resolve gets its evidence first."""
    incident.refresh_from_db()
    if action == Action.RESOLVE and evidence:
        attach_evidence(incident)
    return SERVICES[action](
        incident=incident,
        actor=actor,
        expected_version=incident.version,
        **{**default_arguments(action), **arguments},
    )


def bring_to(incident: Incident, status: str, actor) -> Incident:
    for action in PATH[status]:
        incident = step(action, incident, actor)
    assert incident.status == status
    return incident
