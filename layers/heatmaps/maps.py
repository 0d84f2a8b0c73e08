"""The hot-spot picture: hexagons by class on an offline folium map."""

import folium
from django.utils.translation import gettext as _

from layers.common.maps import offline_map
from layers.heatmaps.hotspots import CONFIDENCE_LEVELS

CLASS_COLOURS = {
    "hot_99": "#b2182b",
    "hot_95": "#ef8a62",
    "hot_90": "#fddbc7",
    "not_significant": "#f7f7f7",
    "cold_90": "#d1e5f0",
    "cold_95": "#67a9cf",
    "cold_99": "#2166ac",
}


def hot_spot_map(collection: dict, bounds_lonlat: list[float]) -> str:
    """Hexagons coloured by hot/cold class and confidence, with a legend; one HTML file."""
    fmap = offline_map(bounds_lonlat)
    folium.GeoJson(
        collection,
        name=_("Hot spots (Getis-Ord Gi*)"),
        style_function=lambda feature: {
            "fillColor": CLASS_COLOURS[feature["properties"]["class"]],
            "color": "#999999",
            "weight": 0.3,
            "fillOpacity": 0.75,
        },
        tooltip=folium.GeoJsonTooltip(
            fields=["class", "incidents", "z", "q"],
            aliases=[_("class"), _("incidents"), _("z-score"), _("FDR q-value")],
        ),
    ).add_to(fmap)
    fmap.get_root().html.add_child(folium.Element(_legend()))
    return fmap.get_root().render()


def _legend() -> str:
    rows = []
    for kind, label in (("hot", _("hot spot")), ("cold", _("cold spot"))):
        for confidence, _alpha in CONFIDENCE_LEVELS:
            colour = CLASS_COLOURS[f"{kind}_{confidence}"]
            rows.append(
                f'<div><span style="background:{colour};display:inline-block;width:12px;'
                f'height:12px;margin-right:4px"></span>{label} {confidence}%</div>'
            )
    return (
        '<div style="position:fixed;bottom:16px;left:16px;z-index:1000;background:white;'
        'padding:6px 8px;font:12px sans-serif;border:1px solid #999">' + "".join(rows) + "</div>"
    )
