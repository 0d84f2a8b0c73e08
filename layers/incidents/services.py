"""The incident workflow: collect → dispatch → feedback → evaluation, escalation, the event log.

Every step reads the incident afresh, checks the actor, the status and the version the caller
saw, then moves it with one guarded UPDATE (`WHERE id = … AND version = …`): of two steps
racing from the same version exactly one changes the row, the other gets a conflict.
"""

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.gis.db.models.functions import Distance
from django.contrib.gis.geos import Point
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from layers.areas.models import AdminArea
from layers.incidents.attachments import (
    content_type_of,
    photo_position,
    photo_taken_at,
    thumbnail_of,
)
from layers.incidents.choices import (
    ALLOWED_FROM,
    ATTACHMENT_CONTENT_TYPES,
    ATTACHMENT_MAX_BYTES,
    DEADLINE_HOURS,
    EVIDENCE_CONTENT_TYPES,
    OPEN_STATUSES,
    Action,
    AttachmentKind,
    Level,
    Priority,
    RejectionReason,
    Status,
)
from layers.incidents.models import (
    DepartmentMember,
    Incident,
    IncidentAttachment,
    IncidentEvent,
)
from layers.incidents.routing import incident_route

logger = logging.getLogger(__name__)

CHANGE_PERMISSION = "incidents.change_incident"


class IncidentConflict(Exception):
    """A step that does not fit the incident as it is now; `status` is its current status."""

    def __init__(self, message: str, status: str):
        super().__init__(message)
        self.message = message
        self.status = status


class TransitionNotAllowed(IncidentConflict):
    """The action is not possible from the incident's status (or level)."""


class StaleVersion(IncidentConflict):
    """Someone else moved the incident since the caller read it."""


def incident_deadline(*, category: str, priority: str, start: datetime) -> datetime:
    """When the department's feedback is due for a case of this category and priority."""
    return start + timedelta(hours=DEADLINE_HOURS[category][priority])


@transaction.atomic
def incident_accept(
    *, incident: Incident, actor, expected_version: int, note: str = "", position=None
) -> Incident:
    """Takes a reported incident into the workflow (信息汇总); the event keeps the department
    the routing rules propose, for the dispatcher to confirm."""
    _require_supervisor(actor)
    route = incident_route(incident)
    return _transition(
        incident,
        actor=actor,
        expected_version=expected_version,
        action=Action.ACCEPT,
        to_state=Status.ACCEPTED,
        note=note,
        position=position,
        data={
            "proposed_department": route.department.pk if route.department else None,
            "routing_rule": route.rule.pk if route.rule else None,
        },
    )


@transaction.atomic
def incident_reject(
    *,
    incident: Incident,
    actor,
    expected_version: int,
    reason: str,
    duplicate_of: Incident | None = None,
    note: str = "",
    position=None,
) -> Incident:
    """Turns a report away as invalid, or as a duplicate of the incident named (a merge)."""
    _require_supervisor(actor)
    if reason == RejectionReason.DUPLICATE and duplicate_of is None:
        raise ValidationError({"duplicate_of": _("Name the incident this one duplicates.")})
    if reason != RejectionReason.DUPLICATE and duplicate_of is not None:
        raise ValidationError({"duplicate_of": _("Only a duplicate names another incident.")})
    if duplicate_of is not None:
        return incident_merge(
            incident=incident,
            primary=duplicate_of,
            actor=actor,
            expected_version=expected_version,
            note=note,
            position=position,
        )
    return _transition(
        incident,
        actor=actor,
        expected_version=expected_version,
        action=Action.REJECT,
        to_state=Status.REJECTED,
        changes={"rejection_reason": reason},
        note=note,
        position=position,
        data={"reason": reason, "duplicate_of": None},
    )


