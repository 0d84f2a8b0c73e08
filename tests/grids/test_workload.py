"""Grid workload: households, residents, weighted incidents, area and travel, from SQL."""

from datetime import timedelta

import pytest
from django.utils import timezone

from layers.grids.workload import GridWorkload, WorkloadWeights, grid_workload
from tests import factories as f
from tests.factories import LAT, LON
from tests.grids.conftest import METRES_PER_DEGREE_LAT, box_m2

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy_village(tiled):
    """West grid: 2 buildings, 3 incidents in the window and 1 before; east: 1 and 1."""
    village, west, east = tiled
    until = timezone.now()
    # West buildings 0.01° north and south of the grid's centroid (LON - 0.05, LAT).
    f.building(LON - 0.05, LAT + 0.01, households=3)
    f.building(LON - 0.05, LAT - 0.01, households=5)
    f.building(LON + 0.05, LAT, households=10)
    recent = until - timedelta(days=10)
    f.incident(LON - 0.05, LAT, category="dispute", subcategory="family", reported_at=recent)
    f.incident(LON - 0.06, LAT, category="dispute", subcategory="land", reported_at=recent)
    f.incident(LON - 0.07, LAT, category="sudden_event", subcategory="accident", reported_at=recent)
    f.incident(LON - 0.05, LAT, reported_at=until - timedelta(days=400))  # before the window
    f.incident(LON + 0.05, LAT, category="livelihood", subcategory="social_aid", reported_at=recent)
    return village, west, east, until


def by_code(rows: list[GridWorkload]) -> dict[str, GridWorkload]:
    return {row.code: row for row in rows}


def test_people_incidents_area_and_travel_per_grid(busy_village):
    village, west, east, until = busy_village
    rows = by_code(grid_workload(village.code, until=until))
    west_load, east_load = rows[west.code], rows[east.code]
    assert (west_load.households, west_load.residents) == (8, 24)  # 3 + 5, three per household
    assert (east_load.households, east_load.residents) == (10, 30)
    # Two disputes (3 each) and a sudden event (5) in the last year; the older one is out.
    assert (west_load.incidents, west_load.weighted_incidents) == (3, 11.0)
    assert (east_load.incidents, east_load.weighted_incidents) == (1, 1.0)
    assert west_load.area_km2 * 1e6 == box_m2(0.1, 0.2)
    # Both west buildings lie 0.01° of latitude from the centroid.
    assert west_load.mean_distance_m == pytest.approx(0.01 * METRES_PER_DEGREE_LAT, rel=0.01)
    assert east_load.mean_distance_m == pytest.approx(0, abs=1)


def test_the_score_adds_the_weighted_measures(busy_village):
    village, west, _east, until = busy_village
    weights = WorkloadWeights(
        per_household=2, per_weighted_incident=1, per_km2=0.5, per_km_travel=10
    )
    load = by_code(grid_workload(village.code, until=until, weights=weights))[west.code]
    expected = 2 * 8 + 1 * 11 + 0.5 * load.area_km2 + 10 * load.mean_distance_m / 1000
    assert load.score == pytest.approx(expected)


def test_the_window_and_category_weights_are_parameters(busy_village):
    village, west, _east, until = busy_village
    weights = WorkloadWeights(category_weights={"dispute": 1.0}, default_category_weight=0.0)
    load = by_code(
        grid_workload(village.code, since=until - timedelta(days=500), until=until, weights=weights)
    )[west.code]
    assert (load.incidents, load.weighted_incidents) == (4, 3.0)  # three disputes, one event


def test_the_api_gives_a_table_and_a_choropleth(superuser_client, busy_village):
    village, west, _east, until = busy_village
    response = superuser_client.get(
        f"/api/v1/grids/workload/?area={village.parent.code}&until={until.isoformat()}".replace(
            "+", "%2B"
        )
    )
    assert response.status_code == 200
    body = response.json()
    assert [row["code"] for row in body["table"]] == [west.code, "419821101201002"]
    feature = body["features"][0]
    assert feature["geometry"]["type"] == "Polygon"
    assert feature["properties"]["households"] == 8


def test_the_api_refuses_a_bad_date(superuser_client, tiled):
    village, *_ = tiled
    response = superuser_client.get(f"/api/v1/grids/workload/?area={village.code}&since=soon")
    assert response.status_code == 400 and "since" in response.json()
