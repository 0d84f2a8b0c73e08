import argparse

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from layers.transfer.errors import ImportRejected, TransferRefused
from layers.transfer.services import layer_import
from layers.transfer.specs import LAYERS
from layers.transfer.tasks import import_layer_enqueue, import_report_summary


def field_column(text: str) -> tuple[str, str]:
    field, separator, column = text.partition("=")
    if not separator or not field or not column:
        raise argparse.ArgumentTypeError(_("expected FIELD=COLUMN, got %(text)s") % {"text": text})
    return field, column


class Command(BaseCommand):
    help = "Import a GeoJSON, Shapefile, GeoPackage or CSV file into a layer: every row or none."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--layer", required=True, choices=list(LAYERS))
        parser.add_argument(
            "--source-crs",
            help="EPSG:NNNN, gcj02 or bd09; needed when the file declares no CRS (a .shp "
            "without .prj). A CSV without it is read as EPSG:4326.",
        )
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            type=field_column,
            metavar="FIELD=COLUMN",
            help="read FIELD from COLUMN; for CSV also lon=COLUMN and lat=COLUMN",
        )
        parser.add_argument(
            "--fix-invalid",
            action="store_true",
            help="repair invalid polygons with ST_MakeValid instead of rejecting them",
        )
        parser.add_argument(
            "--background",
            action="store_true",
            help="queue the import for the job worker and print the job id instead of waiting",
        )

    def handle(self, *args, **options):
        if options["background"]:
            self.enqueue(options)
            return
        # disable=None: no bar when stderr is not a terminal (logs, cron, tests).
        with tqdm(unit=" rows", disable=None) as bar:

            def progress(done: int, total: int | None) -> None:
                bar.total = total
                bar.update(done - bar.n)

            try:
                report = layer_import(
                    path=options["file"],
                    layer=options["layer"],
                    source_crs=options["source_crs"],
                    mapping=dict(options["map"]),
                    fix_invalid=options["fix_invalid"],
                    progress=progress,
                )
            except ImportRejected as rejected:
                bar.close()
                for problem in rejected.problems:
                    self.stderr.write(_("row %(row)d: %(reason)s") % vars(problem))
                if rejected.unlisted:
                    more = _("… and %(count)d more problems, not listed")
                    self.stderr.write(more % {"count": rejected.unlisted})
                raise CommandError(str(rejected)) from rejected
            except TransferRefused as refused:
                raise CommandError(
                    _("%(reason)s; nothing was imported") % {"reason": refused}
                ) from refused
        for fix in report.repaired:
            self.stdout.write(_("row %(row)d: %(reason)s") % vars(fix))
        self.stdout.write(import_report_summary(report))

    def enqueue(self, options) -> None:
        try:
            job = import_layer_enqueue(
                path=options["file"],
                layer=options["layer"],
                source_crs=options["source_crs"],
                mapping=dict(options["map"]),
                fix_invalid=options["fix_invalid"],
            )
        except TransferRefused as refused:
            raise CommandError(
                _("%(reason)s; nothing was queued") % {"reason": refused}
            ) from refused
        self.stdout.write(
            _("Queued as job %(id)d; the job worker (manage.py procrastinate worker) runs it.")
            % {"id": job.pk}
        )
        self.stdout.write(
            _("Follow it with: python manage.py job_status %(id)d --wait") % {"id": job.pk}
        )
