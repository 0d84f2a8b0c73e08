"""Plans through the API: create, list, diff, apply (a new version of the grids), discard."""

from datetime import date

import pytest
from django.contrib.auth.models import Permission
from rest_framework.test import APIClient

from layers.access.models import Role
from layers.balancing.models import Plan, PlanStatus
from layers.buildings.models import Building
from layers.grids.models import Grid, GridStaff
from layers.grids.topology import village_topology
from tests import factories as f
from tests.balancing.conftest import lattice
from tests.factories import LAT, LON

pytestmark = pytest.mark.django_db

PLANS = "/api/v1/balancing/plans/"
PLAN_PERMISSIONS = ["change_grid", "view_plan"]
HOUSEHOLDS = {"per_weighted_incident": 0, "per_km2": 0, "per_km_travel": 0}


def create(client, village, **body):
    body = {
        "parent": village.code,
        "target_kind": "grids",
        "target_value": 2,
        "weights": HOUSEHOLDS,
        **body,
    }
    return client.post(PLANS, body, format="json")


@pytest.fixture
def heavy_west(village, two_grids):
    """West holds 30 % more households than east, a head and a member in each grid."""
    lattice(lambda i, j: 13 if i < 5 else 10)
    return two_grids


def test_a_plan_is_created_diffed_and_applied_as_a_new_version_of_the_grids(
    superuser_client, village, heavy_west, django_user_model
):
    west, east = heavy_west
    head = django_user_model.objects.create_user("head-west")
    member = django_user_model.objects.create_user("member-east")
    GridStaff.objects.create(grid=west, user=head, role="head")
    GridStaff.objects.create(grid=east, user=member, role="member")
    incident = f.incident(LON - 0.001, LAT + 0.001)  # on the west edge of the east half

    response = create(superuser_client, village, from_current=True)
    assert response.status_code == 201, response.content
    plan = response.json()
    assert plan["status"] == "draft"
    assert plan["summary"]["worst_deviation_pct"] <= 2
    assert 0 < plan["summary"]["households_moved"] < 1150 / 4
    codes = sorted(feature["properties"]["code"] for feature in plan["grids"]["features"])
    assert codes == [west.code, east.code]  # a minimal change keeps the grids' codes

    listed = superuser_client.get(PLANS).json()
    assert [item["id"] for item in listed] == [plan["id"]]

    diff = superuser_client.get(f"{PLANS}{plan['id']}/diff/").json()
    assert diff["households_moved"] == plan["summary"]["households_moved"]
    assert {move["from"] for move in diff["moved_buildings"]} == {west.code}
    by_code = {row["code"]: row for row in diff["grids"]}
    assert by_code[west.code]["households_before"] == 650
    assert abs(by_code[west.code]["households_after"] - 575) <= 575 * 0.02
    page = superuser_client.get(f"{PLANS}{plan['id']}/diff/", {"format": "html"})
    assert page.status_code == 200 and "L.map(" in page.content.decode()
    assert "https://cdn" not in page.content.decode()

    applied = superuser_client.post(f"{PLANS}{plan['id']}/apply/")
    assert applied.status_code == 200, applied.content
    assert applied.json()["status"] == "applied"
    assert applied.json()["decided_by"] == "root"

    west.refresh_from_db()
    assert west.valid_to == date.today()  # the old version is kept, closed today
    current = {grid.code: grid for grid in Grid.objects.current()}
    assert set(current) == {west.code, east.code}
    new_west = current[west.code]
    assert new_west.pk != west.pk and new_west.valid_from == date.today()
    assert new_west.created_by == superuser_client.user
    assert village_topology(village).ok
    # Every building is in the grid the plan gave it; the incident follows its grid's shape.
    for building_id, plan_code in Plan.objects.get().assignments.values_list(
        "building_id", "plan_grid__code"
    ):
        assert Building.objects.get(pk=building_id).grid.code == plan_code
    incident.refresh_from_db()
    assert incident.grid.valid_to is None
    # Staff go with the grid keeping most of their households.
    assert GridStaff.objects.get(user=head, grid__valid_to__isnull=True).grid == new_west
    assert (
        GridStaff.objects.get(user=member, grid__valid_to__isnull=True).grid == current[east.code]
    )

    again = superuser_client.post(f"{PLANS}{plan['id']}/apply/")
    assert again.status_code == 409


def test_a_plan_from_scratch_makes_new_codes_for_extra_grids(superuser_client, village, heavy_west):
    response = create(superuser_client, village, target_value=3)
    assert response.status_code == 201, response.content
    codes = sorted(
        feature["properties"]["code"] for feature in response.json()["grids"]["features"]
    )
    assert codes[:2] == [heavy_west[0].code, heavy_west[1].code]
    assert codes[2] == f"{village.code}003"
    applied = superuser_client.post(f"{PLANS}{response.json()['id']}/apply/")
    assert applied.status_code == 200, applied.content
    assert Grid.objects.current().count() == 3
    assert village_topology(village).ok


def test_a_stale_plan_is_refused(superuser_client, village, heavy_west):
    first = create(superuser_client, village).json()
    second = create(superuser_client, village, from_current=True).json()
    assert superuser_client.post(f"{PLANS}{second['id']}/apply/").status_code == 200
    refused = superuser_client.post(f"{PLANS}{first['id']}/apply/")
    assert refused.status_code == 409
    assert "changed" in refused.json()["detail"]
    assert Plan.objects.get(pk=first["id"]).status == PlanStatus.DRAFT


