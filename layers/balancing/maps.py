"""A plan's diff as an offline map: current grids outlined, plan grids by workload, moves."""

import html
import json

from django.utils.translation import gettext as _

from layers.grids.maps import (
    add_layer,
    deviation_colour,
    features_bounds,
    grids_features,
    html_table,
    legend_html,
    offline_map,
    page,
)

MOVED_COLOUR = "#d7191c"


def plan_diff_map_html(plan, diff: dict) -> str:
    plan_grids = list(plan.grids.all())
    mean = sum(grid.workload for grid in plan_grids) / len(plan_grids) if plan_grids else 0.0
    planned = [
        {
            "type": "Feature",
            "geometry": json.loads(grid.geom.geojson),
            "properties": {
                "code": grid.code,
                "households": grid.households,
                "workload": round(grid.workload, 1),
                "deviation_pct": round(100 * (grid.workload / mean - 1), 1) if mean else 0.0,
            },
        }
        for grid in plan_grids
    ]
    current = [
        feature
        for feature in grids_features(plan.parent.code)
        if feature["properties"]["kind"] == "basic"
    ]
    moves = [
        {
            "type": "Feature",
            "geometry": move["geometry"],
            "properties": {
                "building": move["building"],
                "from": move["from"] or "",
                "to": move["to"],
                "households": move["households"],
            },
        }
        for move in diff["moved_buildings"]
    ]
    fmap = offline_map(features_bounds(planned + current))
    add_layer(
        fmap,
        planned,
        _("Plan"),
        lambda feature: {
            "color": "#333",
            "weight": 1,
            "fillColor": deviation_colour(feature["properties"]["deviation_pct"]),
            "fillOpacity": 0.6,
        },
        ["code", "households", "workload", "deviation_pct"],
    )
    add_layer(
        fmap,
        current,
        _("Current grids"),
        lambda _f: {"color": "#000", "weight": 2, "dashArray": "6 4", "fillOpacity": 0},
        ["code", "name"],
    )
    add_layer(
        fmap,
        moves,
        _("Moved buildings"),
        lambda _f: {"color": MOVED_COLOUR, "fillColor": MOVED_COLOUR, "radius": 3},
        ["building", "from", "to", "households"],
    )
    summary = _("%(buildings)d buildings, %(households)d households move.") % {
        "buildings": diff["buildings_moved"],
        "households": diff["households_moved"],
    }
    table = html_table(
        [
            ("code", _("grid code")),
            ("households_before", _("households now")),
            ("households_after", _("households in the plan")),
            ("workload_after", _("workload in the plan")),
            ("change", _("change")),
        ],
        diff["grids"],
    )
    title = _("Balancing plan %(id)d of %(area)s") % {"id": plan.pk, "area": plan.parent.code}
    return page(fmap, title, f"<p>{html.escape(summary)}</p><p>{legend_html()}</p>{table}")
