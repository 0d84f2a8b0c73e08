"""The admin's map widget is a write path too: every broken geometry of the shared fuzz list is a
form error and stores nothing — never a 500, never a web process stuck in PROJ (Infinity or a
1e400 sent in the widget's Web Mercator once hung one)."""

import pytest
from django.contrib.gis.geos import Point, Polygon

from layers.buildings.models import Building
from layers.keysites.models import KeySite
from tests.trust.geometry_cases import BROKEN

# Cases that are broken whatever the CRS: the widget sends Web Mercator metres, where the
# fuzz list's out-of-range degrees are ordinary places.
CRS_INDEPENDENT = sorted(
    name
    for name in BROKEN
    if "out of range" not in name and name not in {"M in WKT", "mixed SRID in EWKT"}
)
LAYERS = {
    "Point": ("/admin/keysites/keysite/add/", KeySite, {"name": "gate", "kind": "entrance"}),
    "Polygon": (
        "/admin/buildings/building/add/",
        Building,
        {"floors": 1, "households": 0, "residents": 0, "use": "residential"},
    ),
}


@pytest.mark.parametrize(
    ("case", "kind"), [(case, kind) for case in CRS_INDEPENDENT for kind in BROKEN[case][0]]
)
def test_a_broken_geometry_is_a_form_error_and_nothing_is_stored(admin_client, case, kind):
    cases, _words = BROKEN[case]
    url, model, fields = LAYERS[kind]
    field = "location" if kind == "Point" else "footprint"
    response = admin_client.post(url, {**fields, field: cases[kind]})
    assert response.status_code == 200, response.status_code  # the form again, with its error
    assert response.context["adminform"].form.errors[field]
    assert not model.objects.exists()


def test_a_good_geometry_from_the_widget_is_stored_in_lonlat(admin_client):
    """The widget's Web Mercator arrives in storage as longitude/latitude, checked the same way."""
    place = Point(114.6, 34.5, srid=4326)
    place.transform(3857)
    url, model, fields = LAYERS["Point"]
    response = admin_client.post(url, {**fields, "location": place.json})
    assert response.status_code == 302, response.context["adminform"].form.errors
    stored = model.objects.get().location
    assert (stored.srid, round(stored.x, 9), round(stored.y, 9)) == (4326, 114.6, 34.5)

    square = Polygon.from_bbox((114.6, 34.5, 114.601, 34.501))
    square.srid = 4326
    square.transform(3857)
    url, model, fields = LAYERS["Polygon"]
    response = admin_client.post(url, {**fields, "footprint": square.json})
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert model.objects.get().footprint.extent == pytest.approx((114.6, 34.5, 114.601, 34.501))
