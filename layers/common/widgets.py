"""The admin map widget, served entirely from our own static files (intranets have no internet)."""

from django.conf import settings
from django.contrib.gis.forms.widgets import OSMWidget
from django.contrib.gis.gdal import GDALException


class OfflineMapWidget(OSMWidget):
    """OpenLayers from static/vendor; the base layer is a configured XYZ URL or our own areas."""

    template_name = "gis/offline-openlayers.html"

    class Media:
        extend = False  # drop the parent's CDN links
        css = {"all": ("vendor/ol/ol.css", "gis/css/ol3.css")}
        js = ("vendor/ol/ol.js", "gis/js/OLMapWidget.js")

    def __init__(self, attrs=None):
        lon, lat = settings.GISGOV_MAP_CENTER
        super().__init__({"default_lon": lon, "default_lat": lat, **(attrs or {})})

    def deserialize(self, value):
        # A form shown again with text GDAL cannot read (its error is on the form) draws an
        # empty map rather than failing the page.
        try:
            return super().deserialize(value)
        except GDALException:
            return None

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["basemap_url"] = settings.GISGOV_BASEMAP_URL
        return context
