from django.contrib.gis.admin import GISModelAdmin

from layers.common.widgets import OfflineMapWidget


class MapAdmin(GISModelAdmin):
    """Every geometry in the admin is edited on the offline map."""

    gis_widget = OfflineMapWidget
    gis_widget_kwargs = {"attrs": {"default_zoom": 14}}
