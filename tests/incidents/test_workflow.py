"""The workflow services: every status × action, rejection, deadlines, evaluation, permissions."""

from datetime import timedelta

import pytest
from django.contrib.gis.geos import Point
from django.core.exceptions import PermissionDenied, ValidationError

from layers.incidents import services
from layers.incidents.choices import DEADLINE_HOURS, Action, Category, Level, Priority, Status
from layers.incidents.models import IncidentEvent
from tests import factories as f
from tests.factories import LAT, LON
from tests.incidents.steps import PATH, bring_to, step

pytestmark = pytest.mark.django_db

S = Status
# Written out rather than read from choices.ALLOWED_FROM, so that a change there shows up here.
# Action → {status it may start from: status it leads to}.
LEGAL = {
    Action.ACCEPT: {S.REPORTED: S.ACCEPTED},
    Action.REJECT: {S.REPORTED: S.REJECTED},
    Action.DISPATCH: {S.ACCEPTED: S.DISPATCHED},
    Action.START: {S.DISPATCHED: S.IN_PROGRESS},
    Action.RESOLVE: {S.IN_PROGRESS: S.RESOLVED},
    Action.EVALUATE: {S.RESOLVED: S.EVALUATED},
    Action.CLOSE: {S.EVALUATED: S.CLOSED},
    Action.ESCALATE: {status: status for status in PATH if status in services.OPEN_STATUSES},
    Action.DEESCALATE: {status: status for status in PATH if status in services.OPEN_STATUSES},
}
# A merge is logged on the incident that carries on, never a step of its own (see test_duplicates).
MATRIX = [(status, action) for status in Status for action in Action if action != Action.MERGE]


@pytest.mark.parametrize(("status", "action"), MATRIX)
def test_every_status_action_pair(incident, supervisor, police, status, action):
    incident = bring_to(incident, status, supervisor)
    if action == Action.DEESCALATE and status in LEGAL[action]:
        incident = step(Action.ESCALATE, incident, supervisor)  # from the grid there is no lower
    before_version, before_events = incident.version, incident.events.count()
    if status in LEGAL[action]:
        moved = step(action, incident, supervisor)
        assert moved.status == LEGAL[action][status]
        assert moved.version == before_version + 1
        event = moved.events.last()
        assert (event.action, event.from_state, event.to_state) == (
            action,
            status,
            LEGAL[action][status],
        )
        assert event.actor == supervisor
    else:
        with pytest.raises(services.TransitionNotAllowed) as refusal:
            step(action, incident, supervisor)
        assert refusal.value.status == status
        incident.refresh_from_db()
        assert (incident.status, incident.version) == (status, before_version)
        assert incident.events.count() == before_events


def test_the_whole_way_is_logged_in_order(incident, supervisor):
    bring_to(incident, Status.CLOSED, supervisor)
    timeline = list(incident.events.values_list("action", "from_state", "to_state"))
    assert timeline == [
        ("accept", "reported", "accepted"),
        ("dispatch", "accepted", "dispatched"),
        ("start", "dispatched", "in_progress"),
        ("resolve", "in_progress", "resolved"),
        ("evaluate", "resolved", "evaluated"),
        ("close", "evaluated", "closed"),
    ]
    incident.refresh_from_db()
    assert incident.version == 6 and incident.rating == 5
    assert incident.feedback == "the neighbours agreed on the fence line"


def test_a_stale_version_is_a_conflict_and_changes_nothing(incident, supervisor):
    step(Action.ACCEPT, incident, supervisor)
    with pytest.raises(services.StaleVersion) as conflict:
        services.incident_reject(
            incident=incident, actor=supervisor, expected_version=0, reason="invalid"
        )
    assert conflict.value.status == Status.ACCEPTED
    incident.refresh_from_db()
    assert (incident.status, incident.version, incident.events.count()) == ("accepted", 1, 1)


def test_rejection_as_invalid_keeps_the_reason(incident, supervisor):
    step(Action.REJECT, incident, supervisor, note="a test message")
    incident.refresh_from_db()
    assert (incident.status, incident.rejection_reason) == ("rejected", "invalid")
    event = incident.events.get()
    assert event.note == "a test message" and event.data["reason"] == "invalid"


def test_rejection_as_duplicate_names_the_original(incident, supervisor):
    original = f.incident(LON, LAT, title="the first report")
    step(Action.REJECT, incident, supervisor, reason="duplicate", duplicate_of=original)
    incident.refresh_from_db()
    assert incident.duplicate_of == original and incident.rejection_reason == "duplicate"
    assert incident.events.get().data["duplicate_of"] == original.pk


@pytest.mark.parametrize(
    ("reason", "duplicate_of"), [("duplicate", None), ("invalid", "other"), ("duplicate", "self")]
)
def test_a_rejection_names_an_original_exactly_when_it_is_a_duplicate(
    incident, supervisor, reason, duplicate_of
):
    original = {"other": f.incident(LON, LAT), "self": incident, None: None}[duplicate_of]
    with pytest.raises(ValidationError):
        step(Action.REJECT, incident, supervisor, reason=reason, duplicate_of=original)
    incident.refresh_from_db()
    assert incident.status == Status.REPORTED and not incident.events.exists()


