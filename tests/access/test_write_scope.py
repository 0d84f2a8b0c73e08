"""Public layers are read by everyone but changed only inside the role's scope
(layers.access.policy.changeable): a township supervisor with every model permission edits
their own township's grids and buildings through the API, never another's."""

import json

import pytest
from django.contrib.auth.models import Permission
from rest_framework.test import APIClient

from layers.access.models import Role
from layers.buildings.models import Building
from layers.grids.models import Grid
from tests import factories as f

pytestmark = pytest.mark.django_db
WEST, EAST = "419821101", "419821102"


@pytest.fixture
def west(django_user_model):
    county = f.small_county()
    user = django_user_model.objects.create_user("west-supervisor")
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label__in=["grids", "buildings"])
    )
    Role.objects.create(user=user, kind="supervisor", area=county["west"])
    client = APIClient()
    client.force_authenticate(user)
    return client


def _renamed(client, grid) -> int:
    return client.patch(
        f"/api/v1/grids/{grid.pk}/",
        {"type": "Feature", "properties": {"name": "renamed"}},
        format="json",
    ).status_code


def test_a_supervisor_reads_every_public_grid_but_changes_only_their_own(west):
    east = Grid.objects.get(village__code__startswith=EAST)
    own = Grid.objects.get(village__code__startswith=WEST)
    assert west.get(f"/api/v1/grids/{east.pk}/").status_code == 200
    assert _renamed(west, east) == 404
    assert west.delete(f"/api/v1/grids/{east.pk}/").status_code == 404
    assert Grid.objects.get(pk=east.pk).name != "renamed"
    assert _renamed(west, own) == 200
    assert Grid.objects.get(pk=own.pk).name == "renamed"


def test_moving_a_building_into_another_township_is_refused_and_rolled_back(west):
    building = Building.objects.get(area__code__startswith=WEST)
    geometry = json.loads(building.footprint.geojson)
    geometry["coordinates"] = _shifted(geometry["coordinates"], 0.25)
    response = west.patch(
        f"/api/v1/buildings/{building.pk}/",
        {"type": "Feature", "geometry": geometry},
        format="json",
    )
    assert response.status_code == 403 and "outside" in response.json()["detail"]
    building.refresh_from_db()
    assert building.area.code.startswith(WEST)


def _shifted(coordinates, east: float):
    if isinstance(coordinates[0], float | int):
        return [coordinates[0] + east, *coordinates[1:]]
    return [_shifted(part, east) for part in coordinates]
