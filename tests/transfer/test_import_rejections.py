"""A file with any bad row imports nothing and names every bad row with its reason."""

import io

import pytest
from django.core.management import CommandError, call_command

from layers.areas.models import AdminArea
from layers.buildings.models import Building
from layers.cameras.models import CameraSite
from layers.departments.models import Department, DepartmentKind
from layers.grids.models import Grid
from layers.incidents.models import Incident
from layers.transfer.errors import ImportRejected
from layers.transfer.services import layer_import
from tests.transfer.factories import (
    BOWTIE,
    SPIKE,
    VILLAGE,
    box,
    feature,
    point,
    write_csv,
    write_geojson,
)

pytestmark = pytest.mark.django_db

TWO_PARTS = {
    "type": "MultiPolygon",
    "coordinates": [
        box(114.285, 34.785, 114.286, 34.786)["coordinates"],
        box(114.287, 34.785, 114.288, 34.786)["coordinates"],
    ],
}


def building(geometry=None, **properties):
    return feature(
        geometry or box(114.285, 34.785, 114.286, 34.786), **{"use": "other", **properties}
    )


def camera(code, geometry=None, **properties):
    defaults = {
        "code": code,
        "name": "杆",
        "kind": "other",
        "azimuth": 0,
        "field_of_view": 90,
        "range_m": 50,
    }
    return feature(geometry or point(114.29, 34.79), **{**defaults, **properties})


def rejected_rows(tmp_path, layer, features, **options) -> list[tuple[int, str]]:
    path = write_geojson(tmp_path / f"{layer}.geojson", features)
    with pytest.raises(ImportRejected) as rejected:
        layer_import(path=path, layer=layer, **options)
    return [(problem.row, problem.reason) for problem in rejected.value.problems]


def model_counts():
    return [model.objects.count() for model in (AdminArea, Grid, Building, CameraSite, Incident)]


def test_one_self_intersecting_polygon_imports_nothing_and_names_row_and_reason(division, tmp_path):
    rows = rejected_rows(
        tmp_path, "buildings", [building(address="a"), building(BOWTIE, address="b"), building()]
    )

    assert rows == [(2, "invalid geometry: Self-intersection[114.2855 34.7855]")]
    assert not Building.objects.exists()


