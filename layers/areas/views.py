from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpResponse

from layers.areas.selectors import areas_outline_geojson


@staff_member_required
def admin_basemap(request):
    """Township and village outlines: the admin map's base when no tile basemap is configured."""
    return HttpResponse(areas_outline_geojson(), content_type="application/geo+json")
