"""What an uploaded file really is, where and when a photo says it was taken, its thumbnail."""

import io
from datetime import datetime
from pathlib import PurePath

from django.contrib.gis.geos import Point
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

from layers.common.constants import STORAGE_SRID

PDF_SIGNATURE = b"%PDF-"
THUMBNAIL_SIZE = (320, 320)
EXIF_TIME_FORMAT = "%Y:%m:%d %H:%M:%S"
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


def photo_taken_at(upload) -> datetime | None:
    """When a photo was taken, from EXIF DateTimeOriginal (else DateTime); None when absent.

    A camera writes local time, with its UTC offset in OffsetTimeOriginal when it knows it;
    without one the time is read in the server's time zone (settings.TIME_ZONE).
    """
    try:
        with Image.open(upload) as image:
            exif = image.getexif()
            details = exif.get_ifd(ExifTags.IFD.Exif)
    except UNREADABLE:
        return None
    finally:
        upload.seek(0)
    text = details.get(ExifTags.Base.DateTimeOriginal) or exif.get(ExifTags.Base.DateTime)
    offset = details.get(ExifTags.Base.OffsetTimeOriginal) or details.get(ExifTags.Base.OffsetTime)
    try:
        taken = datetime.strptime(str(text).strip("\x00 "), EXIF_TIME_FORMAT)
    except ValueError:
        return None
    if offset:
        try:
            return datetime.strptime(f"{taken:%Y-%m-%dT%H:%M:%S}{offset}", "%Y-%m-%dT%H:%M:%S%z")
        except ValueError:
            pass
    return timezone.make_aware(taken)


def thumbnail_of(upload) -> ContentFile | None:
    """A JPEG at most 320 px a side, turned upright as the EXIF says; None if unreadable."""
    try:
        with Image.open(upload) as image:
            small = ImageOps.exif_transpose(image)
            small.thumbnail(THUMBNAIL_SIZE)
            buffer = io.BytesIO()
            small.convert("RGB").save(buffer, "JPEG", quality=80)
    except UNREADABLE:
        return None
    finally:
        upload.seek(0)
    stem = PurePath(upload.name or "photo").stem
    return ContentFile(buffer.getvalue(), name=f"{stem}-thumbnail.jpg")
