"""The disputes API: a case built from uploads, compared, its history, access and bad input."""

import io
import json
import zipfile

import pytest
from django.contrib.gis.geos import GEOSGeometry
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from layers.disputes.models import Claim, DisputeCase, HistoryEntry, ReferenceBoundary
from tests.disputes.conftest import LAT, LON, square
from tests.transfer.factories import ogr2ogr

pytestmark = pytest.mark.django_db

CASES = "/api/v1/disputes/cases/"


def geojson_file(geometry, name="claim.geojson", crs=None):
    collection = {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": {}, "geometry": json.loads(geometry.json)}],
    }
    if crs:
        collection["crs"] = {"type": "name", "properties": {"name": crs}}
    return SimpleUploadedFile(name, json.dumps(collection).encode())


def kml_file(geometry):
    ring = " ".join(f"{x},{y}" for x, y in geometry[0][0].coords)
    body = (
        '<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2">'
        "<Document><Placemark><Polygon><outerBoundaryIs><LinearRing><coordinates>"
        f"{ring}</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>"
        "</Document></kml>"
    )
    return SimpleUploadedFile("walk.kml", body.encode())


def shapefile_zip(geometry, tmp_path, srid: int) -> SimpleUploadedFile:
    """A zipped Shapefile (with its .prj) of the boundary, written in EPSG:`srid`."""
    source = tmp_path / "source.geojson"
    source.write_bytes(geojson_file(geometry).read())
    target = tmp_path / "claim.shp"
    ogr2ogr("-t_srs", f"EPSG:{srid}", str(target), str(source))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for part in tmp_path.glob("claim.*"):
            archive.write(part, part.name)
    return SimpleUploadedFile("claim.zip", buffer.getvalue())


def test_a_case_is_built_from_uploads_and_compared(client_for, clerk, officer, village, tmp_path):
    client = client_for(clerk)
    created = client.post(
        CASES,
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [LON, LAT]},
            "properties": {
                "code": "D-1",
                "title": "north field",
                "kind": "farmland",
                "village": village.code,
                "opened_on": "2026-04-02",
                "mediator": "clerk",
                "officers": ["officer"],
            },
        },
        format="json",
    )
    assert created.status_code == 201, created.data
    assert created.data["properties"]["officers"] == ["officer"]
    case_url = f"{CASES}{created.data['id']}/"
    wang = client.post(f"{case_url}parties/", {"name": "王", "role": "claimant"}, format="json")
    li = client.post(f"{case_url}parties/", {"name": "李", "role": "respondent"}, format="json")
    assert (wang.status_code, li.status_code) == (201, 201)

    drawn = client.post(
        f"{case_url}claims/",
        {
            "type": "Feature",
            "geometry": json.loads(square(LON, LAT, 0.001).json),
            "properties": {"party": wang.data["id"], "method": "drawn"},
        },
        format="json",
    )
    assert drawn.status_code == 201, drawn.data
    walked = client.post(
        f"{case_url}claims/",
        {"file": kml_file(square(LON + 0.0001, LAT, 0.001)), "party": li.data["id"]},
        format="multipart",
    )
    assert walked.status_code == 201, walked.data
    reference = client.post(
        f"{case_url}references/",
        {
            "file": geojson_file(
                square(LON, LAT, 0.001).transform(4547, clone=True), crs="EPSG:4547"
            ),
            "kind": "contract_land",
            "surveyed_on": "2010-05-01",
            "source": "2010 确权登记",
            "document": SimpleUploadedFile("certificate.pdf", b"%PDF-1.4 test"),
        },
        format="multipart",
    )
    assert reference.status_code == 201, reference.data
    assert reference.data["properties"]["version"] == 1

    comparison = client.get(f"{case_url}comparison/")
    body = comparison.json()

    assert comparison.status_code == 200

    assert body["srid"] == 4547  # 114.6E lies in the zone whose central meridian is 114E
    assert [(p["relation"]) for p in body["pairs"]] == [
        "claim-claim",
        "claim-reference",
        "claim-reference",
    ]
    claim_vs_claim = body["pairs"][0]
    # The claims are 0.001° squares 0.0001° apart in longitude: ~9.2 m at 34.5°N.
    assert claim_vs_claim["largest_offset_m"] == pytest.approx(9.18, abs=0.05)
    assert claim_vs_claim["iou"] == pytest.approx(0.9 / 1.1, abs=0.002)
    strips = claim_vs_claim["strips"]["features"]
    assert len(strips) == 2
    # Strips come back in lon/lat: Wang's strip is the western 0.0001° of his square
    # (~9.2 m × 111 m; in metres the squares' top edges are chords that meet at a hair's angle).
    west = next(s for s in strips if s["properties"]["side"] == f"claim:{drawn.data['id']}")
    assert west["properties"]["area_m2"] == pytest.approx(9.18 * 110.9, rel=0.01)
    strip = GEOSGeometry(json.dumps(west["geometry"]))
    assert strip.centroid.x == pytest.approx(LON + 0.00005, abs=1e-6)
    # The reference was sent in EPSG:4547 and moved to storage: it matches Wang's claim.
    wang_vs_reference = body["pairs"][1]
    assert wang_vs_reference["iou"] == pytest.approx(1, abs=1e-6)
    assert body["timeline"][0]["surveyed_on"] == "2010-05-01"


