"""The console's pages without a browser: who gets them, and what the page scripts are told."""

import json

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from layers.incidents.models import DepartmentMember
from tests import factories as f

# Pages without a language preference are Chinese here (tests/console/conftest.py).
pytestmark = pytest.mark.django_db


def config_of(response) -> dict:
    html = response.content.decode()
    start = html.index('<script id="console-config" type="application/json">')
    start = html.index(">", start) + 1
    return json.loads(html[start : html.index("</script>", start)])


@pytest.fixture
def county(db):
    return f.small_county()


@pytest.fixture
def logged_in(django_user_model):
    def make(username, *codenames):
        user = django_user_model.objects.create_user(username)
        user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
        client = Client()
        client.force_login(user)
        return client, user

    return make


@pytest.mark.parametrize("path", ["/", "/dashboard/", "/disputes/", "/balancing/"])
def test_pages_need_a_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={path}"


def test_the_login_page_speaks_chinese_without_a_preference(client):
    response = client.get("/login/")
    assert response.status_code == 200
    assert "网格治理指挥台" in response.content.decode()


def test_a_wrong_password_is_said_on_the_page(client, django_user_model):
    django_user_model.objects.create_user("someone", password="right-password")
    response = client.post("/login/", {"username": "someone", "password": "wrong"})
    assert response.status_code == 200
    assert "用户名或密码错误" in response.content.decode()


def test_the_console_tells_its_scripts_the_role_and_the_county(county, logged_in):
    client, _ = logged_in("operator", "change_incident")
    response = client.get("/")
    assert response.status_code == 200
    config = config_of(response)
    assert config["user"]["supervisor"] is True
    assert config["topAreas"] == ["419821000000"]
    assert [a["code"] for a in config["areas"]] == ["419821000000", "419821101000", "419821102000"]
    expected = (f.LON - 0.3, f.LAT - 0.3, f.LON + 0.3, f.LAT + 0.3)
    assert config["extent"] == pytest.approx(expected)
    assert set(config["tileLayers"]) >= {"areas", "grids", "cameras", "incidents"}
    assert config["allowedFrom"]["dispatch"] == ["accepted"]


def test_the_disputes_page_names_kinds_and_statuses_in_chinese(county, logged_in):
    client, _ = logged_in("clerk")
    response = client.get("/disputes/")
    assert response.status_code == 200
    config = config_of(response)
    assert config["caseKinds"]["farmland"] == "耕地"
    assert 'id="nav-disputes" href="/disputes/" aria-current="page"' in response.content.decode()


def test_a_department_member_is_told_its_departments(county, logged_in):
    client, user = logged_in("officer")
    police = f.department("派出所", county["west"])
    DepartmentMember.objects.create(department=police, user=user)
    config = config_of(client.get("/dashboard/"))
    assert config["user"] == {
        "id": user.pk,
        "username": "officer",
        "supervisor": False,
        "departments": [police.pk],
    }


def test_the_script_catalogue_is_chinese(client):
    response = client.get("/jsi18n/")
    assert response.status_code == 200
    assert "\\u53d7\\u7406" in response.content.decode()  # 受理, "Accept"


def test_the_balancing_page_lists_villages_and_knows_who_may_change_grids(county, logged_in):
    client, _ = logged_in("viewer")
    response = client.get("/balancing/")
    assert response.status_code == 200
    config = config_of(response)
    assert [v["code"] for v in config["villages"]] == ["419821101201", "419821102201"]
    assert config["canChangeGrids"] is False
    assert config["planStatuses"]["draft"] == "草案"
    assert 'id="nav-balancing" href="/balancing/" aria-current="page"' in response.content.decode()
    editor, _ = logged_in("editor", "change_grid")
    assert config_of(editor.get("/balancing/"))["canChangeGrids"] is True
