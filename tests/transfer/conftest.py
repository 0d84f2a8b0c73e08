from datetime import date
from types import SimpleNamespace

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon

from layers.areas.models import AdminArea, AreaLevel
from layers.departments.models import Department, DepartmentKind
from layers.grids.models import Grid, GridKind
from tests.transfer.factories import COUNTY, OTHER_VILLAGE, TOWNSHIP, VILLAGE


def _area(code: str, name: str, level: AreaLevel, bbox: tuple, parent=None) -> AdminArea:
    return AdminArea.objects.create(
        code=code,
        name=name,
        level=level,
        parent=parent,
        geom=MultiPolygon(Polygon.from_bbox(bbox), srid=4326),
    )


@pytest.fixture
def division(db):
    """A county, one township and two villages; grid G-001 covers the village's west half."""
    county = _area(COUNTY, "龙亭区", AreaLevel.COUNTY, (114.20, 34.70, 114.40, 34.90))
    township = _area(
        TOWNSHIP, "北书店乡", AreaLevel.TOWNSHIP, (114.25, 34.75, 114.35, 34.85), county
    )
    village = _area(VILLAGE, "西村", AreaLevel.VILLAGE, (114.28, 34.78, 114.32, 34.82), township)
    other_village = _area(
        OTHER_VILLAGE, "东村", AreaLevel.VILLAGE, (114.32, 34.78, 114.34, 34.82), township
    )
    grid = Grid.objects.create(
        code="G-001",
        name="西村一网格",
        village=village,
        kind=GridKind.BASIC,
        geom=Polygon.from_bbox((114.28, 34.78, 114.30, 34.82)),
        valid_from=date(2024, 1, 1),
    )
    police = Department.objects.create(
        name="北书店派出所", kind=DepartmentKind.POLICE_STATION, area=township
    )
    return SimpleNamespace(
        county=county,
        township=township,
        village=village,
        other_village=other_village,
        grid=grid,
        police=police,
    )
