import re

import pytest

from tests import factories as f
from tests.factories import LAT, LON

pytestmark = pytest.mark.django_db

# Anything the browser would fetch from elsewhere: a script, a stylesheet, an image, a tile.
# (Leaflet's attribution is a plain link a person may click, not a fetch.)
EXTERNAL_FETCH = re.compile(
    r"""<(script|link|img)[^>]+(src|href)\s*=\s*["']?(https?:)?//|url\(["']?(https?:)?//|tileLayer\("""
)


def assert_offline(page: str):
    assert "L.map(" in page or "L.map (" in page
    assert EXTERNAL_FETCH.search(page) is None


def test_topology_map_fills_each_problem_and_works_offline(client, unchecked_grids, village):
    f.grid("419821101201001", village, f.rectangle(LON - 0.1, LAT - 0.1, LON, LAT + 0.1))
    response = client.get("/api/v1/grids/topology/", {"area": village.code, "format": "html"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert_offline(page)
    assert "419821101201001" in page
    assert "#d7191c" in page  # the gap is drawn in the problem colour
    assert "gap" in page


# Workload counts incidents, which are never public: these read it logged in.
def test_workload_choropleth_colours_grids_by_deviation_and_tables_them(admin_client, tiled):
    village, west, east = tiled
    f.building(LON - 0.05, LAT, households=30)
    f.building(LON + 0.05, LAT, households=10)
    response = admin_client.get("/api/v1/grids/workload/", {"area": village.code, "format": "html"})
    assert response.status_code == 200
    page = response.content.decode()
    assert_offline(page)
    assert "<table" in page and west.code in page and east.code in page
    # West holds far more than the mean, east far less: the two ends of the colour scale.
    assert "#b2182b" in page and "#2166ac" in page


def test_workload_json_is_unchanged_by_the_html_renderer(admin_client, tiled):
    village, *_ = tiled
    response = admin_client.get("/api/v1/grids/workload/", {"area": village.code})
    assert response.status_code == 200
    assert response.json()["type"] == "FeatureCollection"


def test_an_html_map_without_an_area_is_a_400(admin_client):
    response = admin_client.get("/api/v1/grids/workload/", {"format": "html"})
    assert response.status_code == 400
