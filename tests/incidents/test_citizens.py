"""Citizen reports (民意快递): no login, rate limits, photo limits, tracking code, rating."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from layers.incidents.choices import Action, Source, Status
from layers.incidents.models import Incident
from tests.factories import LAT, LON
from tests.incidents.steps import attach_evidence, bring_to, photo, step

pytestmark = pytest.mark.django_db

REPORTS = "/api/v1/public/reports/"
POINT = {"type": "Point", "coordinates": [LON, LAT]}
# What a citizen may see of a report, and nothing else.
PUBLIC_FIELDS = {
    "tracking_code",
    "title",
    "category",
    "category_display",
    "reported_at",
    "merged",
    "status",
    "status_display",
    "rejected_as_invalid",
    "department",
    "expected_at",
    "feedback",
    "updated_at",
    "rating",
    "can_rate",
    "timeline",
}


def report(client=None, photos=(), **fields):
    data = {
        "category": "livelihood",
        "subcategory": "facilities",
        "title": "路灯不亮",
        "description": "村口两盏路灯坏了一周",
        "contact": "13800000000",
        **fields,
    }
    client = client or APIClient()
    if photos:
        data["location"] = json.dumps(data.pop("location", POINT))
        data["photos"] = [SimpleUploadedFile(f"p{i}.jpg", raw) for i, raw in enumerate(photos)]
        return client.post(REPORTS, data, format="multipart")
    data.setdefault("location", POINT)
    return client.post(REPORTS, data, format="json")


def code_of(response) -> str:
    assert response.status_code == 201, response.content
    return response.json()["tracking_code"]


def test_a_citizen_reports_without_logging_in_and_gets_a_tracking_code(places):
    response = report()
    code = code_of(response)
    body = response.json()
    assert len(code) == 10 and code.isalnum() and code.isupper()
    assert body["status_page"].endswith(f"/reports/{code}/")
    assert body["status_url"].endswith(f"/api/v1/public/reports/{code}/")
    incident = Incident.objects.get(tracking_code=code)
    assert incident.source == Source.CITIZEN and incident.reporter is None
    assert incident.citizen_contact == "13800000000" and incident.status == Status.REPORTED
    assert incident.grid is not None


def test_tracking_codes_differ(places):
    assert len({code_of(report()) for _ in range(5)}) == 5


def test_a_report_in_gcj02_is_stored_in_wgs84(places):
    response = APIClient().post(
        REPORTS + "?crs=gcj02",
        {
            "category": "livelihood",
            "subcategory": "facilities",
            "title": "路灯不亮",
            "location": {"type": "Point", "coordinates": [LON + 0.0064, LAT - 0.0008]},
        },
        format="json",
    )
    incident = Incident.objects.get(tracking_code=code_of(response))
    assert incident.location.x == pytest.approx(LON, abs=0.001)


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"subcategory": "land"}, "subcategory"),
        ({"title": " "}, "title"),
        ({"location": {"type": "Point", "coordinates": [LON + 5, LAT]}}, "location"),
        ({"location": "nowhere"}, "location"),
        ({"category": "ufo"}, "category"),
    ],
)
def test_a_bad_report_is_a_400_naming_the_field_and_writes_nothing(places, fields, named):
    response = report(**fields)
    assert response.status_code == 400, response.content
    assert named in json.dumps(response.json())
    assert not Incident.objects.exists()


def test_photos_are_attached_with_their_thumbnails(places):
    response = report(photos=[photo(LON, LAT), photo(image_format="PNG")])
    incident = Incident.objects.get(tracking_code=code_of(response))
    attachments = list(incident.attachments.order_by("id"))
    assert [a.content_type for a in attachments] == ["image/jpeg", "image/png"]
    assert all(a.kind == "photo" and a.uploaded_by is None and a.thumbnail for a in attachments)
    assert attachments[0].distance_m == pytest.approx(0, abs=1)


def test_too_many_photos_are_refused(places, settings):
    settings.GISGOV_CITIZEN_MAX_PHOTOS = 2
    response = report(photos=[photo()] * 3)
    assert response.status_code == 400 and "At most 2 photos" in response.json()["photos"][0]
    assert not Incident.objects.exists()


def test_a_photo_is_judged_by_its_bytes_not_its_name(places):
    response = report(photos=[photo(), b"%PDF-1.4 pretending to be a photo"])
    assert response.status_code == 400
    assert "image/jpeg" in str(response.json())
    assert not Incident.objects.exists()


def test_a_photo_over_the_size_limit_is_refused(places, settings):
    settings.GISGOV_CITIZEN_MAX_PHOTO_MB = 1
    big = photo() + b"\0" * (2**20)  # still a JPEG to Pillow, but over 1 MB
    response = report(photos=[big])
    assert response.status_code == 400 and "1 MB" in str(response.json())
    assert not Incident.objects.exists()


def test_reports_are_rate_limited_per_client(places, settings):
    settings.GISGOV_CITIZEN_REPORT_RATE = "3/hour"
    for _ in range(3):
        code_of(report())
    refused = report()
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    other = APIClient(REMOTE_ADDR="10.0.0.7")
    code_of(report(client=other))
    assert Incident.objects.count() == 4


def test_a_forwarded_for_header_does_not_escape_the_limit(places, settings):
    settings.GISGOV_CITIZEN_REPORT_RATE = "1/hour"
    code_of(report())
    assert report(client=APIClient(HTTP_X_FORWARDED_FOR="10.9.9.9")).status_code == 429


def test_the_limit_is_counted_in_the_shared_database_cache(places, settings):
    from django.core.cache import caches

    settings.GISGOV_CITIZEN_REPORT_RATE = "5/hour"
    code_of(report())
    # The counter is a row of the cache table: every web process reads the same one.
    assert caches["throttle"].get("throttle_citizen_report_127.0.0.1")


def test_lookups_are_rate_limited_too(places, settings):
    settings.GISGOV_CITIZEN_LOOKUP_RATE = "2/minute"
    code = code_of(report())
    client = APIClient()
    assert client.get(f"{REPORTS}{code}/").status_code == 200
    assert client.get(f"/reports/{code}/").status_code == 200
    assert client.get(f"{REPORTS}{code}/").status_code == 429


def test_the_status_shows_only_public_fields(places, supervisor, police):
    code = code_of(report())
    incident = Incident.objects.get(tracking_code=code)
    step(Action.ACCEPT, incident, supervisor, note="内部备注：已联系村支书")
    step(Action.DISPATCH, incident, supervisor)
    body = APIClient().get(f"{REPORTS}{code.lower()}/").json()
    assert set(body) == PUBLIC_FIELDS
    assert body["status"] == "dispatched" and body["department"] == "派出所"
    assert body["expected_at"] is not None and body["feedback"] == ""
    assert [s["action"] for s in body["timeline"]] == ["accept", "dispatch"]
    assert set(body["timeline"][0]) == {"at", "action", "action_display"}
    text = json.dumps(body, ensure_ascii=False)
    for internal in ("内部备注", "13800000000", "supervisor", str(incident.pk)):
        assert internal not in text


def test_an_unknown_code_is_a_404(places):
    assert APIClient().get(f"{REPORTS}NOSUCHCODE/").status_code == 404
    page = APIClient().get("/reports/NOSUCHCODE/")
    assert page.status_code == 404
    assert "No report has this tracking code" in page.content.decode()


def test_the_status_page_is_chinese_by_default(places, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    code = code_of(report())
    page = APIClient().get(f"/reports/{code}/", HTTP_ACCEPT_LANGUAGE="zh-CN")
    text = page.content.decode()
    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
    assert code in text and "路灯不亮" in text and "已上报" in text
    english = APIClient().get(f"/reports/{code}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Reported" in english


def test_a_merged_report_follows_its_primarys_progress(places, supervisor, police):
    primary = Incident.objects.get(tracking_code=code_of(report(title="路灯坏了")))
    code = code_of(report())
    duplicate = Incident.objects.get(tracking_code=code)
    step(Action.REJECT, duplicate, supervisor, reason="duplicate", duplicate_of=primary)
    bring_to(primary, Status.RESOLVED, supervisor)
    body = APIClient().get(f"{REPORTS}{code}/").json()
    assert body["merged"] is True and body["status"] == "resolved"
    assert body["title"] == "路灯不亮" and body["feedback"] == primary.feedback
    assert body["can_rate"] is False and not body["rejected_as_invalid"]
    refused = APIClient().post(f"{REPORTS}{code}/rating/", {"rating": 5}, format="json")
    assert refused.status_code == 409


def test_a_resolved_report_is_rated_through_its_code(places, supervisor, police):
    code = code_of(report())
    incident = Incident.objects.get(tracking_code=code)
    assert (
        APIClient().post(f"{REPORTS}{code}/rating/", {"rating": 5}, format="json").status_code
        == 409
    )
    bring_to(incident, Status.RESOLVED, supervisor)
    response = APIClient().post(
        f"{REPORTS}{code}/rating/", {"rating": 4, "comment": "修好了"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "evaluated" and response.json()["rating"] == 4
    incident.refresh_from_db()
    assert incident.rating == 4 and incident.status == Status.EVALUATED
    event = incident.events.last()
    assert event.actor is None and event.note == "修好了"
    assert event.data == {"satisfied": True, "rating": 4, "by": "citizen"}
    # Once evaluated, no second rating.
    again = APIClient().post(f"{REPORTS}{code}/rating/", {"rating": 1}, format="json")
    assert again.status_code == 409


def test_a_low_rating_sends_it_back_to_the_department(places, supervisor, police):
    code = code_of(report())
    incident = bring_to(Incident.objects.get(tracking_code=code), Status.RESOLVED, supervisor)
    response = APIClient().post(f"{REPORTS}{code}/rating/", {"rating": 2}, format="json")
    assert response.json()["status"] == "dispatched"
    incident.refresh_from_db()
    assert incident.deadline is not None and incident.rating == 2


@pytest.mark.parametrize("rating", [0, 6, "five"])
def test_a_rating_is_1_to_5(places, supervisor, police, rating):
    code = code_of(report())
    bring_to(Incident.objects.get(tracking_code=code), Status.RESOLVED, supervisor)
    response = APIClient().post(f"{REPORTS}{code}/rating/", {"rating": rating}, format="json")
    assert response.status_code == 400


def test_a_login_is_ignored_and_other_incidents_stay_closed(places, client_for, supervisor):
    code = code_of(report(client=client_for(supervisor)))
    assert Incident.objects.get(tracking_code=code).reporter is None
    assert APIClient().get("/api/v1/incidents/").status_code == 401


def test_evidence_photos_stay_out_of_the_citizen_view(places, supervisor, police):
    code = code_of(report())
    incident = bring_to(Incident.objects.get(tracking_code=code), Status.IN_PROGRESS, supervisor)
    attach_evidence(incident)
    body = APIClient().get(f"{REPORTS}{code}/").json()
    assert "attachments" not in body and "evidence" not in json.dumps(body)
