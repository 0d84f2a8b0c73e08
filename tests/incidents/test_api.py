"""The workflow over HTTP: one POST per step, 409 with the current status, the timeline."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from layers.access.services import api_token_create
from layers.incidents.choices import Status
from layers.incidents.models import Incident
from tests.factories import LAT, LON
from tests.incidents.steps import photo

pytestmark = pytest.mark.django_db


def url(incident, step=""):
    return f"/api/v1/incidents/{incident.pk}/{step + '/' if step else ''}"


def post(client, incident, step, **body):
    return client.post(url(incident, step), body, format="json")


def test_the_four_steps_over_http(client_for, incident, supervisor, officer, reporter, police):
    boss, handler, citizen = client_for(supervisor), client_for(officer), client_for(reporter)
    accepted = post(boss, incident, "accept", version=0, note="genuine")
    assert accepted.status_code == 200, accepted.content
    feature = accepted.json()
    assert feature["type"] == "Feature" and feature["id"] == incident.pk
    assert feature["properties"]["status"] == "accepted" and feature["properties"]["version"] == 1

    dispatched = post(
        boss, incident, "dispatch", version=1, lead_department=police.pk, priority="urgent"
    ).json()["properties"]
    assert dispatched["status"] == "dispatched" and dispatched["lead_department"] == police.pk
    assert dispatched["priority"] == "urgent" and dispatched["deadline"]
    assert dispatched["level"] == 1

    assert post(handler, incident, "start", version=2).json()["properties"]["status"] == (
        "in_progress"
    )
    no_evidence = post(handler, incident, "resolve", version=3, feedback="fence moved back")
    assert no_evidence.status_code == 400 and "evidence" in no_evidence.json()["detail"][0]
    upload = handler.post(
        url(incident, "attachments"),
        {"kind": "evidence", "file": SimpleUploadedFile("after.jpg", photo(LON, LAT))},
        format="multipart",
    )
    assert upload.status_code == 201, upload.content
    assert upload.json()["far_from_incident"] is False
    resolved = post(handler, incident, "resolve", version=3, feedback="fence moved back")
    assert resolved.json()["properties"]["feedback"] == "fence moved back"
    rated = post(citizen, incident, "evaluate", version=4, satisfied=True, rating=5)
    assert rated.json()["properties"]["rating"] == 5
    closed = post(boss, incident, "close", version=5).json()["properties"]
    assert (closed["status"], closed["version"]) == ("closed", 6)

    timeline = boss.get(url(incident, "events"))
    assert timeline.status_code == 200
    events = timeline.json()
    assert [event["action"] for event in events] == [
        "accept",
        "dispatch",
        "start",
        "resolve",
        "evaluate",
        "close",
    ]
    assert [event["actor"] for event in events] == [
        "supervisor",
        "supervisor",
        "officer",
        "officer",
        "citizen",
        "supervisor",
    ]
    assert events[0]["note"] == "genuine" and events[0]["from_state"] == "reported"


def test_an_illegal_step_is_a_409_naming_the_current_status(client_for, incident, supervisor):
    response = post(client_for(supervisor), incident, "start", version=0)
    assert response.status_code == 409
    assert response.json()["status"] == "reported" and response.json()["detail"]
    incident.refresh_from_db()
    assert (incident.status, incident.version) == ("reported", 0)


def test_a_stale_version_is_a_409(client_for, incident, supervisor):
    boss = client_for(supervisor)
    assert post(boss, incident, "accept", version=0).status_code == 200
    response = post(boss, incident, "reject", version=0, reason="invalid")
    assert response.status_code == 409 and response.json()["status"] == "accepted"
    assert incident.events.count() == 1


def test_escalating_past_the_county_is_a_409(client_for, incident, supervisor):
    boss = client_for(supervisor)
    for version, level in ((0, 2), (1, 3)):
        response = post(boss, incident, "escalate", version=version, reason="land office")
        assert response.json()["properties"]["level"] == level
    response = post(boss, incident, "escalate", version=2, reason="land office")
    assert response.status_code == 409 and response.json()["status"] == "reported"
    lowered = post(boss, incident, "deescalate", version=2, reason="village can mediate")
    assert lowered.json()["properties"]["level"] == 2


@pytest.mark.parametrize(
    ("step", "body", "field"),
    [
        ("accept", {}, "version"),
        ("reject", {"version": 0, "reason": "boring"}, "reason"),
        ("dispatch", {"version": 0, "lead_department": 999999}, "lead_department"),
        ("escalate", {"version": 0}, "reason"),
        ("evaluate", {"version": 0, "satisfied": True, "rating": 9}, "rating"),
    ],
)
def test_bad_step_input_is_a_400_naming_the_field(
    client_for, incident, supervisor, step, body, field
):
    response = client_for(supervisor).post(url(incident, step), body, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_a_duplicate_rejection_without_an_original_is_a_400(client_for, incident, supervisor):
    response = post(client_for(supervisor), incident, "reject", version=0, reason="duplicate")
    assert response.status_code == 400
    assert Incident.objects.get(pk=incident.pk).status == Status.REPORTED


def test_the_step_records_where_the_actor_stood(client_for, incident, supervisor):
    point = {"type": "Point", "coordinates": [LON, LAT]}
    post(client_for(supervisor), incident, "accept", version=0, position=point)
    event = client_for(supervisor).get(url(incident, "events")).json()[0]
    assert event["position"]["coordinates"] == pytest.approx([LON, LAT])


def test_without_a_workflow_role_a_step_is_a_403(client_for, incident, stranger, officer):
    for user in (stranger, officer):
        response = post(client_for(user), incident, "accept", version=0)
        assert response.status_code == 403
    assert not incident.events.exists()


def test_without_write_access_to_the_layer_a_step_is_refused(
    client_for, incident, django_user_model
):
    reader = django_user_model.objects.create_user("reader")
    assert post(client_for(reader), incident, "accept", version=0).status_code == 403
    assert client_for(reader).get(url(incident, "events")).status_code == 200


def test_a_token_needs_both_the_write_scope_and_a_user_with_the_role(
    incident, supervisor, stranger
):
    def token_client(user, scopes):
        _token, key = api_token_create(user=user, name=f"{user}", scopes=scopes)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        return client

    assert (
        post(token_client(supervisor, ["read"]), incident, "accept", version=0).status_code == 403
    )
    assert post(token_client(stranger, ["write"]), incident, "accept", version=0).status_code == 403
    response = post(token_client(supervisor, ["write:incidents"]), incident, "accept", version=0)
    assert response.status_code == 200


def test_the_list_shows_the_workflow_fields(client_for, incident, supervisor):
    post(client_for(supervisor), incident, "escalate", version=0, reason="land office")
    body = client_for(supervisor).get("/api/v1/incidents/").json()
    properties = body["features"][0]["properties"]
    assert (properties["status"], properties["level"], properties["version"]) == ("reported", 2, 1)


def test_workflow_fields_cannot_be_written_directly(client_for, incident, supervisor):
    response = client_for(supervisor).patch(
        url(incident), {"properties": {"status": "closed", "version": 7, "level": 3}}, format="json"
    )
    assert response.status_code == 200, response.content
    incident.refresh_from_db()
    assert (incident.status, incident.version, incident.level) == ("reported", 0, 1)
