import pytest

from layers.buildings.models import Building
from layers.cameras.models import CameraSite
from tests.coverage import geometry as g


@pytest.fixture
def camera_at(db):
    """Builds an active camera at (x, y) metres from the origin."""

    def make(x=0.0, y=0.0, azimuth=0.0, field_of_view=90.0, range_m=100.0, **fields):
        fields.setdefault("code", f"CAM{CameraSite.objects.count() + 1}")
        fields.setdefault("name", "test camera")
        fields.setdefault("kind", "sharp_eyes")
        return CameraSite.objects.create(
            location=g.point(x, y),
            azimuth=azimuth,
            field_of_view=field_of_view,
            range_m=range_m,
            **fields,
        )

    return make


@pytest.fixture
def wall_at(db):
    """Builds a building whose footprint is the rectangle given in metres from the origin."""

    def make(west, south, east, north):
        return Building.objects.create(footprint=g.rectangle(west, south, east, north), use="other")

    return make


@pytest.fixture
def village(db):
    """A county, a township and a 200 m × 200 m village around the origin, tiled by one grid."""
    from layers.areas.models import AreaLevel
    from tests import factories as f

    county = f.area("419821000000", AreaLevel.COUNTY, f.rectangle(113.9, 34.4, 114.1, 34.6))
    township = f.area(
        "419821101000", AreaLevel.TOWNSHIP, f.rectangle(113.95, 34.45, 114.05, 34.55), county
    )
    square = g.rectangle(-100, -100, 100, 100)
    village = f.area("419821101201", AreaLevel.VILLAGE, square, township)
    f.grid("419821101201001", village, square)
    return village


@pytest.fixture
def incident_at(db):
    from tests import factories as f

    def make(x, y, **fields):
        return f.incident(0, 0, location=g.point(x, y), **fields)

    return make


@pytest.fixture
def key_site_at(db):
    from layers.keysites.models import KeySite

    def make(x, y, name, kind="entrance"):
        return KeySite.objects.create(name=name, kind=kind, location=g.point(x, y))

    return make
