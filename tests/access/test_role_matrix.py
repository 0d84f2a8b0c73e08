"""Every role × every layer × every surface: what a person sees is what their role allows,
whichever way they ask. A new surface is one entry in SURFACES: a function
(actor, layer, model) → the ids of the layer's rows it returned, or None when it does not
serve that layer; a surface that only counts rows is one entry in COUNTS, a function
(actor, layer, model) → how many rows it counted, or None.

The console's pages are shells whose data comes from the surfaces here (REST, tiles,
supervision, workload, heatmaps, coverage); the field page's from the disputes API."""

import json
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.contrib.gis.geos import GEOSGeometry, Point
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from layers.access.models import Role
from layers.access.services import api_token_create
from layers.areas.models import AdminArea
from layers.buildings.models import Building
from layers.cameras.models import CameraSite
from layers.departments.models import Department
from layers.disputes.models import DisputeCase
from layers.grids.models import Grid, GridStaff
from layers.incidents.models import DepartmentMember, Incident
from layers.keysites.models import KeySite
from layers.ogc.collections import COLLECTIONS
from layers.tiles.specs import LAYERS as TILE_LAYERS
from layers.transfer.specs import LAYERS as EXPORT_LAYERS
from tests import factories as f
from tests.factories import LAT, LON
from tests.tiles.conftest import tile_of
from tests.tiles.mvt import read_tile

WEST, EAST = "419821101", "419821102"
MODELS = {
    "areas": AdminArea,
    "grids": Grid,
    "buildings": Building,
    "cameras": CameraSite,
    "key-sites": KeySite,
    "departments": Department,
    "incidents": Incident,
    "disputes": DisputeCase,
}
GEOMETRY = {
    "areas": "geom",
    "grids": "geom",
    "buildings": "footprint",
    "cameras": "location",
    "key-sites": "location",
    "departments": None,
    "incidents": "location",
    "disputes": "location",
}
# Where a layer's REST API lives when it is not /api/v1/<layer>/.
REST_PATHS = {"disputes": "disputes/cases"}
PUBLIC = {"areas", "grids", "buildings"}
READ_OK = {200, 204}
REFUSED = {401, 403, 404}
# An analysis of no area (a role covering none) or of too few incidents shows nothing.
EMPTY_ANALYSIS = (400, 409)


@dataclass
class Actor:
    name: str
    client: APIClient
    user: object  # None for anonymous
    export_user: object  # whom an export runs as; None: this surface is not theirs


def _ids(response) -> set[int] | None:
    if response.status_code in REFUSED:
        return set()
    assert response.status_code in READ_OK, (response.status_code, response.content[:300])
    return {feature["id"] for feature in response.json()["features"]}


def rest_list(actor, layer, model):
    return _ids(actor.client.get(f"/api/v1/{REST_PATHS.get(layer, layer)}/", {"limit": 1000}))


def rest_detail(actor, layer, model):
    seen = set()
    for pk in model.objects.values_list("pk", flat=True):
        response = actor.client.get(f"/api/v1/{REST_PATHS.get(layer, layer)}/{pk}/")
        assert response.status_code in READ_OK | REFUSED, (layer, pk, response.status_code)
        if response.status_code == 200:
            seen.add(pk)
    return seen


def ogc_items(actor, layer, model):
    if layer not in COLLECTIONS:
        return None
    return _ids(actor.client.get(f"/ogc/collections/{layer}/items", {"limit": 1000}))


def ogc_item(actor, layer, model):
    if layer not in COLLECTIONS:
        return None
    seen = set()
    for pk in model.objects.values_list("pk", flat=True):
        response = actor.client.get(f"/ogc/collections/{layer}/items/{pk}")
        assert response.status_code in READ_OK | REFUSED, (layer, pk, response.status_code)
        if response.status_code == 200:
            seen.add(pk)
    return seen


def tiles(actor, layer, model):
    """Every z15 tile holding a point of a row: the ids of the features they carry."""
    if layer not in TILE_LAYERS:
        return None
    seen = set()
    for geometry in model.objects.values_list(GEOMETRY[layer], flat=True):
        point = geometry.point_on_surface
        z, x, y = tile_of(point.x, point.y, 15)
        response = actor.client.get(f"/tiles/{layer}/{z}/{x}/{y}.mvt")
        if response.status_code in REFUSED:
            continue
        assert response.status_code in READ_OK, (layer, response.status_code, response.content)
        for tile_layer in read_tile(response.content).values():
            seen |= {feature.id for feature in tile_layer.features}
    return seen


