"""The coverage picture: a folium map that works offline (Leaflet inlined, no tiles fetched)."""

import folium
from django.utils.translation import gettext as _

from layers.common.maps import offline_map
from layers.heatmaps.maps import CLASS_COLOURS


def coverage_map_html(
    *,
    bounds: tuple[float, float, float, float],
    areas: dict,
    sectors: dict,
    blind_key_sites: list[dict],
    blind_cells: list[dict],
    blind_hot_spots: list[dict] | None = None,
    suggested: list[dict] | None = None,
) -> str:
    """Areas, the ground active cameras see, blind cells by weight (or hot spots outside
    coverage by confidence) and unseen key sites."""
    fmap = offline_map(bounds)
    folium.GeoJson(
        areas,
        name=_("Areas"),
        style_function=lambda _f: {"color": "#444", "weight": 1, "fillOpacity": 0.03},
        tooltip=folium.GeoJsonTooltip(["code", "name", "area_pct"]),
    ).add_to(fmap)
    top = max((cell["properties"]["weight"] for cell in blind_cells), default=1) or 1
    if blind_cells:
        folium.GeoJson(
            {"type": "FeatureCollection", "features": blind_cells},
            name=_("Incident cells outside coverage"),
            style_function=lambda f: {
                "color": "#d7301f",
                "weight": 0.5,
                "fillColor": "#d7301f",
                "fillOpacity": 0.15 + 0.65 * f["properties"]["weight"] / top,
            },
            tooltip=folium.GeoJsonTooltip(["weight", "incidents"]),
        ).add_to(fmap)
    if blind_hot_spots:
        folium.GeoJson(
            {"type": "FeatureCollection", "features": blind_hot_spots},
            name=_("Hot spots outside coverage"),
            style_function=lambda f: {
                "color": CLASS_COLOURS[f["properties"]["class"]],
                "weight": 0.5,
                "fillColor": CLASS_COLOURS[f["properties"]["class"]],
                "fillOpacity": 0.6,
            },
            tooltip=folium.GeoJsonTooltip(["class", "z", "incidents", "seen_pct"]),
        ).add_to(fmap)
    if sectors["features"]:
        folium.GeoJson(
            sectors,
            name=_("Seen by active cameras"),
            style_function=lambda f: {
                "color": "#1a9850" if f["properties"]["status"] == "active" else "#999",
                "weight": 1,
                "fillOpacity": 0.35 if f["properties"]["status"] == "active" else 0.1,
                "dashArray": None if f["properties"]["status"] == "active" else "4",
            },
            tooltip=folium.GeoJsonTooltip(["code", "status", "visible_area_m2"]),
        ).add_to(fmap)
    for site in blind_key_sites:
        lon, lat = site["geometry"]["coordinates"]
        folium.CircleMarker(
            [lat, lon],
            radius=6,
            color="#7a0177",
            fill=True,
            fill_opacity=0.9,
            tooltip=f"{site['properties']['name']} ({site['properties']['kind']})",
        ).add_to(fmap)
    for site in suggested or []:
        folium.GeoJson(
            site,
            style_function=lambda _f: {"color": "#2166ac", "weight": 2, "fillOpacity": 0.3},
            tooltip=_("Suggested camera %(rank)d: gains %(gain)g")
            % {"rank": site["properties"]["rank"], "gain": site["properties"]["gained_weight"]},
        ).add_to(fmap)
    folium.LayerControl(collapsed=False).add_to(fmap)
    return fmap.get_root().render()
