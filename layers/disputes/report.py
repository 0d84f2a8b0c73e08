"""The printable case report: map, imagery clips, comparison table and field visits."""

import base64

import folium
from django.utils.translation import gettext as _

from layers.common.constants import STORAGE_SRID
from layers.common.maps import offline_map
from layers.disputes import imagery
from layers.disputes.models import DisputeCase
from layers.disputes.selectors import case_comparison


def case_map(case: DisputeCase) -> dict[str, str]:
    """Every claim and reference version of the case on a folium map, as HTML parts
    (header, body, script) for embedding in the report page."""
    extent = imagery.case_extent(case)
    folium_map = offline_map(extent.extent, control_scale=True, zoom_control=True)
    lines = imagery.case_lines(case, STORAGE_SRID)
    counters = {"claim": 0, "reference": 0}
    for line in lines:
        palette = imagery.CLAIM_COLOURS if line["kind"] == "claim" else imagery.REFERENCE_COLOURS
        colour = palette[counters[line["kind"]] % len(palette)]
        counters[line["kind"]] += 1
        name = f"{_('Claim') if line['kind'] == 'claim' else _('Reference')} {line['label']}"
        folium.GeoJson(
            {"type": "Feature", "geometry": line["geometry"], "properties": {"name": name}},
            name=name,
            style_function=lambda _feature, colour=colour, kind=line["kind"]: {
                "color": colour,
                "weight": 3 if kind == "claim" else 2,
                "dashArray": None if kind == "claim" else "6 4",
                "fillOpacity": 0.05,
            },
            tooltip=name,
        ).add_to(folium_map)
    folium.LayerControl(collapsed=False).add_to(folium_map)
    root = folium_map.get_root()
    root.render()
    return {
        "header": root.header.render(),
        "body": root.html.render(),
        "script": root.script.render(),
    }


def case_report_context(case: DisputeCase) -> dict:
    """What the report template shows."""
    clips = [
        {
            "image": image,
            "png": base64.b64encode(imagery.case_clip(case, image, width=640)).decode(),
        }
        for image in imagery.covering_images(case)
    ]
    comparison = case_comparison(case)
    labels = comparison["labels"]
    comparison["pairs"] = [
        {"a_label": labels[c.a], "b_label": labels[c.b], "comparison": c}
        for c in comparison["comparisons"]
    ]
    return {
        "case": case,
        "parties": case.parties.all(),
        "references": case.references.all(),
        "map": case_map(case),
        "clips": clips,
        "comparison": comparison,
        "visits": case.visits.select_related("officer").prefetch_related("photos"),
    }
