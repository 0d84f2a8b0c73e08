"""import_layer --background and job_status as an operator runs them."""

import threading
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from procrastinate.contrib.django.models import ProcrastinateJob

from layers.buildings.models import Building
from layers.jobs.models import JobRun, JobStatus
from layers.transfer.tasks import IMPORT_QUEUE, import_layer_enqueue
from tests.transfer.factories import BOWTIE, box, feature, write_geojson

pytestmark = pytest.mark.django_db(transaction=True)

IN_GRID = box(114.285, 34.785, 114.286, 34.786)


def run_command(*arguments: str) -> list[str]:
    out = StringIO()
    call_command(*arguments, stdout=out)
    return out.getvalue().splitlines()


def test_background_import_queues_one_job_and_says_how_to_follow_it(division, tmp_path, run_worker):
    path = write_geojson(tmp_path / "buildings.geojson", [feature(IN_GRID, use="other")])

    lines = run_command("import_layer", str(path), "--layer", "buildings", "--background")

    job = JobRun.objects.get()
    assert lines == [
        f"Queued as job {job.pk}; the job worker (manage.py procrastinate worker) runs it.",
        f"Follow it with: python manage.py job_status {job.pk} --wait",
    ]
    assert (job.kind, job.status) == ("import_layer", JobStatus.QUEUED)
    queued = ProcrastinateJob.objects.get()
    assert (queued.task_name, queued.queue_name, queued.args, queued.status) == (
        "layers.transfer.tasks.import_layer_job",
        IMPORT_QUEUE,
        {"job_id": job.pk},
        "todo",
    )
    assert not Building.objects.exists()

    run_worker()

    assert Building.objects.get().grid == division.grid


def test_background_import_of_a_missing_file_queues_nothing(tmp_path):
    with pytest.raises(CommandError, match=r"does not exist; nothing was queued"):
        call_command(
            "import_layer",
            str(tmp_path / "missing.geojson"),
            "--layer",
            "buildings",
            "--background",
        )

    assert not JobRun.objects.exists()
    assert not ProcrastinateJob.objects.exists()


def test_job_status_shows_a_queued_job(division, tmp_path):
    path = write_geojson(tmp_path / "buildings.geojson", [feature(IN_GRID, use="other")])
    job = import_layer_enqueue(path=path, layer="buildings")

    assert run_command("job_status", str(job.pk)) == [
        f"Job {job.pk} (import_layer): Queued, 0 done"
    ]


def test_job_status_shows_progress_message_and_result(division, tmp_path, run_worker):
    path = write_geojson(tmp_path / "buildings.geojson", [feature(IN_GRID, use="other")])
    job = import_layer_enqueue(path=path, layer="buildings")
    run_worker()

    lines = run_command("job_status", str(job.pk))

    assert lines[:3] == [
        f"Job {job.pk} (import_layer): Succeeded, 100.0 % (1/1)",
        "Imported 1 buildings (coordinates read as EPSG:4326, declared by the file).",
        "{",
    ]
    assert '  "created": 1,' in lines


def test_job_status_wait_follows_the_job_while_the_worker_runs_it(division, tmp_path, run_worker):
    path = write_geojson(tmp_path / "buildings.geojson", [feature(IN_GRID, use="other")])
    job = import_layer_enqueue(path=path, layer="buildings")
    worker = threading.Thread(target=run_worker)

    worker.start()
    try:
        lines = run_command("job_status", str(job.pk), "--wait", "--interval", "0.05")
    finally:
        worker.join()

    assert lines[0] == f"Job {job.pk} (import_layer): Succeeded, 100.0 % (1/1)"


def test_job_status_wait_exits_non_zero_when_the_job_failed(division, tmp_path, run_worker):
    path = write_geojson(
        tmp_path / "buildings.geojson",
        [feature(IN_GRID, use="other"), feature(BOWTIE, use="other")],
    )
    job = import_layer_enqueue(path=path, layer="buildings")
    run_worker()
    out = StringIO()

    with pytest.raises(CommandError, match=rf"job {job.pk} failed"):
        call_command("job_status", str(job.pk), "--wait", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[:2] == [
        f"Job {job.pk} (import_layer): Failed, 100.0 % (2/2)",
        "1 bad rows: nothing was imported",
    ]
    assert '      "row": 2,' in lines
    assert '      "reason": "invalid geometry: Self-intersection[114.2855 34.7855]"' in lines


def test_job_status_of_an_unknown_job_is_a_command_error():
    with pytest.raises(CommandError, match="there is no job 404"):
        call_command("job_status", "404")
