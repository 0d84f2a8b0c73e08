"""Queued jobs run by a real procrastinate worker, in-process, on the test database."""

from pathlib import Path

import pytest
from django.db import connection
from procrastinate.contrib.django import app

# The county, township, villages and grid G-001 that imports are checked against.
from tests.transfer.conftest import division  # noqa: F401


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> Path:
    """Where the jobs' copies of their files go: this test's own directory."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return Path(settings.MEDIA_ROOT)


@pytest.fixture(autouse=True)
def empty_queue(transactional_db) -> None:
    """No job queued by an earlier test: the flush between tests skips procrastinate's tables."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM procrastinate_jobs")


@pytest.fixture
def run_worker():
    """Runs every queued job, as `manage.py procrastinate worker` does, then returns."""

    def run() -> None:
        # The worker needs an async connector of its own, as the management command gives it.
        with app.replace_connector(app.connector.get_worker_connector()):
            app.run_worker(wait=False, install_signal_handlers=False, listen_notify=False)

    return run
