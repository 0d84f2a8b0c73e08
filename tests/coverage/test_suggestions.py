"""Greedy site suggestions on a case whose best answer is plain to see."""

from dataclasses import replace
from datetime import timedelta

import pytest
from django.utils import timezone

from layers.coverage.suggestions import (
    Candidate,
    Option,
    SuggestionQuery,
    greedy_max_coverage,
    site_suggestions,
)
from tests.coverage import geometry as g


def candidate(x, y, label):
    location = g.point(x, y)
    return Candidate(location.x, location.y, "given", label)


@pytest.fixture
def clusters(village, incident_at):
    """Five incidents at the SW corner, two at the NE corner, none elsewhere; no camera."""
    for _ in range(5):
        incident_at(-80, -80)
    for _ in range(2):
        incident_at(80, 80)
    return village


def query(k, candidates, **fields):
    now = timezone.now()
    return SuggestionQuery(
        area_code="419821101201",
        k=k,
        since=now - timedelta(days=30),
        until=now + timedelta(seconds=1),
        cell_side_m=10,
        candidates=tuple(candidates),
        **fields,
    )


def three_candidates() -> list[Candidate]:
    return [
        candidate(0, 0, "centre"),  # 113 m from both clusters: out of range
        candidate(80, 50, "north-east"),  # 30 m south of the small cluster
        candidate(-80, -50, "south-west"),  # 30 m north of the big cluster
    ]


def test_the_heavier_cluster_first_then_the_other_then_nothing(clusters):
    # Four directions with 60° views leave no two that both see a cluster's cell.
    four_ways = {"azimuths": (0.0, 90.0, 180.0, 270.0), "field_of_view": 60.0}
    result = site_suggestions(query(3, three_candidates(), **four_ways))
    sites = [feature["properties"] for feature in result["features"]]
    assert [site["label"] for site in sites] == ["south-west", "north-east"]
    # Each looks towards its cluster: south (180°) and north (0°).
    assert [site["azimuth"] for site in sites] == [180.0, 0.0]
    assert [site["gained_weight"] for site in sites] == [5.0, 2.0]
    assert [site["cumulative_pct"] for site in sites] == [pytest.approx(71.43), 100.0]
    assert (result["uncovered_weight"], result["remaining_weight"]) == (7.0, 0.0)


def test_weight_an_existing_camera_sees_is_not_counted_again(clusters, camera_at):
    camera_at(-80, -50, azimuth=180, field_of_view=90, range_m=100)
    result = site_suggestions(query(1, three_candidates()))
    assert result["uncovered_weight"] == 2.0
    (site,) = result["features"]
    assert site["properties"]["label"] == "north-east"


def test_a_wall_between_site_and_cluster_blocks_the_suggestion(clusters, wall_at):
    wall_at(-95, -66, -65, -65)  # across the view from the south-west site to its cluster
    result = site_suggestions(query(1, three_candidates()))
    assert [f["properties"]["label"] for f in result["features"]] == ["north-east"]


def test_candidates_drawn_from_key_sites_and_grid_boundaries(clusters, key_site_at):
    key_site_at(-80, -60, "south-west gate")
    result = site_suggestions(replace(query(1, []), candidates=None, road_spacing_m=50))
    # The key site, and a point every 50 m around the 800 m boundary of the single grid: 16,
    # or 15 when the ring comes out a hair short of 800 m after the round trip through degrees.
    assert result["candidates"] in (16, 17)
    (site,) = result["features"]
    assert (site["properties"]["source"], site["properties"]["gained_weight"]) == (
        "key_site",
        5.0,
    )


def test_greedy_takes_the_best_gain_each_time():
    weights = {1: 4.0, 2: 3.0, 3: 3.0, 4: 1.0}
    options = [
        Option(0, 0.0, frozenset({1, 2})),  # 7
        Option(1, 0.0, frozenset({2, 3})),  # 6, but only 3 once site 0 is chosen
        Option(2, 0.0, frozenset({3, 4})),  # 4
        Option(0, 90.0, frozenset({1, 2, 3, 4})),  # 11: same site as the first, other way
    ]
    chosen = greedy_max_coverage(options, weights, k=3)
    assert [(o.site, o.azimuth, gain) for o, gain, _cells in chosen] == [(0, 90.0, 11.0)]
