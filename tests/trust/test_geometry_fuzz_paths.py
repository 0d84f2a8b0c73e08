"""The shared broken geometries (tests/trust/geometry_cases.py) through every write path other
than the REST layers: imports (command, job worker; GeoJSON, CSV, GeoPackage, Shapefile), citizen
reports and Open311, dispute cases, claims, references and field visits, and coverage candidate
points. Each: a 4xx (or a refused import naming the row) saying what is wrong, never a 500,
and no table changed."""

import io
import json
import subprocess
import uuid

import pytest
from django.contrib.gis.geos import Point
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from rest_framework.test import APIClient

from layers.areas.models import AreaLevel
from layers.disputes import services as disputes
from layers.disputes.choices import PartyRole
from layers.disputes.models import Claim
from layers.incidents.models import Incident
from layers.transfer.tasks import import_layer_enqueue
from tests import factories as f
from tests.trust.geometry_cases import BROKEN, VILLAGE, X, Y, good

pytestmark = pytest.mark.django_db

# Tables every path below could write to; a refusal leaves each row count as it was.
TABLES = (
    "keysites_keysite",
    "buildings_building",
    "incidents_incident",
    "disputes_disputecase",
    "disputes_claim",
    "disputes_referenceboundary",
    "disputes_fieldvisit",
    "disputes_visitphoto",
    "jobs_jobrun",
    "audit_change",
)


def row_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            " UNION ALL ".join(f"SELECT '{table}', count(*) FROM {table}" for table in TABLES)
        )
        return dict(cursor.fetchall())


def cases(kind: str) -> list[str]:
    return [name for name, (texts, _words) in BROKEN.items() if kind in texts]


def assert_refused(response, before: dict, words: str = ""):
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:300])
    assert words in response.content.decode(), response.content[:300]
    assert row_counts() == before


@pytest.fixture
def county(db):
    county = f.small_county()
    f.area(VILLAGE, AreaLevel.VILLAGE, f.rectangle(X, Y, X + 0.001, Y + 0.001), county["east"])
    return county


@pytest.fixture
def writer(county, django_user_model):
    user = django_user_model.objects.create_superuser("writer", email=None, password=None)
    client = APIClient()
    client.force_authenticate(user)
    client.user = user
    return client


# ---- imports: the broken feature is row 2, after a good one; the file imports nothing.

IMPORT_LAYERS = {  # geometry kind → (layer, properties of a valid feature)
    "Point": ("key-sites", {"name": "gate", "kind": "entrance"}),
    "Polygon": ("buildings", {"use": "other"}),
}
# Where an import says it in other words than the REST API.
IMPORT_WORDS = {
    "self-intersection": "Self-intersection",
    "unclosed ring": "closed",
    "too short ring": "four points",
    "NaN": "finite",
    "Infinity": "finite",
    "overflowing number": "finite",
    "longitude out of range": "±180",
    "latitude out of range": "±90",
    "geometry collection": "GEOMETRYCOLLECTION",
    "Z value": "Z values",
    "wrong type": "LINESTRING",
    "nested too deep": "cannot be read",  # GDAL refuses the whole file
}


def geojson_file(path, kind: str, geometry_text: str):
    _layer, properties = IMPORT_LAYERS[kind]
    first = json.dumps(
        {"type": "Feature", "geometry": json.loads(good(kind)), "properties": properties}
    )
    second = feature_text(geometry_text, properties)
    path.write_text(f'{{"type": "FeatureCollection", "features": [{first}, {second}]}}')
    return path


def run_import(path, layer: str, **options) -> str:
    """What the import command said when it refused the file (it must refuse it)."""
    errors = io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command(
            "import_layer", str(path), layer=layer, stderr=errors, stdout=io.StringIO(), **options
        )
    return f"{refused.value}\n{errors.getvalue()}"


