"""Reads of stored view sectors."""

import json

from django.contrib.gis.db.models.functions import AsGeoJSON
from django.db.models import QuerySet

from layers.coverage.models import CameraSector


def sector_collection(cameras: QuerySet) -> dict:
    """The view sectors (visible ground) of these cameras as a FeatureCollection."""
    rows = (
        CameraSector.objects.filter(camera__in=cameras)
        .annotate(geojson=AsGeoJSON("visible", precision=7))
        .order_by("camera__code")
        .values(
            "camera_id",
            "camera__code",
            "camera__name",
            "camera__kind",
            "camera__status",
            "camera__azimuth",
            "camera__field_of_view",
            "camera__range_m",
            "sector_area_m2",
            "visible_area_m2",
            "obstacles",
            "host_building_id",
            "computed_at",
            "geojson",
        )
    )
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": row["camera_id"],
                "geometry": json.loads(row["geojson"]),
                "properties": {
                    "code": row["camera__code"],
                    "name": row["camera__name"],
                    "kind": row["camera__kind"],
                    "status": row["camera__status"],
                    "azimuth": row["camera__azimuth"],
                    "field_of_view": row["camera__field_of_view"],
                    "range_m": row["camera__range_m"],
                    "sector_area_m2": round(row["sector_area_m2"], 2),
                    "visible_area_m2": round(row["visible_area_m2"], 2),
                    "obstacles": row["obstacles"],
                    "host_building": row["host_building_id"],
                    "computed_at": row["computed_at"].isoformat(),
                },
            }
            for row in rows
        ],
    }