def export(actor, layer, model):
    """export_layer --as-user: the exported features matched back to rows by geometry."""
    if layer not in EXPORT_LAYERS or actor.export_user is None:
        return None
    output = _tmp_dir() / f"{layer}-{actor.name}.geojson"
    call_command(
        "export_layer", str(output), layer=layer, format="geojson", as_user=actor.export_user
    )
    seen = set()
    rows = list(model.objects.values_list("pk", GEOMETRY[layer]))
    for feature in json.loads(output.read_text())["features"]:
        exported = GEOSGeometry(json.dumps(feature["geometry"]), srid=4326)
        # The export writes fewer decimals than are stored: equal within a micro-degree.
        seen |= {pk for pk, stored in rows if _same_shape(stored, exported)}
    return seen


def _same_shape(stored, exported) -> bool:
    if stored.geom_type != exported.geom_type and stored.num_geom == exported.num_geom == 1:
        stored = stored[0] if stored.geom_type.startswith("Multi") else stored
        exported = exported[0] if exported.geom_type.startswith("Multi") else exported
    return stored.equals_exact(exported, tolerance=1e-6)


def supervision_overdue(actor, layer, model):
    """The supervision statistics' overdue list (every incident here is past its deadline)."""
    if layer != "incidents":
        return None
    response = actor.client.get("/api/v1/supervision/overdue/", {"limit": 500})
    if response.status_code in REFUSED:
        return set()
    assert response.status_code == 200, (response.status_code, response.content[:300])
    return {row["id"] for row in response.json()["results"]}


def open311_requests(actor, layer, model):
    """Open311 GeoReport v2 requests, asked for by id so no default date window applies."""
    if layer != "incidents":
        return None
    ids = ",".join(str(pk) for pk in model.objects.values_list("pk", flat=True))
    response = actor.client.get("/open311/v2/requests.json", {"service_request_id": ids})
    if response.status_code in REFUSED:
        return set()
    assert response.status_code == 200, (response.status_code, response.content[:300])
    return {row["service_request_id"] for row in response.json()}


def _in_counting_hexagons(response, model) -> set[int]:
    """The rows lying in a hexagon of the answer that counts any incident."""
    seen = set()
    for feature in response.json()["features"]:
        if feature["properties"]["incidents"]:
            hexagon = GEOSGeometry(json.dumps(feature["geometry"]), srid=4326)
            seen |= set(model.objects.filter(location__within=hexagon).values_list("pk", flat=True))
    return seen


def heatmap_hexbins(actor, layer, model):
    """Incidents per hexagon: the rows lying in a hexagon that counts any (an aggregate)."""
    if layer != "incidents":
        return None
    response = actor.client.get("/api/v1/heatmaps/hexbins/", {"from": "2000-01-01"})
    if not _answered(response):
        return set()
    return _in_counting_hexagons(response, model)


def coverage_sectors(actor, layer, model):
    """Camera coverage: one view sector per camera."""
    if layer != "cameras":
        return None
    return _ids(actor.client.get("/api/v1/coverage/sectors/"))


def _answered(response, *also_empty) -> bool:
    """Whether a response shows something: True for 200, False for a refusal or `also_empty`."""
    if response.status_code in REFUSED | set(also_empty):
        return False
    assert response.status_code == 200, (response.status_code, response.content[:300])
    return True


def heatmap_hotspots(actor, layer, model):
    """Hot and cold spots: the rows lying in a hexagon that counts any (an aggregate)."""
    if layer != "incidents":
        return None
    response = actor.client.get("/api/v1/heatmaps/hotspots/", {"from": "2000-01-01"})
    if not _answered(response, *EMPTY_ANALYSIS):
        return set()
    return _in_counting_hexagons(response, model)


