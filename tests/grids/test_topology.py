"""Topology reports: gaps, overlaps and parts outside, measured in m², slivers set apart."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from layers.areas.models import AreaLevel
from layers.grids.topology import area_topology, township_topology, village_topology
from tests import factories as f
from tests.factories import LAT, LON
from tests.grids.conftest import box_m2

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unchecked_grids")]


def kinds(report) -> list[tuple[str, list[str]]]:
    return [(problem.kind, problem.codes) for problem in report.problems]


def test_a_perfect_tiling_has_no_problem(tiled):
    village, *_ = tiled
    report = village_topology(village)
    assert report.ok and report.problems == [] and report.slivers == []


def test_two_grids_overlapping_are_an_overlap_with_its_polygon(tiled):
    village, west, east = tiled
    east.geom = f.rectangle(LON - 0.01, LAT - 0.1, LON + 0.1, LAT + 0.1)
    east.save()
    (overlap,) = village_topology(village).problems
    assert (overlap.kind, overlap.codes) == ("overlap", [west.code, east.code])
    assert overlap.area_m2 == box_m2(0.01, 0.2)  # the 0.01° strip east grid took from west
    assert overlap.geometry["type"] == "Polygon"


def test_a_gap_left_by_a_shrunken_grid(tiled):
    village, west, _east = tiled
    west.geom = f.rectangle(LON - 0.1, LAT - 0.1, LON - 0.02, LAT + 0.1)
    west.save()
    (gap,) = village_topology(village).problems
    assert (gap.kind, gap.area_code, gap.area_m2) == ("gap", village.code, box_m2(0.02, 0.2))


def test_a_grid_sticking_out_of_its_village(tiled):
    village, _west, east = tiled
    east.geom = f.rectangle(LON, LAT - 0.1, LON + 0.13, LAT + 0.1)
    east.save()
    (outside,) = village_topology(village).problems
    assert (outside.kind, outside.codes) == ("outside", [east.code])
    assert outside.area_m2 == box_m2(0.03, 0.2)


def test_a_sliver_under_the_tolerance_is_noise_reported_apart(tiled):
    village, _west, east = tiled
    # A notch of 1e-6° × 1e-6° (about 0.01 m²) into the west grid: floating-point size.
    notch = f.rectangle(LON - 1e-6, LAT, LON, LAT + 1e-6)
    east.geom = east.geom.union(notch)
    east.save()
    report = village_topology(village)
    assert report.ok
    (sliver,) = report.slivers
    assert sliver.kind == "overlap" and sliver.area_m2 < 0.02


def test_a_village_without_grids_is_one_gap(village):
    (gap,) = village_topology(village).problems
    assert gap.kind == "gap" and gap.area_m2 == box_m2(0.2, 0.2)


def test_the_township_reports_gaps_between_its_villages_and_their_grids(tiled):
    village, *_ = tiled
    township = village.parent
    # The township is 0.4° × 0.4° and its only village 0.2° × 0.2°: the rest is a gap.
    report = township_topology(township)
    (gap,) = report.problems
    assert (gap.kind, gap.area_code) == ("gap", township.code)
    assert gap.area_m2 == pytest.approx(
        box_m2(0.4, 0.4).expected - box_m2(0.2, 0.2).expected, rel=0.01
    )


def test_a_wider_area_covers_its_townships_and_villages(tiled):
    village, west, east = tiled
    east.geom = f.rectangle(LON - 0.01, LAT - 0.1, LON + 0.1, LAT + 0.1)
    east.save()
    county = village.parent.parent
    assert county.level == AreaLevel.COUNTY
    assert sorted(kinds(area_topology(county))) == [
        ("gap", []),  # the township around its village
        ("overlap", [west.code, east.code]),
    ]


def test_the_command_exits_1_and_lists_the_problems(tiled):
    village, west, _east = tiled
    west.delete()
    out = StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("check_topology", area=village.code, stdout=out)
    assert refused.value.returncode == 1
    assert "gap of " in out.getvalue() and village.code in out.getvalue()


def test_the_command_passes_a_perfect_tiling(tiled, tmp_path):
    village, *_ = tiled
    out = StringIO()
    call_command("check_topology", area=village.code, geojson=tmp_path / "p.geojson", stdout=out)
    assert "0 problems" in out.getvalue()
    assert '"features": []' in (tmp_path / "p.geojson").read_text()


def test_the_api_gives_problems_as_features_with_a_summary(superuser_client, tiled):
    village, _west, east = tiled
    east.geom = f.rectangle(LON - 0.01, LAT - 0.1, LON + 0.1, LAT + 0.1)
    east.save()
    response = superuser_client.get(f"/api/v1/grids/topology/?area={village.code}")
    assert response.status_code == 200
    body = response.json()
    (feature,) = body["features"]
    assert feature["properties"]["kind"] == "overlap"
    assert feature["geometry"]["type"] == "Polygon"
    assert body["summary"]["problems"]["overlap"] == 1 and not body["summary"]["ok"]


def test_the_api_needs_a_known_area(superuser_client, tiled):
    assert superuser_client.get("/api/v1/grids/topology/").status_code == 400
    assert superuser_client.get("/api/v1/grids/topology/?area=419821999999").status_code == 404
