"""Hot spots (Getis-Ord Gi*, from the heatmaps) joined to camera coverage: which hot hexagons
no camera sees, over HTTP and on the map, and site suggestions weighted by hot spots."""

import json
from datetime import timedelta

import pytest
from django.contrib.gis.geos import GEOSGeometry
from django.utils import timezone

from layers.coverage import analysis
from layers.coverage.models import CameraSector
from layers.coverage.suggestions import Candidate, SuggestionQuery, site_suggestions
from tests.coverage import geometry as g
from tests.coverage.test_api import token_client

VILLAGE = "419821101201"
HEXAGON = 20.0  # m, the smallest edge the hot-spot analysis takes


@pytest.fixture
def hot_cluster(village, incident_at):
    """60 incidents packed 40 m × 32 m around (-50, -50) in the 200 m village, 3 far apart in
    the north-east: Gi* finds the cluster's hexagons hot, the rest not."""
    for x in range(-70, -29, 8):
        for y in range(-66, -33, 8):
            incident_at(x, y)
            incident_at(x + 2, y + 2)
    for x, y in [(60, 80), (80, 40), (40, 60)]:
        incident_at(x, y)
    return village


def window() -> analysis.Window:
    now = timezone.now()
    return analysis.Window(now - timedelta(days=30), now + timedelta(seconds=1))


def hot_outside(village) -> list[dict]:
    return analysis.blind_hot_spots(village, analysis.area_selection(village, window()), HEXAGON)


def centre_seen(feature: dict) -> bool:
    centre = GEOSGeometry(json.dumps(feature["geometry"])).centroid
    return any(s.visible.intersects(centre) for s in CameraSector.objects.all())


def test_without_cameras_every_hot_hexagon_is_outside_coverage(hot_cluster):
    spots = hot_outside(hot_cluster)
    assert spots, "the cluster is a hot spot"
    assert {s["properties"]["class"] for s in spots} <= set(analysis.HOT_CLASSES)
    assert sum(s["properties"]["incidents"] for s in spots) >= 30
    assert all(s["properties"]["seen_pct"] == 0 for s in spots)
    assert [s["properties"]["z"] for s in spots] == sorted(
        (s["properties"]["z"] for s in spots), reverse=True
    )
    # The three scattered incidents are no hot spot.
    far = g.point(60, 60)
    assert all(GEOSGeometry(json.dumps(s["geometry"])).distance(far) > 0.0002 for s in spots)


def test_the_hot_hexagons_a_camera_sees_are_left_out_the_others_kept(hot_cluster, camera_at):
    everything = {(s["properties"]["i"], s["properties"]["j"]): s for s in hot_outside(hot_cluster)}
    # Looking west from the cluster's middle: it sees the western half of the cluster.
    camera_at(-50, -50, azimuth=270, field_of_view=180, range_m=60)
    outside = {(s["properties"]["i"], s["properties"]["j"]): s for s in hot_outside(hot_cluster)}
    seen = {key for key, spot in everything.items() if centre_seen(spot)}
    assert seen and set(outside), "the camera sees part of the hot spot, not all of it"
    assert set(outside) == set(everything) - seen
    # A hexagon whose centre no camera sees is at most half seen (the sector's edge runs
    # through the camera, between hexagon columns here).
    assert all(s["properties"]["seen_pct"] < 50 for s in outside.values())
    assert all(
        outside[key]["properties"]["z"] == everything[key]["properties"]["z"] for key in outside
    )


def test_an_inactive_camera_leaves_the_hot_spot_outside(hot_cluster, camera_at):
    everything = hot_outside(hot_cluster)
    camera_at(-50, -50, field_of_view=360, range_m=80, status="faulty")
    assert hot_outside(hot_cluster) == everything


@pytest.fixture
def reader(django_user_model):
    return token_client(django_user_model, "read:cameras")


def test_blind_spots_with_hot_spot_weights(hot_cluster, camera_at, reader):
    camera_at(-50, -50, azimuth=270, field_of_view=180, range_m=60)
    expected = hot_outside(hot_cluster)
    response = reader.get(f"/api/v1/coverage/blind-spots/?area={VILLAGE}&cell=20&weights=hotspots")
    assert response.status_code == 200
    body = response.json()
    assert body["weights"] == "hotspots"
    spots = [f for f in body["features"] if f["properties"]["layer"] == "hot_spot"]
    assert [s["properties"] for s in spots] == [s["properties"] for s in expected]
    assert body["cells"] == len(expected)
    assert body["uncovered_weight"] == sum(s["properties"]["incidents"] for s in expected)
    assert set(spots[0]["properties"]) >= {"z", "class", "incidents", "seen_pct"}