def heat_tiles(actor, layer, model):
    """PNG heat tiles: the rows whose z15 tile has any heat drawn (204 is an empty tile)."""
    if layer != "incidents":
        return None
    seen = set()
    for pk, point in model.objects.values_list("pk", "location"):
        z, x, y = tile_of(point.x, point.y, 15)
        response = actor.client.get(f"/tiles/heat/{z}/{x}/{y}.png", {"from": "2000-01-01"})
        if _answered(response, 204, *EMPTY_ANALYSIS):
            seen.add(pk)
    return seen


def grid_workload(actor, layer, model):
    """Grid workload of every area the actor may ask for: the rows in grids counting any."""
    if layer != "incidents":
        return None
    seen = set()
    for code in AdminArea.objects.values_list("code", flat=True):
        params = {"area": code, "since": "2000-01-01"}
        response = actor.client.get("/api/v1/grids/workload/", params)
        if not _answered(response):
            continue
        for row in response.json()["table"]:
            if row["incidents"]:
                seen |= set(model.objects.filter(grid_id=row["id"]).values_list("pk", flat=True))
    return seen


def field_case_records(actor, layer, model):
    """The field page's data: a case's claims, references, visits and imagery answer only
    for a case the actor may see."""
    if layer != "disputes":
        return None
    seen = set()
    for pk in model.objects.values_list("pk", flat=True):
        answers = {
            _answered(actor.client.get(f"/api/v1/disputes/cases/{pk}/{records}/"))
            for records in ("claims", "references", "visits", "imagery", "history")
        }
        assert len(answers) == 1, (pk, answers)  # all of a case's records, or none
        if answers == {True}:
            seen.add(pk)
    return seen


def field_my_cases(actor, layer, model):
    """The field page's list (`mine=true`): the visible cases the actor is assigned to."""
    if layer != "disputes":
        return None
    got = _ids(actor.client.get("/api/v1/disputes/cases/", {"mine": "true", "limit": 1000}))
    assigned = set(model.objects.filter(officers=actor.user).values_list("pk", flat=True))
    assert got <= assigned, (got, assigned)
    # Unassigned visible cases cannot show here: count them as shown to compare with the rest.
    visible = _ids(actor.client.get("/api/v1/disputes/cases/", {"limit": 1000}))
    return got | (visible - assigned)


def dispute_reports(actor, layer, model):
    """The printable case report page."""
    if layer != "disputes" or actor.export_user is None:
        return None
    seen = set()
    for pk in model.objects.values_list("pk", flat=True):
        response = actor.client.get(f"/disputes/cases/{pk}/report/")
        if response.status_code != 302 and _answered(response):
            seen.add(pk)
    return seen


def admin_changelist(actor, layer, model):
    """The Django admin's list (every person here is staff with the view permissions)."""
    if actor.export_user is None:  # the admin is for people logged in, not tokens
        return None
    meta = model._meta
    response = actor.client.get(f"/admin/{meta.app_label}/{meta.model_name}/")
    assert response.status_code == 200, (layer, response.status_code)
    return {row.pk for row in response.context["cl"].result_list}


def admin_change_pages(actor, layer, model):
    """The Django admin's page of each row: 200 where the row is visible, else 404."""
    if actor.export_user is None:
        return None
    meta = model._meta
    seen = set()
    for pk in model.objects.values_list("pk", flat=True):
        response = actor.client.get(f"/admin/{meta.app_label}/{meta.model_name}/{pk}/change/")
        assert response.status_code in (200, 404), (layer, pk, response.status_code)
        if response.status_code == 200:
            seen.add(pk)
    return seen


def supervision_summary_total(actor, layer, model):
    """The supervision summary's incidents, summed over the statuses."""
    if layer != "incidents":
        return None
    response = actor.client.get("/api/v1/supervision/summary/", {"group_by": "status"})
    if not _answered(response):
        return 0
    return sum(row["total"] for row in response.json()["results"])


def supervision_ranking_total(actor, layer, model):
    """The township ranking's incidents, summed over the townships."""
    if layer != "incidents":
        return None
    response = actor.client.get(
        "/api/v1/supervision/ranking/", {"level": "township", "metric": "total"}
    )
    if not _answered(response):
        return 0
    return sum(row["total"] or 0 for row in response.json()["results"])


def heatmap_density_total(actor, layer, model):
    """The kernel density summary's count of incidents (an aggregate)."""
    if layer != "incidents":
        return None
    response = actor.client.get("/api/v1/heatmaps/density/", {"from": "2000-01-01"})
    if not _answered(response, *EMPTY_ANALYSIS):
        return 0
    return response.json()["incidents"]


