"""Citizen reports (民意快递): no login, a tracking code to follow the report and rate the result.

A citizen sees their own report only, through its code: its status (the primary's, once it was
merged as a duplicate), the public steps of its timeline, the department handling it and, once
resolved, the department's feedback. Never another incident, a person's name or an internal note.
"""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from layers.areas.models import AdminArea
from layers.incidents.choices import SUBCATEGORIES, AttachmentKind, Source, Status
from layers.incidents.models import Incident
from layers.incidents.services import (
    TransitionNotAllowed,
    attachment_check,
    attachment_store,
    evaluation_record,
)

# Letters and digits nobody misreads over the phone (no 0/O, 1/I/L): 31^10 ≈ 8 × 10^14 codes,
# found by nobody guessing at the look-up rate limit.
TRACKING_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
TRACKING_CODE_LENGTH = 10
# A rating below this is "unsatisfied": the incident goes back to its department.
SATISFIED_FROM_RATING = 3


class UnknownTrackingCode(Exception):
    """No citizen report has this code."""


def tracking_code_new() -> str:
    return "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(TRACKING_CODE_LENGTH))


def tracking_code_normal(code: str) -> str:
    """The code as stored: upper case, without the spaces and dashes people type."""
    return code.upper().replace("-", "").replace(" ", "")


@transaction.atomic
def incident_citizen_report(
    *,
    category: str,
    subcategory: str,
    title: str,
    location,
    description: str = "",
    contact: str = "",
    photos=(),
) -> Incident:
    """Records a citizen's report with its photos; every check runs before anything is written."""
    if subcategory not in SUBCATEGORIES.get(category, []):
        raise ValidationError(
            {
                "subcategory": _("%(sub)s is not a subcategory of %(cat)s.")
                % {"sub": subcategory, "cat": category}
            }
        )
    if not title.strip():
        raise ValidationError({"title": _("Say in a few words what the problem is.")})
    max_photos = settings.GISGOV_CITIZEN_MAX_PHOTOS
    if len(photos) > max_photos:
        raise ValidationError(
            {"photos": _("At most %(count)d photos per report.") % {"count": max_photos}}
        )
    checked = [
        (
            photo,
            attachment_check(
                photo,
                kind=AttachmentKind.PHOTO,
                max_bytes=settings.GISGOV_CITIZEN_MAX_PHOTO_MB * 2**20,
            ),
        )
        for photo in photos
    ]
    if not AdminArea.objects.filter(geom__covers=location).exists():
        raise ValidationError({"location": _("This place is outside the area we serve.")})
    incident = Incident.objects.create(
        category=category,
        subcategory=subcategory,
        title=title.strip(),
        description=description,
        location=location,
        source=Source.CITIZEN,
        reported_at=timezone.now(),
        tracking_code=tracking_code_new(),
        citizen_contact=contact,
    )
    for photo, content_type in checked:
        attachment_store(
            incident=incident,
            upload=photo,
            kind=AttachmentKind.PHOTO,
            actor=None,
            content_type=content_type,
        )
    return incident


def incident_by_tracking_code(code: str) -> Incident:
    code = tracking_code_normal(code)
    # The code's own table (its primary key keeps codes unique across monthly partitions)
    # names the incident's id and reported_at: one probe there, then one in its partition.
    incident = (
        Incident.objects.filter(
            tracking_code=code,
            reported_at=RawSQL(
                "SELECT incident_reported_at FROM incidents_tracking_code WHERE code = %s", [code]
            ),
        )
        .select_related("duplicate_of")
        .first()
    )
    if incident is None:
        raise UnknownTrackingCode(_("No report has this tracking code."))
    return incident


def citizen_report_status(code: str) -> dict:
    """What a citizen may know about their report; the primary's progress once merged."""
    own = incident_by_tracking_code(code)
    followed = Incident.objects.select_related("lead_department").get(pk=own.primary().pk)
    merged = followed.pk != own.pk
    finished = followed.status in (Status.RESOLVED, Status.EVALUATED, Status.CLOSED)
    return {
        "tracking_code": own.tracking_code,
        "title": own.title,
        "category": own.category,
        "category_display": own.get_category_display(),
        "reported_at": own.reported_at,
        "merged": merged,
        "status": followed.status,
        "status_display": followed.get_status_display(),
        "rejected_as_invalid": own.status == Status.REJECTED and not merged,
        "department": followed.lead_department.name if followed.lead_department else None,
        "expected_at": followed.deadline
        if followed.status in (Status.DISPATCHED, Status.IN_PROGRESS)
        else None,
        "feedback": followed.feedback if finished else "",
        "updated_at": followed.updated_at,
        "rating": own.rating,
        "can_rate": not merged and own.status == Status.RESOLVED,
        "timeline": [
            {"at": event.at, "action": event.action, "action_display": event.get_action_display()}
            for event in followed.events.order_by("at", "id")
        ],
    }


@transaction.atomic
def incident_citizen_rate(*, code: str, rating: int, comment: str = "") -> Incident:
    """The citizen's rating of the result, 1–5, through the tracking code (督导评价).

    Below 3 is unsatisfied: the incident goes back to its department. A report merged into
    another is rated by the primary's reporter, not through its own code.
    """
    incident = incident_by_tracking_code(code)
    if incident.duplicate_of_id is not None:
        raise TransitionNotAllowed(
            _("This report was merged into another one; that one's reporter rates the result."),
            incident.status,
        )
    return evaluation_record(
        incident,
        actor=None,
        expected_version=incident.version,
        satisfied=rating >= SATISFIED_FROM_RATING,
        rating=rating,
        note=comment,
        data={"by": "citizen"},
    )
