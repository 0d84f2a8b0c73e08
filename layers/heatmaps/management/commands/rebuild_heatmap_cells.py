from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from layers.common.constants import gauss_kruger_srid

REBUILD = """
TRUNCATE heatmaps_daycells;
SELECT heatmaps_recompute(coalesce(jsonb_agg(jsonb_build_object(
    'day', d.day, 'category', d.category, 'status', d.status)), '[]'::jsonb))
FROM (SELECT DISTINCT (reported_at AT TIME ZONE f.time_zone)::date AS day, category, status
      FROM incidents_incident, heatmaps_frame f) d;
"""


class Command(BaseCommand):
    help = (
        "Rebuilds the daily incident cells behind heatmaps from the incidents, in the frame of "
        "the settings (Gauss-Krueger zone of GISGOV_MAP_CENTER, GISGOV_HEATMAP_BASE_CELL_M, "
        "TIME_ZONE). Needed only after changing those settings; triggers keep the cells current."
    )

    def handle(self, *args, **options):
        srid = gauss_kruger_srid(settings.GISGOV_MAP_CENTER[0])
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "UPDATE heatmaps_frame SET srid = %s, cell_m = %s, time_zone = %s",
                [srid, settings.GISGOV_HEATMAP_BASE_CELL_M, settings.TIME_ZONE],
            )
            cursor.execute(REBUILD)
            cursor.execute(
                "SELECT count(*), coalesce(sum(length(cells) / 12), 0) FROM heatmaps_daycells"
            )
            groups, incidents = cursor.fetchone()
        self.stdout.write(f"{incidents} incidents in {groups} day cells (EPSG:{srid})")