def test_a_zipped_shapefile_in_a_projected_crs_becomes_a_claim(client_for, clerk, case, tmp_path):
    party = case.parties.first()
    boundary = square(LON + 0.002, LAT, 0.0005)

    response = client_for(clerk).post(
        f"{CASES}{case.pk}/claims/",
        {"file": shapefile_zip(boundary, tmp_path, 32650), "party": party.pk},
        format="multipart",
    )

    assert response.status_code == 201, response.data
    claim = Claim.objects.get(pk=response.data["id"])
    assert claim.method == "uploaded"
    assert claim.source_file.name.endswith(".zip")
    # Read back from UTM 50N: the same square to well under a centimetre (1e-7 degrees).
    assert claim.boundary.equals_exact(boundary, tolerance=1e-7)


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (
            {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]},
            "Invalid geometry",
        ),
        ({"type": "Point", "coordinates": [LON, LAT]}, "Expected a MultiPolygon"),
        (
            {"type": "Polygon", "coordinates": [[[400, 0], [401, 0], [401, 1], [400, 0]]]},
            "outside longitude",
        ),
    ],
)
def test_a_bad_boundary_is_refused_with_its_reason(client_for, clerk, case, body, problem):
    before = Claim.objects.count()

    response = client_for(clerk).post(
        f"{CASES}{case.pk}/claims/",
        {
            "type": "Feature",
            "geometry": body,
            "properties": {"party": case.parties.first().pk, "method": "drawn"},
        },
        format="json",
    )

    assert response.status_code == 400
    assert problem in json.dumps(response.data, ensure_ascii=False)
    assert Claim.objects.count() == before


def test_a_file_that_is_not_a_boundary_is_refused(client_for, clerk, case):
    client = client_for(clerk)
    party = case.parties.first().pk
    not_vector = client.post(
        f"{CASES}{case.pk}/claims/",
        {"file": SimpleUploadedFile("claim.geojson", b"{not json"), "party": party},
        format="multipart",
    )
    points_only = client.post(
        f"{CASES}{case.pk}/claims/",
        {"file": SimpleUploadedFile("claim.txt", b"x"), "party": party},
        format="multipart",
    )
    assert not_vector.status_code == 400
    assert "cannot be read" in str(not_vector.data)
    assert points_only.status_code == 400
    assert ".geojson" in str(points_only.data)


