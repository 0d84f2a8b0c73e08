"""The field page in headless Chromium: a visit recorded with no signal is synced once, later.

Skipped only when Debian's chromium is not installed (scripts/sysdeps.sh installs it).
"""

import json
from pathlib import Path

import pytest
from django.test import Client
from PIL import Image

from layers.disputes import services
from layers.disputes.models import FieldVisit
from tests.browser import chromium, needs_chromium, wait_until
from tests.disputes.conftest import LAT, LON

pytestmark = [pytest.mark.django_db(transaction=True), needs_chromium]


@pytest.fixture
def browser_context(live_server, officer):
    """A logged-in officer's phone: Chromium with GPS allowed and a position emulated."""
    client = Client()
    client.force_login(officer)
    with chromium() as browser:
        context = browser.new_context(
            geolocation={"longitude": LON + 0.0002, "latitude": LAT + 0.0003, "accuracy": 4},
            permissions=["geolocation"],
            viewport={"width": 412, "height": 915},
            is_mobile=True,
        )
        context.add_cookies(
            [
                {
                    "name": "sessionid",
                    "value": client.cookies["sessionid"].value,
                    "url": live_server.url,
                }
            ]
        )
        yield context


def jpeg(tmp_path) -> Path:
    path = tmp_path / "boundary-stone.jpg"
    Image.new("RGB", (1600, 1200), "olive").save(path, "JPEG")
    return path


def test_a_visit_recorded_offline_is_synced_once(
    browser_context, live_server, case, clerk, tmp_path
):
    page = browser_context.new_page()
    page.goto(f"{live_server.url}/field/")
    page.wait_for_selector("body[data-ready=true]")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.click(f"button[data-case-id='{case.pk}']")
    # The case map shows both claims, both reference versions and the case position.
    wait_until(page, "ol.Map && document.querySelectorAll('#map canvas').length > 0")

    browser_context.set_offline(True)
    # Reloaded with no signal: the page and its assets come from the service worker.
    page.reload()
    page.wait_for_selector("body[data-ready=true]")
    assert page.text_content("#network") == "offline"
    page.click(f"button[data-case-id='{case.pk}']")

    page.click("#walk")  # starts walking and records the first point
    wait_until(page, "document.getElementById('points-count').textContent === '1'")
    browser_context.set_geolocation(
        {"longitude": LON + 0.0009, "latitude": LAT + 0.0003, "accuracy": 7}
    )
    page.click("#walk-point")
    wait_until(page, "document.getElementById('points-count').textContent === '2'")
    page.set_input_files("#photo", str(jpeg(tmp_path)))
    wait_until(page, "document.querySelectorAll('#photos li').length === 1")
    page.fill("#notes", "东侧界桩向西移了约3米")
    page.click("#save")

    assert page.text_content("#pending") == "1"
    assert not FieldVisit.objects.exists()

    browser_context.set_offline(False)
    page.click("#sync")
    wait_until(page, "document.getElementById('pending').textContent === '0'")

    visit = FieldVisit.objects.get()
    assert visit.purpose == "claim_walk"
    assert visit.notes == "东侧界桩向西移了约3米"
    assert [(round(p.x, 6), round(p.y, 6)) for p in visit.points] == [
        (round(LON + 0.0002, 6), round(LAT + 0.0003, 6)),
        (round(LON + 0.0009, 6), round(LAT + 0.0003, 6)),
    ]
    assert visit.accuracies_m == [4, 7]
    assert not visit.conflict
    photo = visit.photos.get()
    assert photo.position is not None and photo.accuracy_m == 7
    with Image.open(photo.image.path) as stored:
        assert max(stored.size) == 1280  # shrunk on the phone before it was queued

    # The phone never heard the answer and sends the same visit again: still one visit.
    sent = page.evaluate(
        """() => {
            const visit = JSON.parse(localStorage.getItem('gisgov.field.outcomes'))[0];
            return visit.key;
        }"""
    )
    again = page.evaluate(
        """async ({key, url, lon, lat}) => {
            const csrf = document.cookie.match(/csrftoken=([^;]+)/)[1];
            const r = await fetch(url, {method: 'POST',
              headers: {'Content-Type': 'application/json', 'X-CSRFToken': csrf},
              body: JSON.stringify({idempotency_key: key, purpose: 'verification',
                visited_at: new Date().toISOString(), points: [{lon, lat}], case_version: 0})});
            return r.status;
        }""",
        {"key": sent, "url": f"/api/v1/disputes/cases/{case.pk}/visits/", "lon": LON, "lat": LAT},
    )
    assert again == 200
    assert FieldVisit.objects.count() == 1


def test_a_visit_made_while_the_case_changed_shows_as_a_conflict(
    browser_context, live_server, case, clerk
):
    page = browser_context.new_page()
    page.goto(f"{live_server.url}/field/")
    page.wait_for_selector("body[data-ready=true]")
    page.click(f"button[data-case-id='{case.pk}']")
    browser_context.set_offline(True)
    page.click("#locate")
    wait_until(page, "document.getElementById('points-count').textContent === '1'")
    page.click("#save")
    # Meanwhile, in the office, the mediator records an outcome: the case changes.
    services.case_update(case=case, actor=clerk, outcome="以2009年确权边界为准")

    browser_context.set_offline(False)
    page.click("#sync")
    wait_until(page, "document.querySelectorAll('#conflicts li').length === 1")

    visit = FieldVisit.objects.get()
    assert visit.conflict
    assert "Conflict" in page.text_content("#conflicts")
    outcomes = json.loads(page.evaluate("localStorage.getItem('gisgov.field.outcomes')"))
    assert outcomes[0]["conflict"] is True
    assert page.text_content("#pending") == "0"


def test_the_service_worker_caches_only_our_assets(live_server, officer):
    client = Client()
    client.force_login(officer)
    page = client.get("/field/").content.decode()
    worker = client.get("/field/sw.js")
    assert worker["Content-Type"].startswith("application/javascript")
    assert "/static/vendor/ol/ol.js" in worker.content.decode()
    assert "http" not in page.replace(live_server.url, "")
