"""The demo county passes the topology check, and its enforcement, as it is loaded."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Sum

from fixtures.demo import load
from layers.areas.models import AdminArea, AreaLevel
from layers.buildings.models import Building
from layers.grids.topology import township_topology
from layers.grids.workload import grid_workload

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    # Loaded and committed with the enforcement trigger on: the load itself is checked.
    with django_db_blocker.unblock():
        call_command("demo_county", seed=3, scale=1, stdout=StringIO())
        yield
        load.wipe()


def test_check_topology_passes_on_the_demo_county(demo):
    out = StringIO()
    call_command("check_topology", stdout=out)
    assert out.getvalue().startswith("0 problems")


def test_each_township_is_tiled_by_its_villages(demo):
    township = AdminArea.objects.filter(level=AreaLevel.TOWNSHIP).first()
    assert township_topology(township).ok


def test_the_workload_counts_every_household_of_the_county(demo):
    county = AdminArea.objects.get(level=AreaLevel.COUNTY)
    rows = grid_workload(county.code)
    assert (
        sum(row.households for row in rows)
        == Building.objects.aggregate(total=Sum("households"))["total"]
    )
