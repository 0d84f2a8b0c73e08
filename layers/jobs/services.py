"""Starting long jobs and reporting their progress."""

from collections.abc import Callable
from contextlib import contextmanager

from django.db import transaction
from django.utils import timezone

from layers.jobs.models import JobRun, JobStatus


def job_create(*, kind: str, parameters: dict, user=None) -> JobRun:
    """Records a job the caller is about to put on the queue."""
    return JobRun.objects.create(kind=kind, parameters=parameters, created_by=user)


def job_progress_reporter(job_id: int) -> Callable[[int, int | None], None]:
    """A callback that writes progress, at most every 1 % so the row is not hammered."""
    last = {"percent": -1.0}

    def report(done: int, total: int | None) -> None:
        percent = 100 * done / total if total else 0
        if total and percent - last["percent"] < 1 and done != total:
            return
        last["percent"] = percent
        JobRun.objects.filter(pk=job_id).update(done=done, total=total)

    return report


@contextmanager
def job_running(job_id: int):
    """Marks the job running, then succeeded with the block's result or failed with the error."""
    JobRun.objects.filter(pk=job_id).update(status=JobStatus.RUNNING)
    outcome: dict = {}
    try:
        yield outcome
    except Exception as exc:
        JobRun.objects.filter(pk=job_id).update(
            status=JobStatus.FAILED, message=str(exc), finished_at=timezone.now()
        )
        raise
    with transaction.atomic():
        JobRun.objects.filter(pk=job_id).update(
            status=JobStatus.SUCCEEDED,
            result=outcome.get("result"),
            message=outcome.get("message", ""),
            finished_at=timezone.now(),
        )
