"""Camera view sectors: rebuilt here in bulk; kept fresh by the database triggers otherwise."""

from collections.abc import Callable

from django.db import connection, transaction

from layers.cameras.models import CameraSite

REBUILD_BATCH = 200


def camera_sectors_rebuild(*, progress: Callable[[int, int], None] | None = None) -> int:
    """Recomputes the sector of every camera (after a restore, or a change made with the
    triggers disabled), in batches of cameras; returns how many it wrote."""
    ids = list(CameraSite.objects.order_by("id").values_list("id", flat=True))
    written = 0
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, len(ids), REBUILD_BATCH):
            cursor.execute(
                "SELECT gisgov_coverage_refresh(%s::bigint[])", [ids[start : start + REBUILD_BATCH]]
            )
            written += cursor.fetchone()[0]
            if progress:
                progress(written, len(ids))
    return written
