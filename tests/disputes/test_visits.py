"""Field visits: stored once per idempotency key, conflicts kept and marked, photos with place."""

import base64
import io
import uuid

import pytest
from PIL import Image

from layers.disputes.models import FieldVisit, VisitPhoto
from tests.disputes.conftest import LAT, LON

pytestmark = pytest.mark.django_db


def jpeg_data_url() -> str:
    out = io.BytesIO()
    Image.new("RGB", (8, 6), "green").save(out, "JPEG")
    return "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode()


def visit_body(case, key=None, **fields):
    body = {
        "idempotency_key": str(key or uuid.uuid4()),
        "purpose": "verification",
        "visited_at": "2026-06-01T09:30:00+08:00",
        "points": [
            {"lon": LON, "lat": LAT, "accuracy": 4.5},
            {"lon": LON + 0.0005, "lat": LAT, "accuracy": 6},
        ],
        "notes": "界桩在东侧",
        "case_version": case.version,
        "photos": [
            {
                "data": jpeg_data_url(),
                "taken_at": "2026-06-01T09:31:00+08:00",
                "lon": LON,
                "lat": LAT,
                "accuracy": 5,
            },
        ],
    }
    body.update(fields)
    return body


def test_a_visit_sent_twice_is_stored_once(client_for, officer, case):
    client = client_for(officer)
    body = visit_body(case)

    first = client.post(f"/api/v1/disputes/cases/{case.pk}/visits/", body, format="json")
    again = client.post(f"/api/v1/disputes/cases/{case.pk}/visits/", body, format="json")

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.data["id"] == again.data["id"]
    assert FieldVisit.objects.count() == 1
    assert VisitPhoto.objects.count() == 1
    visit = FieldVisit.objects.get()
    assert visit.officer == officer
    assert visit.accuracies_m == [4.5, 6]
    assert len(visit.points) == 2
    assert not visit.conflict
    photo = visit.photos.get()
    assert (photo.position.x, photo.position.y, photo.accuracy_m) == (LON, LAT, 5)
    # The visit and its photo are in the case's history, recorded as the officer's.
    history = client.get(f"/api/v1/disputes/cases/{case.pk}/history/").data
    written = {(e["table"], e["actor"]) for e in history if e["operation"] == "INSERT"}
    assert {("disputes_fieldvisit", "officer"), ("disputes_visitphoto", "officer")} <= written


def test_a_visit_made_before_the_case_changed_is_kept_as_a_conflict(
    client_for, officer, clerk, case
):
    seen = case.version
    client_for(clerk).patch(
        f"/api/v1/disputes/cases/{case.pk}/",
        {"type": "Feature", "properties": {"outcome": "边界以2009年确权为准"}},
        format="json",
    )

    response = client_for(officer).post(
        f"/api/v1/disputes/cases/{case.pk}/visits/",
        visit_body(case, case_version=seen),
        format="json",
    )

    assert response.status_code == 201
    assert response.data["conflict"] is True
    assert FieldVisit.objects.get().case_version == seen


def test_a_key_of_another_case_is_refused(client_for, officer, clerk, case, village):
    from layers.disputes import services

    other = services.case_create(
        actor=clerk,
        code="D-9",
        title="t",
        kind="forest",
        village=village,
        location=case.location,
        opened_on="2026-01-01",
    )
    key = uuid.uuid4()
    client = client_for(officer)
    client.post(f"/api/v1/disputes/cases/{case.pk}/visits/", visit_body(case, key), format="json")

    response = client.post(
        f"/api/v1/disputes/cases/{other.pk}/visits/", visit_body(other, key), format="json"
    )

    assert response.status_code == 409
    assert FieldVisit.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"points": []}, "points"),
        ({"points": [{"lon": 200, "lat": 0}]}, "points"),
        ({"photos": [{"data": "bm90IGFuIGltYWdl", "taken_at": "2026-06-01T09:31:00Z"}]}, "photos"),
        ({"idempotency_key": "not-a-uuid"}, "idempotency_key"),
    ],
)
def test_bad_visits_are_refused_and_nothing_is_written(client_for, officer, case, change, field):
    response = client_for(officer).post(
        f"/api/v1/disputes/cases/{case.pk}/visits/", visit_body(case, **change), format="json"
    )
    assert response.status_code == 400
    assert field in response.data
    assert not FieldVisit.objects.exists()


def test_a_walked_boundary_becomes_a_claim(client_for, officer, clerk, case):
    square_walk = [
        {"lon": LON, "lat": LAT, "accuracy": 3},
        {"lon": LON + 0.001, "lat": LAT, "accuracy": 3},
        {"lon": LON + 0.001, "lat": LAT + 0.001, "accuracy": 4},
        {"lon": LON, "lat": LAT + 0.001, "accuracy": 3},
    ]
    body = visit_body(case, purpose="claim_walk", points=square_walk, photos=[])
    client_for(officer).post(f"/api/v1/disputes/cases/{case.pk}/visits/", body, format="json")
    party = case.parties.first()

    response = client_for(clerk).post(
        f"/api/v1/disputes/cases/{case.pk}/claims/",
        {"visit": body["idempotency_key"], "party": party.pk},
        format="json",
    )

    assert response.status_code == 201, response.data
    claim = case.claims.get(pk=response.data["id"])
    assert claim.method == "walked"
    # Wang's drawn claim is the same 0.001° square: the walk closes back onto it.
    assert claim.boundary.equals(case.claims.first().boundary)


def test_two_points_are_not_a_boundary(client_for, officer, clerk, case):
    body = visit_body(case, purpose="claim_walk", photos=[])
    client_for(officer).post(f"/api/v1/disputes/cases/{case.pk}/visits/", body, format="json")

    response = client_for(clerk).post(
        f"/api/v1/disputes/cases/{case.pk}/claims/",
        {"visit": body["idempotency_key"], "party": case.parties.first().pk},
        format="json",
    )

    assert response.status_code == 400
    assert "at least 3 points" in str(response.data)
