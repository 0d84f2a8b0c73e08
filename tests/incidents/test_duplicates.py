"""Duplicate candidates (same category, near in metres and hours) and merging them."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from layers.common.sql import template
from layers.incidents import services
from layers.incidents.choices import Action, Status
from layers.incidents.routing import incident_duplicate_candidates
from tests import factories as f
from tests.factories import LAT, LON
from tests.incidents.steps import bring_to, step

pytestmark = pytest.mark.django_db

# Degrees of latitude per metre, near enough for placing test points.
NORTH_PER_M = 1 / 111_000


@pytest.fixture
def now():
    return timezone.now().replace(microsecond=0)


def near(metres_north: float, hours: float, now, **fields):
    return f.incident(
        LON, LAT + metres_north * NORTH_PER_M, reported_at=now + timedelta(hours=hours), **fields
    )


def candidates(incident):
    return [(c.title, round(d)) for c, d in incident_duplicate_candidates(incident)]


def test_candidates_are_same_category_within_the_distance_and_window(places, now):
    subject = near(0, 0, now, title="subject")
    near(50, 1, now, title="50 m, 1 h later")
    near(150, -70, now, title="150 m, 70 h before")
    near(250, 0, now, title="250 m: too far")
    near(10, 80, now, title="80 h later: too late")
    near(10, 0, now, title="other category", category="sudden_event", subcategory="accident")
    rejected = near(20, 0, now, title="rejected")
    rejected.status = Status.REJECTED
    rejected.save()
    assert candidates(subject) == [("50 m, 1 h later", 50), ("150 m, 70 h before", 150)]


def test_the_distance_and_window_come_from_the_settings(places, now, settings):
    subject = near(0, 0, now)
    near(250, 0, now, title="250 m")
    near(10, 80, now, title="80 h")
    settings.GISGOV_DUPLICATE_DISTANCE_M = 300
    settings.GISGOV_DUPLICATE_WINDOW_HOURS = 100
    assert [title for title, _ in candidates(subject)] == ["80 h", "250 m"]


def test_the_distance_is_measured_on_the_ellipsoid_east_west_too(places, now):
    subject = near(0, 0, now)
    # At 34.5° N a degree of longitude is about 91.8 km: 0.002° is about 184 m.
    f.incident(LON + 0.002, LAT, reported_at=now, title="184 m east")
    f.incident(LON + 0.0023, LAT, reported_at=now, title="211 m east")
    assert candidates(subject) == [("184 m east", 184)]


def test_the_candidate_query_can_use_the_spatial_index(places, now):
    subject = near(0, 0, now)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")  # leave the bitmap index scans
        cursor.execute(
            "EXPLAIN " + template("incidents", "duplicate_candidates").as_string(cursor.connection),
            {
                "id": subject.pk,
                "distance_m": 200,
                "degrees": 0.01,
                "window": timedelta(hours=1),
                "rejected": "rejected",
            },
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "location" in plan and "Bitmap Index Scan" in plan, plan


def test_the_api_lists_candidates_with_their_distance(places, now, supervisor, client_for):
    subject = near(0, 0, now)
    other = near(50, 1, now, title="other")
    body = client_for(supervisor).get(f"/api/v1/incidents/{subject.pk}/duplicates/").json()
    assert [(c["id"], c["title"], round(c["distance_m"])) for c in body] == [
        (other.pk, "other", 50)
    ]
    assert set(body[0]) == {"id", "title", "status", "source", "reported_at", "distance_m"}


def test_merging_rejects_the_duplicate_and_logs_it_on_the_primary(places, now, supervisor):
    primary = near(0, 0, now, title="primary")
    duplicate = near(30, 1, now, title="duplicate")
    merged = services.incident_merge(
        incident=duplicate, primary=primary, actor=supervisor, expected_version=0, note="同一处"
    )
    assert merged.status == Status.REJECTED and merged.rejection_reason == "duplicate"
    assert merged.duplicate_of == primary
    assert merged.events.get().data == {"reason": "duplicate", "duplicate_of": primary.pk}
    log = primary.events.get()
    assert (log.action, log.data, log.note) == (Action.MERGE, {"merged": [duplicate.pk]}, "同一处")
    primary.refresh_from_db()
    assert primary.version == 0 and primary.status == Status.REPORTED
    # A merged report is no longer a candidate: its primary is.
    assert candidates(primary) == []


def test_merging_into_a_merged_report_goes_to_its_primary_and_takes_followers(
    places, now, supervisor
):
    primary, middle, first, last = (near(i, 0, now, title=str(i)) for i in range(4))
    services.incident_merge(incident=first, primary=middle, actor=supervisor, expected_version=0)
    step(Action.REJECT, middle, supervisor, reason="duplicate", duplicate_of=primary)
    services.incident_merge(incident=last, primary=first, actor=supervisor, expected_version=0)
    for report in (middle, first, last):
        report.refresh_from_db()
        assert report.duplicate_of == primary and report.primary() == primary
    assert [e.data["merged"] for e in primary.events.all()] == [
        [middle.pk, first.pk],
        [last.pk],
    ]


def test_merging_into_a_rejected_incident_is_refused(places, now, supervisor):
    invalid = step(Action.REJECT, near(0, 0, now), supervisor)
    duplicate = near(10, 0, now)
    with pytest.raises(ValidationError):
        services.incident_merge(
            incident=duplicate, primary=invalid, actor=supervisor, expected_version=0
        )
    duplicate.refresh_from_db()
    assert duplicate.status == Status.REPORTED and duplicate.duplicate_of is None


def test_only_a_reported_incident_is_merged(places, now, supervisor):
    primary = near(0, 0, now)
    accepted = bring_to(near(10, 0, now), Status.ACCEPTED, supervisor)
    with pytest.raises(services.TransitionNotAllowed):
        services.incident_merge(
            incident=accepted, primary=primary, actor=supervisor, expected_version=1
        )
    assert not primary.events.exists()


def test_merging_needs_a_supervisor(places, now, stranger):
    primary, duplicate = near(0, 0, now), near(10, 0, now)
    with pytest.raises(services.PermissionDenied):
        services.incident_merge(
            incident=duplicate, primary=primary, actor=stranger, expected_version=0
        )


def test_rejecting_as_a_duplicate_through_the_api_offers_then_merges(
    places, now, supervisor, client_for
):
    primary = near(40, -2, now, title="primary")
    duplicate = near(0, 0, now)
    client = client_for(supervisor)
    url = f"/api/v1/incidents/{duplicate.pk}/reject/"
    offered = client.post(url, {"version": 0, "reason": "duplicate"}, format="json")
    assert offered.status_code == 400 and "duplicate_of" in offered.json()
    assert [c["id"] for c in offered.json()["candidates"]] == [primary.pk]
    merged = client.post(
        url, {"version": 0, "reason": "duplicate", "duplicate_of": primary.pk}, format="json"
    )
    assert merged.status_code == 200, merged.content
    assert merged.json()["properties"]["duplicate_of"] == primary.pk
    assert primary.events.get().action == Action.MERGE
