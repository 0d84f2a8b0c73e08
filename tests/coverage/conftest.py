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
