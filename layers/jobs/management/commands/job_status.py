import json
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from layers.jobs.models import JobRun, JobStatus

FINISHED = {JobStatus.SUCCEEDED, JobStatus.FAILED}


class Command(BaseCommand):
    help = "Show a job's status, progress, message and result; --wait follows it to the end."

    def add_arguments(self, parser):
        parser.add_argument("job_id", type=int)
        parser.add_argument(
            "--wait",
            action="store_true",
            help="poll until the job succeeds or fails, with a progress bar; exit 1 if it failed",
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="seconds between two polls with --wait (default 1)",
        )

    def handle(self, *args, **options):
        try:
            job = JobRun.objects.get(pk=options["job_id"])
        except JobRun.DoesNotExist:
            raise CommandError(_("there is no job %(id)d") % {"id": options["job_id"]}) from None
        if options["wait"]:
            self.follow(job, options["interval"])
        self.stdout.write(self.summary(job))
        if job.message:
            self.stdout.write(job.message)
        if job.result is not None:
            self.stdout.write(json.dumps(job.result, ensure_ascii=False, indent=2))
        if options["wait"] and job.status == JobStatus.FAILED:
            raise CommandError(_("job %(id)d failed") % {"id": job.pk})

    def follow(self, job: JobRun, interval: float) -> None:
        """Refresh the job until it has finished, drawing its done/total on a bar."""
        # disable=None: no bar when stderr is not a terminal (logs, cron, tests).
        with tqdm(total=job.total, initial=job.done, disable=None) as bar:
            while job.status not in FINISHED:
                time.sleep(interval)
                job.refresh_from_db()
                bar.total = job.total
                bar.update(job.done - bar.n)

    def summary(self, job: JobRun) -> str:
        if job.total:
            progress = f"{job.percent} % ({job.done}/{job.total})"
        else:
            progress = _("%(done)d done") % {"done": job.done}
        return _("Job %(id)d (%(kind)s): %(status)s, %(progress)s") % {
            "id": job.pk,
            "kind": job.kind,
            "status": job.get_status_display(),
            "progress": progress,
        }
