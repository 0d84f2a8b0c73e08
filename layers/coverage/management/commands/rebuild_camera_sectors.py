import time

from django.core.management.base import BaseCommand
from tqdm import tqdm

from layers.coverage.sectors import camera_sectors_rebuild


class Command(BaseCommand):
    help = "Recompute the view sector of every camera, shadows of buildings included."

    def handle(self, *args, verbosity=1, **options):
        started = time.perf_counter()
        with tqdm(disable=verbosity < 1, unit="camera") as bar:

            def progress(done, total):
                bar.total = total
                bar.update(done - bar.n)

            written = camera_sectors_rebuild(progress=progress)
        if verbosity >= 1:
            self.stdout.write(f"{written} camera sectors in {time.perf_counter() - started:.1f} s")
