"""Imports queued with import_layer_enqueue and run by the worker, all rows or none."""

import pytest
from django.db import transaction
from procrastinate.contrib.django.models import ProcrastinateJob

from layers.buildings.models import Building
from layers.jobs.models import JobRun, JobStatus
from layers.transfer.errors import TransferRefused
from layers.transfer.staging import PROGRESS_EVERY
from layers.transfer.tasks import import_layer_enqueue
from tests.transfer.factories import BOWTIE, box, feature, ogr2ogr, write_geojson

pytestmark = pytest.mark.django_db(transaction=True)

IN_GRID = box(114.285, 34.785, 114.286, 34.786)  # in grid G-001, in the village
OUTSIDE_GRID = box(114.305, 34.785, 114.306, 34.786)  # in the village, east of the grid


def queued_job(job: JobRun) -> ProcrastinateJob:
    return ProcrastinateJob.objects.get(args={"job_id": job.pk})


def test_a_queued_import_runs_in_the_worker(division, tmp_path, media_root, run_worker):
    path = write_geojson(
        tmp_path / "buildings.geojson",
        [
            feature(IN_GRID, use="residential", address="西村1号"),
            feature(OUTSIDE_GRID, use="public"),
        ],
    )

    job = import_layer_enqueue(path=path, layer="buildings")

    assert job.status == JobStatus.QUEUED
    assert not Building.objects.exists()
    run_worker()
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert (job.done, job.total) == (2, 2)
    assert job.message == (
        "Imported 2 buildings (coordinates read as EPSG:4326, declared by the file)."
    )
    assert job.result == {
        "layer": "buildings",
        "created": 2,
        "source_crs": "EPSG:4326",
        "crs_origin": "declared by the file",
        "repaired": [],
    }
    assert job.finished_at is not None
    in_grid = Building.objects.get(address="西村1号")
    assert (in_grid.grid, in_grid.area) == (division.grid, division.village)
    outside_grid = Building.objects.get(use="public")
    assert (outside_grid.grid, outside_grid.area) == (None, division.village)
    # The operator's file stays; the job's copy is gone once the job has finished.
    assert path.exists()
    assert not any((media_root / "imports").iterdir())


def test_progress_is_written_while_the_import_copies_rows(division, tmp_path, run_worker):
    # More rows than PROGRESS_EVERY: progress is reported while the import's COPY is open.
    rows = PROGRESS_EVERY + 500
    path = write_geojson(
        tmp_path / "buildings.geojson", [feature(IN_GRID, use="other") for _ in range(rows)]
    )

    job = import_layer_enqueue(path=path, layer="buildings")
    run_worker()

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert (job.done, job.total) == (rows, rows)
    assert Building.objects.count() == rows


def test_a_bad_row_fails_the_job_listing_it_and_imports_nothing(
    division, tmp_path, media_root, run_worker
):
    path = write_geojson(
        tmp_path / "buildings.geojson",
        [
            feature(IN_GRID, use="other"),
            feature(BOWTIE, use="other"),
            feature(IN_GRID, use="castle"),
        ],
    )

    job = import_layer_enqueue(path=path, layer="buildings")
    run_worker()

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.message == "2 bad rows: nothing was imported"
    problems = job.result["problems"]
    assert [problem["row"] for problem in problems] == [2, 3]
    assert problems[0]["reason"] == "invalid geometry: Self-intersection[114.2855 34.7855]"
    assert problems[1]["reason"].startswith('use: "castle" is not one of')
    assert job.finished_at is not None
    assert not Building.objects.exists()
    assert not any((media_root / "imports").iterdir())
    # The worker did its work: a rejected file is the job's outcome, not a task to retry.
    assert queued_job(job).status == "succeeded"


def test_a_refused_import_fails_the_job_with_the_reason(division, tmp_path, run_worker):
    path = write_geojson(tmp_path / "rivers.geojson", [feature(IN_GRID, name="汴河")])

    job = import_layer_enqueue(path=path, layer="rivers")
    run_worker()

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.message.startswith("unknown layer rivers: use ")
    assert job.result is None


def test_an_unexpected_error_fails_the_job_once_without_retry(
    division, tmp_path, media_root, run_worker
):
    path = write_geojson(tmp_path / "buildings.geojson", [feature(IN_GRID, use="other")])
    job = import_layer_enqueue(path=path, layer="buildings")
    # Parameters the task cannot use: a KeyError inside the job, not a refusal of the file.
    parameters = {**job.parameters}
    del parameters["layer"]
    JobRun.objects.filter(pk=job.pk).update(parameters=parameters)

    run_worker()

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.message == "'layer'"
    assert job.finished_at is not None
    queued = queued_job(job)
    assert (queued.status, queued.attempts) == ("failed", 1)
    assert not any((media_root / "imports").iterdir())


def test_a_missing_file_is_refused_before_anything_is_queued(tmp_path, media_root):
    with pytest.raises(TransferRefused, match=r"missing\.geojson does not exist"):
        import_layer_enqueue(path=tmp_path / "missing.geojson", layer="buildings")

    assert not JobRun.objects.exists()
    assert not ProcrastinateJob.objects.exists()
    assert not (media_root / "imports").exists()


def test_the_job_and_its_queue_entry_roll_back_together(division, tmp_path):
    path = write_geojson(tmp_path / "buildings.geojson", [feature(IN_GRID, use="other")])

    with pytest.raises(RuntimeError), transaction.atomic():
        import_layer_enqueue(path=path, layer="buildings")
        raise RuntimeError("the caller's transaction fails after queueing")

    assert not JobRun.objects.exists()
    assert not ProcrastinateJob.objects.exists()


def test_a_shapefile_is_copied_with_its_sidecar_files(division, tmp_path, run_worker):
    geojson = write_geojson(
        tmp_path / "source.geojson", [feature(IN_GRID, use="residential", address="西村1号")]
    )
    shapefile = tmp_path / "buildings.shp"
    # The .cpg naming UTF-8 is one of the sidecar files: without it the address reads as ??1?.
    ogr2ogr("-f", "ESRI Shapefile", "-lco", "ENCODING=UTF-8", str(shapefile), str(geojson))

    job = import_layer_enqueue(path=shapefile, layer="buildings")
    run_worker()

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert Building.objects.get().address == "西村1号"
