from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

from layers.areas.views import admin_basemap

urlpatterns = [
    path("admin/basemap.geojson", admin_basemap, name="admin-basemap"),
    path("admin/", admin.site.urls),
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    *static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT),
]
