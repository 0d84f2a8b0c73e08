"""Who may read and write which layer: one place, used by the REST API, OGC API, tiles, exports
and every analysis that shows rows.

Two narrowings meet here and both apply: the credential (a token's scopes and the area it is
limited to) and the person (their Role: city administrator, supervisor, department staff,
gridder, field officer, citizen). `visible()` is the selector every surface calls; a new layer
adds a line to LAYERS (and to GRID_LOOKUPS when its rows lie in a grid).
"""

from collections.abc import Callable

from django.conf import settings
from django.db.models import Q, QuerySet

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
    "disputes": "village__code",
}
# Layer name → the lookup naming the grid a row lies in ("pk" for the grids themselves).
GRID_LOOKUPS = {
    "grids": "pk",
    "buildings": "grid",
    "cameras": "grid",
    "key-sites": "grid",
    "incidents": "grid",
}
# No row: compiles to SQL (an empty IN list would not, in querysets turned into raw SQL).
NOTHING = Q(pk__isnull=True)
# Never readable without a credential, whatever GISGOV_PUBLIC_LAYERS says.
NEVER_PUBLIC = {"cameras", "incidents", "disputes"}
WRITE_PERMISSION_ACTIONS = {"POST": "add", "PUT": "change", "PATCH": "change", "DELETE": "delete"}

# Layers a role never reads, public or not (camera sites are not for gridders or citizens).
HIDDEN_LAYERS = {
    "gridder": {"cameras"},
    "citizen": {"cameras"},
}
# Non-public layers a citizen may read at all: their own reports.
CITIZEN_LAYERS = {"incidents"}

# (role kind, layer) → the rows of that layer a person with that role sees, as a Q over the
# layer's model; overrides the role's default scope. Another app registers its own rule with
# one line, like the field officers' rule here.
SCOPE_RULES: dict[tuple[str, str], Callable] = {
    ("field_officer", "disputes"): lambda user, role: _assigned_dispute_cases(user),
}


def is_public(layer: str) -> bool:
    return (
        settings.GISGOV_PUBLIC_READ
        and layer in settings.GISGOV_PUBLIC_LAYERS
        and layer not in NEVER_PUBLIC
    )


def can_read(request, layer: str) -> bool:
    if not _role_may_read(role_of(request.user), layer):
        return False
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
    if not _role_may_read(role_of(user), layer):
        return False
    action = WRITE_PERMISSION_ACTIONS.get(method, "change")
    return user.has_perm(f"{model._meta.app_label}.{action}_{model._meta.model_name}")


def visible(request, layer: str, queryset: QuerySet) -> QuerySet:
    """The rows of a layer this request may see: the token's area and the user's role both
    narrow them."""
    return visible_to(
        getattr(request, "user", None), layer, _inside_token_area(request, layer, queryset)
    )


def changeable(request, layer: str, queryset: QuerySet) -> QuerySet:
    """The rows of a layer this request may change: inside its token's area and its role's
    scope, public layer or not."""
    return scoped_to(
        getattr(request, "user", None), layer, _inside_token_area(request, layer, queryset)
    )


def _inside_token_area(request, layer: str, queryset: QuerySet) -> QuerySet:
    token = _token(request)
    if token is not None and token.area is not None:
        queryset = queryset.filter(**{f"{LAYERS[layer]}__startswith": code_prefix(token.area.code)})
    return queryset


def visible_to(user, layer: str, queryset: QuerySet) -> QuerySet:
    """The rows of a layer a person may see by their role (commands and jobs call this with
    the user they act for)."""
    if is_public(layer):
        return queryset
    return scoped_to(user, layer, queryset)


def scoped_to(user, layer: str, queryset: QuerySet) -> QuerySet:
    """The rows of a layer the person's role covers, public layer or not: what they may change
    (a township supervisor reads every public grid, but edits only their township's)."""
    if user is None or not user.is_authenticated:
        return queryset.filter(NOTHING)
    role = role_of(user)
    if role is None or user.is_superuser:
        return queryset
    if not _role_may_read(role, layer):
        return queryset.filter(NOTHING)
    rule = SCOPE_RULES.get((role.kind, layer))
    if rule is not None:
        return queryset.filter(rule(user, role))
    return queryset.filter(_default_scope(user, role, layer))


def sees_whole_deployment(user) -> bool:
    """A superuser, a city administrator, or an account no role narrows (its model permissions
    and token scopes still apply)."""
    role = role_of(user)
    return role is None or user.is_superuser or role.kind == "city_admin"


def area_in_scope(request, area) -> bool:
    """Whether an analysis of this whole area (statistics, workload, heatmaps) may be shown to
    this request: the area lies inside what its token and its role cover."""
    token = _token(request)
    token_area = token.area if token is not None else None
    if token_area is not None and not area.code.startswith(code_prefix(token_area.code)):
        return False
    user = getattr(request, "user", None)
    if sees_whole_deployment(user):
        return True
    return any(area.code.startswith(prefix) for prefix in _scope_prefixes(user, role_of(user)))


