"""What each vector tile layer carries: its rows, properties, zoom rules and feature cap.

Names are those of the access policy and the REST API. Departments have no geometry of their
own, so they have no tiles.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import F, Model, QuerySet
from django.db.models.expressions import Combinable
from django_filters import FilterSet

from layers.areas.filtersets import AdminAreaFilterSet
from layers.areas.models import AdminArea, AreaLevel
from layers.buildings.filtersets import BuildingFilterSet
from layers.buildings.models import Building
from layers.cameras.filtersets import CameraSiteFilterSet
from layers.cameras.models import CameraSite
from layers.grids.filtersets import GridFilterSet
from layers.grids.models import Grid
from layers.incidents.choices import Category
from layers.incidents.filtersets import IncidentFilterSet
from layers.incidents.models import Incident
from layers.keysites.filtersets import KeySiteFilterSet
from layers.keysites.models import KeySite
from layers.tiles.functions import EpochSeconds

MAX_ZOOM = 22  # the deepest tile served
# The deepest zoom TileJSON announces: clients over-zoom its tiles, which are precise to
# centimetres, instead of fetching four times as many.
DEFAULT_MAXZOOM = 16
# No tile carries more features than this; a fuller tile keeps the first rows of the layer's
# `ordering` (and clustered layers never reach it).
DEFAULT_FEATURE_CAP = 4000


@dataclass(frozen=True)
class TileProperty:
    """One attribute of a tile feature: its name in the tile, where it comes from, what it is."""

    name: str
    source: str | Combinable  # a field path of the model, or an expression
    description: str

    @property
    def expression(self) -> Combinable:
        """The ORM expression selecting the property."""
        return F(self.source) if isinstance(self.source, str) else self.source


@dataclass(frozen=True)
class ClusterRule:
    """Below the cluster zoom a tile carries binned points with counts, not the features.

    Each bin point has `count` and, per value of `breakdown_field`, `count_<value>`.
    """

    breakdown_field: str
    breakdown_values: tuple[str, ...]

    @staticmethod
    def below_zoom() -> int:
        """The first zoom of individual features (setting GISGOV_TILES_CLUSTER_BELOW_ZOOM)."""
        return settings.GISGOV_TILES_CLUSTER_BELOW_ZOOM

    @property
    def count_fields(self) -> dict[str, str]:
        """The properties of a bin point, with their descriptions."""
        fields = {"count": "Number of features binned into this point"}
        for value in self.breakdown_values:
            fields[f"count_{value}"] = f"How many of them have {self.breakdown_field} {value}"
        return fields


@dataclass(frozen=True)
class TileLayer:
    """A layer served as vector tiles: its rows, how each zoom draws them, what they carry."""

    name: str
    description: str
    model: type[Model]
    geometry_field: str
    filterset_class: type[FilterSet]
    properties: tuple[TileProperty, ...]
    ordering: tuple[str, ...] = ("pk",)
    minzoom: int = 0  # below it tiles are empty
    maxzoom: int = DEFAULT_MAXZOOM
    # Polygons are simplified to the tile's resolution before they are clipped and encoded.
    simplify: bool = False
    # Filter parameters applied when the request does not give them.
    default_filters: Mapping[str, str] = field(default_factory=dict)
    # The rows worth drawing at a zoom (wide areas at low zoom, narrow ones deeper).
    rows_at_zoom: Callable[[QuerySet, int], QuerySet] | None = None
    cluster: ClusterRule | None = None
    feature_cap: int = DEFAULT_FEATURE_CAP

    def queryset(self) -> QuerySet:
        """Every row of the layer, before filters and access."""
        return self.model._default_manager.all()

    def clustered_at(self, z: int) -> bool:
        """Whether tiles of zoom z carry binned points instead of the features."""
        return self.cluster is not None and z < self.cluster.below_zoom()

    @property
    def fields(self) -> dict[str, str]:
        """Every property a tile of this layer can carry, with its description (TileJSON)."""
        fields = {prop.name: prop.description for prop in self.properties}
        if self.cluster is not None:
            fields |= self.cluster.count_fields
        return fields


# The finest area level drawn from each zoom on: counties when the whole county fits a few
# tiles, townships, then villages. Wider levels stay, so their borders can be drawn thicker.
AREA_LEVEL_FROM_ZOOM = ((12, AreaLevel.VILLAGE), (10, AreaLevel.TOWNSHIP), (0, AreaLevel.COUNTY))


def areas_at_zoom(queryset: QuerySet, z: int) -> QuerySet:
    """Areas down to the finest level drawn at zoom z."""
    finest = next(level for zoom, level in AREA_LEVEL_FROM_ZOOM if z >= zoom)
    return queryset.filter(level__lte=finest)


def _located(*properties: TileProperty) -> tuple[TileProperty, ...]:
    """A grid-assigned layer's properties, then the grid and village the database assigned."""
    return (
        *properties,
        TileProperty("grid_code", "grid__code", "Code of the grid the feature lies in"),
        TileProperty("area_code", "area__code", "Division code of its village / community"),
    )


