import pytest

from layers.areas.models import AdminArea, AreaLevel, code_prefix, division_prefix
from tests import factories as f


@pytest.mark.parametrize(
    ("code", "prefix"),
    [
        ("410000000000", "41"),
        ("419800000000", "4198"),
        ("419821000000", "419821"),
        ("419821101000", "419821101"),
        ("419821101201", "419821101201"),
        ("419821001000", "419821001"),  # a street (街道) keeps its 001
    ],
)
def test_code_prefix_drops_the_trailing_zero_groups_of_wider_levels(code, prefix):
    assert code_prefix(code) == prefix


@pytest.mark.django_db
def test_inside_code_selects_the_unit_and_everything_below_it():
    county, township, village = f.county_with_village()
    other = f.area(
        "419821102000",
        AreaLevel.TOWNSHIP,
        f.rectangle(f.LON, f.LAT, f.LON + 0.1, f.LAT + 0.1),
        county,
    )
    assert set(AdminArea.objects.inside_code(township.code)) == {township, village}
    assert set(AdminArea.objects.inside_code(county.code)) == {county, township, village, other}


@pytest.mark.parametrize(
    ("text", "prefix"),
    [
        ("41", "41"),
        ("4198", "4198"),
        ("419821", "419821"),
        ("419821101", "419821101"),
        ("419821101201", "419821101201"),
        ("419821000000", "419821"),
    ],
)
def test_a_division_is_named_by_its_full_code_or_its_significant_digits(text, prefix):
    assert division_prefix(text) == prefix


@pytest.mark.parametrize(
    "text", ["1", "41982", "4198211", "41982110120", "4198211012011", "a1", "４１"]
)
def test_anything_else_is_not_a_division_code(text):
    with pytest.raises(ValueError, match="division code"):
        division_prefix(text)
