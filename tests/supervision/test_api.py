"""The HTTP contract the console codes against: JSON shapes, CSV, 400s and the access policy."""

import csv
import io

import pytest
from rest_framework.test import APIClient

from tests.supervision.conftest import WEST_GRID

pytestmark = pytest.mark.django_db

SUMMARY = "/api/v1/supervision/summary/"
RANKING = "/api/v1/supervision/ranking/"
OVERDUE = "/api/v1/supervision/overdue/"
METRIC_KEYS = {
    "total",
    "due",
    "resolved_on_time",
    "completion_rate",
    "overdue",
    "mean_handling_hours",
    "p90_handling_hours",
    "satisfaction",
}


@pytest.fixture
def reader(token_client, incidents, frozen_now):
    return token_client("read:incidents")


def test_summary_shape(reader):
    body = reader.get(SUMMARY, {"group_by": "area", "level": "township"}).json()
    assert body["group_by"] == "area"
    west = next(row for row in body["results"] if row["key"] == "419821101000")
    assert METRIC_KEYS | {"key", "label"} <= set(west)
    assert (west["total"], west["due"], west["completion_rate"], west["overdue"]) == (6, 4, 0.5, 1)
    assert (west["mean_handling_hours"], west["p90_handling_hours"]) == (2.0, 2.8)
    assert west["satisfaction"] == 3.67


def test_summary_by_period_with_filters(reader):
    body = reader.get(
        SUMMARY,
        {
            "group_by": "period",
            "period": "week",
            "from": "2026-11-01",
            "to": "2026-11-08",
            "category": "dispute,livelihood",
            "status": ["closed", "in_progress"],
            "area": "419821101",
        },
    ).json()
    assert [(row["key"], row["label"], row["total"]) for row in body["results"]] == [
        ("2026-10-26", "2026-W44", 1),  # incident 1 (closed), Sunday 1 November
        ("2026-11-02", "2026-W45", 1),  # incident 4 (in progress)
    ]


