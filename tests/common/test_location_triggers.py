"""Grid and village assignment happens in the database, on every write path."""

from datetime import date

import pytest
from django.contrib.gis.geos import Point

from layers.buildings.models import Building
from layers.incidents.models import Incident
from tests import factories as f
from tests.factories import LAT, LON

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_grids():
    county, township, village = f.county_with_village()
    west = f.grid("419821101201001", village, f.rectangle(LON - 0.1, LAT - 0.1, LON, LAT + 0.1))
    east = f.grid("419821101201002", village, f.rectangle(LON, LAT - 0.1, LON + 0.1, LAT + 0.1))
    return county, township, village, west, east


def test_building_gets_the_grid_under_its_point_on_surface(two_grids):
    *_, village, west, _east = two_grids
    house = f.building(LON - 0.05, LAT)
    assert (house.grid_id, house.area_id) == (
        None,
        None,
    )  # the trigger writes the row, not the object
    house.refresh_from_db()
    assert (house.grid_id, house.area_id) == (west.id, village.id)


def test_incident_moved_to_another_grid_is_reassigned(two_grids):
    *_, _west, east = two_grids
    report = f.incident(LON - 0.05, LAT)
    Incident.objects.filter(pk=report.pk).update(location=Point(LON + 0.05, LAT, srid=4326))
    report.refresh_from_db()
    assert report.grid_id == east.id


def test_redrawn_grid_takes_its_buildings_with_it(two_grids):
    *_, west, east = two_grids
    house = f.building(LON - 0.02, LAT)
    # Move the boundary 0.03° west: the house now lies in the eastern grid.
    west.geom = f.rectangle(LON - 0.1, LAT - 0.1, LON - 0.03, LAT + 0.1)
    west.save()
    east.geom = f.rectangle(LON - 0.03, LAT - 0.1, LON + 0.1, LAT + 0.1)
    east.save()
    house.refresh_from_db()
    assert house.grid_id == east.id


def test_a_closed_grid_hands_its_features_to_the_grid_redrawn_in_its_place(two_grids):
    *_, village, west, _east = two_grids
    house = f.building(LON - 0.05, LAT)
    west.valid_to = date(2025, 1, 1)
    west.save()
    redrawn = f.grid(west.code, village, west.geom, valid_from=date(2025, 1, 1))
    house.refresh_from_db()
    assert (house.grid_id, house.area_id) == (redrawn.id, village.id)


def test_a_deleted_grid_hands_its_features_to_the_grid_that_takes_its_area(two_grids):
    *_, village, west, east = two_grids
    report = f.incident(LON - 0.05, LAT)
    west.delete()
    east.geom = f.rectangle(LON - 0.1, LAT - 0.1, LON + 0.1, LAT + 0.1)
    east.save()
    report.refresh_from_db()
    assert (report.grid_id, report.area_id) == (east.id, village.id)


def test_point_outside_every_grid_gets_the_deepest_area(two_grids):
    _county, township, *_ = two_grids
    report = f.incident(LON + 0.15, LAT)  # inside the township, outside the village
    report.refresh_from_db()
    assert (report.grid_id, report.area_id) == (None, township.id)


def test_point_outside_every_area_gets_nothing(two_grids):
    report = f.incident(LON + 1, LAT)
    report.refresh_from_db()
    assert (report.grid_id, report.area_id) == (None, None)


def test_bulk_created_buildings_are_assigned_too(two_grids):
    *_, west, east = two_grids
    half = 0.00005
    Building.objects.bulk_create(
        Building(
            footprint=f.rectangle(lon - half, LAT - half, lon + half, LAT + half),
            use="residential",
        )
        for lon in (LON - 0.05, LON + 0.05)
    )
    assert sorted(Building.objects.values_list("grid_id", flat=True)) == sorted([west.id, east.id])
