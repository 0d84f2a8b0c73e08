import math

import pytest
from django.test import Client

from layers.access.services import api_token_create
from tests import factories as f


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int, int]:
    """The z/x/y of the Web Mercator tile containing a longitude/latitude."""
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return z, x, y


def tile_url(layer: str, lon: float, lat: float, z: int) -> str:
    return "/tiles/{}/{}/{}/{}.mvt".format(layer, *tile_of(lon, lat, z))


@pytest.fixture
def county(db):
    """Two townships with a village and a grid each, one feature of each kind in each village."""
    return f.small_county()


@pytest.fixture
def client():
    return Client()


@pytest.fixture
def staff_client(django_user_model):
    """A command-centre user logged in with a session."""
    client = Client()
    client.force_login(django_user_model.objects.create_user("operator", password="pw"))
    return client


@pytest.fixture
def token_client(django_user_model):
    """Builds a client sending a bearer token with these scopes (and area limit)."""

    def make(*scopes, area=None):
        user, _ = django_user_model.objects.get_or_create(username="video-platform")
        _token, key = api_token_create(
            user=user, name="video platform", scopes=list(scopes), area=area
        )
        return Client(headers={"Authorization": f"Bearer {key}"})

    return make
