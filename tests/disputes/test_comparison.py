"""The comparison's figures against cases worked out by hand, in metres."""

from datetime import date

import numpy as np
import pytest
import shapely

from layers.disputes.comparison import Boundary, compare_pairs, reference_timeline


def claim(key, geometry):
    return Boundary(key=key, kind="claim", label=key, geometry=geometry)


def test_two_squares_shifted_by_a_known_amount():
    # 100 m squares, B moved 10 m east: they share 90 × 100, each keeps a 10 × 100 strip.
    a = shapely.box(0, 0, 100, 100)
    b = shapely.box(10, 0, 110, 100)

    [pair] = compare_pairs([claim("a", a), claim("b", b)])

    assert pair.overlap_m2 == pytest.approx(9000)
    assert pair.only_a_m2 == pytest.approx(1000)
    assert pair.only_b_m2 == pytest.approx(1000)
    assert pair.iou == pytest.approx(9000 / 11000)
    # Every corner of A lies 10 m from B's lines (and vice versa).
    assert pair.hausdorff_m == pytest.approx(10)
    # A's west corners lie outside B, 10 m from B's west side; the same east of A for B.
    assert (pair.offset_a_beyond_b_m, pair.offset_b_beyond_a_m) == (pytest.approx(10),) * 2
    strips = {strip.side: strip for strip in pair.strips}
    assert set(strips) == {"a", "b"}
    assert strips["a"].geometry.equals(shapely.box(0, 0, 10, 100))
    assert strips["b"].geometry.equals(shapely.box(100, 0, 110, 100))


def test_a_sliver_inside_the_other_claim():
    # B is A less a 0.5 m strip along the north side: only A holds land B does not.
    a = shapely.box(0, 0, 200, 50)
    b = shapely.box(0, 0, 200, 49.5)

    [pair] = compare_pairs([claim("a", a), claim("b", b)])

    assert pair.only_a_m2 == pytest.approx(100)
    assert pair.only_b_m2 == pytest.approx(0)
    assert pair.iou == pytest.approx(9900 / 10000)
    assert pair.hausdorff_m == pytest.approx(0.5)
    # A's north corners are 0.5 m beyond B; no vertex of B lies outside A.
    assert pair.offset_a_beyond_b_m == pytest.approx(0.5)
    assert pair.offset_b_beyond_a_m == 0
    assert [(s.side, round(s.area_m2, 6)) for s in pair.strips] == [("a", 100)]


def test_a_multipolygon_against_one_of_its_parts_moved():
    # A: two 10 m squares 100 m apart. B: the first square only, moved 2 m north.
    a = shapely.MultiPolygon([shapely.box(0, 0, 10, 10), shapely.box(100, 0, 110, 10)])
    b = shapely.box(0, 2, 10, 12)

    [pair] = compare_pairs([claim("a", a), claim("b", b)])

    assert pair.overlap_m2 == pytest.approx(80)
    assert pair.only_a_m2 == pytest.approx(20 + 100)
    assert pair.only_b_m2 == pytest.approx(20)
    assert pair.iou == pytest.approx(80 / (200 + 100 - 80))
    # The far square's corner (110, 0) is √(100² + 2²) m from B's corner (10, 2).
    assert pair.hausdorff_m == pytest.approx((100**2 + 2**2) ** 0.5)
    assert pair.hausdorff_m == pytest.approx(shapely.hausdorff_distance(a, b))
    assert sorted(round(s.area_m2) for s in pair.strips) == [20, 20, 100]


def test_hausdorff_matches_geos_on_long_irregular_boundaries():
    angles = shapely.get_coordinates(shapely.Point(0, 0).buffer(300, 500).exterior)
    a = shapely.Polygon(angles * [1.3, 1.0])
    b = shapely.affinity.rotate(shapely.Polygon(angles * [1.0, 1.2]), 7, origin=(4, 9))

    [pair] = compare_pairs([claim("a", a), claim("b", b)])

    assert pair.hausdorff_m == pytest.approx(shapely.hausdorff_distance(a, b), rel=1e-9)


def test_pairs_and_timeline_of_references():
    boundaries = [
        Boundary("reference:2", "reference", "2018", shapely.box(1, 0, 11, 10), date(2018, 1, 1)),
        claim("claim:1", shapely.box(0, 0, 10, 10)),
        Boundary("reference:1", "reference", "2009", shapely.box(0, 0, 10, 10), date(2009, 1, 1)),
    ]

    pairs = compare_pairs(boundaries)

    assert [(p.a, p.b, p.relation) for p in pairs] == [
        ("claim:1", "reference:1", "claim-reference"),
        ("claim:1", "reference:2", "claim-reference"),
        ("reference:1", "reference:2", "reference-reference"),
    ]
    # The 2018 survey moved the field 1 m east: 90 m² of 110 m² in common with 2009's.
    timeline = reference_timeline(boundaries, pairs)
    assert [(t.key, t.iou_with_previous) for t in timeline] == [
        ("reference:1", None),
        ("reference:2", pytest.approx(90 / 110)),
    ]


@pytest.mark.parametrize("seed", range(4))
def test_offsets_and_hausdorff_match_a_brute_force_on_random_fields(seed):
    rng = np.random.default_rng(seed)
    angles = np.linspace(0, 2 * np.pi, 700, endpoint=False)

    def field(bulge):
        radius = 100 * (1 + 0.1 * np.sin(3 * angles)) + bulge * np.exp(-((angles - 2) ** 2) / 0.05)
        radius += rng.normal(0, 0.3, len(angles))
        dx, dy = rng.uniform(-2, 2, 2)
        return shapely.Polygon(np.c_[dx + radius * np.cos(angles), dy + radius * np.sin(angles)])

    a, b = field(rng.uniform(0, 15)), field(0)

    [pair] = compare_pairs([claim("a", a), claim("b", b)])

    def beyond(source, target):
        vertices = shapely.points(shapely.get_coordinates(source))
        distances = shapely.distance(vertices, target.boundary)
        outside = ~shapely.contains(target, vertices)
        return distances[outside].max() if outside.any() else 0.0

    assert pair.hausdorff_m == pytest.approx(shapely.hausdorff_distance(a, b), rel=1e-9)
    assert pair.offset_a_beyond_b_m == pytest.approx(beyond(a, b), rel=1e-9)
    assert pair.offset_b_beyond_a_m == pytest.approx(beyond(b, a), rel=1e-9)


def test_repeated_vertices_and_one_very_long_side():
    # A GPS walk that stood still (repeated points) along one side of a 2 km strip.
    still = [(0, 0)] * 50 + [(0.001 * n, 0) for n in range(50)]
    a = shapely.Polygon([*still, (2000, 0), (2000, 10), (0, 10)])
    b = shapely.box(0, 0, 2000, 12)

    [pair] = compare_pairs([claim("a", a), claim("b", b)])

    assert pair.hausdorff_m == pytest.approx(2)
    assert pair.offset_b_beyond_a_m == pytest.approx(2)
    assert pair.offset_a_beyond_b_m == pytest.approx(0, abs=1e-9)  # on B's line, not past it
