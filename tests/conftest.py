"""Tests run against the real PostGIS named by the settings (the project-local cluster)."""

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english(settings):
    """Assertions read the English source messages; translation tests choose their language."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
