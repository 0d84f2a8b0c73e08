"""Two people moving the same incident at once: one wins, the other gets a conflict.

Real threads, each with its own database connection, on committed data.
"""

import threading
import time

import pytest
from django.db import connection, connections

from layers.incidents import services
from layers.incidents.choices import Status
from layers.incidents.models import Incident, IncidentEvent

pytestmark = pytest.mark.django_db(transaction=True)


def in_thread(work, results: list):
    """Runs `work` on a thread of its own (so on a connection of its own); keeps its outcome."""

    def run():
        try:
            results.append(work())
        except Exception as exc:  # the outcome under test, collected for the main thread
            results.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_two_steps_from_the_same_version_one_wins(incident, supervisor):
    barrier = threading.Barrier(2, timeout=10)
    results = []

    def accept_or_reject(service, **arguments):
        def work():
            seen = Incident.objects.get(pk=incident.pk)
            barrier.wait()  # both have read version 0 before either writes
            return service(
                incident=seen, actor=supervisor, expected_version=seen.version, **arguments
            )

        return work

    threads = [
        in_thread(accept_or_reject(services.incident_accept), results),
        in_thread(accept_or_reject(services.incident_reject, reason="invalid"), results),
    ]
    for thread in threads:
        thread.join(timeout=20)

    winners = [result for result in results if isinstance(result, Incident)]
    losers = [result for result in results if isinstance(result, services.StaleVersion)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert losers[0].status == winners[0].status
    incident.refresh_from_db()
    assert incident.version == 1 and incident.status == winners[0].status
    assert IncidentEvent.objects.filter(incident=incident).count() == 1


def test_a_step_waiting_on_the_row_loses_to_the_step_that_held_it(incident, supervisor):
    """The guarded UPDATE itself settles the race: its WHERE is re-checked after the wait."""
    other = connections.create_connection("default")
    try:
        other.set_autocommit(False)
        with other.cursor() as cursor:  # someone else's step, not yet committed
            cursor.execute(
                "UPDATE incidents_incident SET status = %s, version = version + 1 WHERE id = %s",
                [Status.ACCEPTED, incident.pk],
            )
        results = []
        thread = in_thread(
            lambda: services.incident_reject(
                incident=incident, actor=supervisor, expected_version=0, reason="invalid"
            ),
            results,
        )
        wait_until_a_backend_waits_for_a_lock()
        other.commit()
        thread.join(timeout=20)
    finally:
        other.close()

    assert len(results) == 1 and isinstance(results[0], services.StaleVersion), results
    assert results[0].status == Status.ACCEPTED
    incident.refresh_from_db()
    assert (incident.status, incident.version) == (Status.ACCEPTED, 1)
    assert not IncidentEvent.objects.filter(incident=incident).exists()


def wait_until_a_backend_waits_for_a_lock(timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)
    raise AssertionError("the step never waited for the row lock")
