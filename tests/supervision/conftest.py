"""Hand-made incidents with known answers, seen from a frozen `NOW` (Asia/Shanghai, +08:00).

West township (grid W), disputes, November 2026:
  1 closed      reported 11-01 08:00, deadline 11-03 08:00, resolved +1 h  on time, rated 5
  2 evaluated   reported 11-02 08:00, deadline 11-04 08:00, resolved +2 h  on time, rated 4
  3 resolved    reported 11-03 08:00, deadline 11-03 10:00, resolved +3 h  late,    rated 2
  4 in progress reported 11-04 08:00, deadline 11-10 08:00: overdue at NOW (due, not on time)
  5 dispatched  reported 11-05 08:00, deadline 11-25 08:00: not due yet
  6 rejected    reported 11-06 08:00, no deadline: never due
East township (grid E), livelihood requests, October 2026: seven resolved 4, 5, … 10 hours
after report, each an hour before its deadline, unrated.
A third township has no incident at all.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from rest_framework.test import APIClient

from layers.access.services import api_token_create
from layers.areas.models import AreaLevel
from layers.incidents.models import Incident, IncidentEvent
from tests import factories as f
from tests.factories import LAT, LON

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=SHANGHAI)
WEST_GRID = "419821101201001"
EAST_GRID = "419821102201001"


def local(month: int, day: int, hour: int = 8, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


def handled(lon, lat, *, reported_at, deadline=None, status, resolved_after=None, **fields):
    """An incident in a given state; a resolve event `resolved_after` its report (set-up written
    straight to the tables, as the bulk loaders and imports do)."""
    incident = f.incident(
        lon, lat, reported_at=reported_at, deadline=deadline, status=status, **fields
    )
    if resolved_after is not None:
        resolve(incident, reported_at + resolved_after)
    return incident


def resolve(incident: Incident, at: datetime) -> None:
    IncidentEvent.objects.create(
        incident=incident, at=at, action="resolve", from_state="in_progress", to_state="resolved"
    )


@pytest.fixture
def places(db):
    county, west, west_village = f.county_with_village()
    east = f.area(
        "419821102000",
        AreaLevel.TOWNSHIP,
        f.rectangle(LON + 0.2, LAT - 0.2, LON + 0.3, LAT + 0.2),
        county,
    )
    east_village = f.area(
        "419821102201",
        AreaLevel.VILLAGE,
        f.rectangle(LON + 0.2, LAT - 0.1, LON + 0.3, LAT + 0.1),
        east,
    )
    quiet = f.area(
        "419821103000",
        AreaLevel.TOWNSHIP,
        f.rectangle(LON - 0.3, LAT - 0.3, LON - 0.2, LAT + 0.3),
        county,
    )
    f.grid(WEST_GRID, west_village, f.rectangle(LON - 0.1, LAT - 0.1, LON + 0.1, LAT + 0.1))
    f.grid(EAST_GRID, east_village, f.rectangle(LON + 0.2, LAT - 0.1, LON + 0.3, LAT + 0.1))
    return {"county": county, "west": west, "east": east, "quiet": quiet}


@pytest.fixture
def incidents(places):
    hour = timedelta(hours=1)
    west = [
        handled(
            LON,
            LAT,
            reported_at=local(11, 1),
            deadline=local(11, 3),
            status="closed",
            resolved_after=1 * hour,
            rating=5,
        ),
        handled(
            LON,
            LAT,
            reported_at=local(11, 2),
            deadline=local(11, 4),
            status="evaluated",
            resolved_after=2 * hour,
            rating=4,
        ),
        handled(
            LON,
            LAT,
            reported_at=local(11, 3),
            deadline=local(11, 3, 10),
            status="resolved",
            resolved_after=3 * hour,
            rating=2,
        ),
        handled(LON, LAT, reported_at=local(11, 4), deadline=local(11, 10), status="in_progress"),
        handled(LON, LAT, reported_at=local(11, 5), deadline=local(11, 25), status="dispatched"),
        handled(LON, LAT, reported_at=local(11, 6), status="rejected"),
    ]
    east = [
        handled(
            LON + 0.25,
            LAT,
            reported_at=local(10, day),
            deadline=local(10, day) + (hours + 1) * hour,
            status="closed",
            resolved_after=hours * hour,
            category="livelihood",
            subcategory="utilities",
            title=f"东区 {hours}",
        )
        for day, hours in zip(range(1, 8), range(4, 11), strict=True)
    ]
    return {"west": west, "east": east}


@pytest.fixture
def token_client(django_user_model):
    """A client with a token of these scopes, optionally limited to an area."""

    def make(*scopes, area=None):
        user, _ = django_user_model.objects.get_or_create(
            username="system", defaults={"is_superuser": True}
        )
        _token, key = api_token_create(user=user, name="console", scopes=list(scopes), area=area)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        return client

    return make


@pytest.fixture
def frozen_now(monkeypatch):
    """The API asks the clock for `now`; here it reads NOW."""
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW)
    return NOW