@pytest.mark.parametrize(
    ("kind", "name"), [(kind, name) for kind in IMPORT_LAYERS for name in cases(kind)]
)
def test_an_import_with_a_broken_geometry_names_the_row_and_imports_nothing(
    county, tmp_path, kind, name
):
    path = geojson_file(tmp_path / "broken.geojson", kind, BROKEN[name][0][kind])
    before = row_counts()
    said = run_import(path, IMPORT_LAYERS[kind][0])
    if name == "nested too deep":
        assert "nothing was imported" in said
    else:
        assert "1 bad rows" in said and "row 2: " in said, said
    assert IMPORT_WORDS.get(name, "") in said, said
    assert row_counts() == before


def test_an_import_with_too_many_vertices_names_the_limit(county, tmp_path, settings):
    settings.GISGOV_MAX_VERTICES = 100
    step = 0.001 / 50
    ring = (
        [[X + i * step, Y] for i in range(50)]
        + [[X + 0.001, Y + i * step] for i in range(50)]
        + [[X + 0.001 - i * step, Y + 0.001] for i in range(50)]
        + [[X, Y + 0.001 - i * step] for i in range(50)]
    )
    text = json.dumps({"type": "Polygon", "coordinates": [[*ring, ring[0]]]})
    path = geojson_file(tmp_path / "big.geojson", "Polygon", text)
    before = row_counts()
    said = run_import(path, "buildings")
    assert "row 2: the geometry has 201 vertices; at most 100 are accepted" in said
    assert row_counts() == before


@pytest.mark.parametrize(
    ("lon", "lat", "words"),
    [
        ("NaN", str(Y), "not a number"),
        ("inf", str(Y), "not a number"),
        ("1e400", str(Y), "not a number"),
        ("east", str(Y), "not a number"),
        (str(X + 200), str(Y), "±180"),
        (str(X), "95", "±90"),
        (str(X), "", "not a number"),
    ],
)
def test_a_csv_with_a_bad_coordinate_names_the_row_and_imports_nothing(
    county, tmp_path, lon, lat, words
):
    path = tmp_path / "sites.csv"
    path.write_text(f"name,kind,lon,lat\nok,entrance,{X},{Y}\nbad,entrance,{lon},{lat}\n")
    before = row_counts()
    said = run_import(path, "key-sites")
    assert "row 2: " in said and words in said, said
    assert row_counts() == before


@pytest.mark.parametrize("driver", ["GPKG", "ESRI Shapefile"])
@pytest.mark.parametrize("name", ["self-intersection", "Z value", "longitude out of range"])
def test_a_geopackage_or_shapefile_with_a_broken_polygon_imports_nothing(
    county, tmp_path, driver, name
):
    source = geojson_file(tmp_path / "source.geojson", "Polygon", BROKEN[name][0]["Polygon"])
    suffix = ".gpkg" if driver == "GPKG" else ".shp"
    target = tmp_path / f"buildings{suffix}"
    subprocess.run(
        [
            "ogr2ogr",
            "-f",
            driver,
            "-a_srs",
            "EPSG:4326",
            "-nln",
            "buildings",
            str(target),
            str(source),
        ],
        check=True,
        capture_output=True,
    )
    before = row_counts()
    said = run_import(target, "buildings")
    assert "row 2: " in said and IMPORT_WORDS[name] in said, said
    assert row_counts() == before


def test_a_crs_given_that_disagrees_with_the_files_is_refused(county, tmp_path):
    source = geojson_file(tmp_path / "source.geojson", "Polygon", good("Polygon"))
    target = tmp_path / "mercator.shp"
    subprocess.run(
        ["ogr2ogr", "-f", "ESRI Shapefile", "-t_srs", "EPSG:3857", str(target), str(source)],
        check=True,
        capture_output=True,
    )
    before = row_counts()
    said = run_import(target, "buildings", source_crs="EPSG:4326")
    assert "EPSG:3857" in said and "nothing was imported" in said, said
    assert row_counts() == before


