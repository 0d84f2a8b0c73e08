"""Folium maps of grids that work offline: Leaflet inlined from static/vendor, no basemap tiles.

Folium links Leaflet, jQuery, Bootstrap and icon fonts from CDNs by default; a command centre
without internet would get a blank page, so the map carries its own Leaflet and nothing else.
"""

import html

import folium
from django.utils.translation import gettext as _

from layers.common.maps import offline_map as common_offline_map

# Workload deviation from the mean, in %, → fill colour (cool = light, warm = heavy).
DEVIATION_COLOURS = [
    (-20, "#2166ac"),
    (-5, "#67a9cf"),
    (5, "#f7f7f7"),
    (20, "#ef8a62"),
    (float("inf"), "#b2182b"),
]
PROBLEM_COLOUR = "#d7191c"


def offline_map(bounds: tuple[float, float, float, float] | None) -> folium.Map:
    """A grid map: the shared offline map, drawn on canvas (thousands of grids), above a table."""
    return common_offline_map(bounds, control_scale=True, prefer_canvas=True, height="60%")


def features_bounds(features: list[dict]) -> tuple[float, float, float, float] | None:
    """The lon/lat box around the features' geometries (None when there are none)."""
    xs, ys = [], []

    def walk(coordinates):
        if coordinates and isinstance(coordinates[0], int | float):
            xs.append(coordinates[0])
            ys.append(coordinates[1])
        else:
            for item in coordinates:
                walk(item)

    for feature in features:
        if feature.get("geometry"):
            walk(feature["geometry"]["coordinates"])
    return (min(xs), min(ys), max(xs), max(ys)) if xs else None


def deviation_colour(deviation_pct: float) -> str:
    for upper, colour in DEVIATION_COLOURS:
        if deviation_pct < upper:
            return colour
    return DEVIATION_COLOURS[-1][1]


def add_layer(fmap, features: list[dict], name: str, style, fields: list[str]) -> None:
    """A GeoJSON layer with a tooltip of the named properties; style(feature) → Leaflet style."""
    if not features:
        return
    points = all(feature["geometry"]["type"] == "Point" for feature in features)
    folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name=name,
        style_function=style,
        tooltip=folium.GeoJsonTooltip(fields=fields) if fields else None,
        # Leaflet's default marker is an image it would fetch; a circle is drawn in place.
        marker=folium.CircleMarker(radius=3) if points else None,
    ).add_to(fmap)


