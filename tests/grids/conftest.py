import math

import pytest
from rest_framework.test import APIClient

from tests import factories as f
from tests.factories import LAT, LON

# Metres per degree at the test latitude (34.5°N), for hand-computed areas of small boxes.
METRES_PER_DEGREE_LON = 111_320 * math.cos(math.radians(LAT))
METRES_PER_DEGREE_LAT = 110_900


def box_m2(width_degrees: float, height_degrees: float) -> pytest.approx:
    """The area of a lon/lat box near the test centre, to 1 % (the ellipsoid is not a sphere)."""
    return pytest.approx(
        width_degrees * METRES_PER_DEGREE_LON * height_degrees * METRES_PER_DEGREE_LAT, rel=0.01
    )


@pytest.fixture
def village():
    *_, village = f.county_with_village()
    return village


@pytest.fixture
def tiled(village):
    """The village (0.2° × 0.2°) split at LON into a west and an east grid: a perfect tiling."""
    west = f.grid("419821101201001", village, f.rectangle(LON - 0.1, LAT - 0.1, LON, LAT + 0.1))
    east = f.grid("419821101201002", village, f.rectangle(LON, LAT - 0.1, LON + 0.1, LAT + 0.1))
    return village, west, east


@pytest.fixture
def superuser_client(django_user_model):
    user = django_user_model.objects.create_superuser("root", password="pw")
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def unchecked_grids(db):
    """Broken tilings for the reports to find: enforcement off until the test rolls back.

    Django's test teardown sets every constraint IMMEDIATE, so a refused tiling left in the
    test transaction would fail the test there. DDL is transactional: the rollback restores it.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE grids_grid DISABLE TRIGGER grids_topology_check")
