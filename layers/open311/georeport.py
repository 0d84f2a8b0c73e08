"""Our incidents as Open311 GeoReport v2 services and service requests.

A service is a category and subcategory (`service_code` "category.subcategory"). Our statuses
map to Open311's two: reported, accepted, dispatched and in progress are "open"; rejected,
resolved, evaluated and closed are "closed", with `status_notes` saying which and why.
"""

from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from layers.incidents.choices import (
    OPEN_STATUSES,
    SUBCATEGORIES,
    AttachmentKind,
    Category,
    RejectionReason,
    Status,
    Subcategory,
)
from layers.incidents.models import Incident

OPEN, CLOSED = "open", "closed"
# Without dates, a listing covers this much of the recent past, at most this many requests.
DEFAULT_SPAN = timedelta(days=90)
MAX_REQUESTS = 1000


def service_code(category: str, subcategory: str) -> str:
    return f"{category}.{subcategory}"


def service_from_code(code: str) -> tuple[str, str] | None:
    """(category, subcategory) of a service code; None when it names no service of ours."""
    category, _dot, subcategory = code.partition(".")
    if subcategory in SUBCATEGORIES.get(category, []):
        return category, subcategory
    return None


def services() -> list[dict]:
    return [
        {
            "service_code": service_code(category, subcategory),
            "service_name": str(Subcategory(subcategory).label),
            "description": _("%(subcategory)s (%(category)s)")
            % {
                "subcategory": Subcategory(subcategory).label,
                "category": Category(category).label,
            },
            "metadata": False,
            "type": "realtime",
            "keywords": f"{category},{subcategory}",
            "group": str(Category(category).label),
        }
        for category, subcategories in SUBCATEGORIES.items()
        for subcategory in subcategories
    ]


def open311_status(status: str) -> str:
    return OPEN if status in OPEN_STATUSES else CLOSED


def statuses_for(open311_statuses: list[str]) -> list[str]:
    """Our statuses behind Open311 status values."""
    return [status for status in Status if open311_status(status) in open311_statuses]


def service_request(incident: Incident, build_url) -> dict:
    """One incident in GeoReport v2's fields; `build_url` makes a media path absolute."""
    photo = next((a for a in incident.attachments.all() if a.kind == AttachmentKind.PHOTO), None)
    place = [part for part in (incident.area, incident.grid) if part is not None]
    return {
        "service_request_id": incident.pk,
        "status": open311_status(incident.status),
        "status_notes": _status_notes(incident),
        "service_name": incident.get_subcategory_display(),
        "service_code": service_code(incident.category, incident.subcategory),
        "description": (
            f"{incident.title}: {incident.description}" if incident.description else incident.title
        ),
        "agency_responsible": incident.lead_department.name if incident.lead_department else "",
        "service_notice": incident.get_level_display(),
        "requested_datetime": _time(incident.reported_at),
        "updated_datetime": _time(incident.updated_at),
        "expected_datetime": _time(incident.deadline),
        "address": " ".join(part.name for part in place),
        "address_id": incident.grid.code if incident.grid else "",
        "zipcode": "",
        "lat": round(incident.location.y, 7),
        "long": round(incident.location.x, 7),
        "media_url": build_url(photo.file.url) if photo else "",
    }


def _status_notes(incident: Incident) -> str:
    if incident.status == Status.REJECTED:
        if incident.rejection_reason == RejectionReason.DUPLICATE and incident.duplicate_of_id:
            return _("Duplicate of request %(id)d.") % {"id": incident.duplicate_of_id}
        return incident.get_rejection_reason_display() or incident.get_status_display()
    if incident.status in (Status.RESOLVED, Status.EVALUATED, Status.CLOSED) and incident.feedback:
        return f"{incident.get_status_display()}: {incident.feedback}"
    return incident.get_status_display()


def _time(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None
