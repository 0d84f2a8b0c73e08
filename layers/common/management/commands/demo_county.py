import time

from django.contrib.gis.geos import Point
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from tqdm import tqdm

from fixtures.demo import county, load


class Command(BaseCommand):
    help = "Generate and load the demo county (deterministic for a seed)."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--scale", type=int, default=1, help="1: ~20,000 buildings; 50: ~1 M buildings"
        )
        existing = parser.add_mutually_exclusive_group()
        existing.add_argument(
            "--if-empty", action="store_true", help="do nothing when areas are already loaded"
        )
        existing.add_argument("--replace", action="store_true", help="wipe every layer first")

    def handle(self, *args, seed, scale, if_empty, replace, **options):
        if scale < 1:
            raise CommandError("--scale must be at least 1")
        if load.is_loaded():
            if if_empty:
                self.stdout.write("Demo data already loaded; nothing to do.")
                return
            if not replace:
                raise CommandError("The database already holds areas: use --replace to wipe them.")
        started = time.monotonic()
        centre = Point(*county.CENTRE_LONLAT, srid=4326)
        centre.transform(county.METRIC_SRID)
        with tqdm(total=None, desc="villages planned", unit=" village", disable=None) as bar:
            data = county.generate(seed, scale, (centre.x, centre.y), progress=bar.update)
        self.stdout.write(f"Generated in {time.monotonic() - started:.0f} s; loading…")
        self._last_report = time.monotonic()
        with transaction.atomic():
            if replace:
                load.wipe()
            load.load(data, self._report)
        load.cluster_spatially()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo county loaded in {time.monotonic() - started:.0f} s "
                f"(seed {seed}, scale {scale}); log in as admin / {load.DEMO_PASSWORD}"
            )
        )

    def _report(self, layer: str, count: int) -> None:
        now = time.monotonic()
        self.stdout.write(f"  {layer}: {count:,} in {now - self._last_report:.1f} s")
        self._last_report = now
