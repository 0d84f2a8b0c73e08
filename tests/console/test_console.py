"""The console in a real browser: the map and its layers, an incident's whole lifecycle by
clicking, the dashboard, the login page and the language switch."""

import pytest

from layers.areas.models import code_prefix
from layers.incidents.models import Incident
from layers.incidents.services import incident_accept
from tests.browser import needs_chromium, wait_until
from tests.console.conftest import SCREENSHOTS, rendered, wait_for_map, wait_until_drawn
from tests.factories import LAT, LON

pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True)]

# Deep enough for buildings and single incidents, over the west village's features.
CLOSE_VIEW = f"#map=14.5/{LAT}/{LON}&layers=areas,grids,buildings,cameras,key-sites,incidents"

GROUP_LAYERS = {
    "areas": ["areas-line"],
    "grids": ["grids-fill", "grids-overview-fill"],
    "buildings": ["buildings-fill"],
    "cameras": ["cameras-point", "camera-sectors"],
    "key-sites": ["key-sites-point"],
    "incidents": ["incidents-point"],
}


def test_login_page_is_chinese_by_default(browser, live_server):
    page = browser.new_page(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    try:
        page.goto(f"{live_server.url}/")
        page.wait_for_url("**/login/?next=/")
        assert page.locator("html").get_attribute("lang") == "zh-hans"
        assert page.locator("h1").inner_text() == "网格治理指挥台"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "console-login.png"))
    finally:
        page.close()


def test_map_shows_the_grids_and_each_layer_toggles(county, supervisor, open_page):
    watched = open_page(supervisor, "/", width=1920, height=1080, login_form=True)
    page = watched.page
    wait_for_map(page)
    # The county opens whole: grids coloured by their workload, the legend filled in.
    assert rendered(page, ["grids-fill", "grids-overview-fill"]) >= 2
    page.wait_for_selector("#legend-grids li")
    watched.screenshot("console-map.png")

    # A shared link opens the view it names.
    watched = open_page(supervisor, f"/{CLOSE_VIEW}")
    page = watched.page
    wait_for_map(page)
    for group, layers in GROUP_LAYERS.items():
        assert rendered(page, layers) > 0, f"{group} draws nothing"
        page.uncheck(f"#layer-{group}")
        wait_until_drawn(page, layers, drawn=False)
        assert group not in page.evaluate("location.hash")
        page.check(f"#layer-{group}")
        wait_until_drawn(page, layers)
    watched.screenshot("console-map-close.png")

    # The view and the filters live in the URL: a reload shows the same.
    page.select_option("#filter-area", "419821102000")
    wait_until(page, "location.hash.includes('area=419821102000')")
    page.reload()
    assert page.input_value("#filter-area") == "419821102000"
    wait_for_map(page)
    assert abs(page.evaluate("window.consoleMap.getZoom()") - 14.5) < 0.01
    # A view pasted into the address bar of the open console is followed.
    page.evaluate(f"location.hash = 'map=13/{LAT}/{LON + 0.25}'")
    wait_until(page, "Math.abs(window.consoleMap.getZoom() - 13) < 0.01")
    assert abs(page.evaluate("window.consoleMap.getCenter().lng") - (LON + 0.25)) < 1e-4


def test_filters_drive_the_list_and_the_map(county, supervisor, open_page):
    watched = open_page(supervisor, f"/{CLOSE_VIEW}", width=1366, height=768)
    page = watched.page
    wait_for_map(page)
    page.wait_for_selector(".incident-item")
    assert page.locator(".incident-item").count() == 2
    # Only safety hazards: the small county has none.
    page.click("#filter-category summary")
    page.check("#filter-category input[value=safety_hazard]")
    page.wait_for_selector("#list-status.notice-info")
    assert page.locator(".incident-item").count() == 0
    wait_until_drawn(page, ["incidents-point"], drawn=False)
    assert "category=safety_hazard" in page.evaluate("location.hash")
    page.click("#filters-reset")
    page.wait_for_selector(".incident-item")
    wait_until_drawn(page, ["incidents-point"])
    # The incident opened from the list is ringed on the map.
    page.locator(".incident-item").first.click()
    page.wait_for_selector("#detail-status")
    wait_until_drawn(page, ["incident-selected"])
    watched.screenshot("console-laptop.png")


def step(page, action, fill=None):
    page.click(f"#actions button[data-action={action}]")
    form = page.locator(f"form[data-step={action}]")
    form.wait_for()
    if fill:
        fill(form)
    form.locator("button[type=submit]").click()
    page.wait_for_selector("#action-status.notice-success")


