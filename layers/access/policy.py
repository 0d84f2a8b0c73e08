"""Who may read and write which layer: one place, used by the REST API, OGC API and tiles.

The mechanism here is layer-level (public layers, token scopes, model permissions) plus the
area a token is limited to; the hierarchy-scoped roles build on `visible()`.
"""

from django.conf import settings
from django.db.models import QuerySet

from layers.areas.models import code_prefix

# Layer name → how its rows relate to a division code (the field whose code is matched).
LAYERS = {
    "areas": "code",
    "grids": "village__code",
    "buildings": "area__code",
    "cameras": "area__code",
    "key-sites": "area__code",
    "departments": "area__code",
    "incidents": "area__code",
}
WRITE_PERMISSION_ACTIONS = {"POST": "add", "PUT": "change", "PATCH": "change", "DELETE": "delete"}


def is_public(layer: str) -> bool:
    return settings.GISGOV_PUBLIC_READ and layer in settings.GISGOV_PUBLIC_LAYERS


def can_read(request, layer: str) -> bool:
    token = _token(request)
    if token is not None:
        return token.allows("read", layer) or is_public(layer)
    if is_public(layer):
        return True
    return bool(request.user and request.user.is_authenticated)


def read_refusal(request, layer: str) -> int | None:
    """None when the request may read the layer; else 401 (no credential) or 403 (not this)."""
    if can_read(request, layer):
        return None
    has_credential = _token(request) is not None or bool(
        request.user and request.user.is_authenticated
    )
    return 403 if has_credential else 401


def can_write(request, layer: str, model, method: str) -> bool:
    """A token needs its write scope and acts within its user's permissions, never beyond them."""
    token = _token(request)
    if token is not None and not token.allows("write", layer):
        return False
    user = request.user
    if not (user and user.is_authenticated):
        return False
    action = WRITE_PERMISSION_ACTIONS.get(method, "change")
    return user.has_perm(f"{model._meta.app_label}.{action}_{model._meta.model_name}")


def visible(request, layer: str, queryset: QuerySet) -> QuerySet:
    """The rows of a layer this request may see: all of them, or those inside the token's area."""
    token = _token(request)
    if token is None or token.area is None:
        return queryset
    return queryset.filter(**{f"{LAYERS[layer]}__startswith": code_prefix(token.area.code)})


def is_area_limited(request) -> bool:
    token = _token(request)
    return token is not None and token.area is not None


def _token(request):
    from layers.access.models import ApiToken

    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, ApiToken) else None