def test_labels_follow_the_language(reader):
    rows = reader.get(SUMMARY, {"group_by": "status"}, HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert rows["results"][0] == {**rows["results"][0], "key": "reported", "label": "已上报"}
    rows = reader.get(SUMMARY, {"group_by": "category"}, HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert rows["results"][0]["label"] == "矛盾纠纷"


def test_ranking_shape(reader):
    body = reader.get(RANKING, {"level": "township", "metric": "completion_rate"}).json()
    assert (body["level"], body["metric"]) == ("township", "completion_rate")
    first = body["results"][0]
    assert METRIC_KEYS | {"rank", "code", "name"} <= set(first)
    assert [(row["rank"], row["code"]) for row in body["results"]] == [
        (1, "419821102000"),
        (2, "419821101000"),
        (3, "419821103000"),
    ]
    grids = reader.get(RANKING, {"level": "grid", "metric": "overdue"}).json()["results"]
    assert [row["code"] for row in grids][-1] == WEST_GRID


def test_overdue_page(reader, incidents):
    body = reader.get(OVERDUE, {"limit": 10}).json()
    assert body["count"] == 1 and body["next"] is None and body["previous"] is None
    (row,) = body["results"]
    assert row["id"] == incidents["west"][3].pk
    assert row["hours_overdue"] == 244.0
    assert {"title", "category", "status", "deadline", "area_code", "area_name"} <= set(row)
    assert "lead_department_name" in row


def test_overdue_paging_links(reader, frozen_now, monkeypatch):
    from tests.supervision.conftest import local

    monkeypatch.setattr("django.utils.timezone.now", lambda: local(11, 26))
    first = reader.get(OVERDUE, {"limit": 1}).json()
    assert first["count"] == 2 and "offset=1" in first["next"] and first["previous"] is None
    second = reader.get(first["next"]).json()
    assert second["next"] is None and "offset" not in second["previous"]
    assert second["results"][0]["id"] != first["results"][0]["id"]


def read_csv(response):
    body = response.content
    assert body.startswith("\ufeff".encode())
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def test_csv_exports(reader):
    response = reader.get(SUMMARY, {"group_by": "category", "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == ('attachment; filename="supervision-category.csv"')
    rows = read_csv(response)
    assert rows[0]["key"] == "dispute" and rows[0]["total"] == "6"
    assert rows[0]["completion_rate"] == "0.5" and rows[0]["label"] == "Dispute (矛盾纠纷)"

    zh = reader.get(
        RANKING,
        {"level": "township", "metric": "total", "format": "csv"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert "supervision-ranking-township-total.csv" in zh["Content-Disposition"]
    assert read_csv(zh)[0]["code"] == "419821102000"

    overdue = read_csv(reader.get(OVERDUE, {"format": "csv"}))
    assert len(overdue) == 1 and overdue[0]["area_code"] == "419821101201"


@pytest.mark.parametrize(
    ("url", "params", "named"),
    [
        (SUMMARY, {}, "group_by"),
        (SUMMARY, {"group_by": "weather"}, "group_by"),
        (SUMMARY, {"group_by": "area", "level": "province"}, "level"),
        (SUMMARY, {"group_by": "period", "period": "year"}, "period"),
        (SUMMARY, {"group_by": "category", "from": "2026-13-01"}, "from"),
        (SUMMARY, {"group_by": "category", "to": "20261101"}, "to"),
        (SUMMARY, {"group_by": "category", "from": "2026-11-02", "to": "2026-11-01"}, "to"),
        (SUMMARY, {"group_by": "category", "category": "dispute,weather"}, "category"),
        (SUMMARY, {"group_by": "category", "status": "lost"}, "status"),
        (SUMMARY, {"group_by": "category", "area": "41982110"}, "area"),
        (SUMMARY, {"group_by": "period", "period": "day", "from": "1900-01-01"}, "period"),
        (RANKING, {"level": "township"}, "metric"),
        (RANKING, {"metric": "total"}, "level"),
        (RANKING, {"level": "township", "metric": "due"}, "metric"),
        (OVERDUE, {"limit": "0"}, "limit"),
        (OVERDUE, {"limit": "5000"}, "limit"),
        (OVERDUE, {"offset": "-1"}, "offset"),
        (OVERDUE, {"area": "x"}, "area"),
    ],
)
def test_a_bad_parameter_is_a_400_naming_it(reader, url, params, named):
    response = reader.get(url, params)
    assert response.status_code == 400, response.content
    assert named in response.json()
    as_csv = reader.get(url, {**params, "format": "csv"})
    assert as_csv.status_code == 400 and named in as_csv.json()


def test_a_token_limited_to_a_township_sees_only_inside_it(token_client, places, incidents):
    west_only = token_client("read:incidents", area=places["west"])
    categories = west_only.get(SUMMARY, {"group_by": "category"}).json()["results"]
    assert {row["key"]: row["total"] for row in categories if row["total"]} == {"dispute": 6}
    townships = west_only.get(RANKING, {"level": "township", "metric": "total"}).json()
    assert [row["code"] for row in townships["results"]] == ["419821101000"]
    # Its county is ranked on the township's incidents alone.
    counties = west_only.get(RANKING, {"level": "county", "metric": "total"}).json()["results"]
    assert [(row["code"], row["total"]) for row in counties] == [("419821000000", 6)]
    grids = west_only.get(SUMMARY, {"group_by": "area", "level": "grid"}).json()["results"]
    assert [row["key"] for row in grids] == [WEST_GRID]
    east_only = token_client("read:incidents", area=places["east"])
    assert east_only.get(OVERDUE).json()["count"] == 0
    # Asking for another township's area gives nothing of it.
    asked = east_only.get(SUMMARY, {"group_by": "category", "area": "419821101000"}).json()
    assert sum(row["total"] for row in asked["results"]) == 0


def test_incidents_are_not_public(incidents, token_client):
    for url, params in (
        (SUMMARY, {"group_by": "category"}),
        (RANKING, {"level": "county", "metric": "total"}),
        (OVERDUE, {}),
    ):
        assert APIClient().get(url, params).status_code == 401
        assert token_client("read:grids").get(url, params).status_code == 403
        assert token_client("read:grids").get(url, {**params, "format": "csv"}).status_code == 403


def test_a_logged_in_user_reads_everything(incidents, frozen_now, django_user_model):
    client = APIClient()
    client.force_authenticate(django_user_model.objects.create_user("clerk"))
    body = client.get(RANKING, {"level": "county", "metric": "overdue"}).json()
    assert body["results"][0]["total"] == 13


def test_the_analytics_only_read(reader):
    assert reader.post(SUMMARY, {"group_by": "category"}).status_code == 405
    assert reader.delete(OVERDUE).status_code == 405