@pytest.mark.parametrize(
    ("layer", "bad_feature", "reason"),
    [
        (
            "buildings",
            building({"type": "LineString", "coordinates": [[114.28, 34.78], [114.29, 34.79]]}),
            "a LINESTRING geometry; this layer takes POLYGON",
        ),
        (
            "buildings",
            building(TWO_PARTS),
            "a multi-part geometry of 2 parts; this layer takes a single POLYGON",
        ),
        ("buildings", feature(None, use="other"), "the feature has no geometry"),
        (
            "buildings",
            building({"type": "GeometryCollection", "geometries": []}),
            "the geometry is empty",
        ),
        (
            "buildings",
            building(box(180.5, 34.0, 181.0, 34.5)),
            "coordinates outside longitude ±180 / latitude ±90 after reading them as EPSG:4326"
            " (extent BOX(180.5 34,181 34.5))",
        ),
        ("buildings", building(floors=0), "floors: 0 is outside [1, 32767]"),
        ("buildings", building(floors="2.5"), 'floors: "2.5" is not a whole number'),
        (
            "buildings",
            building(use="palace"),
            'use: "palace" is not one of residential, mixed,'
            " commercial, public, industrial, agricultural, other",
        ),
        ("cameras", camera("C-2", name=None), "name is required"),
        ("cameras", camera("C-2", azimuth="north"), 'azimuth: "north" is not a number'),
        ("cameras", camera("C-2", azimuth=360), "azimuth: 360 is outside [0, 360)"),
        ("cameras", camera("C-2", range_m=0), "range_m: 0 is outside (0, 5000]"),
        (
            "cameras",
            camera("C-2", installed_on="2024-13-45"),
            'installed_on: "2024-13-45" is not a date (YYYY-MM-DD)',
        ),
        (
            "cameras",
            camera("C-2", department="警务室"),
            'department: no department has name "警务室"',
        ),
        ("cameras", camera("C-" + "9" * 40), "code is longer than 32 characters"),
        (
            "grids",
            feature(
                box(114.30, 34.78, 114.32, 34.80),
                code="G-9",
                name="网格",
                village_code="410102001999",
                kind="basic",
            ),
            'village_code: no village or community has code "410102001999"',
        ),
        # A township is an area, but not the village a grid must lie in.
        (
            "grids",
            feature(
                box(114.30, 34.78, 114.32, 34.80),
                code="G-9",
                name="网格",
                village_code="410102001000",
                kind="basic",
            ),
            'village_code: no village or community has code "410102001000"',
        ),
        (
            "grids",
            feature(
                box(114.30, 34.78, 114.32, 34.80),
                code="G-9",
                name="网格",
                village_code=VILLAGE,
                kind="exclusive",
            ),
            "exclusive grids, and only they, have an exclusive_type (kind is exclusive)",
        ),
        (
            "grids",
            feature(
                box(114.30, 34.78, 114.32, 34.80),
                code="G-001",
                name="网格",
                village_code=VILLAGE,
                kind="basic",
            ),
            'code "G-001" already exists in the database',
        ),
        (
            "areas",
            feature(box(114.36, 34.86, 114.37, 34.87), code="41010200200", name="村", level=5),
            "division code 41010200200 is not exactly 12 digits",
        ),
        (
            "areas",
            feature(box(114.36, 34.86, 114.37, 34.87), code="410102002000", name="乡", level=6),
            'level: "6" is not one of 1, 2, 3, 4, 5',
        ),
        (
            "areas",
            feature(
                box(114.36, 34.86, 114.37, 34.87),
                code="410102002000",
                name="乡",
                level=3,
                parent_code="410102001001",
            ),
            "parent 410102001001 is not a wider level than the area itself",
        ),
        (
            "incidents",
            feature(
                point(114.29, 34.79),
                category="dispute",
                subcategory="fire",
                source="patrol",
                title="t",
                reported_at="2024-05-01 10:00",
            ),
            "category/subcategory dispute/fire: the subcategory is not of that category",
        ),
        (
            "incidents",
            feature(
                point(114.29, 34.79),
                category="dispute",
                subcategory="family",
                source="patrol",
                title="t",
                reported_at="yesterday",
            ),
            'reported_at: "yesterday" is not a date and time (YYYY-MM-DD HH:MM[:SS][+HH:MM])',
        ),
    ],
)
def test_each_kind_of_bad_row_is_reported_with_its_row_number(
    division, tmp_path, layer, bad_feature, reason
):
    good = {
        "buildings": building(),
        "cameras": camera("C-1"),
        "grids": feature(
            box(114.30, 34.80, 114.32, 34.82),
            code="G-8",
            name="网格",
            village_code=VILLAGE,
            kind="basic",
        ),
        "areas": feature(
            box(114.36, 34.86, 114.37, 34.87), code="410102003000", name="乡", level=4
        ),
        "incidents": feature(
            point(114.29, 34.79),
            category="dispute",
            subcategory="family",
            source="patrol",
            title="t",
            reported_at="2024-05-01 10:00",
        ),
    }[layer]
    counts_before = model_counts()

    assert rejected_rows(tmp_path, layer, [good, bad_feature]) == [(2, reason)]
    assert model_counts() == counts_before


def test_duplicate_codes_in_the_file_are_reported_on_every_row(division, tmp_path):
    rows = rejected_rows(tmp_path, "cameras", [camera("C-1"), camera("C-2"), camera("C-1")])

    message = 'code "C-1" appears on more than one row of the file'
    assert rows == [(1, message), (3, message)]


def test_a_department_name_two_departments_share_is_ambiguous(division, tmp_path):
    Department.objects.create(
        name="北书店派出所", kind=DepartmentKind.POLICE_STATION, area=division.county
    )

    rows = rejected_rows(tmp_path, "cameras", [camera("C-1", department="北书店派出所")])

    assert rows == [(1, 'department: more than one department has name "北书店派出所"')]


