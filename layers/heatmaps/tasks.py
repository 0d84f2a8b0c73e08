"""City-wide hot-spot runs on the job worker, with progress in a JobRun people can follow."""

import datetime as dt

import numpy as np
from django.db import transaction
from django.utils.translation import gettext as _
from procrastinate.contrib.django import app

from layers.areas.models import AdminArea
from layers.heatmaps import hotspots
from layers.heatmaps.selection import Selection, TooFewIncidents
from layers.jobs.models import JobRun
from layers.jobs.services import job_create, job_progress_reporter, job_running

HOT_SPOTS_JOB_KIND = "hot_spots"
ANALYSIS_QUEUE = "analyses"
STEPS = 3  # hexagon bins, Gi*, the GeoJSON


def hot_spots_enqueue(
    *, selection: Selection, size: float, band: float | None, weighted: bool, user=None
) -> JobRun:
    """Queue a hot-spot run of an already-checked selection (access applied); its JobRun."""
    parameters = {
        "start": selection.start.isoformat() if selection.start else None,
        "end": selection.end.isoformat() if selection.end else None,
        "categories": list(selection.categories),
        "statuses": list(selection.statuses),
        "area": selection.area.pk if selection.area else None,
        "area_ids": None if selection.area_ids is None else selection.area_ids.tolist(),
        "size": size,
        "band": band,
        "weighted": weighted,
    }
    with transaction.atomic():
        job = job_create(kind=HOT_SPOTS_JOB_KIND, parameters=parameters, user=user)
        hot_spots_job.defer(job_id=job.pk)
    return job


# No retries: the same data gives the same answer.
@app.task(queue=ANALYSIS_QUEUE, retry=False)
def hot_spots_job(job_id: int) -> None:
    """Hexagon bins and Gi* for a queued selection; the GeoJSON is the job's result."""
    p = JobRun.objects.get(pk=job_id).parameters
    selection = Selection(
        start=dt.datetime.fromisoformat(p["start"]) if p["start"] else None,
        end=dt.datetime.fromisoformat(p["end"]) if p["end"] else None,
        categories=tuple(p["categories"]),
        statuses=tuple(p["statuses"]),
        area=AdminArea.objects.get(pk=p["area"]) if p["area"] else None,
        area_ids=None if p["area_ids"] is None else np.array(p["area_ids"], dtype=np.int64),
    )
    with job_running(job_id) as outcome, job_progress_reporter(job_id) as progress:
        progress(0, STEPS)
        bins = hotspots.hexbins(selection, p["size"], p["weighted"])
        progress(1, STEPS)
        try:
            spots = hotspots.hot_spots(bins, p["band"], p["weighted"])
        except TooFewIncidents as exc:
            outcome["message"] = str(exc)
            outcome["result"] = None
            return
        progress(2, STEPS)
        collection = hotspots.feature_collection(bins, spots)
        collection["band_m"] = spots.band
        collection["hexagon_size_m"] = p["size"]
        outcome["result"] = collection
        outcome["message"] = _("%(hot)d hot and %(cold)d cold hexagons of %(n)d.") % {
            "hot": sum(c.startswith("hot") for c in spots.classes),
            "cold": sum(c.startswith("cold") for c in spots.classes),
            "n": len(spots.classes),
        }
        progress(STEPS, STEPS)
