"""The admin follows the access policy (layers.common.admin.ScopedAdmin): a township
supervisor with every model permission lists, searches and opens only their township's
non-public rows, reads other townships' public rows without changing them, and is offered
only their own areas as choices; a city administrator sees everything."""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.gis.geos import Point
from django.test import Client

from layers.access.models import Role
from layers.audit.models import Change
from layers.departments.models import Department
from layers.grids.models import Grid
from layers.incidents.models import Incident
from layers.jobs.models import JobRun
from layers.keysites.models import KeySite
from tests import factories as f
from tests.factories import LAT, LON

pytestmark = pytest.mark.django_db
WEST, EAST = "419821101", "419821102"
APPS = [
    *("areas", "grids", "buildings", "cameras", "keysites", "incidents", "departments", "audit"),
    "jobs",
]


@pytest.fixture
def county(db):
    county = f.small_county()
    f.department("west police", county["west"])
    f.department("east police", county["east"])
    return county


def _staff(django_user_model, name, kind, area=None) -> Client:
    user = django_user_model.objects.create_user(name, is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label__in=APPS))
    Role.objects.create(user=user, kind=kind, area=area)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def west(county, django_user_model):
    return _staff(django_user_model, "west-supervisor", "supervisor", county["west"])


def _listed(client, url, **params) -> set[int]:
    response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return {row.pk for row in response.context["cl"].result_list}


def _incident(side: str) -> Incident:
    return Incident.objects.get(area__code__startswith=side)


def test_a_township_supervisor_lists_and_searches_their_townships_incidents(west):
    url = "/admin/incidents/incident/"
    assert _listed(west, url) == {_incident(WEST).pk}
    east = _incident(EAST)
    Incident.objects.filter(pk=east.pk).update(title="east only")
    assert _listed(west, url, q="east only") == set()


def test_another_townships_incident_is_not_found_in_the_admin(west):
    east = _incident(EAST)
    for page in ("change", "delete", "history"):
        response = west.get(f"/admin/incidents/incident/{east.pk}/{page}/")
        assert response.status_code == 404, page
    response = west.post(f"/admin/incidents/incident/{east.pk}/change/", {"title": "taken over"})
    assert response.status_code == 404
    assert west.get(f"/admin/incidents/incident/{_incident(WEST).pk}/change/").status_code == 200


def test_other_townships_public_rows_are_read_only(west):
    east_grid = Grid.objects.get(village__code__startswith=EAST)
    assert _listed(west, "/admin/grids/grid/") == set(Grid.objects.values_list("pk", flat=True))
    page = west.get(f"/admin/grids/grid/{east_grid.pk}/change/")
    assert page.status_code == 200 and not page.context["has_change_permission"]
    response = west.post(f"/admin/grids/grid/{east_grid.pk}/change/", {"name": "taken over"})
    assert response.status_code == 403
    assert west.post(f"/admin/grids/grid/{east_grid.pk}/delete/", {"post": "yes"}).status_code == (
        403
    )
    response = west.post(
        "/admin/grids/grid/",
        {"action": "delete_selected", "_selected_action": [east_grid.pk], "post": "yes"},
    )
    assert response.status_code == 403 and Grid.objects.filter(pk=east_grid.pk).exists()
    west_grid = Grid.objects.get(village__code__startswith=WEST)
    page = west.get(f"/admin/grids/grid/{west_grid.pk}/change/")
    assert page.context["has_change_permission"]


def test_choices_and_autocomplete_offer_only_the_roles_areas(west):
    west_grid = Grid.objects.get(village__code__startswith=WEST)
    page = west.get(f"/admin/grids/grid/{west_grid.pk}/change/")
    villages = page.context["adminform"].form.fields["village"].queryset
    assert villages.exists() and all(v.code.startswith(WEST) for v in villages)
    response = west.get(
        "/admin/autocomplete/",
        {"app_label": "grids", "model_name": "grid", "field_name": "village", "term": "4198"},
    )
    assert response.status_code == 200
    codes = {row["text"] for row in response.json()["results"]}
    assert codes and all(EAST not in text for text in codes)
    response = west.get(
        "/admin/autocomplete/",
        {"app_label": "cameras", "model_name": "camerasite", "field_name": "department"},
    )
    assert [row["text"] for row in response.json()["results"]] == ["west police"]


def test_the_audit_admin_lists_the_changes_in_the_supervisors_area(west):
    ours = ",".join(str(pk) for pk in Incident.objects.values_list("pk", flat=True))
    listed = _listed(west, "/admin/audit/change/", table_name="incidents_incident", row_id__in=ours)
    incidents = Change.objects.filter(table_name="incidents_incident", row_id__in=ours.split(","))
    assert listed and listed == set(
        incidents.filter(area_code__startswith=WEST).values_list("pk", flat=True)
    )
    assert incidents.filter(area_code__startswith=EAST).exists()


def test_a_city_administrator_sees_every_row(county, django_user_model):
    admin = _staff(django_user_model, "city", "city_admin")
    assert _listed(admin, "/admin/incidents/incident/") == set(
        Incident.objects.values_list("pk", flat=True)
    )
    east_grid = Grid.objects.get(village__code__startswith=EAST)
    assert admin.get(f"/admin/grids/grid/{east_grid.pk}/change/").context["has_change_permission"]


def test_roles_are_granted_only_by_those_who_see_everything(county, django_user_model, west):
    user = django_user_model.objects.get(username="west-supervisor")
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="access"))
    assert _listed(west, "/admin/access/role/") == set()
    admin = _staff(django_user_model, "city", "city_admin")
    admin_user = django_user_model.objects.get(username="city")
    admin_user.user_permissions.add(*Permission.objects.filter(content_type__app_label="access"))
    assert len(_listed(admin, "/admin/access/role/")) == 2


def test_a_row_saved_outside_the_township_is_refused_and_rolled_back(west):
    """The key site's area is the database's to assign from its position: moving it into
    another township is refused, and nothing is kept."""
    site = KeySite.objects.get(area__code__startswith=WEST)
    east = Point(LON + 0.25, LAT, srid=4326)
    response = west.post(
        f"/admin/keysites/keysite/{site.pk}/change/",
        {"name": "moved", "kind": site.kind, "location": east.ewkt},
    )
    assert response.status_code == 403
    site.refresh_from_db()
    assert site.name != "moved" and site.area.code.startswith(WEST)
    response = west.post(
        f"/admin/keysites/keysite/{site.pk}/change/",
        {"name": "renamed", "kind": site.kind, "location": site.location.ewkt},
    )
    assert response.status_code == 302
    site.refresh_from_db()
    assert site.name == "renamed"


def test_a_department_is_only_placed_in_the_roles_areas(west):
    response = west.post(
        "/admin/departments/department/add/",
        {
            "name": "east water",
            "kind": "justice",
            "area": Grid.objects.get(village__code__startswith=EAST).village_id,
            "phone": "",
        },
    )
    assert response.status_code == 200 and "area" in response.context["adminform"].form.errors
    assert not Department.objects.filter(name="east water").exists()


def test_a_supervisor_lists_only_the_jobs_they_started(west, django_user_model):
    mine = JobRun.objects.create(
        kind="import", created_by=django_user_model.objects.get(username="west-supervisor")
    )
    JobRun.objects.create(kind="import", created_by=django_user_model.objects.create_user("other"))
    assert _listed(west, "/admin/jobs/jobrun/") == {mine.pk}
