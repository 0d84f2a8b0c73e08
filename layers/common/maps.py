"""Folium maps that work offline: Leaflet from static/vendor inlined, no CDN links, no base tiles.

Folium links Leaflet, jQuery, Bootstrap and icon fonts from CDNs by default; a command centre on
an intranet would get a blank page, so each map carries its own Leaflet (a saved file still opens)
and our own layers are the base map.
"""

from functools import cache

import folium
from csp.constants import UNSAFE_INLINE
from django.conf import settings
from django.http import HttpResponse

LEAFLET_DIR = settings.BASE_DIR / "static" / "vendor" / "leaflet"


@cache
def leaflet_inline() -> str:
    """Leaflet from our vendored copy, as <style> and <script> elements."""
    css = (LEAFLET_DIR / "leaflet.css").read_text(encoding="utf-8")
    js = (LEAFLET_DIR / "leaflet.js").read_text(encoding="utf-8")
    # A source-map comment makes developer tools fetch a file the page does not carry.
    js = "\n".join(line for line in js.splitlines() if not line.startswith("//# sourceMappingURL"))
    return f"<style>{css}</style>\n<script>{js}</script>"


def offline_map(bounds: tuple[float, float, float, float] | None, **options) -> folium.Map:
    """An empty map fitted to (west, south, east, north) whose HTML loads nothing from outside."""
    fmap = folium.Map(tiles=None, **options)
    # Instance attributes shadow the class lists of CDN scripts and stylesheets folium renders.
    fmap.default_js = []
    fmap.default_css = []
    fmap.get_root().header.add_child(folium.Element(leaflet_inline()), name="leaflet_inline")
    if bounds:
        west, south, east, north = bounds
        fmap.fit_bounds([[south, west], [north, east]])
    return fmap


# Folium writes each map as inline script and style, which the site-wide policy forbids.
INLINE_MAP_POLICY = {"script-src": [UNSAFE_INLINE], "style-src": [UNSAFE_INLINE]}


def map_page_response(html: str) -> HttpResponse:
    """A folium page as a response whose Content-Security-Policy lets its inline map run."""
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    response._csp_update = INLINE_MAP_POLICY  # what csp.decorators.csp_update sets
    return response
