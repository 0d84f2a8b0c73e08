"""Starting long jobs and reporting their progress."""

from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone

from layers.jobs.models import JobRun, JobStatus

UPDATE_PROGRESS = f"UPDATE {JobRun._meta.db_table} SET done = %s, total = %s WHERE id = %s"


def job_state(job: JobRun, status_url: str) -> dict:
    """What a client following a job reads: its status, progress and, once done, its result."""
    return {
        "job": job.pk,
        "status": job.status,
        "done": job.done,
        "total": job.total,
        "percent": job.percent,
        "message": job.message,
        "status_url": status_url,
        "result": job.result,
    }


def job_create(*, kind: str, parameters: dict, user=None) -> JobRun:
    """Records a job the caller is about to put on the queue."""
    return JobRun.objects.create(kind=kind, parameters=parameters, created_by=user)


class JobProgressReporter:
    """A `report(done, total)` callback writing a job's progress, at most every 1 %.

    It writes on a database connection of its own, in autocommit: the work it reports on often
    runs in one transaction (an import is all or nothing), where progress would show only at the
    end, vanish on rollback, and wait forever behind the COPY the import has open.
    """

    def __init__(self, job_id: int):
        self.job_id = job_id
        self._last_percent = -1.0
        self._connection = None

    def __call__(self, done: int, total: int | None) -> None:
        percent = 100 * done / total if total else 0
        if total and percent - self._last_percent < 1 and done != total:
            return
        self._last_percent = percent
        if self._connection is None:
            self._connection = connections.create_connection(DEFAULT_DB_ALIAS)
        with self._connection.cursor() as cursor:
            cursor.execute(UPDATE_PROGRESS, [done, total, self.job_id])

    def close(self) -> None:
        """Closes the reporter's connection; a later report opens another."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def __enter__(self) -> "JobProgressReporter":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def job_progress_reporter(job_id: int) -> JobProgressReporter:
    """A progress callback for the job; use it in a `with` block so its connection is closed."""
    return JobProgressReporter(job_id)


@contextmanager
def job_running(job_id: int):
    """Marks the job running, then succeeded or failed, with the result the block recorded.

    The block records `outcome["result"]` (and `outcome["message"]`) in the dict it is given; on
    failure the error is the message and any result recorded so far (the bad rows) is kept.
    """
    JobRun.objects.filter(pk=job_id).update(status=JobStatus.RUNNING)
    outcome: dict = {}
    try:
        yield outcome
    except Exception as exc:
        JobRun.objects.filter(pk=job_id).update(
            status=JobStatus.FAILED,
            message=str(exc),
            result=outcome.get("result"),
            finished_at=timezone.now(),
        )
        raise
    with transaction.atomic():
        JobRun.objects.filter(pk=job_id).update(
            status=JobStatus.SUCCEEDED,
            result=outcome.get("result"),
            message=outcome.get("message", ""),
            finished_at=timezone.now(),
        )