def test_an_incident_is_taken_through_its_lifecycle_by_clicking(
    county, supervisor, open_page, photo_png, tmp_path
):
    watched = open_page(supervisor, "/", width=1366, height=900)
    page = watched.page
    page.locator(".incident-item").first.click()
    status = page.locator("#detail-status")
    assert status.get_attribute("data-status") == "reported"

    step(page, "accept")
    assert status.get_attribute("data-status") == "accepted"
    step(
        page,
        "dispatch",
        lambda form: (
            form.locator("select[name=lead_department]").select_option(label="派出所"),
            form.locator("select[name=priority]").select_option("high"),
        ),
    )
    assert status.get_attribute("data-status") == "dispatched"
    step(page, "start")
    assert status.get_attribute("data-status") == "in_progress"

    photo = tmp_path / "evidence.png"
    photo.write_bytes(photo_png)
    step(
        page,
        "resolve",
        lambda form: (
            form.locator("textarea[name=feedback]").fill("双方已调解，签订协议"),
            form.locator("input[type=file]").set_input_files(str(photo)),
        ),
    )
    assert status.get_attribute("data-status") == "resolved"
    wait_until(
        page, "[...document.querySelectorAll('#photos img')].some(img => img.naturalWidth === 64)"
    )
    step(page, "evaluate", lambda form: form.locator("textarea[name=review]").fill("处置及时"))
    assert status.get_attribute("data-status") == "evaluated"
    step(page, "close")
    assert status.get_attribute("data-status") == "closed"
    assert page.locator("#actions button").count() == 0
    timeline = page.locator("#timeline li")
    assert timeline.count() == 6
    assert "operator" in timeline.last.inner_text()
    watched.screenshot("console-incident.png")
    incident = Incident.objects.get(pk=int(page.evaluate("window.Console.state.incident")))
    assert (incident.status, incident.rating, incident.review) == ("closed", 5, "处置及时")
    # Only the station whose township holds the incident was offered.
    assert incident.lead_department in (county["police"], county["east_police"])
    assert incident.area.code.startswith(code_prefix(incident.lead_department.area.code))
    assert incident.attachments.filter(kind="evidence").count() == 1


def test_a_stale_step_is_explained_in_the_page(county, supervisor, open_page):

    watched = open_page(supervisor, "/")
    page = watched.page
    page.locator(".incident-item").first.click()
    page.wait_for_selector("#actions button[data-action=accept]")
    incident_id = int(page.evaluate("window.Console.state.incident"))
    # Someone else accepts it meanwhile.
    incident = Incident.objects.get(pk=incident_id)
    incident_accept(incident=incident, actor=supervisor, expected_version=incident.version)
    page.click("#actions button[data-action=accept]")
    page.locator("form[data-step=accept] button[type=submit]").click()
    page.wait_for_selector("#action-status.notice-error")
    assert page.locator("#detail-status").get_attribute("data-status") == "accepted"
    # The 409 is shown in the page, not only logged by the browser.
    watched.console_errors[:] = [e for e in watched.console_errors if "409" not in e]


def test_dashboard_renders_its_charts_or_says_the_service_is_missing(county, supervisor, open_page):
    watched = open_page(supervisor, "/", width=1920, height=1080)
    watched.expected_failures.append("/api/v1/supervision/")
    page = watched.page
    page.click("#nav-dashboard")
    page.wait_for_url("**/dashboard/**")
    wait_until(
        page,
        "document.querySelector('#chart-category svg') ||"
        " document.querySelector('#dashboard-status[data-missing=true]')",
    )
    if page.locator("#dashboard-status[data-missing=true]").count():
        assert "/api/v1/supervision/" in page.inner_text("#dashboard-status")
    else:
        for chart in ("category", "status", "area", "ranking"):
            assert page.locator(f"#chart-{chart} svg").count() == 1
        assert page.locator("#ranking-table tbody tr").count() >= 1
    watched.screenshot("console-dashboard.png")
    page.emulate_media(media="print")
    assert not page.locator(".topbar").is_visible()


def test_english_is_one_click_away(county, supervisor, open_page):
    watched = open_page(supervisor, "/dashboard/")
    watched.expected_failures.append("/api/v1/supervision/")
    page = watched.page
    assert page.inner_text("h1") == "督导统计看板"
    page.select_option("#language-select", "en")
    page.wait_for_selector("html[lang=en]")
    assert page.inner_text("h1") == "Supervision dashboard"
    # Strings of the scripts come from the JavaScript catalogue.
    wait_until(page, "document.querySelector('#dashboard-scope').textContent !== ''")
    assert page.inner_text("#dashboard-scope").startswith("All areas")
