"""Kernel density against a direct numpy sum of the same kernel over every cell and incident."""

import math

import numpy as np
import pytest
from django.contrib.auth import get_user_model
from django.test import RequestFactory

from layers.heatmaps import density, selection, services
from layers.heatmaps.selection import InvalidParameters

pytestmark = pytest.mark.django_db


def direct(grid: density.Grid, x, y, w, kernel: str, h: float) -> np.ndarray:
    """The textbook formula, written out independently of layers.heatmaps.density."""
    xs = grid.west + (np.arange(grid.width) + 0.5) * grid.cell
    ys = grid.north - (np.arange(grid.height) + 0.5) * grid.cell
    d2 = (xs[None, :, None] - x[None, None, :]) ** 2 + (ys[:, None, None] - y[None, None, :]) ** 2
    if kernel == "quartic":
        k = np.where(d2 < h * h, 3 / (math.pi * h * h) * (1 - d2 / (h * h)) ** 2, 0.0)
    else:
        k = np.where(d2 < 16 * h * h, np.exp(-d2 / (2 * h * h)) / (2 * math.pi * h * h), 0.0)
    return (k * w[None, None, :]).sum(axis=2) * 1e6


def administrator():
    """A request from the city's administrator, for whom every incident counts."""
    request = RequestFactory().get("/")
    request.user, _ = get_user_model().objects.get_or_create(
        username="heat-admin", defaults={"is_superuser": True}
    )
    request.auth = None
    return request


@pytest.mark.parametrize("kernel", ["quartic", "gaussian"])
def test_exact_path_equals_the_direct_sum(cluster, kernel):
    sel = selection.parse_selection(administrator(), {})
    weights = selection.weights_by_category(True)
    pts = selection.points(sel, weights, limit=1000)
    assert len(pts.x) == 62  # and the county's own two
    options = services.DensityOptions(kernel=kernel, bandwidth=400, cell=100, method="exact")
    result = services.density_map(sel, options)
    expected = direct(result.grid, pts.x, pts.y, pts.weight, kernel, 400)
    assert result.values.shape == expected.shape
    assert expected.max() > 1
    np.testing.assert_allclose(result.values, expected, rtol=0, atol=1e-9)


@pytest.mark.parametrize("kernel", ["quartic", "gaussian"])
def test_binned_path_equals_the_direct_sum_over_cell_centres(cluster, kernel):
    """Binning moves each incident to the centre of its cell, and nothing else."""
    sel = selection.parse_selection(administrator(), {})
    weights = selection.weights_by_category(True)
    pts = selection.points(sel, weights, limit=1000)
    options = services.DensityOptions(kernel=kernel, bandwidth=400, cell=100)
    result = services.density_map(sel, options)
    grid = result.grid
    cx = (np.floor(pts.x / grid.cell) + 0.5) * grid.cell
    cy = (np.floor(pts.y / grid.cell) + 0.5) * grid.cell
    expected = direct(grid, cx, cy, pts.weight, kernel, 400)
    np.testing.assert_allclose(result.values, expected, rtol=0, atol=1e-9)
    assert result.incidents == 62


def test_density_integrates_to_the_weighted_count(cluster):
    sel = selection.parse_selection(administrator(), {})
    options = services.DensityOptions(kernel="quartic", bandwidth=500, cell=50, weighted=False)
    result = services.density_map(sel, options)
    km2_per_cell = (result.grid.cell / 1000) ** 2
    assert result.values.sum() * km2_per_cell == pytest.approx(62, rel=0.01)


def test_weights_multiply_each_category(cluster, settings):
    sel = selection.parse_selection(administrator(), {"category": "sudden_event"})
    plain = services.density_map(sel, services.DensityOptions(weighted=False))
    settings.GISGOV_HEATMAP_CATEGORY_WEIGHTS = {"sudden_event": 3.0}
    weighted = services.density_map(sel, services.DensityOptions(weighted=True))
    np.testing.assert_allclose(weighted.values, 3 * plain.values, atol=1e-9)


def test_grid_is_aligned_to_the_cell_and_covers_the_kernel_reach():
    grid = density.grid_around((1010.0, 2020.0, 1990.0, 2980.0), 100, 250, 4547)
    assert (grid.west, grid.south, grid.east, grid.north) == (700, 1700, 2300, 3300)


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ({"kernel": "epanechnikov"}, "kernel"),
        ({"bandwidth": "-5"}, "bandwidth"),
        ({"bandwidth": "abc"}, "bandwidth"),
        ({"cell": "75"}, "cell"),
        ({"method": "magic"}, "method"),
    ],
)
def test_bad_options_name_the_parameter(query, parameter):
    with pytest.raises(InvalidParameters) as caught:
        services.parse_options(query, 50)
    assert set(caught.value.errors) == {parameter}
