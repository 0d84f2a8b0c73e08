"""Vector tiles and TileJSON over HTTP: access, parameters and caching; services build them.

An empty tile is answered 204 No Content (with its ETag and Cache-Control), never 200 with an
empty body, so clients and caches can tell "nothing here" from a broken response.
"""

import hashlib
from functools import wraps
from urllib.parse import unquote

from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from rest_framework.exceptions import AuthenticationFailed

from layers.access import policy
from layers.access.requests import authenticate
from layers.tiles import services
from layers.tiles.specs import LAYERS, TileLayer

MVT_CONTENT_TYPE = "application/vnd.mapbox-vector-tile"
PUBLIC_CACHE_CONTROL = "public, max-age=300"
# Sensitive layers, and anything cut to a token's area, must not sit in shared caches.
PRIVATE_CACHE_CONTROL = "private, max-age=60"


def tile_endpoint(view):
    """Wraps a view in layer lookup, token authentication, access policy and caching headers."""

    @require_safe
    @wraps(view)
    def wrapper(request, layer: str, **kwargs):
        spec = LAYERS.get(layer)
        if spec is None:
            detail = _("No tile layer %(layer)r; the layers are: %(layers)s.") % {
                "layer": layer,
                "layers": ", ".join(LAYERS),
            }
            return JsonResponse({"detail": detail}, status=404)
        try:
            authenticate(request)
        except AuthenticationFailed as exc:
            return JsonResponse(
                {"detail": str(exc.detail)}, status=401, headers={"WWW-Authenticate": "Bearer"}
            )
        refusal = policy.read_refusal(request, spec.name)
        if refusal == 403:
            detail = _("This credential may not read %(layer)s.") % {"layer": spec.name}
            return JsonResponse({"detail": detail}, status=403)
        if refusal == 401:
            detail = _("%(layer)s needs an API token or a login.") % {"layer": spec.name}
            return JsonResponse(
                {"detail": detail}, status=401, headers={"WWW-Authenticate": "Bearer"}
            )
        try:
            response = view(request, spec, **kwargs)
        except services.InvalidParameters as exc:
            return JsonResponse(exc.errors, status=400)
        response["Cache-Control"] = _cache_control(request, spec)
        patch_vary_headers(response, ["Authorization"])
        response["ETag"] = f'"{hashlib.blake2b(response.content, digest_size=16).hexdigest()}"'
        # A 304 for an If-None-Match naming this ETag keeps Cache-Control, ETag and Vary.
        return get_conditional_response(request, etag=response["ETag"], response=response)

    return wrapper


def _cache_control(request, layer: TileLayer) -> str:
    token_area = getattr(request.auth, "area_id", None)
    if policy.is_public(layer.name) and token_area is None:
        return PUBLIC_CACHE_CONTROL
    return PRIVATE_CACHE_CONTROL


def _rows(request, layer: TileLayer):
    """The layer's rows this request may see, filtered by its query parameters."""
    visible = policy.visible(request, layer.name, layer.queryset())
    return services.filtered(layer, request.GET, visible)


@tile_endpoint
def vector_tile(request, layer: TileLayer, z: str, x: str, y: str):
    """One Mapbox Vector Tile of a layer, with the layer's filters as query parameters."""
    zoom, column, row = services.tile_coordinates(z, x, y)
    content = services.tile(layer, zoom, column, row, _rows(request, layer))
    status = 200 if content else 204
    return HttpResponse(content, status=status, content_type=MVT_CONTENT_TYPE)


@tile_endpoint
def tilejson(request, layer: TileLayer):
    """The layer's TileJSON 3.0.0; its tile URL carries this request's query string."""
    rows = _rows(request, layer)
    placeholders = {"layer": layer.name, "z": "{z}", "x": "{x}", "y": "{y}"}
    # reverse() escapes the braces of the URL template; they must reach the client as braces.
    url = unquote(request.build_absolute_uri(reverse("tiles-tile", kwargs=placeholders)))
    if request.GET:
        url += "?" + request.GET.urlencode()
    return JsonResponse(services.tilejson(layer, rows, url))
