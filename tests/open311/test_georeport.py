"""Open311 GeoReport v2: services, requests with their filters, one request, POST, errors."""

from datetime import timedelta
from xml.etree import ElementTree

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from layers.access.services import api_token_create
from layers.areas.models import AreaLevel
from layers.incidents.choices import Action, Status
from layers.incidents.models import Incident
from tests import factories as f
from tests.factories import LAT, LON
from tests.incidents.steps import bring_to, photo, step

pytestmark = pytest.mark.django_db

BASE = "/open311/v2"
REQUEST_FIELDS = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
}


def xml_items(response, root: str, item: str) -> list[dict]:
    assert response["Content-Type"].startswith("text/xml"), response["Content-Type"]
    assert response.content.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    tree = ElementTree.fromstring(response.content)
    assert tree.tag == root
    return [{child.tag: child.text or "" for child in element} for element in tree.findall(item)]


@pytest.fixture
def reader(client_for, supervisor):
    return client_for(supervisor)


@pytest.fixture
def dispatched(places, police, supervisor):
    incident = f.incident(
        LON,
        LAT,
        title="路灯不亮",
        description="村口",
        category="livelihood",
        subcategory="facilities",
    )
    return bring_to(incident, Status.DISPATCHED, supervisor)


def test_services_in_json_and_xml(db):
    services = APIClient().get(f"{BASE}/services.json").json()
    land = next(s for s in services if s["service_code"] == "dispute.land")
    assert set(land) == {
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    }
    assert land["metadata"] is False and land["type"] == "realtime"
    assert land["group"] == "Dispute (矛盾纠纷)"
    xml = xml_items(APIClient().get(f"{BASE}/services.xml"), "services", "service")
    assert len(xml) == len(services)
    assert next(s for s in xml if s["service_code"] == "dispute.land")["metadata"] == "false"


def test_a_request_has_every_georeport_field_in_json(reader, dispatched, police):
    body = reader.get(f"{BASE}/requests/{dispatched.pk}.json").json()
    assert len(body) == 1 and set(body[0]) == REQUEST_FIELDS
    request = body[0]
    assert request["service_request_id"] == dispatched.pk
    assert request["status"] == "open" and request["status_notes"] == "Dispatched"
    assert request["service_code"] == "livelihood.facilities"
    assert request["service_name"] == "Roads, lights, public facilities"
    assert request["description"] == "路灯不亮: 村口"
    assert request["agency_responsible"] == "派出所"
    assert request["expected_datetime"] == timezone.localtime(dispatched.deadline).isoformat(
        timespec="seconds"
    )
    assert request["requested_datetime"].endswith("+08:00")
    assert (request["lat"], request["long"]) == (LAT, LON)
    assert request["address_id"] == "419821101201001"
    assert "area 419821101201" in request["address"]
    assert request["media_url"] == ""


def test_a_request_in_xml(reader, dispatched):
    [request] = xml_items(
        reader.get(f"{BASE}/requests/{dispatched.pk}.xml"), "service_requests", "request"
    )
    assert set(request) == REQUEST_FIELDS
    assert request["status"] == "open" and request["agency_responsible"] == "派出所"
    assert float(request["lat"]) == LAT and float(request["long"]) == LON


def test_closed_statuses_carry_notes(reader, places, police, supervisor):
    resolved = bring_to(f.incident(LON, LAT), Status.RESOLVED, supervisor)
    invalid = step(Action.REJECT, f.incident(LON, LAT), supervisor)
    duplicate = step(
        Action.REJECT, f.incident(LON, LAT), supervisor, reason="duplicate", duplicate_of=resolved
    )
    notes = {
        r["service_request_id"]: (r["status"], r["status_notes"])
        for r in reader.get(f"{BASE}/requests.json").json()
    }
    assert notes[resolved.pk] == ("closed", "Resolved: the neighbours agreed on the fence line")
    assert notes[invalid.pk] == ("closed", "Not a valid report")
    assert notes[duplicate.pk] == ("closed", f"Duplicate of request {resolved.pk}.")


def test_the_media_url_is_the_first_photo(places):
    response = APIClient().post(
        f"{BASE}/requests.json",
        {
            "service_code": "livelihood.facilities",
            "lat": LAT,
            "long": LON,
            "description": "路灯不亮",
            "media": SimpleUploadedFile("p.jpg", photo()),
        },
        format="multipart",
    )
    assert response.status_code == 201, response.content
    incident = Incident.objects.get()
    client = APIClient()
    client.force_authenticate(get_user_model().objects.create_user("reader"))
    [request] = client.get(f"{BASE}/requests/{incident.pk}.json").json()
    assert request["media_url"].startswith("http://testserver/media/incidents/attachments/")