@pytest.mark.parametrize(
    ("category", "subcategory", "priority", "hours"),
    [
        ("sudden_event", "accident", "urgent", 2),
        ("sudden_event", "accident", "normal", 24),
        ("safety_hazard", "fire", "high", 24),
        ("dispute", "neighbour", "normal", 168),
        ("livelihood", "social_aid", "urgent", 24),
    ],
)
def test_the_deadline_follows_category_and_priority(
    places, supervisor, police, category, subcategory, priority, hours
):
    incident = f.incident(LON, LAT, category=category, subcategory=subcategory)
    step(Action.ACCEPT, incident, supervisor)
    step(Action.DISPATCH, incident, supervisor, lead_department=police, priority=priority)
    incident.refresh_from_db()
    dispatched = incident.events.get(action=Action.DISPATCH)
    assert incident.priority == priority
    assert incident.deadline - dispatched.at == timedelta(hours=hours)
    assert dispatched.data["deadline"] == incident.deadline.isoformat()


def test_dispatch_names_a_lead_and_co_handlers(incident, supervisor, police, justice):
    step(Action.ACCEPT, incident, supervisor)
    step(
        Action.DISPATCH,
        incident,
        supervisor,
        lead_department=police,
        co_departments=[justice, police],  # the lead is not its own co-handler
    )
    incident.refresh_from_db()
    assert incident.lead_department == police
    assert list(incident.co_departments.all()) == [justice]
    assert incident.events.last().data["co_departments"] == [justice.pk]


def test_resolving_needs_feedback(incident, supervisor):
    bring_to(incident, Status.IN_PROGRESS, supervisor)
    with pytest.raises(ValidationError):
        step(Action.RESOLVE, incident, supervisor, feedback="  ")
    incident.refresh_from_db()
    assert incident.status == Status.IN_PROGRESS


def test_an_unsatisfied_evaluation_reopens_with_a_fresh_deadline(incident, supervisor):
    bring_to(incident, Status.RESOLVED, supervisor)
    first_deadline = incident.deadline
    step(Action.EVALUATE, incident, supervisor, satisfied=False, rating=2, review="fence moved")
    incident.refresh_from_db()
    assert incident.status == Status.DISPATCHED
    assert (incident.rating, incident.review) == (2, "fence moved")
    assert incident.deadline > first_deadline
    reopened = incident.events.last()
    assert (reopened.from_state, reopened.to_state) == ("resolved", "dispatched")
    assert reopened.data == {"satisfied": False, "rating": 2}
    for action in (Action.START, Action.RESOLVE, Action.EVALUATE, Action.CLOSE):
        step(action, incident, supervisor)
    assert incident.events.filter(action=Action.EVALUATE).count() == 2


def test_an_evaluation_needs_a_rating_or_a_review(incident, supervisor):
    bring_to(incident, Status.RESOLVED, supervisor)
    with pytest.raises(ValidationError):
        step(Action.EVALUATE, incident, supervisor, satisfied=True, rating=None)
    with pytest.raises(ValidationError):
        step(Action.EVALUATE, incident, supervisor, satisfied=True, rating=6)


def test_the_reporter_rates_but_does_not_review(incident, supervisor, reporter):
    bring_to(incident, Status.RESOLVED, supervisor)
    with pytest.raises(PermissionDenied):
        step(Action.EVALUATE, incident, reporter, satisfied=True, rating=4, review="fine")
    rated = step(Action.EVALUATE, incident, reporter, satisfied=True, rating=4)
    assert rated.status == Status.EVALUATED and rated.events.last().actor == reporter


@pytest.mark.parametrize("action", [Action.ACCEPT, Action.REJECT, Action.ESCALATE])
def test_without_the_change_permission_no_step_is_allowed(incident, stranger, officer, action):
    for actor in (stranger, officer):
        with pytest.raises(PermissionDenied):
            step(action, incident, actor)
    assert not incident.events.exists()


def test_only_the_lead_department_starts_and_resolves(
    incident, supervisor, officer, police, justice
):
    step(Action.ACCEPT, incident, supervisor)
    step(Action.DISPATCH, incident, supervisor, lead_department=justice, co_departments=[police])
    with pytest.raises(PermissionDenied):  # the officer's station only co-handles this one
        step(Action.START, incident, officer)

    led = f.incident(LON, LAT)
    step(Action.ACCEPT, led, supervisor)
    step(Action.DISPATCH, led, supervisor, lead_department=police)
    step(Action.START, led, officer)
    resolved = step(Action.RESOLVE, led, officer)
    assert resolved.status == Status.RESOLVED
    assert [event.actor for event in resolved.events.all()][-2:] == [officer, officer]
    with pytest.raises(PermissionDenied):
        step(Action.EVALUATE, led, officer)


def test_events_carry_a_position(incident, supervisor):
    step(Action.ACCEPT, incident, supervisor, position=Point(LON, LAT, srid=4326))
    event = IncidentEvent.objects.get(incident=incident)
    assert event.position.coords == pytest.approx((LON, LAT))


def test_new_incidents_start_at_the_grid_level(incident):
    assert (incident.level, incident.version, incident.status) == (Level.GRID, 0, "reported")


def test_every_category_has_a_deadline_for_every_priority():
    assert {(category, priority) for category in Category for priority in Priority} == {
        (category, priority) for category, hours in DEADLINE_HOURS.items() for priority in hours
    }