SURFACES = [
    rest_list,
    rest_detail,
    ogc_items,
    ogc_item,
    tiles,
    export,
    supervision_overdue,
    open311_requests,
    heatmap_hexbins,
    heatmap_hotspots,
    heat_tiles,
    grid_workload,
    coverage_sectors,
    field_case_records,
    field_my_cases,
    dispute_reports,
    admin_changelist,
    admin_change_pages,
]
COUNTS = [supervision_summary_total, supervision_ranking_total, heatmap_density_total]
# Aggregates count whole areas (layers.access.policy.analysis_prefixes), not single rows.
AGGREGATES = {heatmap_hexbins, heatmap_hotspots, heat_tiles, grid_workload, heatmap_density_total}

_TMP = []


def _tmp_dir():
    return _TMP[0]


def _side(layer: str, row) -> str | None:
    """West, east or neither (the county itself) for a row of the small county."""
    code = {
        "areas": lambda r: r.code,
        "grids": lambda r: r.village.code,
        "departments": lambda r: r.area.code,
        "disputes": lambda r: r.village.code,
    }.get(layer, lambda r: r.area.code if r.area else "")(row)
    if code.startswith(WEST):
        return "west"
    if code.startswith(EAST):
        return "east"
    return None


@pytest.fixture
def world(db, django_user_model, tmp_path, settings):
    """The small county (west and east township), departments, dispute cases, and one actor
    per role; every person is staff allowed to view every layer in the admin."""
    _TMP[:] = [tmp_path]
    settings.GISGOV_HOTSPOT_MIN_INCIDENTS = 1  # two incidents: enough to draw hot spots
    county = f.small_county()
    west_grid, _east_grid = county["grids"]
    west_police = f.department("west police", county["west"])
    f.department("east police", county["east"])
    Incident.objects.update(deadline=timezone.now() - timedelta(days=1))  # both overdue
    west_incident = Incident.objects.get(area__code__startswith=WEST)
    west_incident.lead_department = west_police
    west_incident.save()

    viewing = Permission.objects.filter(
        codename__startswith="view_",
        content_type__in=ContentType.objects.get_for_models(*MODELS.values()).values(),
    )

    def person(name, kind=None, area=None):
        # No password: no slow hashing.
        user = django_user_model.objects.create_user(name, is_staff=True)
        user.user_permissions.set(viewing)
        if kind:
            Role.objects.create(user=user, kind=kind, area=area)
        client = APIClient()
        client.force_login(user)  # a session: the REST API, OGC API and tiles all read it
        return Actor(name, client, user, name)

    citizen = person("citizen", "citizen")
    west_incident.reporter = citizen.user
    west_incident.save()
    staff = person("west-police", "department_staff")
    DepartmentMember.objects.create(department=west_police, user=staff.user)
    gridder = person("west-gridder", "gridder")
    GridStaff.objects.create(grid=west_grid, user=gridder.user, role="member")

    system = django_user_model.objects.create_superuser("system", email=None, password=None)
    _token, key = api_token_create(user=system, name="west", scopes=["read"], area=county["west"])
    token_client = APIClient()
    token_client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")

    def case(code, village_code, lon, officers=()):
        created = DisputeCase.objects.create(
            code=code,
            title=code,
            kind="farmland",
            village=AdminArea.objects.get(code=village_code),
            location=Point(lon, LAT, srid=4326),
            opened_on="2026-05-01",
        )
        created.officers.set(officers)
        return created

    officer = person("east-officer", "field_officer", county["east"])
    case("west case", "419821101201", LON)
    assigned = case("east case assigned", "419821102201", LON + 0.25, [officer.user])
    case("east case unassigned", "419821102201", LON + 0.26)

    actors = [
        Actor("anonymous", APIClient(), None, None),
        citizen,
        person("city-admin", "city_admin"),
        person("county-supervisor", "supervisor", county["county"]),
        person("west-supervisor", "supervisor", county["west"]),
        staff,
        gridder,
        officer,
        person("unscoped-account"),
        Actor("west-token", token_client, system, None),
    ]
    return {
        "actors": {a.name: a for a in actors},
        "west_incident": west_incident,
        "assigned_case": assigned,
    }


