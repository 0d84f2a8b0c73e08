"""Debian's chromium driven by Playwright: the browser tests of the console and the field page.

They are skipped only when /usr/bin/chromium is absent (scripts/sysdeps.sh installs it).
"""

import os
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="/usr/bin/chromium is absent (Debian package chromium)"
)


@contextmanager
def chromium():
    """A headless Chromium that makes no request of its own, draws WebGL with SwiftShader and,
    as root (CI), runs without its sandbox."""
    from playwright.sync_api import sync_playwright

    args = ["--disable-background-networking", "--use-angle=swiftshader"]
    args.append("--enable-unsafe-swiftshader")
    if os.geteuid() == 0:
        args.append("--no-sandbox")
    # Playwright's sync API keeps an event loop running on this thread while it is open, and
    # Django then refuses ORM calls (database set-up, fixtures) as if they came from async code.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=args
            )
            try:
                yield browser
            finally:
                browser.close()
    finally:
        if previous is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def wait_until(page, expression: str, arg=None, timeout_ms: int = 20_000) -> None:
    """Waits until a JavaScript expression (or function of `arg`) is truthy.

    Playwright's wait_for_function runs its predicate through eval() inside the page, which our
    Content-Security-Policy forbids (no 'unsafe-eval'); page.evaluate goes through DevTools.
    """
    deadline = time.monotonic() + timeout_ms / 1000
    while not page.evaluate(expression, arg):
        if time.monotonic() > deadline:
            raise TimeoutError(f"still false after {timeout_ms} ms: {expression}")
        page.wait_for_timeout(100)
