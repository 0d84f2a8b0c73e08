"""What an uploaded file really is, and where a photo says it was taken."""

from django.contrib.gis.geos import Point
from PIL import ExifTags, Image, UnidentifiedImageError

from layers.common.constants import STORAGE_SRID

PDF_SIGNATURE = b"%PDF-"
# Pillow's ways of saying "not an image I can read" (a bomb is refused, not decoded).
UNREADABLE = (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError)


def content_type_of(upload) -> str | None:
    """The type read from the bytes: an image Pillow can open, or a PDF; None otherwise."""
    try:
        if upload.read(len(PDF_SIGNATURE)) == PDF_SIGNATURE:
            return "application/pdf"
        upload.seek(0)
        with Image.open(upload) as image:
            image.verify()
            return Image.MIME.get(image.format)
    except UNREADABLE:
        return None
    finally:
        upload.seek(0)


def photo_position(upload) -> Point | None:
    """Where a photo was taken, from its EXIF GPS tags; None when it carries none.

    Cameras write the receiver's WGS-84 coordinates, the storage CRS: nothing to transform.
    """
    try:
        with Image.open(upload) as image:
            gps = image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    except UNREADABLE:
        return None
    finally:
        upload.seek(0)
    try:
        latitude = _degrees(gps[ExifTags.GPS.GPSLatitude], gps.get(ExifTags.GPS.GPSLatitudeRef))
        longitude = _degrees(gps[ExifTags.GPS.GPSLongitude], gps.get(ExifTags.GPS.GPSLongitudeRef))
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    return Point(longitude, latitude, srid=STORAGE_SRID)


def _degrees(degrees_minutes_seconds, reference) -> float:
    degrees, minutes, seconds = (float(part) for part in degrees_minutes_seconds)
    value = degrees + minutes / 60 + seconds / 3600
    return -value if reference in ("S", "W") else value
