"""The database refuses rows that break the data model's rules, whatever path writes them."""

from datetime import date

import pytest
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Point, Polygon
from django.db import IntegrityError, transaction

from layers.areas.models import AdminArea, AreaLevel
from layers.cameras.models import CameraSite
from layers.grids.models import Grid, GridKind
from tests import factories as f
from tests.factories import LAT, LON

pytestmark = pytest.mark.django_db

# A bow-tie: the ring crosses itself at its centre, so ST_IsValid is false.
BOWTIE = Polygon(
    ((LON, LAT), (LON + 0.01, LAT + 0.01), (LON + 0.01, LAT), (LON, LAT + 0.01), (LON, LAT))
)


def refused(create, constraint_name: str):
    with pytest.raises(IntegrityError, match=constraint_name), transaction.atomic():
        create()


def test_invalid_geometry_is_refused():
    refused(
        lambda: AdminArea.objects.create(
            code="419821000000", name="x", level=AreaLevel.COUNTY, geom=MultiPolygon(BOWTIE)
        ),
        "areas_adminarea_geom_valid",
    )


def test_coordinates_beyond_longitude_range_are_refused():
    box = f.rectangle(179.9, 10, 180.5, 11)
    refused(
        lambda: AdminArea.objects.create(
            code="419821000000", name="x", level=AreaLevel.COUNTY, geom=MultiPolygon(box)
        ),
        "areas_adminarea_geom_lonlat_range",
    )


def test_empty_geometry_is_refused():
    refused(
        lambda: AdminArea.objects.create(
            code="419821000000",
            name="x",
            level=AreaLevel.COUNTY,
            geom=GEOSGeometry("MULTIPOLYGON EMPTY", srid=4326),
        ),
        "areas_adminarea_geom_not_empty",
    )


def test_division_code_must_have_12_digits():
    refused(
        lambda: f.area("41982100", AreaLevel.COUNTY, f.rectangle(LON, LAT, LON + 1, LAT + 1)),
        "areas_code_12_digits",
    )


def test_division_codes_are_unique():
    f.area("419821000000", AreaLevel.COUNTY, f.rectangle(LON, LAT, LON + 1, LAT + 1))
    refused(
        lambda: f.area("419821000000", AreaLevel.COUNTY, f.rectangle(LON, LAT, LON + 1, LAT + 1)),
        "code",
    )


def test_exclusive_grid_needs_its_type_and_a_basic_grid_has_none():
    *_, village = f.county_with_village()
    box = f.rectangle(LON, LAT, LON + 0.01, LAT + 0.01)
    refused(
        lambda: f.grid("1", village, box, kind=GridKind.EXCLUSIVE),
        "grids_exclusive_type_iff_exclusive",
    )
    refused(
        lambda: f.grid("2", village, box, kind=GridKind.BASIC, exclusive_type="school"),
        "grids_exclusive_type_iff_exclusive",
    )


def test_a_redrawn_grid_may_reuse_its_code_once_the_old_one_is_closed():
    *_, village = f.county_with_village()
    box = f.rectangle(LON, LAT, LON + 0.01, LAT + 0.01)
    old = f.grid("419821101201001", village, box)
    refused(lambda: f.grid("419821101201001", village, box), "grids_code_unique_current")
    Grid.objects.filter(pk=old.pk).update(valid_to=date(2025, 1, 1))
    f.grid("419821101201001", village, box, valid_from=date(2025, 1, 1))
    assert Grid.objects.filter(code="419821101201001").count() == 2
    assert Grid.objects.current().count() == 1


def test_grid_validity_must_end_after_it_starts():
    *_, village = f.county_with_village()
    box = f.rectangle(LON, LAT, LON + 0.01, LAT + 0.01)
    refused(
        lambda: f.grid("1", village, box, valid_from=date(2025, 1, 1), valid_to=date(2024, 1, 1)),
        "grids_valid_period",
    )


def test_household_counts_cannot_be_negative():
    refused(lambda: f.building(LON, LAT, households=-1), "households")


def test_a_building_has_at_least_one_floor():
    refused(lambda: f.building(LON, LAT, floors=0), "buildings_floors_positive")


@pytest.mark.parametrize(
    ("field", "value", "constraint"),
    [
        ("azimuth", 360, "cameras_azimuth_range"),
        ("azimuth", -1, "cameras_azimuth_range"),
        ("field_of_view", 0, "cameras_fov_range"),
        ("range_m", -5, "cameras_range_positive"),
    ],
)
def test_camera_view_parameters_are_bounded(field, value, constraint):
    values = {"azimuth": 90, "field_of_view": 60, "range_m": 100, field: value}
    refused(
        lambda: CameraSite.objects.create(
            code="C1", name="gate", kind="sharp_eyes", location=Point(LON, LAT, srid=4326), **values
        ),
        constraint,
    )


def test_incident_subcategory_must_belong_to_its_category():
    refused(
        lambda: f.incident(LON, LAT, category="dispute", subcategory="fire"),
        "incidents_subcategory_of_category",
    )


def test_model_validation_names_the_geometry_problem():
    area = AdminArea(
        code="419821000000", name="x", level=AreaLevel.COUNTY, geom=MultiPolygon(BOWTIE)
    )
    with pytest.raises(Exception, match="not valid"):
        area.full_clean()