LAYERS = {
    layer.name: layer
    for layer in (
        TileLayer(
            name="areas",
            description="Administrative areas: counties from z0, townships from z10, "
            "villages and communities from z12.",
            model=AdminArea,
            geometry_field="geom",
            filterset_class=AdminAreaFilterSet,
            properties=(
                TileProperty("code", "code", "12-digit statistical division code"),
                TileProperty("name", "name", "Name"),
                TileProperty(
                    "level", "level", "Level: 1 province … 3 county, 4 township, 5 village"
                ),
                TileProperty("parent_code", "parent__code", "Division code of the parent area"),
            ),
            ordering=("level", "code"),
            simplify=True,
            rows_at_zoom=areas_at_zoom,
        ),
        TileLayer(
            name="grids",
            description="Current management grids (current=false: closed ones), from z10.",
            model=Grid,
            geometry_field="geom",
            filterset_class=GridFilterSet,
            properties=(
                TileProperty("code", "code", "Grid code"),
                TileProperty("name", "name", "Name"),
                TileProperty("kind", "kind", "basic or exclusive"),
                TileProperty("exclusive_type", "exclusive_type", "What an exclusive grid covers"),
                TileProperty("village_code", "village__code", "Division code of its village"),
                TileProperty("valid_from", "valid_from", "In force from (ISO date)"),
                TileProperty("valid_to", "valid_to", "In force until (ISO date; absent: current)"),
            ),
            ordering=("code", "pk"),
            minzoom=10,
            simplify=True,
            default_filters={"current": "true"},
        ),
        TileLayer(
            name="buildings",
            description="Building footprints with households and residents, from z14.",
            model=Building,
            geometry_field="footprint",
            filterset_class=BuildingFilterSet,
            properties=_located(
                TileProperty("address", "address", "Address"),
                TileProperty("floors", "floors", "Floors"),
                TileProperty("households", "households", "Households"),
                TileProperty("residents", "residents", "Residents"),
                TileProperty("use", "use", "Use: residential, mixed, commercial, public…"),
            ),
            minzoom=14,
            simplify=True,
        ),
        TileLayer(
            name="cameras",
            description="Video surveillance camera sites.",
            model=CameraSite,
            geometry_field="location",
            filterset_class=CameraSiteFilterSet,
            properties=_located(
                TileProperty("code", "code", "Camera code"),
                TileProperty("name", "name", "Name"),
                TileProperty("kind", "kind", "sharp_eyes, skynet, huiyan or other"),
                TileProperty("status", "status", "active, faulty, offline or planned"),
                TileProperty("azimuth", "azimuth", "Azimuth, degrees clockwise from north"),
                TileProperty("field_of_view", "field_of_view", "Field of view, degrees"),
                TileProperty("range_m", "range_m", "Range, metres"),
                TileProperty("department", "department__name", "Owning department"),
            ),
            ordering=("code",),
        ),
        TileLayer(
            name="key-sites",
            description="Key sites: village entrances, schools, markets, hospitals, bridges.",
            model=KeySite,
            geometry_field="location",
            filterset_class=KeySiteFilterSet,
            properties=_located(
                TileProperty("name", "name", "Name"),
                TileProperty("kind", "kind", "entrance, school, market, hospital, bridge, other"),
            ),
        ),
        TileLayer(
            name="incidents",
            description="Reported incidents.",
            model=Incident,
            geometry_field="location",
            filterset_class=IncidentFilterSet,
            properties=_located(
                TileProperty("category", "category", "Category"),
                TileProperty("subcategory", "subcategory", "Subcategory"),
                TileProperty("status", "status", "Status"),
                TileProperty("source", "source", "How it was reported"),
                TileProperty("title", "title", "Title"),
                TileProperty(
                    "reported_at", EpochSeconds("reported_at"), "Reported at, Unix epoch seconds"
                ),
            ),
            ordering=("-reported_at", "-pk"),  # a full tile shows the newest incidents
            cluster=ClusterRule("category", tuple(Category.values)),
        ),
    )
}
