"""Every change to an audited table is recorded by the database: who, when, what, from where;
readable in the admin and, scoped by role, through GET /api/v1/audit/."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from layers.access.models import Role
from layers.access.services import api_token_create
from layers.audit.models import Change
from layers.audit.tables import AUDITED
from layers.audit.triggers import audited_models
from layers.grids.models import Grid
from layers.incidents.models import Incident
from tests import factories as f
from tests.api.test_rest_api import incident_payload
from tests.factories import LAT, LON

pytestmark = pytest.mark.django_db


@pytest.fixture
def county(db):
    return f.small_county()


@pytest.fixture
def editor(django_user_model):
    user = django_user_model.objects.create_superuser("editor", email=None, password=None)
    client = APIClient(HTTP_USER_AGENT="field-app/2.1", REMOTE_ADDR="10.1.2.3")
    client.force_authenticate(user)
    return user, client


def changes(table, row_id):
    return list(Change.objects.filter(table_name=table, row_id=row_id).order_by("id"))


def test_every_audited_table_has_its_triggers():
    for model, _column in audited_models():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass ORDER BY tgname",
                [model._meta.db_table],
            )
            names = [row[0] for row in cursor.fetchall()]
        assert names[:0] == [] and {"audit_insert", "audit_update", "audit_delete"} <= set(names), (
            model
        )
    assert "incidents.Incident" in AUDITED and "grids.Grid" in AUDITED


def test_an_api_write_records_who_when_what_and_from_where(county, editor):
    user, client = editor
    response = client.post("/api/v1/incidents/", incident_payload(LON, LAT), format="json")
    assert response.status_code == 201, response.content
    incident_id = response.json()["id"]
    response = client.patch(
        f"/api/v1/incidents/{incident_id}/",
        {"type": "Feature", "properties": {"title": "stone moved back"}},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert client.delete(f"/api/v1/incidents/{incident_id}/").status_code == 204

    created, changed, deleted = changes("incidents_incident", incident_id)
    for change in (created, changed, deleted):
        assert change.actor == "editor" and change.actor_id == user.pk
        assert change.ip == "10.1.2.3" and change.user_agent == "field-app/2.1"
        assert change.area_code == "419821101201"
        assert abs(change.at - timezone.now()) < timedelta(minutes=5)
    assert created.action == "insert" and created.new_values["title"] == "boundary stone moved"
    assert changed.action == "update"
    assert changed.old_values["title"] == "boundary stone moved"
    assert changed.new_values["title"] == "stone moved back"
    # Only what changed: the category and the position stayed.
    assert "category" not in changed.new_values and "location" not in changed.new_values
    assert deleted.action == "delete" and deleted.old_values["title"] == "stone moved back"


def test_a_token_write_is_recorded_as_the_tokens_user(county, django_user_model):
    system = django_user_model.objects.create_superuser("video-platform", email=None)
    _token, key = api_token_create(user=system, name="video", scopes=["read", "write"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    response = client.post("/api/v1/incidents/", incident_payload(LON, LAT), format="json")
    assert response.status_code == 201, response.content
    (created,) = changes("incidents_incident", response.json()["id"])
    assert created.actor == "video-platform" and created.actor_id == system.pk


def test_a_write_outside_a_request_names_the_database_role_and_no_user(county, editor):
    _user, client = editor
    client.get("/api/v1/grids/")  # a request before must leave no actor behind
    grid = county["grids"][0]
    Grid.objects.filter(pk=grid.pk).update(name="renamed by a script")
    (renamed,) = [c for c in changes("grids_grid", grid.pk) if c.action == "update"]
    assert renamed.actor_id is None and renamed.actor.startswith("gisgov")
    assert renamed.new_values == {"name": "renamed by a script"}
    assert renamed.old_values == {"name": f"grid {grid.code}"}
    assert renamed.ip == ""


def test_an_update_changing_nothing_records_nothing(county):
    incident = Incident.objects.first()
    before = Change.objects.count()
    Incident.objects.filter(pk=incident.pk).update(title=incident.title)
    assert Change.objects.count() == before


def _client_for(django_user_model, name, kind=None, area=None):
    user = django_user_model.objects.create_user(name)
    if kind:
        Role.objects.create(user=user, kind=kind, area=area)
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_supervisors_read_the_changes_in_their_area_only(county, django_user_model):
    west = _client_for(django_user_model, "west", "supervisor", county["west"])
    admin = _client_for(django_user_model, "admin", "city_admin")
    west_ids = set(
        Incident.objects.filter(area__code__startswith="419821101").values_list("pk", flat=True)
    )
    ours = set(Incident.objects.values_list("pk", flat=True))
    # Only this test's rows: a reused test database may hold changes other tests left.
    body = west.get("/api/v1/audit/", {"table": "incidents", "limit": 1000}).json()
    seen = {change["row_id"] for change in body["results"]} & ours
    assert seen == west_ids
    every = admin.get("/api/v1/audit/", {"table": "incidents_incident", "limit": 1000}).json()
    assert {change["row_id"] for change in every["results"]} & ours == ours


def test_the_audit_api_filters_and_pages(county, django_user_model):
    admin = _client_for(django_user_model, "admin", "city_admin")
    incident = Incident.objects.first()
    for number in range(3):
        Incident.objects.filter(pk=incident.pk).update(title=f"title {number}")
    rows = admin.get("/api/v1/audit/", {"table": "incidents", "row": incident.pk}).json()
    assert [c["action"] for c in rows["results"]] == ["update", "update", "update", "insert"]
    page = admin.get("/api/v1/audit/", {"row": incident.pk, "table": "incidents", "limit": 2})
    first = page.json()
    assert len(first["results"]) == 2 and first["next"]
    second = admin.get(first["next"]).json()
    assert [c["action"] for c in second["results"]] == ["update", "insert"]
    future = (timezone.now() + timedelta(days=1)).isoformat()
    assert admin.get("/api/v1/audit/", {"since": future}).json()["results"] == []


@pytest.mark.parametrize(
    "params, field",
    [
        ({"table": "pg_authid"}, "table"),
        ({"row": "x"}, "row"),
        ({"since": "yesterday"}, "since"),
        ({"limit": "0"}, "limit"),
        ({"row": str(2**70)}, "row"),
    ],
)
def test_bad_audit_parameters_are_a_400_naming_them(django_user_model, params, field):
    admin = _client_for(django_user_model, "admin", "city_admin")
    response = admin.get("/api/v1/audit/", params)
    assert response.status_code == 400 and field in response.json()


@pytest.mark.parametrize("kind", ["gridder", "department_staff", "citizen"])
def test_other_roles_may_not_read_the_audit(county, django_user_model, kind):
    client = _client_for(django_user_model, kind, kind)
    assert client.get("/api/v1/audit/").status_code == 403
    assert APIClient().get("/api/v1/audit/").status_code in (401, 403)


def test_the_admin_shows_changes_read_only(county, client, django_user_model):
    root = django_user_model.objects.create_superuser("root", email=None, password=None)
    client.force_login(root)
    change = Change.objects.first()
    assert client.get("/admin/audit/change/").status_code == 200
    assert client.get(f"/admin/audit/change/{change.pk}/change/").status_code == 200
    assert client.get("/admin/audit/change/add/").status_code == 403
    response = client.post(f"/admin/audit/change/{change.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403 and Change.objects.filter(pk=change.pk).exists()


@pytest.mark.django_db(transaction=True)  # SET LOCAL ends with a real transaction
def test_a_bulk_loader_may_switch_recording_off_for_its_transaction(county):
    from django.db import transaction

    before = Change.objects.count()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL gisgov.audit = 'off'")
        f.incident(LON, LAT, title="generated")
    assert Change.objects.count() == before
    f.incident(LON, LAT, title="recorded again")
    assert Change.objects.count() == before + 1


def test_granting_a_role_is_recorded_and_only_city_administrators_read_it(
    county, django_user_model
):
    west = _client_for(django_user_model, "west", "supervisor", county["west"])
    admin = _client_for(django_user_model, "admin", "city_admin")
    grantee = django_user_model.objects.create_user("new-supervisor")
    role = Role.objects.create(user=grantee, kind="supervisor", area=county["east"])
    (granted,) = changes("access_role", role.pk)
    assert granted.action == "insert" and granted.new_values["kind"] == "supervisor"
    assert granted.area_code == ""
    assert west.get("/api/v1/audit/", {"table": "access_role"}).json()["results"] == []
    rows = admin.get("/api/v1/audit/", {"table": "access_role"}).json()["results"]
    assert role.pk in {change["row_id"] for change in rows}
