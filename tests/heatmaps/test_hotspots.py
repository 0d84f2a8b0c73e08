"""Gi* on hexagon bins against PySAL's esda.G_Local, and the hexagon bins against the points."""

import numpy as np
import pytest
from esda.getisord import G_Local
from libpysal.weights import DistanceBand

from layers.heatmaps import hotspots, selection
from layers.heatmaps.selection import TooFewIncidents
from tests.heatmaps.test_density import administrator

pytestmark = pytest.mark.django_db


def test_hexagons_hold_every_incident_once_and_cover_the_region(cluster, county):
    sel = selection.parse_selection(administrator(), {"area": county["west"].code})
    bins = hotspots.hexbins(sel, 300)
    assert bins.incidents.sum() == 61  # the cluster and the village's own incident
    assert (bins.incidents == 0).sum() > 100  # empty hexagons are part of the statistics
    assert len(set(zip(bins.i.tolist(), bins.j.tolist(), strict=True))) == len(bins.i)


@pytest.mark.parametrize("band_factor", [2.0, 3.5])
def test_gi_star_z_scores_equal_esda(cluster, county, band_factor):
    sel = selection.parse_selection(administrator(), {"area": county["west"].code})
    bins = hotspots.hexbins(sel, 400)
    band = band_factor * bins.size
    spots = hotspots.hot_spots(bins, band)
    coords = np.column_stack([bins.x, bins.y])
    weights = DistanceBand.from_array(coords, threshold=band, binary=True, silence_warnings=True)
    reference = G_Local(
        bins.incidents.astype(float), weights, transform="B", star=True, permutations=0
    )
    np.testing.assert_allclose(spots.z, reference.Zs, rtol=0, atol=1e-6)
    assert np.abs(spots.z).max() > 3  # the cluster stands out


def test_classes_follow_fdr_corrected_p_values(cluster, county):
    sel = selection.parse_selection(administrator(), {"area": county["west"].code})
    spots = hotspots.hot_spots(hotspots.hexbins(sel, 300), None)
    assert "hot_99" in spots.classes
    for z, q, cls in zip(spots.z, spots.q, spots.classes, strict=True):
        if cls == "not_significant":
            assert q >= 0.10
        else:
            kind, confidence = cls.split("_")
            assert (kind == "hot") == (z > 0)
            assert q < {"99": 0.01, "95": 0.05, "90": 0.10}[confidence]
    assert (spots.q >= spots.p - 1e-15).all()


def test_fewer_than_thirty_incidents_is_refused_with_a_reason(county):
    sel = selection.parse_selection(administrator(), {})
    with pytest.raises(TooFewIncidents, match="at least 30"):
        hotspots.hot_spots(hotspots.hexbins(sel, 300), None)
