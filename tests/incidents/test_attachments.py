"""Attachments: what may be uploaded, where a photo was taken, evidence before a result."""

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from layers.incidents import services
from layers.incidents.choices import ATTACHMENT_MAX_BYTES, Action, Status
from tests.factories import LAT, LON
from tests.incidents.steps import attach_evidence, bring_to, photo, step

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def handled(incident, supervisor):
    """An incident the police station (the officer's department) is working on."""
    return bring_to(incident, Status.IN_PROGRESS, supervisor)


def upload(client, incident, kind, content, name="photo.jpg"):
    return client.post(
        f"/api/v1/incidents/{incident.pk}/attachments/",
        {"kind": kind, "file": SimpleUploadedFile(name, content)},
        format="multipart",
    )


def test_an_evidence_photo_keeps_where_it_was_taken(client_for, handled, officer):
    response = upload(client_for(officer), handled, "evidence", photo(LON, LAT + 0.0001))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["content_type"] == "image/jpeg" and body["uploaded_by"] == "officer"
    assert body["position"]["coordinates"] == pytest.approx([LON, LAT + 0.0001], abs=1e-6)
    # 0.0001° of latitude is about 11 m on the ellipsoid.
    assert body["distance_m"] == pytest.approx(11.1, abs=0.5)
    assert body["far_from_incident"] is False
    assert handled.attachments.get().file.read() == photo(LON, LAT + 0.0001)


def test_a_photo_taken_far_away_is_flagged(client_for, handled, officer):
    # 0.01° of latitude is about 1,109 m: beyond the default 500 m.
    body = upload(client_for(officer), handled, "evidence", photo(LON, LAT + 0.01)).json()
    assert body["distance_m"] == pytest.approx(1109, rel=0.01)
    assert body["far_from_incident"] is True


def test_the_distance_allowed_comes_from_the_settings(client_for, handled, officer, settings):
    settings.GISGOV_EVIDENCE_MAX_DISTANCE_M = 2000
    body = upload(client_for(officer), handled, "evidence", photo(LON, LAT + 0.01)).json()
    assert body["far_from_incident"] is False


def test_a_photo_without_gps_has_no_position(client_for, handled, officer):
    body = upload(client_for(officer), handled, "evidence", photo(image_format="PNG")).json()
    assert body["content_type"] == "image/png"
    assert body["position"] is None and body["distance_m"] is None
    assert body["far_from_incident"] is False


@pytest.mark.parametrize(
    ("kind", "content", "name", "expected"),
    [
        ("evidence", PDF, "report.pdf", 400),  # evidence is a photo
        ("document", PDF, "report.pdf", 201),
        ("evidence", b"not an image at all", "fake.jpg", 400),
        ("document", b"<html></html>", "page.pdf", 400),
    ],
)
def test_the_content_decides_what_is_accepted(
    client_for, handled, officer, kind, content, name, expected
):
    response = upload(client_for(officer), handled, kind, content, name)
    assert response.status_code == expected, response.content
    if expected == 201:
        assert response.json()["content_type"] == "application/pdf"


def test_a_file_too_large_is_refused(handled, officer):
    too_big = SimpleUploadedFile("big.jpg", photo() + b"\0" * ATTACHMENT_MAX_BYTES)
    with pytest.raises(ValidationError):
        services.incident_attachment_add(
            incident=handled, actor=officer, upload=too_big, kind="evidence"
        )
    assert not handled.attachments.exists()


def test_only_handlers_attach_evidence_and_only_while_handling(
    client_for, incident, supervisor, officer, stranger, reporter
):
    assert upload(client_for(supervisor), incident, "evidence", photo()).status_code == 409
    handled = bring_to(incident, Status.IN_PROGRESS, supervisor)
    for user in (stranger, reporter):
        assert upload(client_for(user), handled, "evidence", photo()).status_code == 403
    assert upload(client_for(officer), handled, "evidence", photo()).status_code == 201


def test_the_reporter_attaches_a_photo_of_the_problem(client_for, incident, reporter, stranger):
    assert upload(client_for(reporter), incident, "photo", photo(LON, LAT)).status_code == 201
    assert upload(client_for(stranger), incident, "photo", photo(LON, LAT)).status_code == 403
    listed = client_for(reporter).get(f"/api/v1/incidents/{incident.pk}/attachments/")
    assert [item["kind"] for item in listed.json()] == ["photo"]


def test_resolving_needs_evidence_and_the_event_names_it(handled, officer):
    with pytest.raises(ValidationError):
        step(Action.RESOLVE, handled, officer, evidence=False)
    evidence = attach_evidence(handled)
    resolved = step(Action.RESOLVE, handled, officer, evidence=False)
    assert resolved.events.last().data == {"evidence": [evidence.pk]}


def test_a_reopened_incident_needs_new_evidence(handled, supervisor):
    step(Action.RESOLVE, handled, supervisor)
    step(Action.EVALUATE, handled, supervisor, satisfied=False, rating=1)
    step(Action.START, handled, supervisor)
    with pytest.raises(ValidationError):  # the first evidence predates the reopening
        step(Action.RESOLVE, handled, supervisor, evidence=False)
    assert step(Action.RESOLVE, handled, supervisor).status == Status.RESOLVED


def test_an_image_gets_a_thumbnail_served_with_it(client_for, handled, officer):
    body = upload(client_for(officer), handled, "evidence", photo(size=(1600, 1200))).json()
    assert body["thumbnail"].startswith("http://testserver/media/incidents/thumbnails/")
    attachment = handled.attachments.get()
    with Image.open(attachment.thumbnail) as thumbnail:
        assert (thumbnail.format, thumbnail.size) == ("JPEG", (320, 240))
    with Image.open(attachment.file) as original:
        assert original.size == (1600, 1200)


def test_a_document_has_no_thumbnail(client_for, handled, officer):
    body = upload(client_for(officer), handled, "document", PDF, "report.pdf").json()
    assert body["thumbnail"] is None and body["taken_at"] is None


def test_the_exif_time_is_read_with_its_offset(client_for, handled, officer):
    raw = photo(LON, LAT, taken="2026:11:20 09:30:00", offset="+08:00")
    body = upload(client_for(officer), handled, "evidence", raw).json()
    assert datetime.fromisoformat(body["taken_at"]) == datetime(2026, 11, 20, 1, 30, tzinfo=UTC)


def test_an_exif_time_without_offset_is_read_in_the_servers_zone(
    client_for, handled, officer, settings
):
    settings.TIME_ZONE = "Asia/Shanghai"
    body = upload(client_for(officer), handled, "evidence", photo(taken="2026:11:20 09:30:00"))
    assert datetime.fromisoformat(body.json()["taken_at"]) == datetime(
        2026, 11, 20, 1, 30, tzinfo=UTC
    )


def test_a_photo_without_a_time_has_none(client_for, handled, officer):
    body = upload(client_for(officer), handled, "evidence", photo()).json()
    assert body["taken_at"] is None


def test_files_go_through_the_configured_storage(client_for, handled, officer, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    response = upload(client_for(officer), handled, "evidence", photo())
    assert response.status_code == 201, response.content
    attachment = handled.attachments.get()
    assert default_storage.exists(attachment.file.name)
    assert default_storage.exists(attachment.thumbnail.name)
    assert not (settings.MEDIA_ROOT / attachment.file.name).exists()
    assert default_storage.open(attachment.file.name).read() == photo()
