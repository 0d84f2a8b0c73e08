"""The OGC API collections: each is a layer of the REST API, with the same queryset and filters."""

from dataclasses import dataclass

from django.contrib.gis.db.models import Extent
from django.db import connection
from django.db.models import Max, Min, QuerySet

from layers.areas.api import AdminAreaViewSet
from layers.buildings.api import BuildingViewSet
from layers.cameras.api import CameraSiteViewSet
from layers.common.api import LayerViewSet
from layers.grids.api import GridViewSet
from layers.incidents.api import IncidentViewSet
from layers.keysites.api import KeySiteViewSet

NOT_PROPERTIES = {"bbox", "since", "until", "q"}


@dataclass(frozen=True)
class Collection:
    id: str
    title: str
    description: str
    viewset: type[LayerViewSet]
    temporal_field: str | None = None

    @property
    def model(self):
        return self.viewset.queryset.model

    @property
    def geometry_field(self) -> str:
        return self.viewset.geometry_field

    @property
    def properties(self) -> dict[str, str]:
        return self.viewset.list_properties

    @property
    def queryables(self) -> list[str]:
        """The layer's filters that compare a property; bbox and time have their own parameters."""
        filters = self.viewset.filterset_class.base_filters
        return [name for name in filters if name not in NOT_PROPERTIES]


COLLECTIONS = {
    c.id: c
    for c in [
        Collection(
            "areas", "Administrative areas", "Counties, townships, villages.", AdminAreaViewSet
        ),
        Collection(
            "grids",
            "Grids",
            "Management grids (网格) tiling each village.",
            GridViewSet,
            "valid_from",
        ),
        Collection(
            "buildings", "Buildings", "Building footprints with households.", BuildingViewSet
        ),
        Collection("cameras", "Camera sites", "Video surveillance cameras.", CameraSiteViewSet),
        Collection(
            "key-sites", "Key sites", "Village entrances, schools, markets.", KeySiteViewSet
        ),
        Collection("incidents", "Incidents", "Reported problems.", IncidentViewSet, "reported_at"),
    ]
}


def spatial_extent(collection: Collection, visible: QuerySet | None = None) -> list[float] | None:
    """The bounding box of what the caller may see: for a limited credential its own rows,
    otherwise the whole table's from the planner's statistics (cheap), else computed."""
    if visible is not None:
        box = visible.aggregate(box=Extent(collection.geometry_field))["box"]
        return None if box is None else [round(value, 7) for value in box]
    table = collection.model._meta.db_table
    column = collection.model._meta.get_field(collection.geometry_field).column
    quote = connection.ops.quote_name
    # ST_EstimatedExtent cannot read a partitioned table (incidents, by month): for one, the
    # union of its partitions' estimates.
    sql = (
        "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT coalesce("
        "CASE WHEN (SELECT relkind FROM pg_class WHERE oid = %s::regclass) = 'p' THEN"
        " (SELECT ST_Extent(ST_EstimatedExtent(p.relid::regclass::text, %s)::geometry)"
        "  FROM pg_partition_tree(%s::regclass) p WHERE p.isleaf)"
        " ELSE ST_EstimatedExtent(%s, %s) END,"
        f" (SELECT ST_Extent({quote(column)}) FROM {quote(table)})"
        ") AS e) x"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [table, column, table, table, column])
        row = cursor.fetchone()
    return None if row[0] is None else [round(value, 7) for value in row]


def temporal_extent(collection: Collection, visible: QuerySet) -> list[str | None] | None:
    """The first and last time of the rows the caller may see."""
    if collection.temporal_field is None:
        return None
    bounds = visible.aggregate(
        start=Min(collection.temporal_field), end=Max(collection.temporal_field)
    )
    return [value.isoformat() if value else None for value in (bounds["start"], bounds["end"])]
