"""Progress and outcome of a job, as the worker's services write them."""

import pytest
from django.db import transaction

from layers.jobs.models import JobRun, JobStatus
from layers.jobs.services import job_create, job_progress_reporter, job_running

pytestmark = pytest.mark.django_db(transaction=True)


def test_progress_shows_at_once_and_outlives_the_transaction_it_is_reported_from():
    job = job_create(kind="test", parameters={})

    with pytest.raises(RuntimeError), transaction.atomic(), job_progress_reporter(job.pk) as report:
        report(5, 10)
        # A statement in this transaction sees what another connection has committed.
        assert JobRun.objects.values_list("done", "total").get(pk=job.pk) == (5, 10)
        raise RuntimeError("the work fails and its transaction rolls back")

    assert JobRun.objects.values_list("done", "total").get(pk=job.pk) == (5, 10)


def test_progress_is_written_at_most_every_percent():
    job = job_create(kind="test", parameters={})

    with job_progress_reporter(job.pk) as report:
        report(10, 1000)
        report(15, 1000)  # half a percent later: not written

    assert JobRun.objects.values_list("done", flat=True).get(pk=job.pk) == 10


def test_a_failing_job_is_marked_failed_with_the_result_recorded_so_far():
    job = job_create(kind="test", parameters={})

    with pytest.raises(ValueError), job_running(job.pk) as outcome:
        outcome["result"] = {"problems": [{"row": 1, "reason": "bad"}]}
        raise ValueError("row 1 is bad")

    job.refresh_from_db()
    assert (job.status, job.message) == (JobStatus.FAILED, "row 1 is bad")
    assert job.result == {"problems": [{"row": 1, "reason": "bad"}]}
    assert job.finished_at is not None
