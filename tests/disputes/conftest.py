import pytest
from django.contrib.auth.models import Permission
from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from rest_framework.test import APIClient

from layers.disputes import services
from layers.disputes.choices import ClaimMethod, PartyRole, ReferenceKind
from tests import factories as f

# A field near the demo centre (114.6E, 34.5N: Gauss–Krüger zone EPSG:4547, 114E).
LON, LAT = 114.6, 34.5


def square(west: float, south: float, size: float) -> MultiPolygon:
    return MultiPolygon(Polygon.from_bbox((west, south, west + size, south + size)), srid=4326)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploads (claim files, documents, photos, imagery) go to this test's own directory."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def village(db):
    return f.county_with_village()[2]


@pytest.fixture
def clerk(django_user_model):
    return django_user_model.objects.create_superuser("clerk", password="pw")


@pytest.fixture
def officer(django_user_model):
    """A field officer: may read cases and record visits, nothing more."""
    user = django_user_model.objects.create_user("officer", password="pw")
    user.user_permissions.add(Permission.objects.get(codename="add_fieldvisit"))
    return user


@pytest.fixture
def client_for():
    def make(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def case(village, clerk, officer):
    """A farmland case with two parties, a claim each and two reference versions."""
    case = services.case_create(
        actor=clerk,
        code="D-2026-001",
        title="east field",
        kind="farmland",
        village=village,
        location=Point(LON, LAT, srid=4326),
        opened_on="2026-05-01",
        officers=[officer],
    )
    wang = services.party_add(case=case, actor=clerk, name="王", role=PartyRole.CLAIMANT)
    li = services.party_add(case=case, actor=clerk, name="李", role=PartyRole.RESPONDENT)
    services.claim_add(
        case=case,
        actor=clerk,
        party=wang,
        boundary=square(LON, LAT, 0.001),
        method=ClaimMethod.DRAWN,
    )
    services.claim_add(
        case=case,
        actor=clerk,
        party=li,
        boundary=square(LON + 0.0001, LAT, 0.001),
        method=ClaimMethod.DRAWN,
    )
    for year, shift in ((2009, 0.00002), (2018, 0.00005)):
        services.reference_add(
            case=case,
            actor=clerk,
            kind=ReferenceKind.CONTRACT_LAND,
            boundary=square(LON + shift, LAT, 0.001),
            surveyed_on=f"{year}-06-01",
            source=f"{year} 确权",
        )
    case.refresh_from_db()
    return case
