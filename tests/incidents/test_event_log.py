"""The event log is append-only: neither the ORM nor SQL may change or remove an event."""

import pytest
from django.db import IntegrityError, connection, transaction

from layers.incidents.choices import Action
from layers.incidents.models import AppendOnlyError, IncidentEvent
from tests.incidents.steps import step

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(incident, supervisor):
    step(Action.ACCEPT, incident, supervisor, note="looks genuine")
    return IncidentEvent.objects.get(incident=incident)


def test_the_orm_refuses_to_change_an_event(event):
    event.note = "rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        IncidentEvent.objects.filter(pk=event.pk).update(note="rewritten")


def test_the_orm_refuses_to_delete_an_event(event):
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        IncidentEvent.objects.filter(pk=event.pk).delete()


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE incidents_incidentevent SET note = 'rewritten' WHERE id = %s",
        "DELETE FROM incidents_incidentevent WHERE id = %s",
    ],
)
def test_the_database_refuses_sql_that_changes_or_deletes_an_event(event, sql):
    with (
        pytest.raises(IntegrityError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [event.pk])
    event.refresh_from_db()
    assert event.note == "looks genuine"


def test_an_incident_with_a_history_cannot_be_deleted(event, incident):
    with pytest.raises(IntegrityError):  # ProtectedError: the log keeps the incident
        incident.delete()