def html_table(columns: list[tuple[str, str]], rows: list[dict]) -> str:
    """A plain HTML table: columns are (key, heading) pairs."""
    head = "".join(f"<th>{html.escape(heading)}</th>" for _key, heading in columns)
    body = "".join(
        "<tr>"
        + "".join(f"<td>{html.escape(_cell(row.get(key)))}</td>" for key, _h in columns)
        + "</tr>"
        for row in rows
    )
    return (
        '<table style="border-collapse:collapse;font:13px sans-serif" border="1" cellpadding="3">'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def _cell(value) -> str:
    if isinstance(value, float):
        return f"{value:.2f}"
    return "" if value is None else str(value)


def page(fmap, title: str, below: str = "") -> str:
    """The whole HTML page: a heading, the map (60 % of the window) and what goes below it."""
    root = fmap.get_root()
    root.header.add_child(folium.Element(f"<title>{html.escape(title)}</title>"), name="title")
    root.html.add_child(
        folium.Element(f'<div style="padding:8px;font:13px sans-serif">{below}</div>')
    )
    rendered = root.render()
    return rendered.replace(
        "<body>", f'<body><h3 style="font:16px sans-serif;margin:6px">{html.escape(title)}</h3>', 1
    )


def legend_html() -> str:
    """The colour key of the workload maps."""
    labels = [
        _("more than %(high)d %% below the mean") % {"high": 20},
        _("%(low)d–%(high)d %% below") % {"low": 5, "high": 20},
        _("within %(low)d %%") % {"low": 5},
        _("%(low)d–%(high)d %% above") % {"low": 5, "high": 20},
        _("more than %(high)d %% above") % {"high": 20},
    ]
    return " ".join(
        f'<span style="background:{colour};padding:0 8px;border:1px solid #999">&nbsp;</span> '
        f"{html.escape(label)}"
        for (_upper, colour), label in zip(DEVIATION_COLOURS, labels, strict=True)
    )


def grids_features(area_code: str) -> list[dict]:
    """The current grids at or under an area, as GeoJSON features with code and kind."""
    from layers.grids.models import Grid

    return [
        {
            "type": "Feature",
            "geometry": {"type": "Polygon", "coordinates": grid.geom.coords},
            "properties": {"code": grid.code, "name": grid.name, "kind": grid.kind},
        }
        for grid in Grid.objects.current()
        .inside_code(area_code)
        .only("code", "name", "kind", "geom")
    ]


def topology_map_html(report) -> str:
    """The grids of an area outlined, with each gap, overlap or part outside filled in red."""
    grids = grids_features(report.area_code) if report.area_code else []
    problems = [problem.as_feature() for problem in report.problems]
    fmap = offline_map(features_bounds(grids + problems))
    add_layer(
        fmap,
        grids,
        _("Grids"),
        lambda _f: {"color": "#555", "weight": 1, "fillColor": "#9ecae1", "fillOpacity": 0.2},
        ["code", "name"],
    )
    add_layer(
        fmap,
        problems,
        _("Problems"),
        lambda _f: {
            "color": PROBLEM_COLOUR,
            "weight": 2,
            "fillColor": PROBLEM_COLOUR,
            "fillOpacity": 0.6,
        },
        ["kind", "codes", "area_m2"],
    )
    summary = report.summary()
    rows = [problem.as_feature()["properties"] for problem in report.problems]
    table = html_table(
        [
            ("kind", _("kind")),
            ("area", _("area")),
            ("codes", _("grids")),
            ("area_m2", _("area (m²)")),
        ],
        rows,
    )
    verdict = (
        _("Tiles without gap or overlap.")
        if report.ok
        else _("%(count)d problems, %(area).1f m² in all.")
        % {"count": len(report.problems), "area": summary["problem_area_m2"]}
    )
    return page(
        fmap,
        _("Topology of %(area)s") % {"area": report.area_code or "*"},
        f"<p>{html.escape(verdict)}</p>{table}",
    )


def workload_map_html(area_code: str, rows: list) -> str:
    """A choropleth of grid workload (deviation from the mean score) and the table of measures."""
    mean = sum(row.score for row in rows) / len(rows) if rows else 0.0
    features = []
    for row in rows:
        properties = row.as_row()
        properties["deviation_pct"] = round(100 * (row.score / mean - 1), 1) if mean else 0.0
        features.append({"type": "Feature", "geometry": row.geometry, "properties": properties})
    fmap = offline_map(features_bounds(features))
    add_layer(
        fmap,
        features,
        _("Workload"),
        lambda feature: {
            "color": "#444",
            "weight": 1,
            "fillColor": deviation_colour(feature["properties"]["deviation_pct"]),
            "fillOpacity": 0.75,
        },
        ["code", "name", "households", "score", "deviation_pct"],
    )
    table = html_table(
        [
            ("code", _("grid code")),
            ("name", _("name")),
            ("households", _("households")),
            ("residents", _("residents")),
            ("weighted_incidents", _("weighted incidents")),
            ("area_km2", _("area (km²)")),
            ("mean_distance_m", _("mean distance (m)")),
            ("score", _("workload score")),
            ("deviation_pct", _("deviation from mean (%)")),
        ],
        [feature["properties"] for feature in features],
    )
    return page(
        fmap, _("Grid workload of %(area)s") % {"area": area_code}, f"<p>{legend_html()}</p>{table}"
    )
