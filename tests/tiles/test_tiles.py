"""Tiles made by services.tile, decoded and checked feature by feature."""

import math
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from django.contrib.gis.geos import Point, Polygon
from django.http import QueryDict
from django.test import override_settings

from layers.incidents.models import Incident
from layers.keysites.models import KeySite
from layers.tiles import services
from layers.tiles.specs import LAYERS
from tests import factories as f
from tests.factories import LAT, LON
from tests.tiles.conftest import tile_of
from tests.tiles.mvt import read_tile

pytestmark = pytest.mark.django_db


def features(layer: str, lon: float, lat: float, z: int, queryset=None):
    """The features of the layer's tile containing lon/lat ([] for an empty tile)."""
    content = services.tile(layer, *tile_of(lon, lat, z), queryset)
    if not content:
        return []
    tile = read_tile(content)
    assert list(tile) == [layer if isinstance(layer, str) else layer.name]
    return next(iter(tile.values())).features


def tile_polygon(z: int, x: int, y: int) -> Polygon:
    """The tile's square in longitude/latitude (inverse Web Mercator)."""
    n = 2**z

    def latitude(row: int) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * row / n))))

    box = Polygon.from_bbox(
        (x / n * 360 - 180, latitude(y + 1), (x + 1) / n * 360 - 180, latitude(y))
    )
    box.srid = 4326
    return box


WEST_VILLAGE_FEATURES = {
    "areas": ("code", {"419821000000", "419821101000", "419821101201"}),
    "grids": ("code", {"419821101201001"}),
    "buildings": ("households", {3}),
    "cameras": ("code", {f"C{LON}"}),
    "key-sites": ("name", {f"gate {LON}"}),
    "incidents": ("title", {"test incident"}),
}


@pytest.mark.parametrize("layer", list(WEST_VILLAGE_FEATURES))
def test_each_layer_has_its_features_where_they_are_and_nothing_far_away(county, layer):
    name, values = WEST_VILLAGE_FEATURES[layer]
    found = features(layer, LON, LAT, 15)
    assert {feature.properties[name] for feature in found} == values
    assert len(found) == len(values)
    model = LAYERS[layer].model
    assert {feature.id for feature in found} <= set(model.objects.values_list("pk", flat=True))
    assert features(layer, LON + 5, LAT, 15) == []


def test_properties_carry_codes_and_epoch_seconds(county):
    reported = datetime(2025, 3, 1, 8, 30, tzinfo=UTC)
    f.incident(LON - 0.05, LAT, reported_at=reported, category="public_safety", subcategory="theft")
    (found,) = features("incidents", LON - 0.05, LAT, 16)
    assert found.properties == {
        "category": "public_safety",
        "subcategory": "theft",
        "status": "reported",
        "source": "patrol",
        "title": "test incident",
        "reported_at": int(reported.timestamp()),
        "grid_code": "419821101201001",
        "area_code": "419821101201",
    }
    (village,) = [a for a in features("areas", LON, LAT, 12) if a.properties["level"] == 5]
    assert village.properties["parent_code"] == "419821101000"


@pytest.mark.parametrize(
    ("z", "codes"),
    [
        (9, {"419821000000"}),
        (10, {"419821000000", "419821101000"}),
        (12, {"419821000000", "419821101000", "419821101201"}),
    ],
)
def test_areas_get_finer_with_zoom(county, z, codes):
    # Inside the western village; at zoom 10 the tile ends short of the eastern township.
    assert {a.properties["code"] for a in features("areas", LON - 0.09, LAT, z)} == codes


def test_buildings_start_at_zoom_14(county):
    assert features("buildings", LON, LAT, 13) == []
    assert len(features("buildings", LON, LAT, 14)) == 1


def test_grids_are_current_unless_asked_for_closed_ones(county):
    west, _east = county["grids"]
    west.valid_to = date(2025, 1, 1)
    west.save()
    # A closed grid is redrawn in the same edit: the tiling allows no uncovered village.
    f.grid(west.code, west.village, west.geom, valid_from=date(2025, 1, 1))
    layer = LAYERS["grids"]
    current = services.filtered(layer, QueryDict(), layer.queryset())
    closed = services.filtered(layer, QueryDict("current=false"), layer.queryset())
    (redrawn,) = features("grids", LON, LAT, 14, current)
    assert "valid_to" not in redrawn.properties  # MVT drops null properties
    (grid,) = features("grids", LON, LAT, 14, closed)
    assert grid.properties["valid_to"] == "2025-01-01"


