"""Fixtures the trust tests borrow from other apps' tests."""

from tests.jobs.conftest import run_worker  # noqa: F401 (the queued-import fuzz case runs it)