def test_another_case_party_cannot_claim(client_for, clerk, case, village):
    from layers.disputes import services

    other = services.case_create(
        actor=clerk,
        code="D-2",
        title="t",
        kind="forest",
        village=village,
        location=case.location,
        opened_on="2026-01-01",
    )
    response = client_for(clerk).post(
        f"{CASES}{other.pk}/claims/",
        {
            "type": "Feature",
            "geometry": json.loads(square(LON, LAT, 0.001)[0].json),
            "properties": {"party": case.parties.first().pk, "method": "drawn"},
        },
        format="json",
    )
    assert response.status_code == 400
    assert "does not belong" in str(response.data)


def test_every_change_keeps_its_history_with_who_made_it(client_for, clerk, case):
    client = client_for(clerk)
    response = client.patch(
        f"{CASES}{case.pk}/",
        {"type": "Feature", "properties": {"status": "mediating"}},
        format="json",
    )
    assert response.status_code == 200, response.data

    history = client.get(f"{CASES}{case.pk}/history/").data

    tables = [(entry["table"], entry["operation"]) for entry in history]
    assert ("disputes_claim", "INSERT") in tables
    assert tables.count(("disputes_referenceboundary", "INSERT")) == 2
    updates = [
        e for e in history if e["table"] == "disputes_disputecase" and e["operation"] == "UPDATE"
    ]
    assert updates[-1]["row"]["status"] == "mediating"
    assert {e["actor"] for e in history} == {"clerk"}
    # The history cannot be rewritten.
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        HistoryEntry.objects.filter(row_id=case.pk).delete()


def test_disputes_are_not_public(case):
    response = APIClient().get(CASES)
    assert response.status_code == 401
    assert APIClient().get(f"{CASES}{case.pk}/comparison/").status_code == 401


def test_an_officer_reads_cases_but_cannot_change_them(client_for, officer, case):
    client = client_for(officer)
    mine = client.get(CASES, {"mine": "true"})
    assert mine.status_code == 200
    assert [f["id"] for f in json.loads(mine.content)["features"]] == [case.pk]
    refused = client.post(
        f"{CASES}{case.pk}/references/",
        {
            "type": "Feature",
            "geometry": json.loads(square(LON, LAT, 0.001).json),
            "properties": {"kind": "survey", "surveyed_on": "2020-01-01", "source": "x"},
        },
        format="json",
    )
    assert refused.status_code == 403
    assert ReferenceBoundary.objects.filter(case=case).count() == 2
    assert DisputeCase.objects.get(pk=case.pk).version == case.version


def test_a_case_with_one_boundary_compares_to_nothing(client_for, clerk, village):
    from django.contrib.gis.geos import Point

    from layers.disputes import services

    lone = services.case_create(
        actor=clerk,
        code="D-3",
        title="t",
        kind="homestead",
        village=village,
        location=Point(LON, LAT, srid=4326),
        opened_on="2026-01-01",
    )
    party = services.party_add(case=lone, actor=clerk, name="赵", role="claimant")
    services.claim_add(
        case=lone, actor=clerk, party=party, boundary=square(LON, LAT, 0.001), method="drawn"
    )

    response = client_for(clerk).get(f"{CASES}{lone.pk}/comparison/")

    assert response.status_code == 200
    assert response.json()["pairs"] == []
    assert len(response.json()["boundaries"]) == 1


def test_a_token_limited_to_another_township_sees_no_case(clerk, case, village):
    from layers.access.services import api_token_create
    from layers.areas.models import AdminArea, AreaLevel

    township = village.parent
    elsewhere = AdminArea.objects.create(
        code="419821109000",
        name="elsewhere",
        level=AreaLevel.TOWNSHIP,
        parent=township.parent,
        geom=township.geom,
    )

    def client(area):
        _token, key = api_token_create(
            user=clerk, name=f"court {area.code}", scopes=["read:disputes"], area=area
        )
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        return api

    inside, outside = client(township), client(elsewhere)

    assert [f["id"] for f in json.loads(inside.get(CASES).content)["features"]] == [case.pk]
    assert json.loads(outside.get(CASES).content)["features"] == []
    assert outside.get(f"{CASES}{case.pk}/comparison/").status_code == 404
