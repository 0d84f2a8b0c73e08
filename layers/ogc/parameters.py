"""Parsing the OGC API query parameters; every bad value is an OgcError naming the parameter."""

import re
from dataclasses import dataclass
from datetime import datetime, time

from django.contrib.gis.geos import Polygon
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from layers.common.parameters import bbox_numbers, check_corners, integer_in_range, lonlat_box

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG = "http://www.opengis.net/def/crs/EPSG/0/{}"


@dataclass(frozen=True)
class OutputCRS:
    uri: str
    srid: int
    latitude_first: bool  # EPSG:4326 and 4490 order their axes latitude, longitude


SUPPORTED_CRS = {
    crs.uri: crs
    for crs in [
        OutputCRS(CRS84, 4326, False),
        OutputCRS(EPSG.format(4326), 4326, True),
        OutputCRS(EPSG.format(4490), 4490, True),
        OutputCRS(EPSG.format(3857), 3857, False),
    ]
}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_SMALL_INTEGER = re.compile(r"[0-9]{1,15}")
WEB_MERCATOR_HALF_WORLD = 20037508.342789244
DEFAULT_LIMIT = 10
MAX_LIMIT = 10_000
MAX_OFFSET = 10**15 - 1


class OgcError(Exception):
    """An OGC API exception: its HTTP status, code and a description naming the parameter."""

    def __init__(self, status: int, code: str, description: str):
        super().__init__(description)
        self.status, self.code, self.description = status, code, description


def bad(parameter: str, why: str) -> OgcError:
    return OgcError(400, "InvalidParameterValue", f"{parameter}: {why}")


def parse_crs(parameter: str, value: str | None) -> OutputCRS:
    if not value:
        return SUPPORTED_CRS[CRS84]
    crs = SUPPORTED_CRS.get(value.strip("<>"))
    if crs is None:
        raise bad(parameter, f"unsupported CRS {value!r}; use one of {', '.join(SUPPORTED_CRS)}")
    return crs


def parse_limit(value: str | None) -> int:
    return _integer("limit", value, default=DEFAULT_LIMIT, minimum=1, maximum=MAX_LIMIT)


def parse_offset(value: str | None) -> int:
    return _integer("offset", value, default=0, minimum=0, maximum=MAX_OFFSET)


def _integer(name: str, value: str | None, **bounds) -> int:
    try:
        return integer_in_range(name, value, **bounds)
    except ValueError as exc:
        raise OgcError(400, "InvalidParameterValue", str(exc)) from None


def is_feature_id(value: str) -> bool:
    return _SMALL_INTEGER.fullmatch(value) is not None


def parse_bbox(value: str | None, crs: OutputCRS) -> Polygon | None:
    """A bbox in the `bbox-crs` (axis order of that CRS) as a polygon in storage coordinates."""
    if not value:
        return None
    try:
        minx, miny, maxx, maxy = bbox_numbers(value, heights_allowed=True)
        if crs.latitude_first:
            minx, miny, maxx, maxy = miny, minx, maxy, maxx
        if crs.srid != 3857:
            return lonlat_box(minx, miny, maxx, maxy)
        check_corners(minx, miny, maxx, maxy)
    except ValueError as exc:
        raise bad("bbox", str(exc)) from None
    # Beyond the projection's square PROJ wraps around (or never returns, for huge values).
    minx, maxx = max(minx, -WEB_MERCATOR_HALF_WORLD), min(maxx, WEB_MERCATOR_HALF_WORLD)
    miny, maxy = max(miny, -WEB_MERCATOR_HALF_WORLD), min(maxy, WEB_MERCATOR_HALF_WORLD)
    box = Polygon.from_bbox((minx, miny, maxx, maxy))
    box.srid = 3857
    box.transform(4326)
    return box


def _is_date(text: str) -> bool:
    return _DATE.fullmatch(text) is not None and parse_date(text) is not None


def _instant(text: str, end: bool) -> datetime:
    """A date stands for its whole day (its first or last moment); a date-time for itself."""
    if _is_date(text):
        moment = datetime.combine(parse_date(text), time.max if end else time.min)
    else:
        moment = parse_datetime(text)
        if moment is None:
            raise ValueError(text)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_default_timezone())
    return moment


def parse_datetime_filter(value: str | None) -> tuple[datetime | None, datetime | None] | None:
    """An instant, a closed interval `a/b`, or a half-open one `../b` or `a/..`: (start, end)."""
    if not value:
        return None
    try:
        if "/" not in value:
            if _is_date(value):
                return _instant(value, end=False), _instant(value, end=True)
            moment = _instant(value, end=False)
            return moment, moment
        start_text, end_text = value.split("/", 1)
        start = None if start_text in ("", "..") else _instant(start_text, end=False)
        end = None if end_text in ("", "..") else _instant(end_text, end=True)
    except ValueError:
        raise bad("datetime", f"{value!r} is not an RFC 3339 instant or interval") from None
    if start is None and end is None:
        raise bad("datetime", "an interval needs at least one end")
    if start and end and start > end:
        raise bad("datetime", "the interval ends before it starts")
    return start, end