@pytest.mark.django_db(transaction=True)
def test_a_queued_import_with_a_broken_geometry_records_the_row_and_imports_nothing(
    county, tmp_path, settings, run_worker
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    path = geojson_file(tmp_path / "broken.geojson", "Polygon", BROKEN["NaN"][0]["Polygon"])
    before = row_counts()
    job = import_layer_enqueue(path=path, layer="buildings")
    run_worker()
    job.refresh_from_db()
    assert job.status == "failed"
    assert job.result["bad_rows"] == 1 and job.result["unlisted_problems"] == 0
    [problem] = job.result["problems"]
    assert problem["row"] == 2 and "finite" in problem["reason"]
    after = row_counts()
    assert after.pop("jobs_jobrun") == before.pop("jobs_jobrun") + 1
    after.pop("audit_change"), before.pop("audit_change")  # the JobRun row is not audited
    assert after == before


# ---- citizen reports and Open311


@pytest.mark.parametrize("name", cases("Point"))
def test_a_citizen_report_with_a_broken_location_is_a_400(county, name):
    texts, words = BROKEN[name]
    body = (
        '{"category": "livelihood", "subcategory": "facilities", "title": "路灯",'
        f' "location": {texts["Point"]}}}'
    )
    before = row_counts()
    response = APIClient().generic("POST", "/api/v1/public/reports/", body, "application/json")
    assert_refused(response, before, words)


@pytest.mark.parametrize(
    ("lat", "long", "words"),
    [
        ("NaN", str(X), "finite"),
        (str(Y), "Infinity", "finite"),
        (str(Y), "1e400", "finite"),
        ("95", str(X), "±90"),
        (str(Y), "-200", "±180"),
        ("north", str(X), "lat and long"),
        ("", str(X), "lat and long"),
    ],
)
def test_an_open311_request_with_a_bad_position_is_a_400(county, lat, long, words):
    before = row_counts()
    response = APIClient().post(
        "/open311/v2/requests.json",
        {"service_code": "livelihood.facilities", "lat": lat, "long": long, "description": "灯"},
    )
    assert_refused(response, before, words)
    [error] = response.json()
    assert error["code"] == 400


# ---- disputes: cases, claims (Feature, file), references, field visits


@pytest.fixture
def case(writer, county):
    case = disputes.case_create(
        actor=writer.user,
        code="D-FUZZ",
        title="fuzz",
        kind="farmland",
        village=county["grids"][1].village,
        location=Point(X, Y, srid=4326),
        opened_on="2026-05-01",
    )
    case.party = disputes.party_add(
        case=case, actor=writer.user, name="王", role=PartyRole.CLAIMANT
    )
    return case


def feature_text(geometry_text: str, properties: dict) -> str:
    properties_text = json.dumps(properties)
    return f'{{"type": "Feature", "geometry": {geometry_text}, "properties": {properties_text}}}'


@pytest.mark.parametrize("name", cases("Point"))
def test_a_dispute_case_with_a_broken_location_is_a_400(writer, case, name):
    texts, words = BROKEN[name]
    properties = {
        "code": "D-FUZZ-2",
        "title": "fuzz",
        "kind": "farmland",
        "village": case.village.code,
        "opened_on": "2026-05-01",
    }
    before = row_counts()
    response = writer.generic(
        "POST",
        "/api/v1/disputes/cases/",
        feature_text(texts["Point"], properties),
        "application/json",
    )
    assert_refused(response, before, words)
    response = writer.generic(
        "PATCH",
        f"/api/v1/disputes/cases/{case.pk}/",
        f'{{"type": "Feature", "geometry": {texts["Point"]}}}',
        "application/json",
    )
    assert_refused(response, before)


@pytest.mark.parametrize("name", cases("Polygon"))
def test_a_claim_or_reference_with_a_broken_boundary_is_a_400(writer, case, name):
    texts, words = BROKEN[name]
    before = row_counts()
    claim = feature_text(texts["Polygon"], {"party": case.party.pk, "method": "drawn"})
    response = writer.generic(
        "POST", f"/api/v1/disputes/cases/{case.pk}/claims/", claim, "application/json"
    )
    assert_refused(response, before, words)
    reference = feature_text(
        texts["Polygon"], {"kind": "registration", "surveyed_on": "2020-01-01", "source": "县"}
    )
    response = writer.generic(
        "POST", f"/api/v1/disputes/cases/{case.pk}/references/", reference, "application/json"
    )
    assert_refused(response, before, words)


@pytest.mark.parametrize("name", cases("Polygon"))
def test_a_claim_file_with_a_broken_boundary_is_a_400(writer, case, tmp_path, name):
    path = geojson_file(tmp_path / "claim.geojson", "Polygon", BROKEN[name][0]["Polygon"])
    before = row_counts()
    response = writer.post(
        f"/api/v1/disputes/cases/{case.pk}/claims/",
        {"party": case.party.pk, "file": SimpleUploadedFile("claim.geojson", path.read_bytes())},
        format="multipart",
    )
    assert_refused(response, before)
    assert "file" in response.json()


@pytest.mark.parametrize(
    "point",
    [
        {"lon": "NaN", "lat": Y},
        {"lon": X, "lat": "Infinity"},
        {"lon": "1e400", "lat": Y},
        {"lon": X + 200, "lat": Y},
        {"lon": X, "lat": -91},
        {"lon": "east", "lat": Y},
        {"lon": None, "lat": Y},
        {"lon": [X], "lat": Y},
    ],
)
def test_a_field_visit_synced_with_a_bad_point_is_a_400(writer, case, point):
    body = {
        "idempotency_key": str(uuid.uuid4()),
        "purpose": "verification",
        "visited_at": "2026-06-01T09:30:00+08:00",
        "points": [{"lon": X, "lat": Y}, point],
        "case_version": case.version,
        "photos": [],
    }
    before = row_counts()
    response = writer.post(f"/api/v1/disputes/cases/{case.pk}/visits/", body, format="json")
    assert_refused(response, before)
    assert "points" in response.json()


def test_a_walked_boundary_that_crosses_itself_is_a_400(writer, case):
    bowtie = [(X, Y), (X + 0.001, Y + 0.001), (X + 0.001, Y), (X, Y + 0.001)]
    visit, _created = disputes.visit_record(
        case=case,
        officer=writer.user,
        idempotency_key=uuid.uuid4(),
        purpose="verification",
        visited_at="2026-06-01T09:30:00+08:00",
        points=[(lon, lat, None) for lon, lat in bowtie],
        notes="",
        case_version=case.version,
    )
    before = row_counts()
    response = writer.post(
        f"/api/v1/disputes/cases/{case.pk}/claims/",
        {"visit": str(visit.idempotency_key), "party": case.party.pk},
        format="json",
    )
    assert_refused(response, before, "Self-intersection")


# ---- coverage: candidate camera points


@pytest.mark.parametrize("name", cases("Point"))
def test_a_broken_candidate_point_is_a_400(writer, name):
    texts, _words = BROKEN[name]
    body = f'{{"area": "419821102201", "k": 1, "cell_side_m": 50, "candidates": {texts["Point"]}}}'
    before = row_counts()
    response = writer.generic("POST", "/api/v1/coverage/suggestions/", body, "application/json")
    assert_refused(response, before)
    assert "candidates" in response.content.decode() or "JSON" in response.content.decode()


def test_the_fuzz_fixtures_accept_good_input(writer, case, tmp_path):
    """The paths above refuse for the broken geometry, not for the rest of the request."""
    response = APIClient().generic(
        "POST",
        "/api/v1/public/reports/",
        '{"category": "livelihood", "subcategory": "facilities", "title": "路灯",'
        f' "location": {good("Point")}}}',
        "application/json",
    )
    assert response.status_code == 201, response.content
    response = APIClient().post(
        "/open311/v2/requests.json",
        {"service_code": "livelihood.facilities", "lat": Y, "long": X, "description": "灯"},
    )
    assert response.status_code == 201, response.content
    claim = feature_text(good("Polygon"), {"party": case.party.pk, "method": "drawn"})
    response = writer.generic(
        "POST", f"/api/v1/disputes/cases/{case.pk}/claims/", claim, "application/json"
    )
    assert response.status_code == 201, response.content
    path = geojson_file(tmp_path / "claim.geojson", "Polygon", good("Polygon"))
    response = writer.post(
        f"/api/v1/disputes/cases/{case.pk}/claims/",
        {"party": case.party.pk, "file": SimpleUploadedFile("claim.geojson", path.read_bytes())},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    assert Claim.objects.count() == 2 and Incident.objects.filter(source="citizen").count() == 2
