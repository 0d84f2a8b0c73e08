"""The incidents' scheduled work, run by the job worker (`make run` starts it)."""

from datetime import UTC, datetime

from django.conf import settings
from procrastinate.contrib.django import app

from layers.incidents.partitions import incidents_partitions_ensure
from layers.incidents.services import incidents_escalate_overdue

ESCALATION_QUEUE = "incidents"


# One run at a time (queueing_lock); a missed run is not retried: the next one catches up.
@app.periodic(cron=settings.GISGOV_ESCALATION_CRON, periodic_id="incidents_escalate_overdue")
@app.task(
    queue=ESCALATION_QUEUE,
    queueing_lock="incidents_escalate_overdue",
    retry=False,
    name="incidents.escalate_overdue",
)
def escalate_overdue_job(timestamp: int) -> int:
    """Escalates what was overdue at the scheduled time; returns how many incidents moved."""
    return len(incidents_escalate_overdue(now=datetime.fromtimestamp(timestamp, UTC)))


# Daily although a month is created once: a missed day costs nothing, and the function does
# nothing when every partition exists (an advisory lock serializes it with a manual run).
@app.periodic(cron=settings.GISGOV_PARTITION_CRON, periodic_id="incidents_ensure_partitions")
@app.task(
    queue=ESCALATION_QUEUE,
    queueing_lock="incidents_ensure_partitions",
    retry=False,
    name="incidents.ensure_partitions",
)
def ensure_partitions_job(timestamp: int) -> int:
    """Creates the coming months' partitions; returns how many were created."""
    return incidents_partitions_ensure()
