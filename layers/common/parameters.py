"""Numbers read from query strings, the same way on every surface (REST, OGC API, statistics).
Each function raises ValueError with a message naming the parameter and what it takes; the
surface turns it into its own 400 body."""

import math
import re

from django.contrib.gis.geos import Polygon
from django.utils.translation import gettext as _

_DIGITS = re.compile(r"[0-9]{1,18}")


def integer_in_range(
    name: str, text: str | None, *, default: int, minimum: int, maximum: int
) -> int:
    """A whole number written in plain digits from `minimum` to `maximum`; `default` when absent."""
    if text is None or text == "":
        return default
    if not _DIGITS.fullmatch(text) or not minimum <= int(text) <= maximum:
        raise ValueError(
            _("%(name)s must be an integer from %(minimum)d to %(maximum)d")
            % {"name": name, "minimum": minimum, "maximum": maximum}
        )
    return int(text)


def finite_number(
    name: str, text: str | None, *, default: float | None, positive: bool = False
) -> float | None:
    """A finite number (above 0 when `positive`); `default` when absent."""
    if text is None or text == "":
        return default
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or (positive and value <= 0):
        problem = (
            _("%(name)s is a positive number, not %(text)r.")
            if positive
            else _("%(name)s is not a number: %(text)r")
        )
        raise ValueError(problem % {"name": name, "text": text})
    return value


def bbox_numbers(text: str, *, heights_allowed: bool = False) -> tuple[float, float, float, float]:
    """The four corner numbers of `a,b,c,d` (or `a,b,h1,c,d,h2` with heights, dropped), as written:
    the caller knows the axis order of its CRS."""
    parts = text.split(",")
    if len(parts) != 4 and not (heights_allowed and len(parts) == 6):
        raise ValueError(
            _("takes four numbers (or six with heights): the lower corner, then the upper corner")
            if heights_allowed
            else _("takes four numbers: min longitude, min latitude, max longitude, max latitude")
        )
    try:
        numbers = [float(part) for part in parts]
    except ValueError:
        raise ValueError(_("values must be numbers")) from None
    if not all(math.isfinite(number) for number in numbers):
        raise ValueError(_("values must be finite numbers"))
    if len(numbers) == 6:
        numbers = [numbers[0], numbers[1], numbers[3], numbers[4]]
    return tuple(numbers)


def check_corners(minx: float, miny: float, maxx: float, maxy: float) -> None:
    if minx > maxx or miny > maxy:
        raise ValueError(_("the lower corner must come before the upper corner"))


def lonlat_box(minx: float, miny: float, maxx: float, maxy: float) -> Polygon:
    """The box as a polygon in EPSG:4326, once its corners are in order and on the globe."""
    check_corners(minx, miny, maxx, maxy)
    if not (minx >= -180 and maxx <= 180 and miny >= -90 and maxy <= 90):
        raise ValueError(_("longitudes lie within ±180 and latitudes within ±90"))
    box = Polygon.from_bbox((minx, miny, maxx, maxy))
    box.srid = 4326
    return box
