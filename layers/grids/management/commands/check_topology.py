import json
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from layers.areas.models import AdminArea
from layers.grids.topology import area_topology


class Command(BaseCommand):
    help = (
        "Check that grids tile their villages and villages their townships, without gap or "
        "overlap; exit status 1 if any problem is above the tolerance."
    )

    def add_arguments(self, parser):
        parser.add_argument("--area", help="division code of a village, township or wider area")
        parser.add_argument(
            "--geojson", help="also write the problems as a GeoJSON FeatureCollection here"
        )

    def handle(self, *args, **options):
        area = None
        if options["area"]:
            try:
                area = AdminArea.objects.get(code=options["area"])
            except AdminArea.DoesNotExist:
                raise CommandError(
                    _("No administrative area has code %(code)s.") % {"code": options["area"]}
                ) from None
        started = time.monotonic()
        report = area_topology(area)
        elapsed = time.monotonic() - started
        for problem in report.problems:
            self.stdout.write(problem.describe())
        if options["geojson"]:
            with open(options["geojson"], "w", encoding="utf-8") as out:
                json.dump(report.as_feature_collection(), out, ensure_ascii=False)
        self.stdout.write(
            _(
                "%(problems)d problems; %(slivers)d slivers under %(tolerance)s m² ignored; "
                "%(seconds).1f s"
            )
            % {
                "problems": len(report.problems),
                "slivers": len(report.slivers),
                "tolerance": report.summary()["tolerance_m2"],
                "seconds": elapsed,
            }
        )
        if not report.ok:
            raise CommandError(
                _("The tiling has %(count)d problems.") % {"count": len(report.problems)},
                returncode=1,
            )
