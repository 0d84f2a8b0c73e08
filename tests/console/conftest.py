"""The console in a real browser: Debian's chromium driven by Playwright against a live server.

Every test checks, when it ends, that no request left 127.0.0.1 and that the browser console
logged no error.
"""

import io
import mimetypes
import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.test import Client
from PIL import Image

from tests import factories as f
from tests.browser import chromium, wait_until

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PASSWORD = "console-test-password"


# The live server listens where the no-request-leaves-127.0.0.1 check expects it (read when
# the session's live server starts, so set on import).
os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")


@pytest.fixture(autouse=True)
def chinese_by_default(settings):
    """Pages without a language preference are Chinese, as deployed (tests/conftest.py sets en)."""
    settings.LANGUAGE_CODE = "zh-hans"


# Module scope: Playwright's event loop must be gone before other tests call asyncio.run().
@pytest.fixture(scope="module")
def browser():
    with chromium() as browser:
        yield browser


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def county(transactional_db):
    """The small county of tests.factories, a police station in each township."""
    places = f.small_county()
    places["police"] = f.department("派出所", places["west"])
    places["east_police"] = f.department("派出所", places["east"])
    places["justice"] = f.department("司法所", places["west"], kind="justice")
    return places


@pytest.fixture
def supervisor(transactional_db, django_user_model):
    """A command-centre operator: reads everything and moves incidents through every step."""
    user = django_user_model.objects.create_user("operator", password=PASSWORD)
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="incidents",
            codename__in=["add_incident", "change_incident", "view_incident"],
        )
    )
    return user


class Watched:
    """A page whose requests and console errors are recorded for the checks at the end."""

    def __init__(self, page, base_url: str):
        self.page = page
        self.base_url = base_url
        self.outside_requests: list[str] = []
        self.console_errors: list[str] = []
        # Failed loads the test expects (the missing supervision API): URL prefixes.
        self.expected_failures: list[str] = []
        self._failed_urls: list[str] = []
        page.on("request", self._request)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.console_errors.append(f"page error: {error}"))
        page.on("response", self._response)

    def _request(self, request):
        host = urlsplit(request.url).hostname
        if request.url.startswith(("data:", "blob:")):
            return
        if host != "127.0.0.1":
            self.outside_requests.append(request.url)

    def _response(self, response):
        if response.status >= 400:
            self._failed_urls.append(response.url)

    def _console(self, message):
        if message.type == "error":
            location = message.location.get("url", "") if message.location else ""
            self.console_errors.append(f"{message.text} ({location})")

    def unexpected_console_errors(self) -> list[str]:
        expected = [
            url
            for url in self._failed_urls
            if any(url.startswith(self.base_url + prefix) for prefix in self.expected_failures)
        ]
        return [
            error
            for error in self.console_errors
            if not (
                error.startswith("Failed to load resource") and any(u in error for u in expected)
            )
        ]

    def screenshot(self, name: str):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / name))


def serve_media(route):
    """Uploaded files as the production web server serves MEDIA_URL (runserver only in DEBUG)."""
    relative = urlsplit(route.request.url).path.removeprefix("/" + settings.MEDIA_URL.strip("/"))
    path = Path(settings.MEDIA_ROOT) / relative.lstrip("/")
    if not path.is_file():
        route.fulfill(status=404, body="")
        return
    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    route.fulfill(status=200, body=path.read_bytes(), headers={"Content-Type": content_type})


@pytest.fixture
def open_page(browser, live_server):
    """Opens a logged-in page at a viewport size: through the login form, or with a session
    cookie made by the test client (quicker, for tests about something else)."""
    contexts = []
    watched_pages = []

    def open_(user, path="/", width=1280, height=720, locale="zh-CN", login_form=False):
        context = browser.new_context(
            viewport={"width": width, "height": height}, locale=locale, base_url=live_server.url
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20_000)
        watched = Watched(page, live_server.url)
        watched_pages.append(watched)
        page.route(f"{live_server.url}/{settings.MEDIA_URL.strip('/')}/**", serve_media)
        if login_form:
            page.goto("/login/")
            page.fill("#id_username", user.get_username())
            page.fill("#id_password", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{live_server.url}/")
            if path != "/":
                page.goto(path)
                page.reload()  # a new hash alone does not reload the page
        else:
            client = Client()
            client.force_login(user)
            session = client.cookies[settings.SESSION_COOKIE_NAME].value
            context.add_cookies(
                [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
            )
            page.goto(path)
        return watched

    yield open_
    for context in contexts:
        context.close()
    for watched in watched_pages:
        assert watched.outside_requests == [], "requests left 127.0.0.1"
        assert watched.unexpected_console_errors() == [], "the browser console has errors"


@pytest.fixture
def photo_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 60, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


def wait_for_map(page):
    """Until the map has loaded its style and every tile it asked for."""
    wait_until(page, "window.consoleMap && window.consoleMap.loaded()")
    wait_until(
        page,
        "new Promise(resolve => window.consoleMap.areTilesLoaded() && !window.consoleMap.isMoving()"
        " ? resolve(true) : window.consoleMap.once('idle', () => resolve(true)))",
    )


def rendered(page, layers: list[str]) -> int:
    """How many features of these MapLibre layers are drawn now."""
    return page.evaluate(
        "layers => window.consoleMap.queryRenderedFeatures({layers: layers.filter("
        "id => window.consoleMap.getLayer(id))}).length",
        layers,
    )


def wait_until_drawn(page, layers: list[str], drawn: bool = True):
    """Until features of these layers are drawn (or, drawn=False, none is)."""
    wait_until(
        page,
        "([layers, drawn]) => (window.consoleMap.queryRenderedFeatures({layers: layers.filter("
        "id => window.consoleMap.getLayer(id))}).length > 0) === drawn",
        arg=[layers, drawn],
    )
