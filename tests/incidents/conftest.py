import pytest
from django.contrib.auth.models import Permission
from rest_framework.test import APIClient

from layers.incidents.models import DepartmentMember
from tests import factories as f
from tests.factories import LAT, LON


def user_with(django_user_model, username: str, *codenames: str):
    """A user holding the incidents permissions named (fetched again: perms are cached)."""
    user = django_user_model.objects.create_user(username)
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="incidents", codename__in=codenames)
    )
    return django_user_model.objects.get(pk=user.pk)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded files go to a directory of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def places(db):
    """A county › township › village with one grid over the village."""
    county, township, village = f.county_with_village()
    f.grid("419821101201001", village, f.rectangle(LON - 0.1, LAT - 0.1, LON + 0.1, LAT + 0.1))
    return {"county": county, "township": township, "village": village}


@pytest.fixture
def police(places):
    return f.department("派出所", places["township"])


@pytest.fixture
def justice(places):
    return f.department("司法所", places["township"], kind="justice")


@pytest.fixture
def supervisor(django_user_model):
    """A command-centre operator: moves incidents through every step."""
    return user_with(django_user_model, "supervisor", "add_incident", "change_incident")


@pytest.fixture
def officer(django_user_model, police):
    """A member of the police station: may write to the layer, start and resolve its cases."""
    user = user_with(django_user_model, "officer", "add_incident")
    DepartmentMember.objects.create(department=police, user=user)
    return user


@pytest.fixture
def stranger(django_user_model):
    """May write to the incidents layer but holds no workflow role."""
    return user_with(django_user_model, "stranger", "add_incident")


@pytest.fixture
def reporter(django_user_model):
    return user_with(django_user_model, "citizen", "add_incident")


@pytest.fixture
def incident(places, reporter, police):
    return f.incident(LON, LAT, reporter=reporter)


@pytest.fixture
def client_for():
    def make(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make