@transaction.atomic
def incident_merge(
    *,
    incident: Incident,
    primary: Incident,
    actor,
    expected_version: int,
    note: str = "",
    position=None,
) -> Incident:
    """Rejects a report as a duplicate of `primary`, which carries on for both.

    A primary that was itself merged is followed to the incident that carries on; reports merged
    into this one follow it there. Their reporters keep following through their tracking codes,
    which show the primary's progress; the primary's log records the merge.
    """
    _require_supervisor(actor)
    primary = Incident.objects.get(pk=primary.pk).primary()
    if primary.pk == incident.pk:
        raise ValidationError({"duplicate_of": _("An incident cannot duplicate itself.")})
    if primary.status == Status.REJECTED:
        raise ValidationError(
            {
                "duplicate_of": _("Incident %(id)d was rejected: merge into one that carries on.")
                % {"id": primary.pk}
            }
        )
    merged = _transition(
        incident,
        actor=actor,
        expected_version=expected_version,
        action=Action.REJECT,
        to_state=Status.REJECTED,
        changes={"rejection_reason": RejectionReason.DUPLICATE, "duplicate_of": primary},
        note=note,
        position=position,
        data={"reason": RejectionReason.DUPLICATE, "duplicate_of": primary.pk},
    )
    followers = list(Incident.objects.filter(duplicate_of=merged).values_list("pk", flat=True))
    Incident.objects.filter(pk__in=followers).update(duplicate_of=primary)
    # The primary's own row does not change, so its version stays: its handlers are not
    # interrupted. The log entry keeps its timeline complete.
    IncidentEvent.objects.create(
        incident=primary,
        actor=actor,
        at=timezone.now(),
        action=Action.MERGE,
        from_state=primary.status,
        to_state=primary.status,
        note=note,
        position=position,
        data={"merged": [merged.pk, *followers]},
    )
    return merged


@transaction.atomic
def incident_dispatch(
    *,
    incident: Incident,
    actor,
    expected_version: int,
    lead_department=None,
    co_departments=(),
    priority: str = Priority.NORMAL,
    note: str = "",
    position=None,
) -> Incident:
    """Hands an accepted incident to a lead department, with a deadline (分流交办).

    Without a lead department named, the one the routing rules propose is used. The lead
    department's area of responsibility must cover the incident.
    """
    _require_supervisor(actor)
    routed = lead_department is None
    if routed:
        lead_department = incident_route(incident).department
        if lead_department is None:
            raise ValidationError(
                {"lead_department": _("No routing rule covers this place: name a department.")}
            )
    _require_covers(lead_department, incident)
    co_departments = [dept for dept in co_departments if dept.pk != lead_department.pk]
    now = timezone.now()
    deadline = incident_deadline(category=incident.category, priority=priority, start=now)
    incident = _transition(
        incident,
        actor=actor,
        expected_version=expected_version,
        action=Action.DISPATCH,
        to_state=Status.DISPATCHED,
        changes={"lead_department": lead_department, "priority": priority, "deadline": deadline},
        note=note,
        position=position,
        at=now,
        data={
            "lead_department": lead_department.pk,
            "routed": routed,
            "co_departments": [dept.pk for dept in co_departments],
            "priority": priority,
            "deadline": deadline.isoformat(),
        },
    )
    incident.co_departments.set(co_departments)
    return incident


@transaction.atomic
def incident_start(
    *, incident: Incident, actor, expected_version: int, note: str = "", position=None
) -> Incident:
    """The lead department takes up the work."""
    _require_handler(actor, incident)
    return _transition(
        incident,
        actor=actor,
        expected_version=expected_version,
        action=Action.START,
        to_state=Status.IN_PROGRESS,
        note=note,
        position=position,
    )


@transaction.atomic
def incident_resolve(
    *, incident: Incident, actor, expected_version: int, feedback: str, position=None
) -> Incident:
    """The lead department reports its result (结果反馈), with evidence photos already attached."""
    _require_handler(actor, incident)
    if not feedback.strip():
        raise ValidationError({"feedback": _("Say what was done.")})
    evidence = []  # filled by the check below, read when the event is written

    def require_evidence(current: Incident) -> None:
        evidence.extend(_evidence_since_dispatch(current).values_list("pk", flat=True))
        if not evidence:
            raise ValidationError(
                {"evidence": _("Attach at least one evidence photo before resolving.")}
            )

    return _transition(
        incident,
        actor=actor,
        expected_version=expected_version,
        action=Action.RESOLVE,
        to_state=Status.RESOLVED,
        changes={"feedback": feedback},
        note=feedback,
        position=position,
        require=require_evidence,
        data={"evidence": evidence},
    )


