"""Imports run by the job worker, on a copy of the file, with a JobRun people can follow."""

import glob
import shutil
import uuid
from contextlib import suppress
from dataclasses import asdict
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from procrastinate.contrib.django import app

from layers.jobs.models import JobRun
from layers.jobs.services import job_create, job_progress_reporter, job_running
from layers.transfer.errors import ImportRejected, TransferRefused
from layers.transfer.services import ImportReport, layer_import

IMPORT_JOB_KIND = "import_layer"
IMPORT_QUEUE = "imports"
# Under MEDIA_ROOT, which the web server and the worker share (see docker/compose.yml).
IMPORT_COPIES_DIR = "imports"


def import_layer_enqueue(
    *,
    path: str | Path,
    layer: str,
    source_crs: str | None = None,
    mapping: dict[str, str] | None = None,
    fix_invalid: bool = False,
    user=None,
) -> JobRun:
    """Queue the import of a copy of the file into a layer; the JobRun to follow it by."""
    source = Path(path).absolute()
    if not source.is_file():
        raise TransferRefused(_("%(file)s does not exist") % {"file": source})
    # The job reads its own copy, so the caller may remove or change the file once this returns.
    copy_dir = Path(settings.MEDIA_ROOT) / IMPORT_COPIES_DIR / uuid.uuid4().hex
    copy_dir.mkdir(parents=True)
    try:
        for file in _files_of(source):
            shutil.copy2(file, copy_dir / file.name)
        # The Django connector defers on Django's own connection, so the queue row is written in
        # this transaction: the JobRun and its queued job are committed together or not at all.
        with transaction.atomic():
            job = job_create(
                kind=IMPORT_JOB_KIND,
                parameters={
                    "file": str(source),
                    "copy_dir": str(copy_dir),
                    "layer": layer,
                    "source_crs": source_crs,
                    "mapping": mapping or {},
                    "fix_invalid": fix_invalid,
                },
                user=user,
            )
            import_layer_job.defer(job_id=job.pk)
    except BaseException:
        shutil.rmtree(copy_dir, ignore_errors=True)
        raise
    return job


# No retries: an import is deterministic, so a second attempt would fail the same way.
@app.task(queue=IMPORT_QUEUE, retry=False)
def import_layer_job(job_id: int) -> None:
    """Run a queued import on the job's copy of the file, then remove the copy."""
    parameters = JobRun.objects.get(pk=job_id).parameters
    try:
        # A rejected or refused file is the job's outcome, recorded on the JobRun, not a fault of
        # the worker; anything else also fails the queued job, with its traceback in the log.
        with suppress(ImportRejected, TransferRefused):
            _import_recording_outcome(job_id, parameters)
    finally:
        shutil.rmtree(parameters["copy_dir"], ignore_errors=True)


def import_report_summary(report: ImportReport) -> str:
    """One line telling what an import wrote and how it read the coordinates."""
    return _("Imported %(created)d %(layer)s (coordinates read as %(crs)s, %(origin)s).") % {
        "created": report.created,
        "layer": report.layer,
        "crs": report.source_crs,
        "origin": report.crs_origin,
    }


def _import_recording_outcome(job_id: int, parameters: dict) -> None:
    with job_running(job_id) as outcome, job_progress_reporter(job_id) as progress:
        try:
            report = layer_import(
                path=Path(parameters["copy_dir"]) / Path(parameters["file"]).name,
                layer=parameters["layer"],
                source_crs=parameters["source_crs"],
                mapping=parameters["mapping"],
                fix_invalid=parameters["fix_invalid"],
                progress=progress,
            )
        except ImportRejected as rejected:
            outcome["result"] = {
                "problems": [asdict(problem) for problem in rejected.problems],
                "bad_rows": rejected.bad_rows,
                "unlisted_problems": rejected.unlisted,
            }
            raise
        outcome["result"] = asdict(report)
        outcome["message"] = import_report_summary(report)


def _files_of(source: Path) -> list[Path]:
    """The file, with a Shapefile's sidecar files (.shx, .dbf, .prj, .cpg) named like it."""
    if source.suffix.lower() != ".shp":
        return [source]
    siblings = source.parent.glob(f"{glob.escape(source.stem)}.*")
    return [sibling for sibling in siblings if sibling.is_file()]
