import pytest
from rest_framework.test import APIClient

from layers.access.services import api_token_create
from tests import factories as f


@pytest.fixture
def county(db):
    """A county with one township, its village, two grids and a feature of each kind in each."""
    return f.small_county()


@pytest.fixture
def anonymous():
    return APIClient()


@pytest.fixture
def superuser_client(django_user_model):
    user = django_user_model.objects.create_superuser("root", password="pw")
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def token_client(django_user_model):
    """Builds a client authenticated by a token with the given scopes (and area)."""

    def make(*scopes, area=None):
        # The system's account may do everything; the token's scopes narrow it.
        user, _ = django_user_model.objects.get_or_create(
            username="system", defaults={"is_superuser": True}
        )
        _token, key = api_token_create(
            user=user, name="other system", scopes=list(scopes), area=area
        )
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        return client

    return make