@transaction.atomic
def incident_evaluate(
    *,
    incident: Incident,
    actor,
    expected_version: int,
    satisfied: bool,
    rating: int | None = None,
    review: str = "",
    position=None,
) -> Incident:
    """The reporter rates and/or a supervisor reviews the result (督导评价); unsatisfied reopens."""
    is_supervisor = actor.has_perm(CHANGE_PERMISSION)
    is_reporter = incident.reporter_id is not None and incident.reporter_id == actor.pk
    if not (is_supervisor or is_reporter):
        raise PermissionDenied(_("Only the reporter or a supervisor evaluates an incident."))
    if review and not is_supervisor:
        raise PermissionDenied(_("Only a supervisor writes a review."))
    if rating is None and not review:
        raise ValidationError(_("Give a rating, a review or both."))
    return evaluation_record(
        incident,
        actor=actor,
        expected_version=expected_version,
        satisfied=satisfied,
        rating=rating,
        review=review,
        note=review,
        position=position,
    )


def evaluation_record(
    incident: Incident,
    *,
    actor,
    expected_version: int,
    satisfied: bool,
    rating: int | None,
    review: str = "",
    note: str = "",
    position=None,
    data: dict | None = None,
) -> Incident:
    """The evaluation step once the evaluator is known to be allowed (a person, or a citizen
    through a tracking code): satisfied closes the loop, unsatisfied reopens with a new deadline."""
    if rating is not None and not 1 <= rating <= 5:
        raise ValidationError({"rating": _("A rating is from 1 to 5.")})
    now = timezone.now()
    changes = {"rating": rating, "review": review}
    if satisfied:
        to_state = Status.EVALUATED
    else:
        # Back to the lead department with a fresh deadline: the old one has nothing left.
        to_state = Status.DISPATCHED
        changes["deadline"] = incident_deadline(
            category=incident.category, priority=incident.priority, start=now
        )
    return _transition(
        incident,
        actor=actor,
        expected_version=expected_version,
        action=Action.EVALUATE,
        to_state=to_state,
        changes=changes,
        note=note,
        position=position,
        at=now,
        data={"satisfied": satisfied, "rating": rating, **(data or {})},
    )


@transaction.atomic
def incident_close(
    *, incident: Incident, actor, expected_version: int, note: str = "", position=None
) -> Incident:
    """Closes an evaluated incident for good."""
    _require_supervisor(actor)
    return _transition(
        incident,
        actor=actor,
        expected_version=expected_version,
        action=Action.CLOSE,
        to_state=Status.CLOSED,
        note=note,
        position=position,
    )


@transaction.atomic
def incident_escalate(
    *, incident: Incident, actor, expected_version: int, reason: str, position=None
) -> Incident:
    """Hands an open incident one level up: grid → township → county."""
    _require_supervisor(actor)
    return _change_level(
        incident,
        actor=actor,
        expected_version=expected_version,
        step=1,
        reason=reason,
        position=position,
    )


@transaction.atomic
def incident_deescalate(
    *, incident: Incident, actor, expected_version: int, reason: str, position=None
) -> Incident:
    """Hands an open incident one level down: county → township → grid."""
    _require_supervisor(actor)
    return _change_level(
        incident,
        actor=actor,
        expected_version=expected_version,
        step=-1,
        reason=reason,
        position=position,
    )


@transaction.atomic
def incident_attachment_add(*, incident: Incident, actor, upload, kind: str) -> IncidentAttachment:
    """Attaches a file; a photo's EXIF position is kept and flagged when far from the incident."""
    if kind == AttachmentKind.EVIDENCE:
        _require_handler(actor, incident)
        if incident.status not in (Status.DISPATCHED, Status.IN_PROGRESS):
            raise TransitionNotAllowed(
                _("Evidence is attached while the incident is being handled."), incident.status
            )
    else:
        if not (actor.pk == incident.reporter_id or _is_handler(actor, incident)):
            raise PermissionDenied(_("Only the reporter or a handler attaches files."))
        if incident.status in (Status.REJECTED, Status.CLOSED):
            raise TransitionNotAllowed(
                _("Nothing is attached to a rejected or closed incident."), incident.status
            )
    return attachment_store(incident=incident, upload=upload, kind=kind, actor=actor)


