"""Small builders for features around the demo centre (EPSG:4326, lon/lat degrees)."""

from datetime import date

from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.utils import timezone

from layers.areas.models import AdminArea, AreaLevel
from layers.buildings.models import Building
from layers.grids.models import Grid, GridKind
from layers.incidents.models import Incident

LON, LAT = 114.6, 34.5


def rectangle(west: float, south: float, east: float, north: float) -> Polygon:
    return Polygon.from_bbox((west, south, east, north))


def area(code: str, level: int, box: Polygon, parent: AdminArea | None = None) -> AdminArea:
    return AdminArea.objects.create(
        code=code, name=f"area {code}", level=level, parent=parent, geom=MultiPolygon(box)
    )


def county_with_village() -> tuple[AdminArea, AdminArea, AdminArea]:
    """A county, one township and one village, each 0.1° wider than the next level down."""
    county = area(
        "419821000000", AreaLevel.COUNTY, rectangle(LON - 0.3, LAT - 0.3, LON + 0.3, LAT + 0.3)
    )
    township = area(
        "419821101000",
        AreaLevel.TOWNSHIP,
        rectangle(LON - 0.2, LAT - 0.2, LON + 0.2, LAT + 0.2),
        county,
    )
    village = area(
        "419821101201",
        AreaLevel.VILLAGE,
        rectangle(LON - 0.1, LAT - 0.1, LON + 0.1, LAT + 0.1),
        township,
    )
    return county, township, village


def grid(code: str, village: AdminArea, box: Polygon, **fields) -> Grid:
    fields.setdefault("kind", GridKind.BASIC)
    fields.setdefault("valid_from", date(2024, 1, 1))
    return Grid.objects.create(code=code, name=f"grid {code}", village=village, geom=box, **fields)


def building(lon: float, lat: float, households: int = 1, **fields) -> Building:
    half = 0.00005
    return Building.objects.create(
        footprint=rectangle(lon - half, lat - half, lon + half, lat + half),
        households=households,
        residents=households * 3,
        use=fields.pop("use", "residential"),
        **fields,
    )


def incident(lon: float, lat: float, **fields) -> Incident:
    fields.setdefault("category", "dispute")
    fields.setdefault("subcategory", "neighbour")
    fields.setdefault("source", "patrol")
    fields.setdefault("title", "test incident")
    fields.setdefault("reported_at", timezone.now())
    fields.setdefault("location", Point(lon, lat, srid=4326))
    return Incident.objects.create(**fields)


def small_county():
    """Two townships with a village each, a grid per village, and one feature of each kind."""
    from layers.cameras.models import CameraSite
    from layers.keysites.models import KeySite

    county, township, village = county_with_village()
    east_township = area(
        "419821102000",
        AreaLevel.TOWNSHIP,
        rectangle(LON + 0.2, LAT - 0.2, LON + 0.3, LAT + 0.2),
        county,
    )
    east_village = area(
        "419821102201",
        AreaLevel.VILLAGE,
        rectangle(LON + 0.2, LAT - 0.1, LON + 0.3, LAT + 0.1),
        east_township,
    )
    west_grid = grid(
        "419821101201001", village, rectangle(LON - 0.1, LAT - 0.1, LON + 0.1, LAT + 0.1)
    )
    east_grid = grid(
        "419821102201001", east_village, rectangle(LON + 0.2, LAT - 0.1, LON + 0.3, LAT + 0.1)
    )
    for lon in (LON, LON + 0.25):
        building(lon, LAT, households=3)
        incident(lon, LAT)
        KeySite.objects.create(
            name=f"gate {lon}", kind="entrance", location=Point(lon, LAT, srid=4326)
        )
        CameraSite.objects.create(
            code=f"C{lon}",
            name="gate camera",
            kind="sharp_eyes",
            azimuth=90,
            field_of_view=60,
            range_m=80,
            location=Point(lon, LAT, srid=4326),
        )
    return {
        "county": county,
        "west": township,
        "east": east_township,
        "grids": (west_grid, east_grid),
    }


def department(name: str, responsible_for: AdminArea, kind: str = "police"):
    from layers.departments.models import Department

    return Department.objects.create(name=name, kind=kind, area=responsible_for)


def keysite_at(lon: float, lat: float, kind: str = "entrance"):
    from layers.keysites.models import KeySite

    return KeySite.objects.create(name="site", kind=kind, location=Point(lon, lat, srid=4326))