def test_every_bad_row_is_listed_with_every_reason(division, tmp_path):
    rows = rejected_rows(
        tmp_path,
        "cameras",
        [
            camera("C-1", kind="webcam"),
            camera("C-2"),
            camera("C-3", point(114.29, 95.0), azimuth=-1),
            camera("C-4", name=None, field_of_view=400),
        ],
    )

    assert [row for row, _reason in rows] == [1, 3, 3, 4, 4]
    assert rows[0][1].startswith('kind: "webcam" is not one of sharp_eyes')
    assert rows[1][1].startswith("coordinates outside longitude ±180 / latitude ±90")
    assert rows[2][1] == "azimuth: -1 is outside [0, 360)"
    assert rows[3][1] == "name is required"
    assert rows[4][1] == "field_of_view: 400 is outside (0, 360]"


def test_a_bad_csv_coordinate_is_reported_once_with_its_text(division, tmp_path):
    path = write_csv(
        tmp_path / "sites.csv",
        ["name", "kind", "lon", "lat"],
        ["a", "other", 114.29, 34.79],
        ["b", "other", "114.3E", 34.79],
        ["c", "other", 114.29, "nan"],
    )

    with pytest.raises(ImportRejected) as rejected:
        layer_import(path=path, layer="key-sites")

    assert [(p.row, p.reason) for p in rejected.value.problems] == [
        (2, "lon '114.3E' is not a number"),
        (3, "lat 'nan' is not a number"),
    ]


def test_fix_invalid_repairs_the_geometry_and_lists_the_row(division, tmp_path):
    path = write_geojson(
        tmp_path / "buildings.geojson", [building(address="a"), building(SPIKE, address="b")]
    )

    report = layer_import(path=path, layer="buildings", fix_invalid=True)

    assert report.created == 2
    assert [(fix.row, fix.reason) for fix in report.repaired] == [
        (2, "repaired invalid geometry: Ring Self-intersection[114.286 34.786]")
    ]
    repaired = Building.objects.get(address="b").footprint
    assert repaired.valid
    assert repaired.area == pytest.approx(0.001 * 0.001)


def test_fix_invalid_splits_a_bowtie_area_into_a_two_part_multipolygon(division, tmp_path):
    path = write_geojson(
        tmp_path / "areas.geojson",
        [feature(BOWTIE, code="410102002000", name="乡", level=4)],
    )

    report = layer_import(path=path, layer="areas", fix_invalid=True)

    assert [fix.row for fix in report.repaired] == [1]
    assert len(AdminArea.objects.get(code="410102002000").geom) == 2


def test_fix_invalid_cannot_make_one_polygon_of_a_bowtie(division, tmp_path):
    rows = rejected_rows(tmp_path, "buildings", [building(BOWTIE)], fix_invalid=True)

    assert rows == [
        (
            1,
            "invalid geometry (Self-intersection[114.2855 34.7855]) that ST_MakeValid cannot"
            " turn into one POLYGON",
        )
    ]


def test_a_huge_bad_file_lists_the_first_problems_and_counts_them_all(division, tmp_path, settings):
    settings.GISGOV_IMPORT_LISTED_PROBLEMS = 100
    rows = [[f"site {n}", "other", "east", "north"] for n in range(5000)]
    path = write_csv(tmp_path / "sites.csv", ["name", "kind", "lon", "lat"], *rows)

    with pytest.raises(ImportRejected) as rejected:
        layer_import(path=path, layer="key-sites")

    problems = rejected.value.problems
    assert len(problems) == 100 and [p.row for p in problems] == list(range(1, 101))
    assert rejected.value.bad_rows == 5000 and rejected.value.unlisted == 4900
    assert str(rejected.value) == "5000 bad rows: nothing was imported"

    errors = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_layer", str(path), layer="key-sites", stderr=errors)
    lines = errors.getvalue().splitlines()
    assert len(lines) == 101 and lines[-1] == "… and 4900 more problems, not listed"