def attachment_check(upload, *, kind: str, max_bytes: int = ATTACHMENT_MAX_BYTES) -> str:
    """The upload's content type, read from its bytes, if it may be attached as `kind`."""
    if upload.size > max_bytes:
        raise ValidationError(
            {"file": _("A file is at most %(mb)d MB.") % {"mb": max_bytes // 2**20}}
        )
    content_type = content_type_of(upload)
    allowed = (
        ATTACHMENT_CONTENT_TYPES if kind == AttachmentKind.DOCUMENT else EVIDENCE_CONTENT_TYPES
    )
    if content_type not in allowed:
        raise ValidationError(
            {"file": _("Attach one of: %(types)s.") % {"types": ", ".join(sorted(allowed))}}
        )
    return content_type


def attachment_store(*, incident: Incident, upload, kind: str, actor, content_type=None):
    """Stores a checked upload with what its EXIF says and, for an image, a thumbnail.

    For the services, which have checked who attaches what; not a service of its own.
    """
    content_type = content_type or attachment_check(upload, kind=kind)
    is_image = content_type.startswith("image/")
    position = photo_position(upload) if is_image else None
    distance_m = None
    if position is not None:
        distance_m = (
            Incident.objects.filter(pk=incident.pk)
            .annotate(distance=Distance("location", position))
            .values_list("distance", flat=True)
            .get()
            .m
        )
    max_distance_m = settings.GISGOV_EVIDENCE_MAX_DISTANCE_M
    return IncidentAttachment.objects.create(
        incident=incident,
        kind=kind,
        file=upload,
        content_type=content_type,
        size=upload.size,
        uploaded_by=actor,
        uploaded_at=timezone.now(),
        position=position,
        taken_at=photo_taken_at(upload) if is_image else None,
        distance_m=distance_m,
        far_from_incident=distance_m is not None and distance_m > max_distance_m,
        thumbnail=(thumbnail_of(upload) if is_image else None) or "",
    )


def incidents_escalate_overdue(*, now: datetime | None = None) -> list[Incident]:
    """Escalates every open incident past its deadline one level; returns those it escalated.

    The new level gets a fresh deadline, so the next run escalates the incident again only when
    that one is missed too. Each incident moves in a transaction of its own: one that a person
    moves at the same moment is left to them.
    """
    now = now or timezone.now()
    overdue = Incident.objects.filter(
        status__in=OPEN_STATUSES, deadline__lt=now, level__lt=Level.COUNTY
    ).order_by("deadline", "id")
    escalated = []
    for incident in overdue:
        missed = incident.deadline
        try:
            with transaction.atomic():
                _change_level(
                    incident,
                    actor=None,
                    expected_version=incident.version,
                    step=1,
                    reason=_("Deadline missed."),
                    at=now,
                    changes={
                        "deadline": incident_deadline(
                            category=incident.category, priority=incident.priority, start=now
                        )
                    },
                    data={"automatic": True, "missed_deadline": missed.isoformat()},
                )
        except IncidentConflict as exc:
            logger.info("incident %s not escalated: %s", incident.pk, exc.message)
            continue
        logger.info(
            "incident %s escalated to level %s: deadline %s missed",
            incident.pk,
            incident.level,
            missed.isoformat(),
        )
        escalated.append(incident)
    return escalated


def _require_supervisor(actor) -> None:
    if not actor.has_perm(CHANGE_PERMISSION):
        raise PermissionDenied(_("You may not move incidents through the workflow."))


def _require_covers(department, incident: Incident) -> None:
    """The department's area of responsibility must hold the incident's position."""
    covers = AdminArea.objects.filter(
        pk=department.area_id, geom__covers=Incident.objects.get(pk=incident.pk).location
    ).exists()
    if not covers:
        raise ValidationError(
            {
                "lead_department": _(
                    "%(department)s is responsible for %(area)s, which does not cover the incident."
                )
                % {"department": department.name, "area": department.area.name}
            }
        )


def _require_handler(actor, incident: Incident) -> None:
    if not _is_handler(actor, incident):
        raise PermissionDenied(_("Only the lead department handles this incident."))


def _is_handler(actor, incident: Incident) -> bool:
    """A supervisor, or a member of the lead department, may start and resolve."""
    if actor.has_perm(CHANGE_PERMISSION):
        return True
    return (
        incident.lead_department_id is not None
        and DepartmentMember.objects.filter(
            department_id=incident.lead_department_id, user_id=actor.pk
        ).exists()
    )


def _evidence_since_dispatch(incident: Incident):
    """Evidence uploaded since the latest dispatch: a reopened case needs new proof."""
    dispatched_at = (
        incident.events.filter(to_state=Status.DISPATCHED)
        .order_by("-at", "-id")
        .values_list("at", flat=True)
        .first()
    )
    evidence = incident.attachments.filter(kind=AttachmentKind.EVIDENCE)
    return evidence if dispatched_at is None else evidence.filter(uploaded_at__gte=dispatched_at)


def _change_level(
    incident: Incident,
    *,
    actor,
    expected_version: int,
    step: int,
    reason: str,
    position=None,
    at: datetime | None = None,
    changes: dict | None = None,
    data: dict | None = None,
) -> Incident:
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the level changes.")})
    current = Incident.objects.get(pk=incident.pk)
    new_level = current.level + step
    if new_level not in Level.values:
        message = (
            _("The incident is already at the highest level.")
            if step > 0
            else _("The incident is already at the lowest level.")
        )
        _check_version(current, expected_version)
        raise TransitionNotAllowed(message, current.status)
    return _transition(
        incident,
        actor=actor,
        expected_version=expected_version,
        action=Action.ESCALATE if step > 0 else Action.DEESCALATE,
        to_state=None,
        changes={"level": new_level, **(changes or {})},
        note=reason,
        position=position,
        at=at,
        data={"from_level": current.level, "to_level": new_level, **(data or {})},
    )


def _check_version(current: Incident, expected_version: int) -> None:
    if current.version != expected_version:
        raise _stale(current, expected_version)


def _stale(current: Incident, expected_version: int) -> StaleVersion:
    return StaleVersion(
        _("The incident changed since you read it (version %(current)d, not %(expected)d).")
        % {"current": current.version, "expected": expected_version},
        current.status,
    )


def _transition(
    incident: Incident,
    *,
    actor,
    expected_version: int,
    action: str,
    to_state: str | None,
    changes: dict | None = None,
    note: str = "",
    position: Point | None = None,
    at: datetime | None = None,
    data: dict | None = None,
    require: Callable[[Incident], None] | None = None,
) -> Incident:
    """Moves the incident if its status allows the action and nobody moved it first; logs it.

    `to_state` None keeps the status (escalation). `require` checks what else the step needs,
    once the status is known to allow it. Refreshes and returns `incident`.
    """
    at = at or timezone.now()
    current = Incident.objects.get(pk=incident.pk)
    _check_version(current, expected_version)
    if current.status not in ALLOWED_FROM[action]:
        raise TransitionNotAllowed(
            _("Cannot %(action)s an incident that is %(status)s.")
            % {"action": action, "status": current.get_status_display().lower()},
            current.status,
        )
    if require is not None:
        require(current)
    to_state = to_state or current.status
    moved = Incident.objects.filter(pk=current.pk, version=expected_version).update(
        status=to_state, version=F("version") + 1, updated_at=at, **(changes or {})
    )
    if not moved:
        # Another step committed between our read and our UPDATE (which waited for its lock).
        raise _stale(Incident.objects.get(pk=current.pk), expected_version)
    IncidentEvent.objects.create(
        incident=current,
        actor=actor,
        at=at,
        action=action,
        from_state=current.status,
        to_state=to_state,
        note=note,
        position=position,
        data=data or {},
    )
    incident.refresh_from_db()
    return incident
