"""Large parents go through the job queue; the JobRun shows progress and names the plan."""

import pytest
from django.db import connection
from procrastinate.contrib.django import app

from layers.balancing.models import Plan
from layers.jobs.models import JobRun, JobStatus
from tests.balancing.conftest import lattice

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def empty_queue():
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM procrastinate_jobs")


def run_worker() -> None:
    with app.replace_connector(app.connector.get_worker_connector()):
        app.run_worker(wait=False, install_signal_handlers=False, listen_notify=False)


@pytest.mark.usefixtures("two_grids")
def test_a_parent_above_the_inline_limit_is_balanced_by_the_worker(
    superuser_client, village, settings
):
    settings.GISGOV_BALANCING_INLINE_BUILDINGS = 50
    lattice(lambda i, j: 10)
    response = superuser_client.post(
        "/api/v1/balancing/plans/",
        {"parent": village.code, "target_kind": "grids", "target_value": 4},
        format="json",
    )
    assert response.status_code == 202
    assert not Plan.objects.exists()
    run_worker()
    job = JobRun.objects.get(pk=response.json()["job"])
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert job.done == job.total
    plan = Plan.objects.get(pk=job.result["plan"])
    assert plan.created_by == superuser_client.user
    assert plan.grids.count() == 4
