"""The map services in the console: heat tiles, hot spots and camera blind spots as layers
driven by the shared filters, and the disputes view (boundaries, comparison, report link)."""

import datetime as dt
import threading

import numpy as np
import pytest
from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from layers.areas.models import AdminArea
from layers.disputes import services as disputes
from layers.disputes.choices import ClaimMethod, PartyRole, ReferenceKind
from layers.disputes.imagery import imagery_upload
from tests import factories as f
from tests.browser import needs_chromium, wait_until
from tests.console.conftest import rendered, wait_for_map, wait_until_drawn
from tests.disputes.test_imagery import geotiff
from tests.factories import LAT, LON
from tests.jobs.conftest import run_worker  # noqa: F401  (the jobs tests' worker fixture)

pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True)]

SERVICES_VIEW = f"#map=13/{LAT}/{LON}&layers=areas,heat,hotspots,blind-spots"


@pytest.fixture
def cluster(county):
    """60 incidents scattered ~1 km around the western village centre in the last ten days."""
    rng = np.random.default_rng(5)
    now = timezone.now()
    return [
        f.incident(
            LON + rng.normal(0, 0.01),
            LAT + rng.normal(0, 0.008),
            reported_at=now - dt.timedelta(hours=int(rng.integers(1, 240))),
        )
        for _ in range(60)
    ]


def test_heat_hot_spots_and_blind_spots_draw_and_toggle(cluster, supervisor, open_page):
    watched = open_page(supervisor, f"/{SERVICES_VIEW}", width=1920, height=1080)
    page = watched.page
    heat_answers = []
    page.on(
        "response",
        lambda response: "/tiles/heat/" in response.url and heat_answers.append(response),
    )
    # A refused hot-spot run (409, too few incidents) is expected below, and told in the page.
    watched.expected_failures.append("/api/v1/heatmaps/hotspots/")
    wait_for_map(page)
    page.wait_for_selector("#legend-heat .swatch-ramp")
    wait_until_drawn(page, ["hotspots-fill"])
    wait_until_drawn(page, ["blind-cells"])
    wait_until_drawn(page, ["coverage-visible"])
    hot = page.evaluate(
        "window.consoleMap.querySourceFeatures('hotspots')"
        ".filter(f => f.properties.class.startsWith('hot')).length"
    )
    assert hot > 0
    assert "热点六边形" in page.inner_text("#note-hotspots")  # the page is Chinese by default
    wait_until(page, "window.consoleMap.areTilesLoaded()")
    assert heat_answers and {r.status for r in heat_answers} <= {200, 204}
    assert 200 in {r.status for r in heat_answers}
    watched.screenshot("console-services.png")

    # Each layer toggles: the hexagons are (not) drawn; the heat raster is (not) shown.
    for group, layers in {"hotspots": ["hotspots-fill"], "blind-spots": ["blind-cells"]}.items():
        page.uncheck(f"#layer-{group}")
        wait_until_drawn(page, layers, drawn=False)
        page.check(f"#layer-{group}")
        wait_until_drawn(page, layers)
    heat_visibility = "window.consoleMap.getLayoutProperty('heat-raster', 'visibility')"
    page.uncheck("#layer-heat")
    wait_until(page, f"{heat_visibility} === 'none'")
    page.check("#layer-heat")
    wait_until(page, f"{heat_visibility} === 'visible'")
    assert "heat" in page.evaluate("location.hash")

    # The filters rebuild the heat tile URL; a township with one incident is refused hot spots.
    page.select_option("#filter-area", "419821102000")
    wait_until(
        page,
        "window.consoleMap.getSource('heat').tiles[0].includes('area=419821102000')",
    )
    page.wait_for_selector("#note-hotspots.error")
    assert "30" in page.inner_text("#note-hotspots")
    wait_until_drawn(page, ["hotspots-fill"], drawn=False)