def test_filters(reader, places, police, supervisor):
    now = timezone.now().replace(microsecond=0)
    old = f.incident(LON, LAT, title="old", reported_at=now - timedelta(days=200))
    land = f.incident(LON, LAT, title="land", subcategory="land", reported_at=now)
    fire = f.incident(
        LON, LAT, title="fire", category="safety_hazard", subcategory="fire", reported_at=now
    )
    closed = step(Action.REJECT, f.incident(LON, LAT, title="closed", reported_at=now), supervisor)

    def titles(**params):
        response = reader.get(f"{BASE}/requests.json", params)
        assert response.status_code == 200, response.content
        return sorted(
            Incident.objects.get(pk=r["service_request_id"]).title for r in response.json()
        )

    # Without dates, the last 90 days.
    assert titles() == ["closed", "fire", "land"]
    assert titles(service_request_id=f"{old.pk},{fire.pk}") == ["fire", "old"]
    # With ids, the other filters are ignored.
    assert titles(service_request_id=str(old.pk), status="open") == ["old"]
    assert titles(service_code="dispute.land") == ["land"]
    assert titles(service_code="dispute.land,safety_hazard.fire") == ["fire", "land"]
    assert titles(status="closed") == ["closed"]
    assert titles(status="open") == ["fire", "land"]
    start = (now - timedelta(days=300)).isoformat()
    end = (now - timedelta(days=100)).isoformat()
    assert titles(start_date=start, end_date=end) == ["old"]
    assert titles(start_date=start) == ["closed", "fire", "land", "old"]
    assert land and closed


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"status": "pending"}, "status"),
        ({"start_date": "yesterday"}, "start_date"),
        ({"service_code": "nothing"}, "service_code"),
        ({"service_request_id": "a,b"}, "service_request_id"),
    ],
)
def test_bad_filters_are_open311_errors(reader, places, params, named):
    response = reader.get(f"{BASE}/requests.json", params)
    assert response.status_code == 400
    [error] = response.json()
    assert error["code"] == 400 and named in error["description"]
    xml = reader.get(f"{BASE}/requests.xml", params)
    [error] = xml_items(xml, "errors", "error")
    assert error["code"] == "400" and named in error["description"]


def test_reading_requests_needs_a_credential(dispatched):
    for path in ("requests.json", f"requests/{dispatched.pk}.json"):
        response = APIClient().get(f"{BASE}/{path}")
        assert response.status_code == 401
        assert response.json()[0]["code"] == 401
    assert xml_items(APIClient().get(f"{BASE}/requests.xml"), "errors", "error")[0]["code"] == "401"


def test_an_unknown_request_is_a_404(reader, places):
    response = reader.get(f"{BASE}/requests/999999.json")
    assert response.status_code == 404
    assert response.json() == [{"code": 404, "description": "No service request 999999."}]


def test_posting_a_request_makes_a_citizen_report(places):
    response = APIClient().post(
        f"{BASE}/requests.json",
        {
            "service_code": "livelihood.facilities",
            "lat": str(LAT),
            "long": str(LON),
            "description": "路灯不亮\n村口两盏",
            "email": "a@example.org",
            "api_key": "ignored",
        },
    )
    assert response.status_code == 201, response.content
    [receipt] = response.json()
    incident = Incident.objects.get()
    assert receipt["service_request_id"] == incident.pk
    assert receipt["token"] == incident.tracking_code
    assert receipt["service_notice"].endswith(f"/reports/{incident.tracking_code}/")
    assert incident.source == "citizen" and incident.title == "路灯不亮"
    assert incident.citizen_contact == "a@example.org"


def test_posting_in_xml(places):
    response = APIClient().post(
        f"{BASE}/requests.xml",
        {"service_code": "dispute.land", "lat": LAT, "long": LON},
    )
    [receipt] = xml_items(response, "service_requests", "request")
    assert receipt["token"] == Incident.objects.get().tracking_code
    assert Incident.objects.get().title == "Land, forest, grassland or homestead boundary"


@pytest.mark.parametrize(
    ("data", "named"),
    [
        ({"service_code": "ufo.sighting", "lat": LAT, "long": LON}, "service_code"),
        ({"service_code": "dispute.land"}, "lat and long"),
        ({"service_code": "dispute.land", "lat": LAT, "long": LON + 5}, "location"),
    ],
)
def test_a_bad_post_is_an_open311_error_and_writes_nothing(places, data, named):
    response = APIClient().post(f"{BASE}/requests.json", data)
    assert response.status_code == 400
    assert named in response.json()[0]["description"]
    assert not Incident.objects.exists()


def test_posting_is_rate_limited(places, settings):
    settings.GISGOV_CITIZEN_REPORT_RATE = "1/hour"
    data = {"service_code": "dispute.land", "lat": LAT, "long": LON}
    assert APIClient().post(f"{BASE}/requests.json", data).status_code == 201
    refused = APIClient().post(f"{BASE}/requests.json", data)
    assert refused.status_code == 429 and refused.json()[0]["code"] == 429


def test_a_token_limited_to_an_area_reads_only_that_area(places, police, supervisor):
    elsewhere = f.area(
        "419821102000",
        AreaLevel.TOWNSHIP,
        f.rectangle(LON + 0.2, LAT - 0.2, LON + 0.3, LAT + 0.2),
        places["county"],
    )
    inside = f.incident(LON, LAT, title="inside")
    f.incident(LON + 0.25, LAT, title="outside")
    _, key = api_token_create(
        user=supervisor, name="app", scopes=["read:incidents"], area=places["township"]
    )
    client = APIClient(HTTP_AUTHORIZATION=f"Bearer {key}")
    listed = client.get(f"{BASE}/requests.json").json()
    assert [r["service_request_id"] for r in listed] == [inside.pk]
    assert elsewhere and client.get(f"{BASE}/requests/{inside.pk + 1}.json").status_code == 404
