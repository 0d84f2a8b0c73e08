import pytest
from rest_framework.test import APIClient

from tests import factories as f
from tests.factories import LAT, LON

# The village of factories.county_with_village spans LON ± 0.1, LAT ± 0.1.
STEP = 0.01


@pytest.fixture
def village():
    *_, village = f.county_with_village()
    return village


def lattice(households=lambda i, j: 10, size: int = 10) -> list:
    """Buildings on a size × size lattice across the village, households given per cell."""
    buildings = []
    for i in range(size):
        for j in range(size):
            lon = LON - 0.1 + (i + 0.5) * 0.2 / size
            lat = LAT - 0.1 + (j + 0.5) * 0.2 / size
            buildings.append(f.building(lon, lat, households=households(i, j)))
    return buildings


@pytest.fixture
def two_grids(village):
    """The village split into a west and an east grid (both drawn in 2024)."""
    west = f.grid("419821101201001", village, f.rectangle(LON - 0.1, LAT - 0.1, LON, LAT + 0.1))
    east = f.grid("419821101201002", village, f.rectangle(LON, LAT - 0.1, LON + 0.1, LAT + 0.1))
    return west, east


@pytest.fixture
def superuser_client(django_user_model):
    user = django_user_model.objects.create_superuser("root", password="pw")
    client = APIClient()
    client.force_authenticate(user)
    client.user = user
    return client