def analysis_prefixes(request) -> list[str] | None:
    """The division-code prefixes inside which aggregate analyses (heatmaps, hot spots) count
    incidents for this request; None for the whole deployment. An aggregate cannot follow a
    row-level rule (a department's own incidents) without revealing the rows around them, so a
    role counts the areas it covers as a whole, as in area_in_scope; a token's area narrows."""
    token = _token(request)
    token_area = token.area if token is not None else None
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    if sees_whole_deployment(user):
        return None if token_area is None else [code_prefix(token_area.code)]
    prefixes = _scope_prefixes(user, role_of(user))
    if token_area is None:
        return prefixes
    token_prefix = code_prefix(token_area.code)
    narrowed = {
        longer
        for prefix in prefixes
        for longer in (prefix, token_prefix)
        if longer.startswith(prefix) and longer.startswith(token_prefix)
    }
    return sorted(narrowed)


def _scope_prefixes(user, role) -> list[str]:
    """The division-code prefixes a role covers as a whole."""
    from layers.grids.models import GridStaff
    from layers.incidents.models import DepartmentMember

    if role.kind in ("supervisor", "field_officer"):
        return [code_prefix(role.area.code)]
    if role.kind == "department_staff":
        codes = DepartmentMember.objects.filter(user_id=user.pk).values_list(
            "department__area__code", flat=True
        )
        return [code_prefix(code) for code in codes]
    if role.kind == "gridder":
        codes = GridStaff.objects.filter(user_id=user.pk).values_list(
            "grid__village__code", flat=True
        )
        return [code_prefix(code) for code in codes]
    return []


def is_area_limited(request) -> bool:
    """Whether this request sees only part of the deployment (so extents must be its own)."""
    token = _token(request)
    if token is not None and token.area is not None:
        return True
    user = getattr(request, "user", None)
    return user is not None and user.is_authenticated and not sees_whole_deployment(user)


def role_of(user):
    """The user's Role, or None (anonymous, or an account without one)."""
    if user is None or not user.is_authenticated:
        return None
    cached = getattr(user, "_gisgov_role_cache", False)
    if cached is False:
        from layers.access.models import Role

        cached = Role.objects.select_related("area").filter(user_id=user.pk).first()
        user._gisgov_role_cache = cached
    return cached


def _role_may_read(role, layer: str) -> bool:
    if role is None:
        return True
    if layer in HIDDEN_LAYERS.get(role.kind, ()):
        return False
    if role.kind == "citizen":
        return is_public(layer) or layer in CITIZEN_LAYERS
    return True


def _default_scope(user, role, layer: str) -> Q:
    kind = role.kind
    if kind == "city_admin":
        return Q()
    if kind in ("supervisor", "field_officer"):
        return _inside_prefixes(layer, [code_prefix(role.area.code)])
    if kind == "department_staff":
        return _department_scope(user, role, layer)
    if kind == "gridder":
        return _gridder_scope(user, layer)
    if kind == "citizen" and layer == "incidents":
        return Q(reporter=user)
    return NOTHING


def _inside_prefixes(layer: str, prefixes: list[str]) -> Q:
    if layer not in LAYERS or not prefixes:
        return NOTHING
    scope = NOTHING
    for prefix in prefixes:
        scope |= Q(**{f"{LAYERS[layer]}__startswith": prefix})
    return scope


def _department_scope(user, role, layer: str) -> Q:
    """Incidents dispatched to the user's departments (lead or co-handling); other layers
    inside those departments' areas of responsibility."""
    from layers.incidents.models import DepartmentMember, Incident

    departments = DepartmentMember.objects.filter(user_id=user.pk).values("department_id")
    if layer == "incidents":
        co_handled = Incident.co_departments.through.objects.filter(
            department_id__in=departments
        ).values("incident_id")
        return Q(lead_department_id__in=departments) | Q(pk__in=co_handled)
    if layer == "departments":
        return Q(pk__in=departments)
    codes = DepartmentMember.objects.filter(user_id=user.pk).values_list(
        "department__area__code", flat=True
    )
    prefixes = [code_prefix(code) for code in codes]
    if role.area is not None:
        prefixes.append(code_prefix(role.area.code))
    return _inside_prefixes(layer, prefixes)


def _assigned_dispute_cases(user) -> Q:
    """A field officer's dispute cases: those they are assigned to."""
    from layers.disputes.models import DisputeCase

    assigned = DisputeCase.officers.through.objects.filter(user_id=user.pk)
    return Q(pk__in=assigned.values("disputecase_id"))


def _gridder_scope(user, layer: str) -> Q:
    """The grids the user staffs and what lies in them; other layers inside their villages."""
    from layers.grids.models import GridStaff

    grids = GridStaff.objects.filter(user_id=user.pk)
    if layer in GRID_LOOKUPS:
        return Q(**{f"{GRID_LOOKUPS[layer]}__in": grids.values("grid_id")})
    codes = grids.values_list("grid__village__code", flat=True).distinct()
    return _inside_prefixes(layer, [code_prefix(code) for code in codes])


def _token(request):
    from layers.access.models import ApiToken

    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, ApiToken) else None
