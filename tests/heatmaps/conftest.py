import datetime as dt

import numpy as np
import pytest
from django.test import Client
from django.utils import timezone

from layers.access.services import api_token_create
from tests import factories as f
from tests.factories import LAT, LON
from tests.jobs.conftest import run_worker  # noqa: F401  (the jobs tests' worker fixture)

# Mid-day, so that a window edge in the tests never falls on a local midnight by accident.
NOON = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def county(db):
    return f.small_county()


@pytest.fixture
def cluster(county):
    """60 incidents scattered ~1 km around the western village centre over ten days, seeded."""
    rng = np.random.default_rng(5)
    categories = ["dispute", "public_safety", "sudden_event"]
    subcategories = {"dispute": "land", "public_safety": "theft", "sudden_event": "accident"}
    incidents = []
    for k in range(60):
        category = categories[k % 3]
        incidents.append(
            f.incident(
                LON + rng.normal(0, 0.01),
                LAT + rng.normal(0, 0.008),
                category=category,
                subcategory=subcategories[category],
                reported_at=NOON + dt.timedelta(hours=int(rng.integers(0, 240))),
            )
        )
    return incidents


@pytest.fixture
def staff_client(django_user_model):
    client = Client()
    client.force_login(django_user_model.objects.create_user("operator", password="pw"))
    return client


@pytest.fixture
def token_client(django_user_model):
    def make(*scopes, area=None):
        user, _ = django_user_model.objects.get_or_create(username="analyst")
        _token, key = api_token_create(user=user, name="analyst", scopes=list(scopes), area=area)
        return Client(headers={"Authorization": f"Bearer {key}"})

    return make


def local(text: str) -> dt.datetime:
    return timezone.make_aware(dt.datetime.fromisoformat(text))