def test_too_few_incidents_for_hot_spots_is_a_409_saying_so(village, incident_at, reader):
    for _ in range(5):
        incident_at(0, 0)
    url = f"/api/v1/coverage/blind-spots/?area={VILLAGE}&cell=20&weights=hotspots"
    response = reader.get(url)
    assert response.status_code == 409
    assert "30" in response.json()["detail"]
    suggestion = reader.post(
        "/api/v1/coverage/suggestions/",
        {
            "area": VILLAGE,
            "k": 1,
            "cell_side_m": 20,
            "weights": "hotspots",
            "candidates": {"type": "Point", "coordinates": [114.0, 34.5]},
        },
        format="json",
    )
    assert suggestion.status_code == 409
    assert reader.get(url.replace("blind-spots", "map")).status_code == 409


@pytest.mark.parametrize(
    ("url", "named"),
    [
        (f"/api/v1/coverage/blind-spots/?area={VILLAGE}&weights=danger", {"weights"}),
        (f"/api/v1/coverage/blind-spots/?area={VILLAGE}&weights=hotspots&cell=10", {"cell"}),
        (f"/api/v1/coverage/map/?area={VILLAGE}&weights=z", {"weights"}),
    ],
)
def test_bad_hot_spot_parameters_are_a_400(village, reader, url, named):
    response = reader.get(url)
    assert response.status_code == 400
    assert set(response.json()) == named


def test_a_bad_suggestion_weight_is_a_400(village, reader):
    body = {"area": VILLAGE, "k": 1, "weights": ["hotspots"]}
    response = reader.post("/api/v1/coverage/suggestions/", body, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"weights"}


def test_hot_spots_are_never_public(hot_cluster):
    from rest_framework.test import APIClient

    url = f"/api/v1/coverage/blind-spots/?area={VILLAGE}&cell=20&weights=hotspots"
    assert APIClient().get(url).status_code == 401
    assert APIClient().get(url.replace("blind-spots", "map")).status_code == 401


def test_the_map_draws_hot_spots_outside_coverage(hot_cluster, reader):
    response = reader.get(f"/api/v1/coverage/map/?area={VILLAGE}&cell=20&weights=hotspots")
    assert response.status_code == 200
    html = response.content.decode()
    assert "hot_99" in html or "hot_95" in html or "hot_90" in html
    assert "seen_pct" in html


def candidate(x, y, label):
    location = g.point(x, y)
    return Candidate(location.x, location.y, "given", label)


def two_sites(weights: str) -> SuggestionQuery:
    """Two cameras for a site over the cluster and one by the scattered incidents."""
    now = timezone.now()
    return SuggestionQuery(
        area_code=VILLAGE,
        k=2,
        since=now - timedelta(days=30),
        until=now + timedelta(seconds=1),
        cell_side_m=HEXAGON,
        azimuths=(0.0, 180.0),
        candidates=(candidate(60, 0, "north-east side"), candidate(-50, 10, "over the cluster")),
        weights=weights,
    )


def test_suggestions_weighted_by_hot_spots_pick_the_site_on_the_hot_cluster(hot_cluster):
    result = site_suggestions(two_sites("hotspots"))
    hot = hot_outside(hot_cluster)
    assert result["weights"] == "hotspots"
    assert result["uncovered_weight"] == sum(s["properties"]["incidents"] for s in hot)
    # The north-east site sees the scattered incidents but no hot spot: it gains nothing.
    (site,) = result["features"]
    assert site["properties"]["label"] == "over the cluster"
    assert site["properties"]["azimuth"] == 180.0
    assert site["properties"]["gained_weight"] > 0


def test_counted_by_incidents_the_scattered_ones_are_worth_a_camera_too(hot_cluster):
    result = site_suggestions(two_sites("incidents"))
    labels = [f["properties"]["label"] for f in result["features"]]
    assert labels == ["over the cluster", "north-east side"]
