"""The audit covers the dispute records and the incidents' co-handling departments, each
change stored with the division code of the case's village or the incident's area, so a
supervisor reads the changes of their own township only."""

import uuid

import pytest
from django.apps import apps
from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.utils import timezone
from rest_framework.test import APIClient

from layers.access.models import Role
from layers.areas.models import AdminArea
from layers.audit.models import Change
from layers.audit.tables import AUDITED, LAYER_OF
from layers.audit.triggers import area_id_expression
from layers.disputes import services
from layers.disputes.models import DisputeCase
from layers.incidents.models import Incident
from tests import factories as f
from tests.factories import LAT, LON

pytestmark = pytest.mark.django_db
WEST_VILLAGE, EAST_VILLAGE = "419821101201", "419821102201"


@pytest.fixture
def county(db):
    return f.small_county()


def _client_for(django_user_model, name, kind, area=None):
    user = django_user_model.objects.create_user(name)
    Role.objects.create(user=user, kind=kind, area=area)
    client = APIClient()
    client.force_authenticate(user)
    return client


def _square(west: float, size: float = 0.001) -> MultiPolygon:
    return MultiPolygon(Polygon.from_bbox((west, LAT, west + size, LAT + size)), srid=4326)


def _case_with_records(clerk, village_code: str, lon: float) -> DisputeCase:
    case = services.case_create(
        actor=clerk,
        code=f"D-{village_code}",
        title="east field",
        kind="farmland",
        village=AdminArea.objects.get(code=village_code),
        location=Point(lon, LAT, srid=4326),
        opened_on="2026-05-01",
        officers=[clerk],
    )
    party = services.party_add(case=case, actor=clerk, name="王", role="claimant")
    services.claim_add(case=case, actor=clerk, party=party, boundary=_square(lon), method="drawn")
    services.reference_add(
        case=case,
        actor=clerk,
        kind="contract_land",
        boundary=_square(lon + 0.0001),
        surveyed_on="2018-06-01",
        source="2018 确权",
    )
    case.refresh_from_db()
    services.visit_record(
        case=case,
        officer=clerk,
        idempotency_key=uuid.uuid4(),
        purpose="verification",
        visited_at=timezone.now(),
        points=[(lon, LAT, 3.0)],
        notes="",
        case_version=case.version,
    )
    return case


def test_every_audited_label_names_a_model_and_its_area():
    """A misspelt label would silently audit nothing (disputes.Dispute did): refuse it here."""
    for label, area_lookup in AUDITED.items():
        model = apps.get_model(label)  # LookupError names the label
        if area_lookup:
            path = area_lookup.split("__")
            target = model
            for name in path:
                target = target._meta.get_field(name).related_model
            assert target is AdminArea, (label, area_lookup)
            assert area_id_expression(model, area_lookup), label
    assert set(LAYER_OF) <= set(AUDITED)


def test_dispute_records_are_audited_with_their_villages_code(county, django_user_model):
    clerk = django_user_model.objects.create_superuser("clerk", email=None, password=None)
    case = _case_with_records(clerk, WEST_VILLAGE, LON)
    tables = {
        "disputes_disputecase",
        "disputes_disputecase_officers",
        "disputes_party",
        "disputes_claim",
        "disputes_referenceboundary",
        "disputes_fieldvisit",
    }
    recorded = Change.objects.filter(table_name__in=tables)
    assert set(recorded.values_list("table_name", flat=True)) == tables
    assert set(recorded.values_list("area_code", flat=True)) == {WEST_VILLAGE}
    claim_id = case.claims.get().pk
    case.claims.get().delete()
    (deleted,) = Change.objects.filter(table_name="disputes_claim", action="delete")
    assert deleted.row_id == claim_id and deleted.area_code == WEST_VILLAGE
    # Deleting the case deletes its records first: their village is still known then.
    DisputeCase.objects.filter(pk=case.pk).delete()
    gone = Change.objects.filter(action="delete", table_name__in=tables)
    assert set(gone.values_list("table_name", flat=True)) == tables
    assert set(gone.values_list("area_code", flat=True)) == {WEST_VILLAGE}


def test_supervisors_read_the_dispute_changes_of_their_township_only(county, django_user_model):
    clerk = django_user_model.objects.create_superuser("clerk", email=None, password=None)
    west_case = _case_with_records(clerk, WEST_VILLAGE, LON)
    east_case = _case_with_records(clerk, EAST_VILLAGE, LON + 0.25)
    west = _client_for(django_user_model, "west", "supervisor", county["west"])
    rows = west.get("/api/v1/audit/", {"table": "disputes", "limit": 1000}).json()["results"]
    assert {row["row_id"] for row in rows} == {west_case.pk}
    claims = west.get("/api/v1/audit/", {"table": "disputes_claim"}).json()["results"]
    assert {row["row_id"] for row in claims} == set(west_case.claims.values_list("pk", flat=True))
    assert east_case.claims.exists()


def test_co_handling_departments_are_audited_with_the_incidents_area(county, django_user_model):
    incident = Incident.objects.get(area__code__startswith="419821101")
    fire = f.department("west fire", county["west"], kind="fire")
    through = Incident.co_departments.through
    table = through._meta.db_table
    incident.co_departments.add(fire)
    link = through.objects.get(incident=incident, department=fire)
    incident.co_departments.remove(fire)
    added, removed = Change.objects.filter(table_name=table, row_id=link.pk).order_by("id")
    assert added.action == "insert" and removed.action == "delete"
    assert added.new_values["department_id"] == fire.pk
    assert added.new_values["incident_id"] == incident.pk
    assert added.area_code == removed.area_code == WEST_VILLAGE
    east = _client_for(django_user_model, "east", "supervisor", county["east"])
    assert east.get("/api/v1/audit/", {"table": table}).json()["results"] == []
    west = _client_for(django_user_model, "west", "supervisor", county["west"])
    rows = west.get("/api/v1/audit/", {"table": table}).json()["results"]
    assert {row["row_id"] for row in rows} == {link.pk}
