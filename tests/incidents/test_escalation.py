"""Escalation by hand and on a missed deadline: grid → township → county, and back down."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone
from procrastinate.contrib.django import app

from layers.incidents import services
from layers.incidents.choices import Action, Level, Status
from layers.incidents.models import Incident
from layers.incidents.tasks import escalate_overdue_job
from tests import factories as f
from tests.factories import LAT, LON
from tests.incidents.steps import bring_to, step

pytestmark = pytest.mark.django_db


def test_escalation_by_hand_climbs_to_the_county_and_no_further(incident, supervisor):
    assert step(Action.ESCALATE, incident, supervisor).level == Level.TOWNSHIP
    assert step(Action.ESCALATE, incident, supervisor).level == Level.COUNTY
    with pytest.raises(services.TransitionNotAllowed) as refusal:
        step(Action.ESCALATE, incident, supervisor)
    assert refusal.value.status == Status.REPORTED
    events = list(incident.events.values_list("action", "note", "data"))
    assert events == [
        ("escalate", "needs the township's land office", {"from_level": 1, "to_level": 2}),
        ("escalate", "needs the township's land office", {"from_level": 2, "to_level": 3}),
    ]


def test_deescalation_comes_back_to_the_grid_and_no_lower(incident, supervisor):
    step(Action.ESCALATE, incident, supervisor)
    assert step(Action.DEESCALATE, incident, supervisor).level == Level.GRID
    with pytest.raises(services.TransitionNotAllowed):
        step(Action.DEESCALATE, incident, supervisor)
    assert incident.events.last().data == {"from_level": 2, "to_level": 1}


def test_a_level_change_needs_a_reason(incident, supervisor):
    with pytest.raises(ValidationError):
        step(Action.ESCALATE, incident, supervisor, reason=" ")
    incident.refresh_from_db()
    assert incident.level == Level.GRID and incident.version == 0


def test_escalation_keeps_status_and_deadline(incident, supervisor):
    incident = bring_to(incident, Status.IN_PROGRESS, supervisor)
    deadline = incident.deadline
    escalated = step(Action.ESCALATE, incident, supervisor)
    assert (escalated.status, escalated.deadline) == (Status.IN_PROGRESS, deadline)


def dispatched_with_deadline(supervisor, deadline, **fields):
    incident = bring_to(f.incident(LON, LAT, **fields), Status.DISPATCHED, supervisor)
    Incident.objects.filter(pk=incident.pk).update(deadline=deadline)
    return Incident.objects.get(pk=incident.pk)


def test_overdue_incidents_go_one_level_up(places, police, supervisor):
    # An hour ahead, so the escalation comes after the dispatches on the timeline.
    now = timezone.now().replace(microsecond=0) + timedelta(hours=1)
    overdue = dispatched_with_deadline(supervisor, now - timedelta(minutes=1), title="overdue")
    on_time = dispatched_with_deadline(supervisor, now + timedelta(minutes=1), title="on time")
    at_top = dispatched_with_deadline(supervisor, now - timedelta(days=1), title="at top")
    Incident.objects.filter(pk=at_top.pk).update(level=Level.COUNTY)
    finished = dispatched_with_deadline(supervisor, now - timedelta(days=1), title="finished")
    for action in (Action.START, Action.RESOLVE, Action.EVALUATE, Action.CLOSE):
        step(action, finished, supervisor)

    escalated = services.incidents_escalate_overdue(now=now)

    assert [incident.title for incident in escalated] == ["overdue"]
    overdue.refresh_from_db()
    assert overdue.level == Level.TOWNSHIP and overdue.status == Status.DISPATCHED
    # The township gets the full time for a normal dispute from the moment it took over.
    assert overdue.deadline == now + timedelta(hours=168)
    event = overdue.events.last()
    assert event.actor is None and event.at == now and event.action == Action.ESCALATE
    assert event.data["automatic"] is True
    assert event.data["missed_deadline"] == (now - timedelta(minutes=1)).isoformat()
    untouched = Incident.objects.filter(pk__in=[on_time.pk, at_top.pk, finished.pk])
    assert dict(untouched.values_list("title", "level")) == {
        "on time": Level.GRID,
        "at top": Level.COUNTY,
        "finished": Level.GRID,
    }


def test_an_escalated_incident_climbs_again_only_when_the_new_deadline_passes(
    places, police, supervisor
):
    now = timezone.now().replace(microsecond=0)
    incident = dispatched_with_deadline(supervisor, now - timedelta(hours=1))
    assert len(services.incidents_escalate_overdue(now=now)) == 1
    assert services.incidents_escalate_overdue(now=now + timedelta(hours=1)) == []
    later = now + timedelta(hours=169)
    assert [i.pk for i in services.incidents_escalate_overdue(now=later)] == [incident.pk]
    incident.refresh_from_db()
    assert incident.level == Level.COUNTY
    assert services.incidents_escalate_overdue(now=later + timedelta(days=30)) == []


def test_the_command_escalates_what_is_overdue_now(places, police, supervisor, capsys):
    incident = dispatched_with_deadline(supervisor, timezone.now() - timedelta(hours=1))
    call_command("escalate_overdue")
    incident.refresh_from_db()
    assert incident.level == Level.TOWNSHIP
    assert "1 incidents escalated" in capsys.readouterr().out


def test_the_worker_escalates_on_a_schedule(places, police, supervisor):
    periodic = {task.periodic_id: task for task in app.periodic_registry.periodic_tasks.values()}[
        "incidents_escalate_overdue"
    ]
    assert periodic.task is escalate_overdue_job and periodic.cron == "*/10 * * * *"
    now = timezone.now().replace(microsecond=0) + timedelta(hours=1)
    overdue = dispatched_with_deadline(supervisor, now - timedelta(minutes=5))
    dispatched_with_deadline(supervisor, now + timedelta(minutes=5))

    assert escalate_overdue_job(timestamp=int(now.timestamp())) == 1

    overdue.refresh_from_db()
    assert overdue.level == Level.TOWNSHIP and overdue.events.last().at == now
    assert escalate_overdue_job(timestamp=int(now.timestamp())) == 0
