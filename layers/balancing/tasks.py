"""Plans of large parents computed by the job worker, with a JobRun people can follow."""

from contextlib import suppress

from django.db import transaction
from procrastinate.contrib.django import app

from layers.areas.models import AdminArea
from layers.jobs.models import JobRun
from layers.jobs.services import job_create, job_progress_reporter, job_running

PLAN_JOB_KIND = "grid_plan"
PLAN_QUEUE = "analyses"


def grid_plan_enqueue(*, parent: AdminArea, parameters: dict, user=None) -> JobRun:
    """Queue the computation of a plan; the JobRun's result names the plan once it is made."""
    with transaction.atomic():
        job = job_create(
            kind=PLAN_JOB_KIND,
            parameters={"parent": parent.code, **parameters},
            user=user,
        )
        grid_plan_job.defer(job_id=job.pk)
    return job


# No retries: balancing is deterministic, a second attempt would end the same way.
@app.task(queue=PLAN_QUEUE, retry=False)
def grid_plan_job(job_id: int) -> None:
    from layers.balancing.services import PlanRefused, grid_plan_create

    job = JobRun.objects.get(pk=job_id)
    parameters = dict(job.parameters)
    parent = AdminArea.objects.get(code=parameters.pop("parent"))
    # A refused plan (no buildings, a bad target) is the job's outcome, recorded on the JobRun.
    with (
        suppress(PlanRefused),
        job_running(job_id) as outcome,
        job_progress_reporter(job_id) as progress,
    ):
        plan = grid_plan_create(parent=parent, user=job.created_by, progress=progress, **parameters)
        outcome["result"] = {"plan": plan.pk, **plan.summary}
        outcome["message"] = f"plan {plan.pk}"
