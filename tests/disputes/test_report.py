"""The printable case report: everything in it comes from our own server."""

import re
import uuid

import pytest
from django.test import Client

from layers.common.maps import leaflet_inline
from layers.disputes import services
from tests.disputes.conftest import LAT, LON

pytestmark = pytest.mark.django_db

EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//|url\(\s*["']?(?:https?:)?//""")


def test_the_report_shows_boundaries_comparison_and_visits_offline(clerk, officer, case):
    services.visit_record(
        case=case,
        officer=officer,
        idempotency_key=uuid.uuid4(),
        purpose="verification",
        visited_at="2026-06-01T09:30:00+08:00",
        points=[(LON, LAT, 4.0)],
        notes="东侧界桩已移动",
        case_version=case.version - 1,
    )
    client = Client()
    client.force_login(clerk)

    response = client.get(f"/disputes/cases/{case.pk}/report/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "D-2026-001" in html
    assert leaflet_inline() in html  # the saved page still draws its map
    # Leaflet's attribution link is text in its code, never fetched.
    ours = html.replace(leaflet_inline(), "")
    assert not EXTERNAL.findall(ours), EXTERNAL.findall(ours)
    assert "cdn" not in html.lower()
    # The map has a layer per boundary: two claims and two reference versions.
    assert html.count("L.geoJson(") == 4
    # The comparison table: 1 claim pair + 2 × 2 claim/reference + 1 reference pair.
    assert html.count("<tr><td>") - 2 == 6  # minus the two timeline rows
    assert "东侧界桩已移动" in html
    assert "Conflict: the case changed" in html
    assert "@media print" in html


def test_the_report_needs_a_login(case):
    response = Client().get(f"/disputes/cases/{case.pk}/report/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