def test_a_discarded_plan_cannot_be_applied(superuser_client, village, heavy_west):
    plan = create(superuser_client, village).json()
    discarded = superuser_client.post(f"{PLANS}{plan['id']}/discard/")
    assert discarded.json()["status"] == "discarded"
    assert superuser_client.post(f"{PLANS}{plan['id']}/apply/").status_code == 409
    assert Grid.objects.current().count() == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"parent": "999999999999"}, "parent"),
        ({"target_kind": "people"}, "target_kind"),
        ({"target_value": -3}, "target_value"),
        ({"target_value": "many"}, "target_value"),
        ({"weights": [1]}, "weights"),
        ({"from_current": "yes"}, "from_current"),
    ],
)
@pytest.mark.usefixtures("two_grids")
def test_bad_input_is_a_400_naming_the_field(superuser_client, village, body, field):
    response = create(superuser_client, village, **body)
    assert response.status_code == 400
    assert field in response.json()
    assert not Plan.objects.exists()


def test_unknown_weights_and_empty_villages_are_400(superuser_client, village):
    assert create(superuser_client, village, weights={"per_goat": 1}).status_code == 400
    response = create(superuser_client, village)
    assert response.status_code == 400
    assert "no buildings" in response.json()["detail"]


def test_plans_need_a_login_and_grid_edit_rights(village, heavy_west, django_user_model):
    anonymous = APIClient()
    assert anonymous.get(PLANS).status_code in (401, 403)
    assert create(anonymous, village).status_code in (401, 403)
    reader = APIClient()
    reader.force_authenticate(django_user_model.objects.create_user("reader"))
    assert reader.get(PLANS).status_code == 200
    assert create(reader, village).status_code == 403
    editor_user = django_user_model.objects.create_user("editor")
    editor_user.user_permissions.add(Permission.objects.get(codename="change_grid"))
    editor = APIClient()
    editor.force_authenticate(editor_user)
    assert create(editor, village).status_code == 201


def test_plans_follow_the_roles_area(superuser_client, village, heavy_west, django_user_model):
    """A plan shows workloads (incident counts): another township's supervisor neither sees
    nor makes one, in the API or the admin."""
    plan = create(superuser_client, village).json()["id"]
    east = f.area("419821102000", 4, f.rectangle(LON + 0.2, LAT - 0.2, LON + 0.3, LAT + 0.2))
    clients = {}
    for name, area in (("west", village.parent), ("east", east)):
        user = django_user_model.objects.create_user(f"supervisor-{name}", is_staff=True)
        user.user_permissions.add(*Permission.objects.filter(codename__in=PLAN_PERMISSIONS))
        Role.objects.create(user=user, kind="supervisor", area=area)
        clients[name] = APIClient()
        clients[name].force_login(user)
    west, east = clients["west"], clients["east"]

    assert [p["id"] for p in west.get(PLANS).json()] == [plan]
    assert west.get(f"{PLANS}{plan}/").status_code == 200
    assert west.get(f"/admin/balancing/plan/{plan}/change/").status_code == 200
    assert east.get(PLANS).json() == []
    assert east.get(f"{PLANS}{plan}/").status_code == 404
    assert east.get(f"/admin/balancing/plan/{plan}/change/").status_code == 404
    assert create(east, village).status_code == 403
    assert create(west, village).status_code == 201


def test_a_plan_that_would_break_the_tiling_is_refused_whole(superuser_client, village, heavy_west):
    plan = create(superuser_client, village).json()
    # A damaged plan grid (shrunk by 100 m) would leave a gap: the topology check refuses it.
    damaged = Plan.objects.get(pk=plan["id"]).grids.first()
    damaged.geom = damaged.geom.buffer(-0.001)
    damaged.save()
    refused = superuser_client.post(f"{PLANS}{plan['id']}/apply/")
    assert refused.status_code == 409
    assert refused.json()["problems"]["features"][0]["properties"]["kind"] == "gap"
    assert {grid.pk for grid in Grid.objects.current()} == {grid.pk for grid in heavy_west}
    assert Plan.objects.get(pk=plan["id"]).status == PlanStatus.DRAFT


def test_a_township_plan_leaves_villages_without_buildings_as_they_are(
    superuser_client, village, heavy_west
):
    from layers.areas.models import AreaLevel

    empty = f.area(
        "419821101202",
        AreaLevel.VILLAGE,
        f.rectangle(LON + 0.1, LAT - 0.1, LON + 0.2, LAT + 0.1),
        village.parent,
    )
    empty_grid = f.grid(
        "419821101202001", empty, f.rectangle(LON + 0.1, LAT - 0.1, LON + 0.2, LAT + 0.1)
    )
    response = create(superuser_client, village.parent, target_kind="workload", target_value=300)
    assert response.status_code == 201, response.content
    assert [v["grids"] for v in response.json()["summary"]["villages"]] == [4]
    applied = superuser_client.post(f"{PLANS}{response.json()['id']}/apply/")
    assert applied.status_code == 200, applied.content
    assert Grid.objects.current().filter(village=village).count() == 4
    assert Grid.objects.current().get(village=empty) == empty_grid