def expected(actor: str, layer: str, row, world) -> bool:
    """The access rules, written out: what each role may see of each row."""
    side = _side(layer, row)
    if actor == "west-token":
        return side == "west"
    if layer in PUBLIC:
        return True
    if actor in ("city-admin", "county-supervisor", "unscoped-account"):
        return True
    if actor == "anonymous":
        return False
    if actor == "citizen":
        return layer == "incidents" and row.pk == world["west_incident"].pk
    if actor == "west-supervisor":
        return side == "west"
    if actor == "east-officer":
        if layer == "disputes":  # a field officer's own dispute cases
            return row.pk == world["assigned_case"].pk
        return side == "east"
    if actor == "west-police":
        if layer == "incidents":
            return row.pk == world["west_incident"].pk
        if layer == "departments":
            return row.name == "west police"
        return side == "west"
    if actor == "west-gridder":
        if layer == "departments":  # only those inside their village: the police is township's
            return row.area.code.startswith("419821101201")
        return layer != "cameras" and side == "west"
    raise AssertionError(actor)


ACTORS = [
    "anonymous",
    "citizen",
    "city-admin",
    "county-supervisor",
    "west-supervisor",
    "west-police",
    "west-gridder",
    "east-officer",
    "unscoped-account",
    "west-token",
]


@pytest.mark.parametrize("actor_name", ACTORS)
def test_every_surface_shows_what_the_role_allows(world, actor_name):
    actor = world["actors"][actor_name]
    wrong = []
    for layer, model in MODELS.items():
        want = {row.pk for row in model.objects.all() if expected(actor_name, layer, row, world)}
        for surface in SURFACES:
            got = surface(actor, layer, model)
            # An aggregate counts whole areas, so a role whose rows are picked one by one (a
            # citizen's own reports) may see fewer there, never more.
            if got is not None and (not got <= want if surface in AGGREGATES else got != want):
                wrong.append(f"{surface.__name__} {layer}: got {sorted(got)}, want {sorted(want)}")
        for count in COUNTS:
            got = count(actor, layer, model)
            if got is not None and (got > len(want) if count in AGGREGATES else got != len(want)):
                wrong.append(f"{count.__name__} {layer}: counted {got}, want {len(want)}")
    assert not wrong, "\n".join(wrong)


def test_a_township_user_never_sees_another_townships_incidents(world):
    west = world["actors"]["west-supervisor"]
    east_ids = set(
        Incident.objects.filter(area__code__startswith=EAST).values_list("pk", flat=True)
    )
    assert east_ids
    for surface in SURFACES:
        got = surface(west, "incidents", Incident)
        assert got is None or not got & east_ids, surface.__name__
    west_count = len(east_ids) and Incident.objects.filter(area__code__startswith=WEST).count()
    for count in COUNTS:
        assert count(west, "incidents", Incident) == west_count, count.__name__


def test_camera_sites_are_never_public(world, settings):
    settings.GISGOV_PUBLIC_LAYERS = [*settings.GISGOV_PUBLIC_LAYERS, "cameras"]
    for name in ("anonymous", "citizen"):
        actor = world["actors"][name]
        for surface in SURFACES:
            got = surface(actor, "cameras", CameraSite)
            assert not got, (surface.__name__, name)


def test_area_statistics_stay_inside_the_roles_scope(world):
    """Grid workload counts incidents: a township supervisor gets it for their own township,
    a refusal for another; the county supervisor for either; nobody without a login."""
    url = "/api/v1/grids/workload/"
    west = world["actors"]["west-supervisor"].client
    county = world["actors"]["county-supervisor"].client
    assert west.get(url, {"area": "419821101000"}).status_code == 200
    assert west.get(url, {"area": "419821102000"}).status_code == 403
    assert west.get(url, {"area": "419821000000"}).status_code == 403  # the whole county
    assert county.get(url, {"area": "419821102000"}).status_code == 200
    gridder = world["actors"]["west-gridder"].client
    assert gridder.get(url, {"area": "419821101201"}).status_code == 200
    assert gridder.get(url, {"area": "419821102201"}).status_code == 403
    # It counts incidents, which are never public.
    assert APIClient().get(url, {"area": "419821101000"}).status_code == 401
