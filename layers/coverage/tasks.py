"""Site suggestions over many candidates run on the job worker, with progress people can follow."""

from django.db import transaction
from django.utils.translation import gettext as _
from procrastinate.contrib.django import app

from layers.coverage.suggestions import SuggestionQuery, site_suggestions
from layers.jobs.models import JobRun
from layers.jobs.services import job_create, job_progress_reporter, job_running

SUGGESTIONS_JOB_KIND = "coverage_suggestions"
COVERAGE_QUEUE = "analyses"


def site_suggestions_enqueue(*, query: SuggestionQuery, user=None) -> JobRun:
    """Queue a site-suggestion run; the JobRun to follow it by."""
    with transaction.atomic():
        job = job_create(kind=SUGGESTIONS_JOB_KIND, parameters=query.as_parameters(), user=user)
        site_suggestions_job.defer(job_id=job.pk)
    return job


# No retries: the same data gives the same answer.
@app.task(queue=COVERAGE_QUEUE, retry=False)
def site_suggestions_job(job_id: int) -> None:
    """Run a queued site-suggestion job and keep its sites as the job's result."""
    query = SuggestionQuery.from_parameters(JobRun.objects.get(pk=job_id).parameters)
    with job_running(job_id) as outcome, job_progress_reporter(job_id) as progress:
        result = site_suggestions(query, progress=progress)
        outcome["result"] = result
        outcome["message"] = _(
            "%(sites)d sites chosen from %(candidates)d candidates; they see %(gained)g of"
            " the %(uncovered)g uncovered weight."
        ) % {
            "sites": len(result["features"]),
            "candidates": result["candidates"],
            "gained": result["gained_weight"],
            "uncovered": result["uncovered_weight"],
        }
