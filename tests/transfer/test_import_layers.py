"""A good file of each layer kind imports completely, with references and defaults resolved."""

from datetime import UTC, date, datetime

import pytest
from django.utils import timezone

from layers.areas.models import AdminArea, AreaLevel
from layers.buildings.models import Building
from layers.cameras.models import CameraSite, CameraStatus
from layers.grids.models import Grid
from layers.incidents.models import Incident, Status
from layers.keysites.models import KeySite
from layers.transfer.services import layer_import
from tests.transfer.factories import (
    COUNTY,
    VILLAGE,
    box,
    feature,
    point,
    write_geojson,
)

pytestmark = pytest.mark.django_db


def test_areas_name_parents_in_the_database_and_in_the_same_file(division, tmp_path):
    path = write_geojson(
        tmp_path / "areas.geojson",
        [
            # The villages come before their township: order in the file does not matter.
            feature(
                box(114.36, 34.86, 114.37, 34.87),
                code="410102002001",
                name="南村",
                level=5,
                parent_code="410102002000",
            ),
            feature(
                box(114.37, 34.86, 114.38, 34.87),
                code="410102002002",
                name="北村",
                level="5",
                parent_code="410102002000",
            ),
            feature(
                box(114.35, 34.85, 114.40, 34.90),
                code="410102002000",
                name="水稻乡",
                level=4,
                parent_code=COUNTY,
            ),
        ],
    )

    report = layer_import(path=path, layer="areas")

    assert report.created == 3
    township = AdminArea.objects.get(code="410102002000")
    assert township.parent == division.county
    assert township.level == AreaLevel.TOWNSHIP
    assert set(township.children.values_list("code", flat=True)) == {
        "410102002001",
        "410102002002",
    }
    # A Polygon in the file is stored as the layer's one-part MultiPolygon.
    assert township.geom.geom_type == "MultiPolygon"
    assert len(township.geom) == 1


def test_grids_reference_a_village_and_start_today_by_default(division, tmp_path):
    path = write_geojson(
        tmp_path / "grids.geojson",
        [
            feature(
                box(114.30, 34.78, 114.32, 34.80),
                code="G-002",
                name="西村二网格",
                village_code=VILLAGE,
                kind="basic",
            ),
            feature(
                box(114.30, 34.80, 114.32, 34.82),
                code="G-003",
                name="西村小学",
                village_code=VILLAGE,
                kind="exclusive",
                exclusive_type="school",
                valid_from="2024-09-01",
            ),
        ],
    )

    assert layer_import(path=path, layer="grids").created == 2

    basic = Grid.objects.get(code="G-002")
    assert basic.village == division.village
    assert basic.valid_from == timezone.localdate()
    assert basic.exclusive_type == ""
    school = Grid.objects.get(code="G-003")
    assert (school.exclusive_type, school.valid_from) == ("school", date(2024, 9, 1))


def test_buildings_are_assigned_grid_and_village_by_the_database(division, tmp_path):
    path = write_geojson(
        tmp_path / "buildings.geojson",
        [
            feature(
                box(114.285, 34.785, 114.286, 34.786),
                address="西村1号",
                floors=3,
                households=6,
                residents=18,
                use="residential",
            ),
            # In the village but outside any grid; floors, households, residents defaulted.
            feature(box(114.315, 34.815, 114.316, 34.816), use="public"),
        ],
    )

    assert layer_import(path=path, layer="buildings").created == 2

    in_grid = Building.objects.get(address="西村1号")
    assert (in_grid.grid, in_grid.area) == (division.grid, division.village)
    assert (in_grid.floors, in_grid.households, in_grid.residents) == (3, 6, 18)
    outside_grid = Building.objects.get(use="public")
    assert (outside_grid.grid, outside_grid.area) == (None, division.village)
    assert (outside_grid.floors, outside_grid.households, outside_grid.address) == (1, 0, "")


def test_cameras_resolve_their_department_by_name(division, tmp_path):
    path = write_geojson(
        tmp_path / "cameras.geojson",
        [
            feature(
                point(114.29, 34.79),
                code="C-001",
                name="西村村口",
                kind="sharp_eyes",
                azimuth=90,
                field_of_view=60,
                range_m=80,
                department="北书店派出所",
                installed_on="2023-06-01",
            ),
            feature(
                point(114.33, 34.79),
                code="C-002",
                name="东村路口",
                kind="skynet",
                azimuth=0,
                field_of_view=360,
                range_m=50.5,
                status="faulty",
            ),
        ],
    )

    assert layer_import(path=path, layer="cameras").created == 2

    entrance = CameraSite.objects.get(code="C-001")
    assert entrance.department == division.police
    assert (entrance.status, entrance.installed_on) == (CameraStatus.ACTIVE, date(2023, 6, 1))
    assert (entrance.grid, entrance.area) == (division.grid, division.village)
    crossing = CameraSite.objects.get(code="C-002")
    assert (crossing.department, crossing.area) == (None, division.other_village)
    assert crossing.range_m == 50.5


def test_key_sites(division, tmp_path):
    path = write_geojson(
        tmp_path / "sites.geojson",
        [
            feature(point(114.281, 34.781), name="西村村口", kind="entrance"),
            feature(point(114.331, 34.781), name="东村桥", kind="bridge"),
        ],
    )

    assert layer_import(path=path, layer="key-sites").created == 2

    assert KeySite.objects.get(name="西村村口").grid == division.grid
    assert KeySite.objects.get(name="东村桥").area == division.other_village


def test_incidents_read_local_times_in_the_project_time_zone(division, tmp_path):
    path = write_geojson(
        tmp_path / "incidents.geojson",
        [
            feature(
                point(114.29, 34.79),
                category="dispute",
                subcategory="neighbour",
                source="patrol",
                title="邻里纠纷",
                reported_at="2024-05-01 10:00",
            ),
            feature(
                point(114.33, 34.79),
                category="safety_hazard",
                subcategory="fire",
                source="hotline",
                title="堆放柴草",
                description="院内堆放",
                reported_at="2024-05-01T10:00:00Z",
                status="accepted",
            ),
        ],
    )

    assert layer_import(path=path, layer="incidents").created == 2

    dispute = Incident.objects.get(title="邻里纠纷")
    # TIME_ZONE is Asia/Shanghai (UTC+8): a time without offset is local time there.
    assert dispute.reported_at == datetime(2024, 5, 1, 2, 0, tzinfo=UTC)
    assert (dispute.status, dispute.grid) == (Status.REPORTED, division.grid)
    hazard = Incident.objects.get(title="堆放柴草")
    assert hazard.reported_at == datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
    assert (hazard.status, hazard.description) == (Status.ACCEPTED, "院内堆放")
    assert hazard.updated_at is not None


def test_progress_is_reported_with_the_total(division, tmp_path):
    path = write_geojson(
        tmp_path / "sites.geojson",
        [feature(point(114.29, 34.79), name=f"site {n}", kind="other") for n in range(3)],
    )
    reports = []

    layer_import(
        path=path, layer="key-sites", progress=lambda done, total: reports.append((done, total))
    )

    assert reports[-1] == (3, 3)