def square(west: float, south: float, size: float) -> MultiPolygon:
    return MultiPolygon(Polygon.from_bbox((west, south, west + size, south + size)), srid=4326)


@pytest.fixture
def dispute(county, django_user_model):
    clerk = django_user_model.objects.create_superuser("clerk", password="pw")
    village = AdminArea.objects.get(code="419821101201")
    case = disputes.case_create(
        actor=clerk,
        code="D-2026-001",
        title="东坡地界",
        kind="farmland",
        village=village,
        location=Point(LON, LAT, srid=4326),
        opened_on="2026-05-01",
    )
    wang = disputes.party_add(case=case, actor=clerk, name="王", role=PartyRole.CLAIMANT)
    li = disputes.party_add(case=case, actor=clerk, name="李", role=PartyRole.RESPONDENT)
    for party, shift in ((wang, 0), (li, 0.0001)):
        disputes.claim_add(
            case=case,
            actor=clerk,
            party=party,
            boundary=square(LON + shift, LAT, 0.001),
            method=ClaimMethod.DRAWN,
        )
    disputes.reference_add(
        case=case,
        actor=clerk,
        kind=ReferenceKind.CONTRACT_LAND,
        boundary=square(LON + 0.00005, LAT, 0.001),
        surveyed_on="2009-06-01",
        source="2009 确权",
    )
    return case


@pytest.fixture
def images(dispute, run_worker):  # noqa: F811
    """Two dated aerial images over the case, converted to COGs by the job worker."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM procrastinate_jobs")
    made = [
        imagery_upload(
            upload=SimpleUploadedFile(f"{year}.tif", geotiff(4547)),
            title=f"UAV {year}",
            captured_on=f"{year}-04-01",
        )
        for year in (2021, 2019)
    ]
    # On a thread of its own: Playwright's event loop runs on this one, and the worker's asyncio
    # loop may not nest in it.
    worker = threading.Thread(target=run_worker)
    worker.start()
    worker.join()
    return sorted(made, key=lambda image: image.captured_on)


def test_disputes_view_shows_a_cases_boundaries_and_comparison(
    dispute, images, supervisor, open_page
):
    watched = open_page(supervisor, "/disputes/", width=1920, height=1080)
    page = watched.page
    page.click("#nav-disputes")
    page.locator(".case-open").first.click()
    wait_until(page, f"location.hash.includes('case={dispute.pk}')")
    page.wait_for_selector("#comparison-table tbody tr")
    # Three boundaries: three pairs, the claims' pair chosen first with its strips drawn.
    assert page.locator("#comparison-table tbody tr").count() == 3
    assert page.locator("#case-boundaries li").count() == 3
    wait_for_map(page)
    wait_until_drawn(page, ["claims-line"])
    wait_until_drawn(page, ["references-line"])
    wait_until_drawn(page, ["strips-fill"])
    assert rendered(page, ["claims-fill"]) > 0
    report = page.get_attribute("#case-report", "href")
    assert report == f"/disputes/cases/{dispute.pk}/report/"
    # The images covering the case, oldest first on the slider, the newest shown.
    tiles = []
    page.on("response", lambda r: "/api/v1/disputes/imagery/" in r.url and tiles.append(r))
    page.wait_for_selector("#imagery-bar:not([hidden])")
    assert page.get_attribute("#imagery-slider", "max") == "1"
    assert "2021-04-01" in page.inner_text("#imagery-label")
    page.fill("#imagery-slider", "0")
    wait_until(page, "document.getElementById('imagery-label').textContent.includes('2019-04-01')")
    source = f"/imagery/{images[0].pk}/tiles/"
    wait_until(page, f"window.consoleMap.getSource('imagery').tiles[0].includes('{source}')")
    wait_for_map(page)
    assert any(source in r.url and r.status == 200 for r in tiles)
    watched.screenshot("console-disputes.png")
    page.uncheck("#layer-claims")
    wait_until_drawn(page, ["claims-line"], drawn=False)