@pytest.fixture
def hot_spots(county):
    """Twelve incidents in three hot spots of the west village, besides the county's two."""
    spots = [
        (LON - 0.08, LAT + 0.05, "dispute", "neighbour", 5),
        (LON - 0.03, LAT - 0.04, "public_safety", "theft", 4),
        (LON - 0.06, LAT - 0.07, "safety_hazard", "fire", 3),
    ]
    for lon, lat, category, subcategory, how_many in spots:
        for number in range(how_many):
            # A metre or so apart: the same bin at low zoom, distinct points at high zoom.
            f.incident(lon + number * 1e-5, lat, category=category, subcategory=subcategory)
    return spots


def test_incidents_are_binned_below_the_cluster_zoom(hot_spots):
    z, x, y = tile_of(LON - 0.05, LAT, 10)
    inside = Incident.objects.filter(location__within=tile_polygon(z, x, y))
    bins = read_tile(services.tile("incidents", z, x, y))["incidents"].features
    assert sum(b.properties["count"] for b in bins) == inside.count() == 13
    assert len(bins) == 4  # three hot spots and the county's incident at the village centre
    for b in bins:
        assert b.id is None
        assert all(0 <= coordinate <= 4096 for coordinate in b.point)
        per_category = {k: v for k, v in b.properties.items() if k.startswith("count_")}
        assert sum(per_category.values()) == b.properties["count"]
    counts = sorted((b.properties["count"], b.properties["count_public_safety"]) for b in bins)
    assert counts == [(1, 0), (3, 0), (4, 4), (5, 0)]


def test_incidents_are_individual_from_the_cluster_zoom_on(hot_spots):
    lon, lat, *_ = hot_spots[0]
    z, x, y = tile_of(lon, lat, 14)
    found = read_tile(services.tile("incidents", z, x, y))["incidents"].features
    inside = Incident.objects.filter(location__within=tile_polygon(z, x, y))
    assert sorted(feature.id for feature in found) == sorted(inside.values_list("pk", flat=True))
    assert len(found) == 5
    assert {feature.properties["category"] for feature in found} == {"dispute"}


@override_settings(GISGOV_TILES_CLUSTER_BELOW_ZOOM=10)
def test_the_cluster_zoom_is_a_setting(hot_spots):
    found = features("incidents", LON - 0.05, LAT, 10)
    assert len(found) == 13
    assert all(feature.id is not None for feature in found)


def test_a_full_tile_keeps_the_first_rows_of_the_layer_ordering(county):
    start = datetime(2025, 1, 1, tzinfo=UTC)
    reports = [f.incident(LON - 0.05, LAT, reported_at=start + timedelta(days=d)) for d in range(4)]
    capped = replace(LAYERS["incidents"], feature_cap=2)
    found = features(capped, LON - 0.05, LAT, 16)
    assert sorted(feature.id for feature in found) == sorted(r.pk for r in reports[-2:])


def test_no_tile_carries_more_than_the_cap(county):
    KeySite.objects.bulk_create(
        KeySite(name=f"site {n}", kind="other", location=Point(LON + n * 1e-4, LAT, srid=4326))
        for n in range(10)
    )
    assert len(features("key-sites", LON, LAT, 14)) == 11
    assert len(features(replace(LAYERS["key-sites"], feature_cap=4), LON, LAT, 14)) == 4


def test_polygons_are_clipped_to_the_tile_and_its_buffer(county):
    # Deep inside the county: its square covers the whole tile, buffer included.
    (county_area,) = [a for a in features("areas", LON, LAT, 16) if a.properties["level"] == 3]
    assert county_area.type == 3  # polygon
    coordinates = county_area.geometry
    assert coordinates[0] == (1 << 3) | 1  # one MoveTo, then a LineTo of three points
    assert len(coordinates) == 1 + 2 + 1 + 6 + 1


def test_a_tile_at_the_antimeridian_edge_still_finds_china(county):
    # z1 tile 1/1/0 spans 0–180°E north of the equator; its margin must not wrap to the west.
    assert features("areas", LON, LAT, 1, LAYERS["areas"].queryset())
